"""What a tampered backend sends stays text in every output: a ``%%nemo`` cell's HTML and the chat
widget's saved state (its storyboard strip) hold no event handler, no script and no image that is
not a data URL of a JPEG, PNG or WebP (the storyboard's media type is not the backend's to say)."""

from __future__ import annotations

import json
import time
from typing import Any

from _helpers import HOSTILE_STORYBOARD, assert_inert
from fakecloud import FakeCloud, envelope
from IPython.utils.capture import capture_output


def _html_outputs(recorder: Any) -> list[str]:
    return [str(c["data"]["text/html"]) for c in recorder.calls if "text/html" in c["data"]]


def test_a_cell_shows_a_hostile_storyboard_as_inert_html(ip: Any, cloud: FakeCloud) -> None:
    shell, rec, magics = ip
    magics.backend = cloud.url
    magics.refresh_hz = 50.0
    cloud.script("POST /api/storyboard/.*", envelope(HOSTILE_STORYBOARD))
    with capture_output(display=False):
        result = shell.run_cell("%%nemo -s hostile\nmake a forest video")
    assert result.success, result.error_in_exec
    shown = _html_outputs(rec)
    strips = [h for h in shown if "nemo-storyboard" in h]
    assert strips, shown                       # the one good still is shown
    for markup in shown:
        assert_inert(markup)
    assert "onerror" not in "".join(strips).replace("onerror=&quot;alert(4)&quot;", "")


def test_the_chat_widget_keeps_no_hostile_markup_in_its_state(cloud: FakeCloud) -> None:
    from nemo_jupyter.client.nemo import AsyncNemo
    from nemo_jupyter.conversation import Conversation
    from nemo_jupyter.ui.widgets.chat import WIDGET_HINTS
    from nemo_jupyter.widgets import ChatWidget

    cloud.script("POST /api/storyboard/.*", envelope(HOSTILE_STORYBOARD))
    chat = ChatWidget(Conversation(AsyncNemo(cloud.url, retries=0), "hostile-chat", hints=WIDGET_HINTS))
    chat.send("make a forest video")
    chat.wait(30)
    deadline = time.monotonic() + 10
    while not chat.storyboard.value and time.monotonic() < deadline:
        time.sleep(0.05)
    assert chat.storyboard.value, "the strip with the one good still is drawn"
    assert_inert(chat.storyboard.value)
    saved = json.dumps(chat.storyboard.get_state(), default=str) + json.dumps(
        {k: v for k, v in chat.get_state().items() if not isinstance(v, bytes | memoryview)}, default=str)
    assert 'onerror="' not in saved and "onerror=\\\"" not in saved and "javascript:" not in saved
