"""Classroom engines: the class code, and per-user quotas answered with 429 + Retry-After."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemo_jupyter import AuthError, Nemo
from nemo_jupyter.engine.api.quotas import QuotaLimits, Quotas, class_code_problem, parse_quota_args
from nemo_jupyter.engine.launcher import EngineProcess, start_engine

CODE = "TEACH-" + uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    proc = start_engine(tmp_path_factory.mktemp("classroom"), idle_timeout=0, extra_args=[
        "--class-code", CODE, "--quota", "tokens=3", "--quota", "sessions=2", "--quota", "upload_mb=0.05",
        "--quota", "queued_renders=1", "--quota", "video_minutes=1"])
    yield proc
    proc.stop()


def _token(url: str, client_id: str, code: str | None = CODE) -> httpx.Response:
    headers = {"X-Client-Id": client_id}
    if code is not None:
        headers["X-Class-Code"] = code
    return httpx.post(f"{url}/api/auth/anonymous-token", headers=headers, trust_env=False)


def _authed(url: str) -> httpx.Client:
    r = _token(url, str(uuid.uuid4()))
    assert r.status_code == 200, r.text
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {r.json()['data']['token']}"},
                        timeout=60, trust_env=False)


def _assert_429(r: httpx.Response, words: str) -> None:
    assert r.status_code == 429, r.text
    retry = r.headers.get("Retry-After")
    assert retry and retry.isdigit() and int(retry) >= 1
    body = r.json()
    message = body.get("message") or body.get("error")
    assert words in message and "Try again in" in message, message


def test_tokens_need_the_class_code(classroom: EngineProcess) -> None:
    for code in (None, "wrong", CODE + " extra"):
        r = _token(classroom.url, str(uuid.uuid4()), code)
        assert r.status_code == 403 and r.json()["code"] == 1003, r.text
        assert "class code" in r.json()["message"] and "token" not in r.json().get("data", {})
    assert _token(classroom.url, str(uuid.uuid4())).status_code == 200


def test_the_client_sends_the_class_code(classroom: EngineProcess) -> None:
    with pytest.raises(AuthError) as info:
        Nemo(classroom.url, retries=0, client_id=str(uuid.uuid4())).credits()
    assert "NEMO_CLASS_CODE" in info.value.hint
    nemo = Nemo(classroom.url, retries=0, class_code=CODE, client_id=str(uuid.uuid4()))
    assert nemo.credits().available > 0
    assert CODE not in repr(nemo.settings)
    nemo.close()


def test_tokens_per_client_id(classroom: EngineProcess) -> None:
    client_id = str(uuid.uuid4())
    for _ in range(3):
        assert _token(classroom.url, client_id).status_code == 200
    _assert_429(_token(classroom.url, client_id), "tokens for this client id")
    assert _token(classroom.url, str(uuid.uuid4())).status_code == 200   # per client id


def test_sessions_per_user(classroom: EngineProcess) -> None:
    http = _authed(classroom.url)
    for _ in range(2):
        assert http.post("/api/tasks/me/with-session/nemo_agent", json={}).json()["code"] == 0
    _assert_429(http.post("/api/tasks/me/with-session/nemo_agent", json={}), "new sessions")


def test_upload_bytes_per_user(classroom: EngineProcess) -> None:
    http = _authed(classroom.url)
    sid = http.post("/api/tasks/me/with-session/nemo_agent", json={}).json()["data"]["session_id"]
    up = f"/api/upload-video/nemo_agent/me/{sid}"
    assert http.post(up, files=[("files", ("a.txt", b"Hello. " * 1000))]).json()["code"] == 0     # 7 KB
    _assert_429(http.post(up, files=[("files", ("b.txt", b"Hello. " * 8000))]), "uploaded megabytes")
    state = http.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
    assert [u["filename"] for u in state["video_infos"]] == ["a.txt"]   # the refused one is not kept


def test_queued_renders_and_minutes_of_video(classroom: EngineProcess) -> None:
    http = _authed(classroom.url)

    def submit(seconds: int) -> httpx.Response:
        draft = {"t": [{"tt": 0, "sg": [{"st": 0, "d": seconds * 1000, "k": "scene", "scene": "forest"}]}],
                 "d": seconds * 1000, "m": {"width": 320, "height": 180}}
        return http.post("/api/render/proxy/lambda", json={"id": f"r_{uuid.uuid4().hex[:10]}", "draft": draft,
                                                           "output": {"quality": "preview"}})

    first = submit(40)
    assert first.status_code == 200, first.text
    _assert_429(submit(5), "renders queued or running")
    job = first.json()["data"]["id"]
    http.post(f"/api/render/proxy/lambda/{job}/cancel")
    deadline = time.monotonic() + 60
    while http.get(f"/api/render/proxy/lambda/{job}").json()["data"]["status"] in ("pending", "processing"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    _assert_429(submit(30), "minutes of video")      # 40 s + 30 s > 1 minute an hour
    assert submit(10).status_code == 200              # 40 s + 10 s fits


def test_a_classroom_engine_makes_up_a_class_code(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("open-class")
    proc = start_engine(home, host="0.0.0.0", idle_timeout=0)
    try:
        log = (home / "engine.log").read_text()
        m = re.search(r"class code: ([A-Z0-9-]{14})", log)
        assert m, log
        assert _token(proc.url, str(uuid.uuid4()), None).status_code == 403
        assert _token(proc.url, str(uuid.uuid4()), m.group(1)).status_code == 200
    finally:
        proc.stop()


def test_quota_arguments() -> None:
    assert parse_quota_args(["queued_renders=2", "video-minutes=20"]) == QuotaLimits(queued_renders=2,
                                                                                      video_minutes=20.0)
    for bad in ("nope=1", "tokens=x", "tokens=-1", "tokens=nan"):
        with pytest.raises(ValueError):
            parse_quota_args([bad])


def test_retry_after_is_when_the_window_frees_enough() -> None:
    q = Quotas(QuotaLimits(tokens=2))
    q.token("c", None)
    q.token("c", None)
    with pytest.raises(Exception) as info:
        q.token("c", None)
    retry = int(info.value.headers["Retry-After"])   # type: ignore[attr-defined]
    assert 3590 <= retry <= 3600


# -- guessing the class code --------------------------------------------------------------------
@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    proc = start_engine(tmp_path_factory.mktemp("guarded"), idle_timeout=0, extra_args=["--class-code", CODE])
    yield proc
    proc.stop()


def test_wrong_class_codes_are_slowed_down_per_address(guarded: EngineProcess) -> None:
    answers = [_token(guarded.url, str(uuid.uuid4()), f"GUESS-{i:04d}") for i in range(300)]
    statuses = [r.status_code for r in answers]
    assert statuses[:5] == [403] * 5, statuses[:8]              # a few typing mistakes are free
    assert statuses.count(429) >= 290, statuses[:20]             # then each try waits (never 300 guesses)
    slowed = next(r for r in answers if r.status_code == 429)
    _assert_429(slowed, "wrong class codes")
    assert all("token" not in (r.json().get("data") or {}) for r in answers)
    # while this address must wait, even the right code waits: guessing gains nothing by speed
    right = _token(guarded.url, str(uuid.uuid4()), CODE)
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    assert httpx.get(f"{guarded.url}/health", trust_env=False).json()["ok"] is True


def test_the_wait_grows_and_a_right_code_forgets_the_wrong_ones() -> None:
    from nemo_jupyter.engine.api.common import ApiError
    from nemo_jupyter.engine.api.quotas import FREE_CODE_TRIES, MAX_CODE_WAIT

    q = Quotas(class_code=CODE)
    for _ in range(FREE_CODE_TRIES):
        with pytest.raises(ApiError) as wrong:
            q.check_class_code("nope", "10.0.0.7")
        assert wrong.value.status == 403
    with pytest.raises(ApiError) as wait:
        q.check_class_code(CODE, "10.0.0.7")
    assert wait.value.status == 429
    q.check_class_code(CODE, "10.0.0.8")          # another address is not slowed down

    def passed() -> None:   # as if the wait had passed (within the hour that wrong codes are remembered)
        q._wrong_codes["10.0.0.7"] = (q._wrong_codes["10.0.0.7"][0], time.monotonic() - MAX_CODE_WAIT - 1)

    waits = []
    for _ in range(14):                           # each wrong try (after its wait) doubles the next wait
        passed()
        with pytest.raises(ApiError):
            q.check_class_code("nope", "10.0.0.7")
        with pytest.raises(ApiError) as again:
            q.check_class_code("nope", "10.0.0.7")
        waits.append(int(again.value.headers["Retry-After"]))   # type: ignore[index]
    assert waits[:4] == [2, 4, 8, 16] and max(waits) == MAX_CODE_WAIT
    passed()
    q.check_class_code(CODE, "10.0.0.7")          # the right code, after the wait: forgiven
    assert "10.0.0.7" not in q._wrong_codes


@pytest.mark.parametrize("weak", ["a", "ROSE-7", "aaaaaaaaaaaa", "12-12-12-12"])
def test_a_weak_class_code_is_refused_with_a_strong_one_suggested(tmp_path: Path, weak: str) -> None:
    from nemo_jupyter.engine.launcher import EngineStartError

    with pytest.raises(EngineStartError) as info:
        start_engine(tmp_path / "weak", idle_timeout=0, extra_args=["--class-code", weak])
    text = str(info.value)
    assert "too easy to guess" in text
    suggested = re.search(r"--class-code ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", text)
    assert suggested and class_code_problem(suggested.group(1)) is None, text
    assert class_code_problem("TEACH-" + "a1b2c3") is None and class_code_problem(weak)
