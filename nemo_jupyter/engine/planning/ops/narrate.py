""""Add narration", "no narration", "a slower voice", "a different voice", "change the second sentence to ..."."""

from __future__ import annotations

from typing import Any, ClassVar

from ...render.sound import voice as V
from .. import narration as N
from ..catalogue import decimal, quote, seconds
from ..common import _short
from ..narrated import script_sentences
from .base import EditContext, EditOp


class Narrate(EditOp):
    """Narration edits; runs after the length and caption operations (it re-times what they left)."""

    name: ClassVar[str] = "narrate"

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.voice is not None and ctx.brief.voice.any)

    def apply(self, ctx: EditContext) -> None:
        ask = ctx.brief.voice
        segs = N.voice_segments(ctx.draft)
        lang = str((ctx.draft.get("m") or {}).get("lang") or ctx.brief.language or "en")  # the voice's
        if ask.remove:
            if not segs:
                ctx.note("ed_no_narration")
                return
            n = N.remove(ctx.draft)
            ctx.step("remove_narration", {}, {"removed": n})
            ctx.say("ed_narration_removed", n=n)
            return
        if segs:
            sentences = [V.clean_text(str(s.get("txt") or "")) for s in segs]
        else:
            if ask.voice_edit and not ask.add:
                ctx.note("ed_narration_first")
                return
            sentences = script_sentences(ctx.draft, ctx.assets)
            if not sentences:
                ctx.note("ed_narration_needs_words")
                return
        voice, rate = N.current_voice(ctx.draft, lang)
        did: list[tuple[str, dict[str, Any]]] = []
        if ask.change and segs:
            idx, text = ask.change
            i = len(sentences) - 1 if idx == -1 else idx - 1
            if not 0 <= i < len(sentences) or not text:
                ctx.note("ed_narration_sentences", n=len(sentences))
                return
            sentences[i] = V.clean_text(text)
            did.append(("ed_sentence_changed", {"i": i + 1, "text": quote(ctx.lang, _short(text, 50))}))
        if ask.slower or ask.faster:
            new = min(V.RATE_MAX, max(V.RATE_MIN, round(rate * (N.SLOWER if ask.slower else N.FASTER), 2)))
            if new == rate:
                ctx.note("ed_voice_slowest" if ask.slower else "ed_voice_fastest")
            else:
                did.append(("ed_voice_slower" if ask.slower else "ed_voice_faster", {"a": decimal(ctx.lang, f"{rate:.2f}"),
                                                                              "b": decimal(ctx.lang, f"{new:.2f}")}))
                rate = new
        if ask.different:
            alts = V.alternatives(lang)
            if ask.different == "female":
                pick = next((v for v in alts if v.arg.endswith(("+f3", "+f2"))), None)
            elif ask.different == "male":
                pick = next((v for v in alts if v.name != voice and not v.arg.endswith(("+f3", "+f2"))), None)
            else:
                pick = V.next_voice(voice, lang)
            if pick is None or pick.name == voice:
                ctx.note("ed_no_other_voice")
            else:
                voice = pick.name
                did.append(("ed_voice_switched", {"voice": N.voice_words(pick, ctx.lang)}))
                if not pick.natural and lang.startswith("en"):
                    ctx.note("ed_voice_synthetic")
        fit = ctx.brief.length.duration_ms
        keep = ctx.total
        lay = N.fit_rate(sentences, voice, rate, lang, fit if fit is not None else None)
        if fit is None and lay.total < keep:
            fit = keep  # keep the video's length: the pauses grow
        res = N.renarrate(ctx.draft, sentences, lang=lang, ids=ctx.ids, voice=voice, rate=rate, fit=fit)
        ctx.total = res.lay.total
        if not segs:
            did.append(("ed_narration_added", {"n": len(sentences), "voice": N.voice_words(res.voice, ctx.lang)}))
        ctx.step(self.name, {"sentences": len(sentences), "voice": voice, "rate": res.lay.rate},
                 {"segments": len(sentences), "duration_s": res.lay.total / 1000, "speech_s": res.lay.speech / 1000})
        for key, fields in did:
            ctx.say(key, **fields)
        if res.lay.rate != rate:
            ctx.note("ed_fit_rate", s=seconds(fit or 0, ctx.lang), rate=decimal(ctx.lang, f"{res.lay.rate:.2f}"))
        if res.lay.needed:
            ctx.notes.append(N.does_not_fit(res.lay, ctx.lang))
        elif res.lay.total != res.old_total and res.old_total:
            ctx.note("ed_follows_narration", a=seconds(res.lay.total, ctx.lang), b=seconds(res.old_total, ctx.lang))
