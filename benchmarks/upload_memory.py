"""Peak memory of a 500 MB upload: the file must be streamed, not read whole.

Uploads a 500 MB sparse file through ``Session.upload`` to a loopback server (a
separate process that reads and discards the body), and prints the client
process's resident memory before the upload (the reference, measured in this run),
its peak during the upload, and the growth against the 64 MB target.

    python benchmarks/upload_memory.py [--mb 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGET_MB = 64.0


# -- the discarding server (runs in its own process) ------------------------------------------------
async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
            received = 0
            if "content-length" in headers:
                remaining = int(headers["content-length"])
                while remaining:
                    chunk = await reader.read(min(remaining, 1 << 20))
                    if not chunk:
                        return
                    remaining -= len(chunk)
                    received += len(chunk)
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size = int((await reader.readline()).strip() or b"0", 16)
                    if size == 0:
                        await reader.readline()
                        break
                    await reader.readexactly(size + 2)
                    received += size
            if path.startswith("/api/upload-video/"):
                data = {"files": [{"filename": "big.mp4", "file_type": "video", "cdn_url": "http://cdn/big.mp4",
                                   "size": received}]}
            else:
                data = {}
            body = json.dumps({"code": 0, "message": "success", "data": data}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
            _ = method
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve(port_file: str) -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    Path(port_file).write_text(str(port))
    async with server:
        await server.serve_forever()


# -- measuring ----------------------------------------------------------------------------------------
def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class PeakSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))
            time.sleep(0.005)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=500.0, help="file size in MB (default 500)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["NEMO_CONFIG_DIR"] = str(Path(tmp) / "config")
        port_file = Path(tmp) / "port"
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)])
        try:
            deadline = time.monotonic() + 20
            while not port_file.exists() or not port_file.read_text():
                if time.monotonic() > deadline:
                    raise SystemExit("the loopback server did not start")
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port_file.read_text()}"
            size = int(args.mb * 1024 * 1024)
            big = Path(tmp) / "big.mp4"
            with open(big, "wb") as fh:       # sparse: no disk blocks, reads return zeros
                fh.truncate(size)

            from nemo_jupyter import Nemo

            nemo = Nemo(url, token="nmv_benchmark_token", max_upload_mb=max(args.mb, 500.0))
            session = nemo.session(session_id="1")
            nemo.credits()                      # warm up: loop thread, client, connection
            with_hwm = True
            try:
                Path("/proc/self/clear_refs").write_text("5")   # reset the kernel's peak-RSS mark
            except OSError:
                with_hwm = False
            before_kb = _status_kb("VmRSS")
            sampler = PeakSampler()
            sampler.start()
            start = time.perf_counter()
            files = session.upload(big)
            elapsed = time.perf_counter() - start
            sampler.stop.set()
            sampler.join()
            peak_kb = max(sampler.peak_kb, _status_kb("VmHWM") if with_hwm else 0)
            nemo.close()
        finally:
            server.terminate()
            server.wait(timeout=10)

    received = files[0].raw.get("size")
    growth_mb = (peak_kb - before_kb) / 1024
    print(f"upload size          : {args.mb:.0f} MB (sparse file), server received {received} body bytes for {size} file bytes")
    print(f"RSS before (ref)     : {before_kb / 1024:8.1f} MB")
    print(f"peak RSS during      : {peak_kb / 1024:8.1f} MB  ({'VmHWM + sampling' if with_hwm else 'sampling'})")
    print(f"peak growth          : {growth_mb:8.1f} MB  (target <= {TARGET_MB:.0f} MB)")
    print(f"time / throughput    : {elapsed:6.2f} s, {args.mb / elapsed:7.1f} MB/s")
    ok = growth_mb <= TARGET_MB and isinstance(received, int) and received >= size  # body = file + multipart framing
    print("RESULT               :", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
