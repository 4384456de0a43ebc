"""Every error code and HTTP status of the protocol table, over real HTTP."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import pytest
from _helpers import cloud_session
from fakecloud import FAST, FakeCloud, envelope, sse, status
from starlette.requests import Request

from nemo_jupyter import (
    AsyncNemo,
    AuthError,
    ClientIdMissing,
    ExportBlocked,
    FileTooLarge,
    InsufficientCredits,
    Nemo,
    RateLimited,
    ServerError,
    SessionNotFound,
    TransportError,
    UnsupportedFileType,
    __version__,
)

CREDITS = "GET /api/credits/balance/simple"


def test_attribution_headers_and_bearer_on_every_request(cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_PLATFORM", "jupyter")
    nemo = Nemo(cloud.url, **FAST)
    nemo.session().ask("make a video")
    nemo.credits()
    assert len(cloud.requests) >= 5
    for req in cloud.requests:
        assert req.headers["x-skill-source"] == "nemo-jupyter"
        assert req.headers["x-skill-version"] == __version__
        assert req.headers["x-skill-platform"] == "jupyter"
        if req.path != "/api/auth/anonymous-token":
            assert req.headers["authorization"].startswith("Bearer nmv_usr_")
    nemo.close()


def test_anonymous_token_is_cached_per_backend_and_reused(cloud: FakeCloud) -> None:
    Nemo(cloud.url, **FAST).credits()
    n2 = Nemo(cloud.url, **FAST)
    n2.credits()
    assert len(cloud.calls("POST", "/api/auth/anonymous-token")) == 1
    assert n2.user_id and n2.user_id.startswith("anon_") and n2.is_anonymous


def test_1001_then_success_gets_a_fresh_token_with_the_same_client_id(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    assert nemo.credits().available == 25000
    cloud.expire_all_tokens()             # the cached token is now refused with code 1001
    assert nemo.credits().available == 25000
    tokens = cloud.calls("POST", "/api/auth/anonymous-token")
    assert len(tokens) == 2
    assert tokens[0].headers["x-client-id"] == tokens[1].headers["x-client-id"]
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 3   # ok, 1001, retried once
    nemo.close()


def test_1001_twice_is_an_auth_error(cloud: FakeCloud) -> None:
    cloud.script(CREDITS, envelope(code=1001, message="token expired"), times=3)
    with pytest.raises(AuthError) as info:
        Nemo(cloud.url, **FAST).credits()
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 2
    assert "NEMO_TOKEN" in str(info.value)


def test_user_token_is_not_swapped_for_an_anonymous_one(cloud: FakeCloud) -> None:
    with pytest.raises(AuthError):
        Nemo(cloud.url, token="nmv_usr_not_known_here", **FAST).credits()
    assert not cloud.calls("POST", "/api/auth/anonymous-token")


def test_1002_on_state_is_session_not_found(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session(session_id="424242")
    with pytest.raises(SessionNotFound) as info:
        s.state()
    assert info.value.code == 1002 and s.id is None
    assert "new session" in str(info.value)


def test_2001_anonymous_gets_a_registration_link_with_bind(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "hello", web_url="https://web.example")
    cloud.script("POST /run_sse", envelope(code=2001, message="insufficient credits"))
    with pytest.raises(InsufficientCredits) as info:
        s.ask("generate a clip")
    assert info.value.register_url == f"https://web.example/register?bind={nemo.user_id}"
    assert nemo.user_id.startswith("anon_") and info.value.register_url in str(info.value)
    nemo.close()


def test_2001_registered_user_is_told_to_top_up(cloud: FakeCloud) -> None:
    cloud.tokens["nmv_usr_registered_user_1"] = {"client_id": "x", "user_id": "u_1"}
    cloud.script(CREDITS, envelope(code=2001, message="insufficient credits"))
    with pytest.raises(InsufficientCredits) as info:
        Nemo(cloud.url, token="nmv_usr_registered_user_1", **FAST).credits()
    assert info.value.register_url is None and "Top up" in str(info.value)


def test_429_with_retry_after_waits_that_long_then_retries_once(cloud: FakeCloud) -> None:
    cloud.script(CREDITS, status(429, {"detail": "slow down"}, headers={"Retry-After": "0.4"}))
    nemo = Nemo(cloud.url, **{**FAST, "rate_limit_wait": 5.0})
    start = time.monotonic()
    assert nemo.credits().available == 25000
    assert 0.35 <= time.monotonic() - start < 3
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 2


def test_429_without_retry_after_uses_the_default_wait(cloud: FakeCloud) -> None:
    cloud.script(CREDITS, status(429))
    nemo = Nemo(cloud.url, **{**FAST, "rate_limit_wait": 0.3})
    start = time.monotonic()
    nemo.credits()
    assert 0.25 <= time.monotonic() - start < 3


def test_429_twice_is_rate_limited(cloud: FakeCloud) -> None:
    cloud.script(CREDITS, status(429, headers={"Retry-After": "0"}), times=2)
    with pytest.raises(RateLimited) as info:
        Nemo(cloud.url, **FAST).credits()
    assert info.value.status == 429 and info.value.retry_after == 0
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 2


def test_402_is_export_blocked(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    cloud.script("POST /api/render/proxy/lambda", status(402, {"detail": "Payment Required"}))
    with pytest.raises(ExportBlocked) as info:
        s.export()
    assert "register or upgrade" in str(info.value).lower()
    assert not nemo.jobs()       # the refused id was not kept
    nemo.close()


def test_4001_lists_accepted_formats(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo, s = cloud_session(cloud)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 1000)
    cloud.script("POST /api/upload-video/.*", envelope(code=4001, message="unsupported file type"))
    with pytest.raises(UnsupportedFileType) as info:
        s.upload(clip)
    assert "mp4" in info.value.accepted and "txt" in info.value.accepted
    assert "jpg" in str(info.value) and "wav" in str(info.value)
    nemo.close()


def test_4002_is_file_too_large_with_advice(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo = Nemo(cloud.url, **FAST)
    clip = tmp_path / "clip.mov"
    clip.write_bytes(b"\x00" * 1000)
    cloud.script("POST /api/upload-video/.*", envelope(code=4002, message="file too large"))
    with pytest.raises(FileTooLarge) as info:
        nemo.session().upload(clip)
    assert "Compress or trim" in str(info.value)
    nemo.close()


def test_http_400_missing_client_id_makes_a_new_one_and_retries_once(cloud: FakeCloud) -> None:
    cloud.script("POST /api/auth/anonymous-token", status(400, {"detail": "X-Client-Id header required"}))
    nemo = Nemo(cloud.url, **FAST)
    assert nemo.credits().available == 25000
    first, second = cloud.calls("POST", "/api/auth/anonymous-token")
    assert first.headers["x-client-id"] and second.headers["x-client-id"] != first.headers["x-client-id"]
    assert nemo.settings.resolve_client_id() == second.headers["x-client-id"]     # the new id is kept


def test_http_400_twice_is_client_id_missing(cloud: FakeCloud) -> None:
    cloud.script("POST /api/auth/anonymous-token", status(400, {"detail": "X-Client-Id header required"}), times=2)
    with pytest.raises(ClientIdMissing) as info:
        Nemo(cloud.url, **FAST).credits()
    assert info.value.status == 400 and "NEMO_CLIENT_ID" in str(info.value)
    assert len(cloud.calls("POST", "/api/auth/anonymous-token")) == 2
    # the fake's own endpoint answers 400 when the header is absent: the client always sends it
    Nemo(cloud.url, **FAST).credits()
    assert cloud.calls("POST", "/api/auth/anonymous-token")[-1].headers["x-client-id"]


def test_gets_are_retried_on_5xx_but_posts_are_not(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    cloud.script(CREDITS, status(503), times=2)
    assert nemo.credits().available == 25000
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 3
    cloud.script(CREDITS, status(500), times=10)
    with pytest.raises(ServerError):
        nemo.credits()
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 3 + 1 + FAST["retries"]
    s = nemo.session()
    cloud.script("POST /run_sse", status(502))
    with pytest.raises(ServerError):
        s.ask("make a video")
    assert len(cloud.calls("POST", "/run_sse")) == 1
    nemo.close()


def test_gets_are_retried_after_a_broken_connection_but_posts_are_not(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    nemo.credits()
    cloud.script(CREDITS, sse([], drop=True))          # the connection breaks mid-answer
    assert nemo.credits().available == 25000
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 3
    cloud.script("POST /api/tasks/me/with-session/nemo_agent", sse([], drop=True))
    with pytest.raises(TransportError):
        nemo.session().upload(urls=["https://example.com/a.png"])
    assert len(cloud.calls("POST", "/api/tasks/me/with-session/nemo_agent")) == 1
    nemo.close()


def test_unknown_envelope_code_is_a_server_error_with_the_message(cloud: FakeCloud) -> None:
    cloud.script(CREDITS, envelope(code=7777, message="maintenance window"))
    with pytest.raises(ServerError) as info:
        Nemo(cloud.url, **FAST).credits()
    assert "7777" in str(info.value) and "maintenance window" in str(info.value)


def test_connection_refused_is_a_transport_error_after_retries() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    nemo = Nemo(f"http://127.0.0.1:{port}", token="nmv_usr_x1234", **FAST)
    with pytest.raises(TransportError) as info:
        nemo.credits()
    assert f"127.0.0.1:{port}" in str(info.value)


def test_concurrent_1001s_fetch_one_new_token(cloud: FakeCloud) -> None:
    nemo = AsyncNemo(cloud.url, **FAST)
    arrived: list[int] = []

    async def together(request: Request) -> None:
        arrived.append(1)               # hold each request until all three are in,
        for _ in range(250):            # so all three are refused with the old token
            if len(arrived) >= 3:
                break
            await asyncio.sleep(0.02)
        return None                     # then the default answer: 1001 for the expired token

    async def main() -> list[int]:
        await nemo.credits()
        cloud.expire_all_tokens()
        cloud.script(CREDITS, together, times=3)
        results = await asyncio.gather(*(nemo.credits() for _ in range(3)))
        await nemo.aclose()
        return [c.available for c in results]

    assert asyncio.run(main()) == [25000] * 3
    assert len(arrived) == 3
    assert len(cloud.calls("POST", "/api/auth/anonymous-token")) == 2   # the first one, then exactly one more
    assert len(cloud.calls("GET", "/api/credits/balance/simple")) == 1 + 3 + 3


def test_retry_after_is_capped() -> None:
    from nemo_jupyter.client.transport import MAX_RETRY_AFTER
    from nemo_jupyter.client.transport import parse_retry_after as _parse_retry_after

    assert MAX_RETRY_AFTER <= 120
    assert _parse_retry_after("86400") == MAX_RETRY_AFTER
    assert _parse_retry_after("inf") == MAX_RETRY_AFTER
    assert _parse_retry_after("nan") is None
    assert _parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT") == MAX_RETRY_AFTER
    assert _parse_retry_after("2.5") == 2.5 and _parse_retry_after("-3") == 0.0


def test_a_huge_retry_after_does_not_hang_the_call(cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    import nemo_jupyter.client.transport as client_module

    monkeypatch.setattr(client_module, "MAX_RETRY_AFTER", 0.3)   # the cap, shortened for the test
    cloud.script(CREDITS, status(429, {"detail": "slow down"}, headers={"Retry-After": "86400"}))
    nemo = Nemo(cloud.url, **FAST)
    start = time.monotonic()
    assert nemo.credits().available == 25000
    assert time.monotonic() - start < 3
    nemo.close()


def test_two_clients_starting_at_once_ask_for_one_anonymous_token(cloud: FakeCloud) -> None:
    # Two kernels on one machine share the config dir: the cloud gives one token per client id.
    async def slow(request: Request) -> None:
        await asyncio.sleep(0.3)        # both clients are waiting for a token at the same time
        return None

    cloud.script("POST /api/auth/anonymous-token", slow, times=2)

    async def main() -> list[str | None]:
        a, b = AsyncNemo(cloud.url, **FAST), AsyncNemo(cloud.url, **FAST)
        await asyncio.gather(a.credits(), b.credits())
        users = [a.user_id, b.user_id]
        await a.aclose()
        await b.aclose()
        return users

    users = asyncio.run(main())
    assert len(cloud.calls("POST", "/api/auth/anonymous-token")) == 1
    assert users[0] and users[0] == users[1]
