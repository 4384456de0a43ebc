"""No token in any repr, str(error), log record or Reply output (checked with real token values)."""

from __future__ import annotations

import logging

import pytest
from fakecloud import FAST, FakeCloud, envelope

from nemo_jupyter import AuthError, Nemo, NemoError, Settings
from nemo_jupyter._secrets import get_logger, redact, register_secret


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
