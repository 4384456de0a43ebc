"""No token in any repr, str(error), log record or Reply output (checked with real token values)."""

from __future__ import annotations

import logging

import pytest
from fakecloud import FAST, FakeCloud, envelope, sse
from starlette.requests import Request
from starlette.responses import Response

from nemo_jupyter import AuthError, Nemo, NemoError, Reply, Settings, TextEvent
from nemo_jupyter.client.secrets import get_logger, redact, register_secret


def test_redact_masks_patterns_and_registered_values() -> None:
    register_secret("s3cr3t-value-xyz")
    text = "token nmv_usr_ABCdef123 clm_zzz Authorization: Bearer abc.def-ghi and s3cr3t-value-xyz"
    out = redact(text)
    for secret in ("ABCdef123", "clm_zzz", "abc.def-ghi", "s3cr3t-value-xyz"):
        assert secret not in out
    assert "nmv_***" in out and "Bearer ***" in out


def test_errors_redact_their_message_and_hint() -> None:
    err = NemoError("server said: bad token nmv_usr_leak999", hint="use Bearer nmv_usr_leak999")
    assert "leak999" not in str(err) and "leak999" not in repr(err)
    assert "leak999" not in "".join(err._render_traceback_())


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("plain-secret-1234")
    logger = get_logger("nemo_jupyter.test")
    with caplog.at_level(logging.DEBUG, logger="nemo_jupyter"):
        logger.warning("sending %s with %s", "Bearer nmv_usr_q1w2e3", "plain-secret-1234")
    assert caplog.records
    text = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    assert "q1w2e3" not in text and "plain-secret-1234" not in text


def test_real_token_never_leaks_through_the_client(cloud: FakeCloud, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    nemo = Nemo(cloud.url, **FAST)
    session = nemo.session()
    reply = session.ask("make a forest video")
    token = next(iter(cloud.tokens))          # the real token the fake cloud handed out
    assert token.startswith("nmv_usr_") and len(token) > 20
    # every call was authenticated with it...
    assert cloud.requests[-1].headers["authorization"] == f"Bearer {token}"
    # ...and it shows nowhere a user can see
    texts = [repr(nemo), str(nemo.aio), repr(session), repr(reply), str(reply), repr(nemo.settings),
             str(reply._repr_mimebundle_()), repr(session.state()), caplog.text,
             repr(Settings.from_env())]
    # an error raised while the token is in use
    cloud.script("GET /api/credits/balance/simple", envelope(code=1001, message=f"expired {token}"), times=5)
    with pytest.raises(AuthError) as info:
        Nemo(cloud.url, token=token, **FAST).credits()
    texts += [str(info.value), repr(info.value), "".join(info.value._render_traceback_())]
    for text in texts:
        assert token not in text
        assert token[8:] not in text
    nemo.close()


def test_reply_text_echoing_tokens_is_masked_at_the_source(cloud: FakeCloud) -> None:
    claim = "clm_9f8e7d6c5b4a39281706"
    other = "Zq81xLm42PqRs"            # a claim link's ct= value that does not look like a token

    def echo(request: Request) -> Response:
        token = request.headers["authorization"][7:]   # the real token this client holds
        said = (f"Your token is {token}. Claim it at https://web.example/workspace/claim?ct={claim} "
                f"or https://web.example/workspace/claim?ct={other}&lang=en")
        half = len(said) // 2
        return sse([
            {"content": {"role": "model", "parts": [{"text": said[:half]}]}, "partial": True, "id": "p1"},
            {"content": {"role": "model", "parts": [{"text": said[half:]}]}, "partial": True, "id": "p2"},
            {"content": {"role": "model", "parts": [{"text": said}]}, "partial": False, "id": "p3"},
        ])(request)

    nemo = Nemo(cloud.url, **FAST)
    session = nemo.session()
    session.ask("hello")
    token = next(iter(cloud.tokens))
    cloud.script("POST /run_sse", echo)
    events: list[object] = []
    reply = session.ask("what is my token?", on_event=events.append)
    assert "Claim it at" in reply.text and "ct=" in reply.text
    bundle = reply._repr_mimebundle_()
    texts = [reply.text, repr(reply), str(reply), str(bundle), bundle["text/markdown"], bundle["text/plain"]]
    texts += [repr(e) for e in events] + [repr(e) for e in reply.events]
    texts += [f"{e.text}|{e.delta}" for e in events if isinstance(e, TextEvent)]
    for text in texts:
        for secret in (token, token[8:], claim, claim[4:], other):
            assert secret not in text, text
    nemo.close()


def test_reply_masks_text_before_markdown_escaping() -> None:
    reply = Reply(text="here: nmv_usr_abcdef0123456789 and ?ct=clm_abcdef0123")
    md = reply._repr_mimebundle_()["text/markdown"]
    assert "abcdef0123456789" not in reply.text and "abcdef0123456789" not in md
    assert "clm_abcdef0123" not in md
