""""Remove the birds and rain": elements off the scenes, their ambient sounds off the audio."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import AMBIENT, TRACK_AUDIO, TRACK_VIDEO

from ..catalogue import subject_name
from ..draftops import _drop_empty_tracks, _seg_kind, _segments, _sg, _tracks, _tt
from ..labels import _join, element_name, sound_name
from ..lexicon import lexicon
from ..vocabulary import _ELEMENT_NAMES, _MODIFIER_SCENES, _SOUND_NAMES
from .base import EditContext, EditOp


class RemoveElements(EditOp):
    name: ClassVar[str] = "remove_elements"

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.what.removed_words)

    def apply(self, ctx: EditContext) -> None:
        gone = set(ctx.brief.what.removed_words)
        gone_els = {(_MODIFIER_SCENES.get(w, w)) for w in gone}
        gone_snds = {w for w in gone if w in AMBIENT} | {"birds" for w in gone if w == "birds"}
        n_removed = 0
        for track in _tracks(ctx.draft):
            for seg in list(_segments(track)):
                if _tt(track) == TRACK_VIDEO and isinstance(seg.get("el"), list):
                    kept = [e for e in seg["el"] if e not in gone_els]
                    if kept != seg["el"]:
                        n_removed += 1
                        if kept:
                            seg["el"] = kept
                        else:
                            seg.pop("el")
                if _tt(track) == TRACK_VIDEO and isinstance(seg.get("act"), list):
                    kept_a = [a for a in seg["act"] if not (isinstance(a, dict) and a.get("s") in gone)]
                    if kept_a != seg["act"]:
                        n_removed += 1
                        seg["act"] = kept_a
                if _tt(track) == TRACK_AUDIO and _seg_kind(track, seg) == "ambient" and seg.get("snd") in gone_snds:
                    _sg(track).remove(seg)
                    n_removed += 1
        _drop_empty_tracks(ctx.draft, (TRACK_AUDIO,))
        if n_removed:
            ids = sorted(gone_els | gone_snds)
            ctx.step(self.name, {"elements": ids}, {"segments": n_removed})
            ctx.say("ed_removed", names=_join(list(dict.fromkeys(_removed_name(n, ctx.lang) for n in ids)), ctx.lang))


def _removed_name(what: str, lang: str) -> str:
    """A removed element, sound or subject in the reply's language (English: its id, as before)."""
    if lang == "en":
        return what.replace("_", " ")
    if what in _ELEMENT_NAMES:
        return element_name(what, lang)
    if what in _SOUND_NAMES:
        return sound_name(what, lang)
    if lang == "zh":
        info = lexicon().subjects.get(what)
        return info.zh if info is not None else what
    return subject_name(what, lang)
