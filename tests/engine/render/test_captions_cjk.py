"""Captions in Chinese and Japanese break lines by the Unicode rules (UAX #14): never before a
closing mark (。，、」）！？ ...), never after an opening one (「（《“ ...), at every width.

Real fonts (Noto Sans CJK, as CI installs them), the renderer's own ``wrap`` and ``_layout``.
"""

from __future__ import annotations

import unicodedata

import pytest

from nemo_jupyter.engine.render.text.fonts import font_for, load_font
from nemo_jupyter.engine.render.text.text import _layout, wrap

ZH = ("春天来了，花开了。「你好！」他说：“今天天气很好。”（真的吗？）我们去公园吧！好的、走吧。"
      "《春》是一首诗；你读过吗？【注意】请保持安静……谢谢！")
JA = ("日本語の文章です。ちょっと待ってください、ありがとう！「はい」と彼は言った。（本当？）"
      "コーヒーを飲みましょう。『吾輩は猫である』を読みました。々ゝーっゃ、ですね？")

# Written out here, not taken from the module under test: the marks a line must not start with
# (UAX #14 classes CL, CP, EX, IS, NS, IN, CJ as they occur above) and must not end with (OP, QU open).
CLOSING = set("。，、」』）！？：；”’】》…ーっゃゝ々") | {c for c in ZH + JA if unicodedata.category(c) == "Pe"}
OPENING = set("「『（“‘【《") | {c for c in ZH + JA if unicodedata.category(c) == "Ps"}
SIZE = 40


@pytest.mark.parametrize("text", [ZH, JA], ids=["zh", "ja"])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(text: str) -> None:
    font = load_font(font_for(text), SIZE)
    em = font.getlength("中")
    for chars in range(10, 41):
        width = int(em * chars)
        lines = wrap(text, font, width)
        assert "".join(lines) == text, f"{chars} chars: text lost or changed: {lines}"
        assert len(lines) > 1
        for line in lines:
            assert font.getlength(line) <= width, f"{chars} chars: {line!r} is too wide"
        for line in lines[1:]:
            assert line[0] not in CLOSING, f"{chars} chars: a line starts with {line[0]!r}: {lines}"
        for line in lines[:-1]:
            assert line[-1] not in OPENING, f"{chars} chars: a line ends with {line[-1]!r}: {lines}"


def test_a_caption_laid_out_in_a_frame_keeps_the_rules() -> None:
    """The caption as the renderer lays it out (font size chosen for the frame), vertical and wide."""
    for width, height in ((1080, 1920), (1920, 1080), (640, 360)):
        for text in (ZH, JA):
            lay = _layout(text, width, height, kind="caption", pos="bottom", sz=None)
            assert len(lay.lines) > 1
            assert all(ln[0] not in CLOSING for ln in lay.lines[1:]), lay.lines
            assert all(ln[-1] not in OPENING for ln in lay.lines[:-1]), lay.lines


def test_spaced_scripts_still_break_between_words() -> None:
    text = "Fresh bread every morning (and coffee), made by hand."
    font = load_font(font_for(text), SIZE)
    lines = wrap(text, font, int(font.getlength("Fresh bread every")) + 1)
    assert " ".join(lines) == text
    assert lines[0] == "Fresh bread every"
    assert all(not line.startswith((")", ",", ".")) for line in lines)
