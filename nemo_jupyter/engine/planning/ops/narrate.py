""""Add narration", "no narration", "a slower voice", "a different voice", "change the second sentence to ..."."""

from __future__ import annotations

from typing import ClassVar

from ...render.sound import voice as V
from .. import narration as N
from ..common import _secs, _short
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
        lang = str((ctx.draft.get("m") or {}).get("lang") or ("zh-CN" if ctx.zh else "en"))
        if ask.remove:
            if not segs:
                ctx.notes.append("这个视频没有旁白。" if ctx.zh else "There is no narration to remove.")
                return
            n = N.remove(ctx.draft)
            ctx.step("remove_narration", {}, {"removed": n})
            ctx.say(f"removed the narration ({n} sentences; the captions stay)",
                    f"去掉了旁白（{n}句，字幕保留）")
            return
        if segs:
            sentences = [V.clean_text(str(s.get("txt") or "")) for s in segs]
        else:
            if ask.voice_edit and not ask.add:
                ctx.notes.append("这个视频还没有旁白：先说“加旁白”。" if ctx.zh else
                                 "There is no narration yet: say \"add narration\" first.")
                return
            sentences = script_sentences(ctx.draft, ctx.assets)
            if not sentences:
                ctx.notes.append("要加旁白，需要文字：先上传一个TXT脚本，或加几条字幕。" if ctx.zh else
                                 "Narration needs words: upload a TXT script or add captions first.")
                return
        voice, rate = N.current_voice(ctx.draft, lang)
        did: list[tuple[str, str]] = []
        if ask.change and segs:
            idx, text = ask.change
            i = len(sentences) - 1 if idx == -1 else idx - 1
            if not 0 <= i < len(sentences) or not text:
                ctx.notes.append(f"旁白只有{len(sentences)}句。" if ctx.zh else
                                 f"The narration has {len(sentences)} sentences.")
                return
            sentences[i] = V.clean_text(text)
            did.append((f"changed sentence {i + 1} to \"{_short(text, 50)}\"", f"把第{i + 1}句改成了「{_short(text, 50)}」"))
        if ask.slower or ask.faster:
            new = min(V.RATE_MAX, max(V.RATE_MIN, round(rate * (N.SLOWER if ask.slower else N.FASTER), 2)))
            if new == rate:
                ctx.notes.append("语速已经是最" + ("慢" if ask.slower else "快") + "的自然语速了。" if ctx.zh else
                                 f"The voice is already at its {'slowest' if ask.slower else 'fastest'} natural pace.")
            else:
                did.append((f"made the voice {'slower' if ask.slower else 'faster'} ({rate:.2f}× → {new:.2f}×)",
                            f"语速{'放慢' if ask.slower else '加快'}了（{rate:.2f}× → {new:.2f}×）"))
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
                ctx.notes.append("没有别的声音可换。" if ctx.zh else "There is no other voice for this language.")
            else:
                voice = pick.name
                did.append((f"switched the voice to {pick.label}", f"声音换成了{pick.label}"))
                if not pick.natural and lang.startswith("en"):
                    ctx.notes.append("The only natural English voice is Joe; this one is eSpeak NG's, clear but "
                                     "synthetic. Say \"a different voice\" again to go on, back to Joe at the end.")
        fit = ctx.brief.length.duration_ms
        keep = ctx.total
        lay = N.fit_rate(sentences, voice, rate, lang, fit if fit is not None else None)
        if fit is None and lay.total < keep:
            fit = keep  # keep the video's length: the pauses grow
        res = N.renarrate(ctx.draft, sentences, lang=lang, ids=ctx.ids, voice=voice, rate=rate, fit=fit)
        ctx.total = res.lay.total
        if not segs:
            did.append((f"added narration: {len(sentences)} sentences spoken by {res.voice.label}, "
                        f"captions in time with each", f"加了旁白：{len(sentences)}句，由{res.voice.label}朗读，字幕与每句同步"))
        ctx.step(self.name, {"sentences": len(sentences), "voice": voice, "rate": res.lay.rate},
                 {"segments": len(sentences), "duration_s": res.lay.total / 1000, "speech_s": res.lay.speech / 1000})
        for en, cn in did:
            ctx.say(en, cn)
        if res.lay.rate != rate:
            ctx.notes.append(f"为了放进{_secs(fit or 0)}秒，语速调到了{res.lay.rate:.2f}×。" if ctx.zh else
                             f"To fit {_secs(fit or 0)} s the voice speaks at {res.lay.rate:.2f}×.")
        if res.lay.needed:
            ctx.notes.append(N.does_not_fit(res.lay, ctx.zh))
        elif res.lay.total != res.old_total and res.old_total:
            ctx.notes.append(f"视频现在是{_secs(res.lay.total)}秒（原来{_secs(res.old_total)}秒），跟着旁白的长度。" if ctx.zh else
                             f"The video is now {_secs(res.lay.total)} s (was {_secs(res.old_total)} s), "
                             f"following the narration.")
