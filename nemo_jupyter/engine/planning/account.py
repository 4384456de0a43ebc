"""Every item of a brief accounted for: done, done differently (with what) or not done (why).

The outcome of an item is judged from the draft that was made, not from what a stage meant to do:
an actor is done when a scene of the draft draws it (``act[].id``), its count, colour and size
when the draft asks for them *and* the renderer draws that key
(:data:`~nemo_jupyter.draft_format.ACT_DRAWN`), a relation when the draft states it and the
renderer draws that kind (``RELATIONS_DRAWN``), a time of day or a weather when the renderer paints
it (``SCENE_DRAWN``), a text when a segment shows (or a voice says) it, an upload when a segment
uses it in its role. So a checklist never claims what the frames do not show.

:func:`checklist` gives the items as lines in the reply's language; :func:`account_line` the
one short line the reply ends with when something was not done or done differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nemo_jupyter import draft_format as df

from .brief import Brief, Outcome, Scene, Setting, TextAsk, UploadUse
from .catalogue import join, mood_name, quote, say, scene_name, subject_name
from .draftops import _seg_kind, _segments, _tracks, _tt
from .lexicon import lexicon
from .vocabulary import PLACE_FAMILY

_SPATIAL = frozenset(["on", "under", "behind", "in_front_of", "beside", "inside", "above", "below", "between",
                      "left_of", "right_of", "near"])
#: backgrounds that paint a time of day or a weather by themselves
_INHERENT = {"night_sky": ("time", "night"), "aurora": ("time", "night"), "space": ("time", "night"),
             "sunset": ("time", "dusk"), "storm": ("weather", "storm"), "rain": ("weather", "rain"),
             "snow": ("weather", "snow")}
_SEASON_SIGNS = {"winter": ("snow", "polar"), "autumn": ("leaves",), "spring": ("flowers",), "summer": ("beach",)}
_WEATHER_ELEMENTS = {"rain": "rain", "snow": "snow", "clouds": "clouds"}


@dataclass
class _Made:
    """What the draft holds, indexed for the checks."""

    scenes: list[dict[str, Any]]
    texts: list[dict[str, Any]]
    voices: list[dict[str, Any]]
    media: list[dict[str, Any]]
    music: list[dict[str, Any]]
    total: int


def _index(draft: dict[str, Any] | None) -> _Made:
    made = _Made([], [], [], [], [], 0)
    if not isinstance(draft, dict):
        return made
    d = draft.get("d")
    made.total = d if isinstance(d, int) else 0
    for track in _tracks(draft):
        tt = _tt(track)
        for seg in _segments(track):
            kind = _seg_kind(track, seg)
            if tt == df.TRACK_VIDEO and kind == "scene":
                made.scenes.append(seg)
            elif kind in ("title", "caption", "text"):
                made.texts.append(seg)
            elif kind == "voice":
                made.voices.append(seg)
            elif kind == "music":
                made.music.append(seg)
            if isinstance(seg.get("src"), str):
                made.media.append(seg)
    return made


def _list(value: Any) -> list[Any]:
    """A draft value that should be a list (a hand-edited or hostile draft may hold anything)."""
    return value if isinstance(value, list) else []


def _acts(made: _Made) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    for seg in made.scenes:
        acts = seg.get("act")
        if isinstance(acts, list):
            for a in acts:
                if isinstance(a, dict):
                    yield a, acts


def settle(brief: Brief, draft: dict[str, Any] | None, assets: list[dict[str, Any]]) -> None:
    """Give every item of ``brief`` its outcome, judged from ``draft`` (the draft after the turn)."""
    if brief.kind not in ("new", "edit"):
        return
    made = _index(draft)
    urls = {str(a.get("filename")): {str(a.get("cdn_url") or ""), str(a.get("sandbox_path") or "")} for a in assets}
    for u in brief.uploads + brief.unasked_uploads:
        _settle_upload(u, made, urls.get(u.file, set()))
    _settle_actors(brief, made)
    _settle_relations(brief, made)
    _settle_settings(brief, made)
    for q in brief.texts:
        _settle_text(q, made, brief.language)
    _settle_asks(brief, made, draft)


def _settle_asks(brief: Brief, made: _Made, draft: dict[str, Any] | None) -> None:
    """The length, the shape, the music, the sounds and the moving elements asked for."""
    m = draft.get("m") if isinstance(draft, dict) and isinstance(draft.get("m"), dict) else {}
    assert isinstance(m, dict)
    if brief.length.duration_ms is not None:
        o = brief.asks.setdefault("length", Outcome())
        if made.total == brief.length.duration_ms:
            o.done()
        else:
            o.substituted("r_length", **{"with": round(made.total / 1000, 1)})
    if brief.fmt.aspect:
        o = brief.asks.setdefault("aspect", Outcome())
        o.done() if m.get("aspect") == brief.fmt.aspect else o.not_done("r_not_added")
    if brief.audio.no_music:
        o = brief.asks.setdefault("music", Outcome())
        o.done() if not made.music else o.not_done("r_not_added")
    elif brief.audio.mood:
        o = brief.asks.setdefault("music", Outcome())
        moods = [str(x.get("mood")) for x in made.music]
        if brief.audio.mood in moods:
            o.done()
        elif moods:
            o.substituted("r_mood", **{"with": moods[0]})
        else:
            o.not_done("r_not_added")
    for what in brief.req.unsupported:  # an art style, a translation, talking characters: said not done
        if what in ("style", "translate", "voice"):
            brief.asks.setdefault(f"unsupported:{what}", Outcome()).not_done(
                "r_unsupported_style" if what == "style" else "r_unsupported")
    ambient = set()
    voiced = False
    if isinstance(draft, dict):
        for track in _tracks(draft):
            for seg in _segments(track):
                kind = _seg_kind(track, seg)
                if kind == "ambient":
                    ambient.add(str(seg.get("snd")))
                voiced = voiced or kind == "voice"
    if brief.narration:  # a voice-over, narration, a script read aloud
        o = brief.asks.setdefault("narration", Outcome())
        o.done() if voiced else o.not_done("r_not_added")
    sounds = list(dict.fromkeys(brief.audio.global_sounds + [x for sc in brief.what.scenes for x in sc.sounds]))
    if brief.audio.silent:
        sounds = []
    for snd in sounds:
        o = brief.asks.setdefault(f"sound:{snd}", Outcome())
        o.done() if snd in ambient else o.not_done("r_not_added")
    drawn_els = {e for seg in made.scenes for e in _list(seg.get("el")) if isinstance(e, str)}
    for sc in brief.what.scenes:
        if sc.topic:
            continue  # a topic's own elements were not asked
        for el in sc.els:
            if el == "stars" and sc.setting.time == "night":
                continue  # the night's stars: said as the time of day
            o = brief.asks.setdefault(f"el:{el}", Outcome())
            o.done() if el in drawn_els or el == sc.scene else o.not_done("r_not_added")


def _settle_actors(brief: Brief, made: _Made) -> None:
    acts = list(_acts(made))
    from_uploads = not made.scenes and bool(made.media)
    for actor in brief.actors():
        if actor.extra or actor.audience or actor.role == "mentioned":
            continue
        # an edit's actors are found by what they are: the draft's ids are those of the brief that made it
        found = ([a for a, _l in acts if a.get("id") == actor.id] if brief.kind != "edit" else []) or [
            a for a, _l in acts if a.get("s") == actor.s]
        if not found and from_uploads and actor.role == "product" and any(
                u.role in ("product", "screenshot", "photo") and u.outcome.status == "done" for u in brief.uploads):
            actor.outcome.done()  # the advertised product is the user's own photo of it
            continue
        if not found:
            why = "r_cannot_draw" if not actor.s else "r_uploads_instead" if from_uploads else "r_left_out"
            actor.outcome.not_done(why)
            for name in ("count", "colour", "size"):  # (for the reason the thing is not there)
                if getattr(actor, name) is not None and not (name == "count" and actor.count == 1):
                    actor.detail(name).not_done(why)
            continue
        if actor.asked:
            actor.outcome.substituted("r_drawn_as", **{"with": actor.s})
        else:
            actor.outcome.done()
        act = found[0]
        if actor.count is not None and actor.count > 1:
            n = act.get("n", 1)
            # "five children" drawn as children and girls: the group's kinds together make the count
            mates = {b.id for b in brief.actors() if b.extra and b.start >= 0 and (b.start, b.end) == (actor.start, actor.end)}
            if mates and isinstance(n, int):
                n += sum(next((int(a.get("n", 1)) for a, _l in acts if a.get("id") == m), 0) for m in mates)
            if "n" in df.ACT_DRAWN and n == actor.count:
                actor.detail("count").done()
            elif "n" in df.ACT_DRAWN and isinstance(n, int) and n > 1:
                actor.detail("count").substituted("r_count_capped", shown=n, count=actor.count)
            else:
                actor.detail("count").not_done("r_count", count=actor.count)
        if actor.colour:
            ok = "col" in df.ACT_DRAWN and act.get("col") == actor.colour
            actor.detail("colour").done() if ok else actor.detail("colour").not_done("r_colour")
        if actor.size:
            ok = "sc" in df.ACT_DRAWN and act.get("sc") not in (None, 1, 1.0)
            actor.detail("size").done() if ok else actor.detail("size").not_done("r_size")


def _settle_relations(brief: Brief, made: _Made) -> None:
    acts = list(_acts(made))
    edit = brief.kind == "edit"  # the draft's ids are those of the brief that made it: who is who by subject

    def same(entry: Any, actor_id: str | None) -> bool:
        if not edit:
            return bool(isinstance(entry, dict) and entry.get("id") == actor_id)
        actor = brief.actor(actor_id) if actor_id else None
        return bool(isinstance(entry, dict) and actor is not None and entry.get("s") == actor.s)

    for rel in brief.relations:
        drawn = False
        for a, lst in acts:
            r = a.get("rel")
            if same(a, rel.a) and isinstance(r, dict) and r.get("k") == rel.kind:
                o = r.get("o")
                other = lst[o] if isinstance(o, int) and 0 <= o < len(lst) else None
                drawn = same(other, rel.b)
                if drawn:
                    break
        if drawn and "rel" in df.ACT_DRAWN and rel.kind in df.RELATIONS_DRAWN:
            rel.outcome.done()
        else:
            rel.outcome.not_done("r_spatial" if rel.kind in _SPATIAL else "r_relation")


def _scene_segs(scene: Scene, made: _Made) -> list[dict[str, Any]]:
    segs = [s for s in made.scenes if s.get("scene") == scene.scene]
    return segs or list(made.scenes)


def _settle_settings(brief: Brief, made: _Made) -> None:
    if not made.scenes:
        for scene in brief.what.scenes:
            for facet, _v in scene.setting.facets():
                scene.setting.outcome(facet).not_done("r_uploads_instead")
        for facet, _v in brief.setting.facets():
            brief.setting.outcome(facet).not_done("r_uploads_instead")
        return
    for scene in brief.what.scenes:
        segs = _scene_segs(scene, made)
        _settle_setting(scene.setting, segs, brief.language)
    if brief.what.scenes:
        # said of the whole video: as its scenes say
        for facet, value in brief.setting.facets():
            outs = [o for s in brief.what.scenes if getattr(s.setting, facet) == value
                    for o in [s.setting.outcomes.get(facet)] if o is not None]
            target = brief.setting.outcome(facet)
            if outs and all(o.status == "done" for o in outs):
                target.done()
            elif outs:
                worst = next(o for o in outs if o.status != "done")
                target.status, target.reason, target.params = worst.status, worst.reason, dict(worst.params)
            elif facet == "place" and (family := PLACE_FAMILY.get(str(value), str(value))) in {
                    str(s.get("scene")) for s in made.scenes}:
                # "an ad for my bakery": the ad's own shots stand in the place's background
                if family == value:
                    target.done()
                else:
                    target.substituted("r_place_as", **{"with": family})
            else:
                target.not_done(f"r_{facet}" if facet != "place" else "r_left_out")
    else:
        _settle_setting(brief.setting, made.scenes, brief.language)


def _settle_setting(setting: Setting, segs: list[dict[str, Any]], lang: str = "en") -> None:
    families = {str(s.get("scene")) for s in segs}
    els = {e for s in segs for e in _list(s.get("el")) if isinstance(e, str)}
    for facet, value in setting.facets():
        out = setting.outcome(facet)
        if facet == "place":
            said = (setting.said.get(facet) or "").strip().lower()
            if value in families or (said and any(scene_name(f, lang).lower() == said for f in families)):
                out.done()  # (a "jardín" drawn as the family the language calls "jardín" is a garden)
            elif families:
                out.substituted("r_place_as", **{"with": sorted(families)[0]})
            else:
                out.not_done("r_left_out")
            continue
        inherent = {_INHERENT[f] for f in families if f in _INHERENT}
        if (facet, value) in inherent:
            out.done()
        elif facet == "time":
            ok = "tod" in df.SCENE_DRAWN and all(s.get("tod") == value for s in segs)
            out.done() if ok or (value == "day" and not any(s.get("tod") for s in segs)) else out.not_done("r_time")
        elif facet == "weather":
            ok = "wx" in df.SCENE_DRAWN and all(s.get("wx") == value for s in segs)
            el = _WEATHER_ELEMENTS.get(value)
            out.done() if ok or (el is not None and el in els) else out.not_done("r_weather")
        else:  # season
            signs = _SEASON_SIGNS.get(value, ())
            out.done() if any(x in els or x in families for x in signs) else out.not_done("r_season")


def _settle_text(q: TextAsk, made: _Made, language: str) -> None:
    if q.kind == "voice":
        spoken = " ".join(" ".join(str(v.get("txt", "")).split()) for v in made.voices if not v.get("src"))
        said = bool(q.text.strip()) and " ".join(q.text.split()) in spoken
        q.outcome.done() if said else q.outcome.not_done("r_voiceover")
        return
    segs = [s for s in made.texts if str(s.get("txt", "")).strip() == q.text.strip()]
    if not segs and q.listed and q.role in ("item", "step"):
        # a point said in full ("First, cutting stone."): shown as the caption of the sentence that says it
        point = " ".join(q.text.lower().split()).rstrip(".")
        segs = [s for s in made.texts if point and point in " ".join(str(s.get("txt", "")).lower().split())]
    if not segs:
        q.outcome.not_done("r_not_shown")
        return
    seg = segs[0]
    st_raw = seg.get("st")
    st = st_raw if isinstance(st_raw, int) else 0
    d_raw = seg.get("d")
    ends = st + (d_raw if isinstance(d_raw, int) else 0)
    # an end card closes the video: it shows until the end, from its second half on (a 10 s video's
    # last 3 s are its end; a card from 0 s, or one gone before the end, is not)
    if q.role == "end_card" and made.total and (st < made.total * 0.5 or ends < made.total - 100):
        q.outcome.substituted("r_not_at_end", at=round(st / 1000, 1))
    elif q.when and q.scene is None:
        q.outcome.substituted("r_moment", at=round(st / 1000, 1), when=q.when)
    else:
        q.outcome.done()


def _settle_upload(u: UploadUse, made: _Made, urls: set[str]) -> None:
    if not u.file:
        u.outcome.not_done("r_no_upload")
        return
    if u.role == "script":
        u.outcome.done() if (made.texts or made.voices) else u.outcome.not_done(
            "r_upload_unasked" if u.unasked else "r_upload_unused")
        return
    used = [s for s in made.media if str(s.get("src")) in urls]
    if not used:
        u.outcome.not_done("r_upload_unasked" if u.unasked else "r_upload_unused")
    elif u.role == "logo" and not any(_corner_logo(s, made.total) for s in used):
        u.outcome.substituted("r_logo_slide")
    elif u.role == "screenshot" and not any(s.get("frame") in ("phone", "laptop") for s in used):
        u.outcome.substituted("r_screenshot_slide")
    else:
        u.outcome.done()


def _corner_logo(seg: dict[str, Any], total: int) -> bool:
    """A logo drawn as the renderer draws a watermark: an overlay in a corner, under a fifth of the
    width, over most of the video."""
    w = seg.get("w", df.OVERLAY_W)
    d = seg.get("d")
    return (seg.get("k") == "overlay" and seg.get("corner", "bottom_right") in df.CORNERS
            and isinstance(w, (int, float)) and 0 < w < 0.2 and isinstance(d, (int, float)) and d >= 0.9 * total)


# -- words -----------------------------------------------------------------------------------------
@dataclass
class Line:
    id: str
    what: str
    label: str
    outcome: Outcome


def _lines(brief: Brief) -> list[Line]:
    lang = brief.language
    out: list[Line] = []
    for a in brief.actors():
        if a.extra or a.audience or a.role == "mentioned":
            continue
        proper = lexicon().proper.get((a.asked or "").lower())
        label = f"the {proper}" if proper and lang == "en" else (a.phrase or a.word or subject_name(a.s, lang))
        out.append(Line(a.id, "actor", label, a.outcome))
        for name in ("count", "colour", "size"):
            if name in a.details:
                out.append(Line(f"{a.id}.{name}", name, label, a.details[name]))
    actors = {a.id: a for a in brief.actors()}
    for i, r in enumerate(brief.relations):
        names = [(x.phrase or x.word) if x is not None else "" for x in (actors.get(r.a), actors.get(r.b or ""))]
        label = f"{names[0]} {r.word} {names[1]}".strip()
        out.append(Line(f"r{i + 1}", "relation", label, r.outcome))
    seen: set[tuple[str, str]] = set()
    for setting in [brief.setting, *(s.setting for s in brief.what.scenes)]:
        for facet, value in setting.facets():
            if (facet, value) in seen or facet not in setting.outcomes:
                continue
            seen.add((facet, value))
            label = setting.said.get(facet) or (scene_name(value, lang) if facet == "place" else say(lang, f"v_{value}"))
            out.append(Line(f"{facet}:{value}", facet, label, setting.outcomes[facet]))
    for i, q in enumerate(brief.texts):
        label = say(lang, "label_text", role=say(lang, f"role_{q.role}"), text=quote(lang, q.text))
        out.append(Line(f"t{i + 1}", "text", label, q.outcome))
    for i, u in enumerate(brief.uploads + brief.unasked_uploads):
        role = say(lang, f"upload_{u.role}")
        # (a file asked for and never uploaded is named by its role: "logo", not "? as the logo")
        label = quote(lang, u.file) if u.unasked else say(lang, "label_upload", file=u.file, role=role) if u.file else role
        out.append(Line(f"u{i + 1}", "upload", label, u.outcome))
    for key, o in brief.asks.items():
        out.append(Line(key, key.split(":", 1)[0], _ask_label(brief, key), o))
    return out


def _ask_label(brief: Brief, key: str) -> str:
    lang = brief.language
    name, _, value = key.partition(":")
    if name == "length":
        return say(lang, "label_length", seconds=round((brief.length.duration_ms or 0) / 1000, 1)).replace(".0 ", " ")
    if name == "aspect":
        return brief.fmt.aspect or ""
    if name == "music":
        return say(lang, "label_no_music") if brief.audio.no_music else say(
            lang, "label_music", mood=mood_name(brief.audio.mood or "", lang))
    if name == "sound":
        return say(lang, f"sound_{value}")
    if name == "narration":
        return say(lang, "label_narration")
    if name == "unsupported":
        return say(lang, f"label_unsupported_{value}")
    if name == "volume":  # ops/set_volume.py: "up", "down" or the percent asked
        return say(lang, f"label_{'louder' if value == 'up' else 'quieter'}") if value in ("up", "down") else say(
            lang, "label_volume", level=value)
    return say(lang, f"el_{value}")


def _reason(lang: str, o: Outcome) -> str:
    params = dict(o.params)
    if o.reason in ("r_drawn_as",) and "with" in params:
        params["with"] = subject_name(str(params["with"]), lang)
    if o.reason == "r_place_as" and "with" in params:
        params["with"] = scene_name(str(params["with"]), lang)
    if o.reason == "r_mood" and "with" in params:
        params["with"] = mood_name(str(params["with"]), lang)
    if o.reason == "r_moment" and "when" in params:
        params["when"] = quote(lang, str(params["when"]))
    return say(lang, o.reason, **params) if o.reason else ""


def checklist(brief: Brief) -> list[dict[str, Any]]:
    """The items of the brief with their outcomes, worded in the reply's language (the state's
    ``brief.checklist``: what the magics, the chat widget and the compare grid show)."""
    lang = brief.language
    return [{"id": ln.id, "what": ln.what, "label": ln.label, "status": ln.outcome.status,
             "note": _reason(lang, ln.outcome)} for ln in _lines(brief)]


def account_line(brief: Brief) -> str:
    """ "Not done: ...; Done differently: ..." for the items that were not done as asked ("" when all were)."""
    lang = brief.language
    missing: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    for ln in _lines(brief):
        if ln.outcome.status in ("not_done", "pending"):
            target = missing
        elif ln.outcome.status == "substituted":
            target = other
        else:
            continue
        reasons = target.setdefault(ln.label, [])  # one line per thing: "five yellow ducklings (...; ...)"
        reason = _reason(lang, ln.outcome)
        if reason and reason not in reasons:
            reasons.append(reason)
    sep = say(lang, "sep")
    missing_items = [say(lang, "item_reason", label=k, reason=sep.join(v)) if v else k for k, v in missing.items()]
    other_items = [say(lang, "item_reason", label=k, reason=sep.join(v)) if v else k for k, v in other.items()]
    parts = []
    if missing_items:
        parts.append(say(lang, "not_done", items=join(lang, missing_items)))
    if other_items:
        parts.append(say(lang, "done_differently", items=join(lang, other_items)))
    return " ".join(parts)
