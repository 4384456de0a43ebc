"""Subjects of a prompt: the scenes to draw, clause by clause, with elements and sounds."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import replace
from typing import Any

from nemo_jupyter.draft_format import ELEMENTS, SCENES

from .brief import Actor, Brief, Scene
from .compose import MAX_ACTORS, best_home
from .language import detect_language
from .lexicon import WordMatch, lexicon
from .read.attributes import describe
from .read.clauses import clauses, content_language, negated
from .read.edit_words import EditVerbs
from .read.grammar import grammar
from .read.grammar import tags as grammar_tags
from .read.phrase_roles import (
    _NOT_SUBJECT_CATS,
    _audience,
    _compound_heads,
    _counter_after_number,
    _in_none,
    _in_time_phrase,
    _inside_verb,
    _kin_of_animals,
    _modifies,
    _one_thing,
    _possessor,
    _verb_here,
)
from .structure import apply_caption_list, find_caption_list
from .topics import expand_topic, find_step, find_topics, shot_subject
from .vocabulary import (
    _ELEMENT_HOME,
    _ELEMENT_LOOKUP,
    _IMPLIED_EL,
    _MODIFIER_SCENES,
    _SCENE_LOOKUP,
    _SOUND_LOOKUP,
    _SOUND_RE,
    _WEAK_LOOKUP,
    _WEAK_SCENE_WORDS,
    PLACE_FAMILY,
    _canon,
    _lookup,
    scene_pattern,
)

_WITH_LEAD = re.compile(r"\s*(?:with|and|plus|also|有|带|带着|还有|伴随|伴着|配上|加上|并且|并有|和)")
# the time of day, not a subject: "night" (but "the night sky", "stars" are)
_AT_NIGHT = re.compile(r"(?i)night|nights|夜晚|晚上|夜|noche|nuit|nacht")
_SOUND_ONLY = re.compile(r"(?<![a-z])(?:sounds?|noises?|audio|ambience)(?![a-z])|声")


def _same_subject(a: Actor) -> tuple[str, int | None, str | None, str | None, bool]:
    """Actors that are one subject: "a red car and a blue car" are two, "a cat ... the cat" one."""
    return a.s, a.count, a.colour, a.size, a.young  # ("a mother duck with her ducklings": two)


def _actor(m: WordMatch) -> Actor:
    # a group word ("farm animals") is illustrated by a few of its subjects, none of them asked by name
    if not m.subject:  # a thing the language names that the engine has no drawing of ("斑马线")
        return Actor(s="", art="", word=m.word, asked=m.asked or m.word)
    return Actor(s=m.subject, art=lexicon().subjects[m.subject].art, word=m.word, asked=m.asked, extra=m.group)


def _add_actors(subj: Scene, actors: list[Actor], kin: frozenset[str] = frozenset(),
                mentions: list[tuple[Actor, Actor]] | None = None) -> None:
    """Add ``actors`` to a scene; when it is full, things named later replace extra people.
    Who the video is for ("for kids") is not drawn when there is something else to show. A kin word
    makes another one of the kind ("엄마 오리" and "새끼 오리" are two ducks; ``kin``: the language's)."""
    lex = lexicon()

    def _same(a: Actor) -> tuple[str, int | None, str | None, str | None, bool, str]:
        return (*_same_subject(a), next((k for k in sorted(kin) if k in a.word), ""))

    if any(not a.audience for a in actors) or subj.actors:
        actors = [a for a in actors if not a.audience]
    actors = [a for a in actors if a.role != "mentioned"]  # "my son's dog": whose, not drawn

    def person(a: Actor) -> bool:
        info = lex.info(a.s)
        return info is not None and info.kind.startswith("person")

    have = {_same(a) for a in subj.actors}
    for a in actors:
        if _same(a) in have:
            # a thing the prompt names that a topic's picture already shows is asked ("a birthday video,
            # with a cake and balloons": the balloons are the user's, not only the picture's)
            i = next((i for i, x in enumerate(subj.actors) if _same(x) == _same(a) and x.extra), None)
            if i is not None and not a.extra:
                subj.actors[i] = a
            elif mentions is not None and a.start >= 0:
                mentions.append((a, next(x for x in subj.actors if _same(x) == _same(a))))
            continue
        if len(subj.actors) >= MAX_ACTORS:
            extra = [i for i, x in enumerate(subj.actors) if i > 0 and person(x)]
            if person(a) or not extra:
                continue
            have.discard(_same(subj.actors.pop(extra[-1])))
        subj.actors.append(a)
        have.add(_same(a))


def _apply_verbs(text: str, lang: str, actors: list[Actor], lex: Any) -> None:
    """ "a cat sleeping", "puppies running", "一只鸟在飞": the verb sets the motion of the subject
    named just before it (or the first one, when the verb comes first)."""
    matcher = lex.verbs.get(lang)
    if matcher is None or not actors:
        return
    if len(actors) > 1:  # "puppies running": the running is the dogs', not a runner of its own
        verbs = {h.text for h in matcher.finditer(text)}
        actors[:] = [a for a in actors if a.word not in verbs] or actors
    starts = [text.find(a.word) if a.word else -1 for a in actors]
    for hit in matcher.finditer(text):
        before = [i for i, st in enumerate(starts) if 0 <= st < hit.start]
        target = actors[before[-1]] if before else actors[0]
        if target.mo is None:
            target.mo = hit.value


def _find_subjects(norm: str, brief: Brief, lang_hint: str | None = None) -> None:
    lang = content_language(norm, lang_hint)
    clist = find_caption_list(norm, brief.texts, lang)
    if clist is not None:
        # The list is read item by item below; the clauses see the rest of the prompt.
        norm = norm[:clist.start] + " " * (clist.end - clist.start) + norm[clist.end:]
    _clause_subjects(norm, brief, lang)
    if clist is not None:
        quoted = {q.text for q in brief.texts}
        clist.items = [(text if text in quoted else _as_written(brief.raw, text), pos) for text, pos in clist.items]
        items = [_item_subject(text, pos, lang, brief, clist.as_typed) for text, pos in clist.items]
        apply_caption_list(brief, clist, items, lang)


def _as_written(raw: str, text: str) -> str:
    """An item as the prompt writes it ("Zahnpasta auf die Bürste", not "zahnpasta auf die bürste")."""
    if len(raw) != len(raw.lower()):
        return text
    at = raw.lower().find(text.lower())
    return raw[at:at + len(text)] if at >= 0 else text


def _item_subject(text: str, pos: int, lang: str, brief: Brief, words_taught: bool = False) -> Scene | None:
    """The scene that shows one item of a caption list: a topic step, a background or a subject."""
    step = find_step(text.lower(), lang, brief.what.topics)
    if step is not None:
        return shot_subject(step[0], step[1], lang, pos=pos)
    probe = Brief(raw=text, norm=text.lower(), texts=[])
    _clause_subjects(text.lower(), probe, lang)
    # a language lesson's words are in the language taught ("„apple“, „house“"; "'le chien', 'le chat'")
    for other in dict.fromkeys((detect_language(text).split("-")[0], "en")):
        if probe.what.scenes or other == lang or not words_taught:
            continue
        _clause_subjects(text.lower(), probe, other)
    if not probe.what.scenes:
        return None
    subj = probe.what.scenes[0]
    subj.pos = pos
    if subj.scene == "birds" and not subj.actors and (found := lexicon().find(text.lower(), lang)):
        # a list of animals: the item "bird" is a bird, where the others stand
        subj = replace(subj, scene=next((s.scene for s in brief.what.scenes if s.actors), "park"),
                       actors=[_actor(found[0])], named_scene=False)
    # the prompt's own reading of a word: "the human heart ... captions: the heart pumps blood"
    # draws the organ in the item too, not a love heart
    named = [(s, a) for s in brief.what.scenes for a in s.actors if len(a.word.split()) > 1]
    for k, a in enumerate(subj.actors):
        same = next(((s, p) for s, p in named if p.s != a.s and a.word and p.word.lower().split()[-1] == a.word.lower()),
                    None)
        if same is not None:
            owner, p = same
            subj.actors[k] = replace(a, s=p.s, art=p.art, word=p.word)
            if not subj.named_scene:  # and where the prompt drew it (the organ on the classroom board)
                subj = replace(subj, scene=owner.scene, els=list(owner.els))
    brief.what.missing.extend(m for m in probe.what.missing if m not in brief.what.missing)
    return subj


def _clause_subjects(norm: str, brief: Brief, lang: str) -> None:
    tags = grammar_tags(norm, lang)
    tag_starts = [t.start for t in tags]
    units = frozenset(grammar(lang).data.get("units", ()))  # "5月", "3日": a date, no moon, no sun
    kin = frozenset((*grammar(lang).data.get("kin_words", ()), *grammar(lang).data.get("kin_pairs", ()))
                    ) if lang in ("zh", "ja", "ko") else frozenset()
    of = tuple(grammar(lang).data.get("possessive", ())) if kin else ()
    # (who the video is for, said after the person where postpositions follow: "엄마에게 보내는", "母への")
    audience_after = tuple(grammar(lang).data.get("audience_after", ())) or ("\0",)
    scene_re = scene_pattern(lang)
    lex = lexicon()
    topic_hits = find_topics(norm, lang)
    if lang in ("zh", "ja") and topic_hits:
        # (read character by character, a topic's word inside a subject's is that subject: "生日蛋糕" is a
        # cake, not a birthday video)
        words = [(m.start, m.end) for m in lex.find(norm, lang)]
        topic_hits = [(a, b, t) for a, b, t in topic_hits
                      if not any(x <= a and b <= y and y - x > b - a for x, y in words)]
    verbs = EditVerbs(norm, lang)
    what = brief.what
    pending_els: list[str] = []
    for c_start, c_end, listed in clauses(norm):
        text = norm[c_start:c_end]
        # (the grammar words of this clause and a phrase's length around it: each clause reads its own,
        # so that planning stays linear in the prompt)
        ctags = tags[bisect.bisect_left(tag_starts, c_start - _TAG_REACH):bisect.bisect_left(tag_starts, c_end + _TAG_REACH)]
        mains: list[tuple[str, int, str]] = []
        mods: list[tuple[str, int]] = []
        mod_words: dict[int, str] = {}
        night_only = True  # every modifier is the time of day ("at night"), none a subject ("the night sky")
        weak: list[tuple[str, int, str]] = []
        times: list[tuple[str, int, str]] = []
        els: list[str] = []
        things: list[WordMatch] = []
        spans: list[tuple[int, int]] = [(a - c_start, b - c_start) for a, b, _t in topic_hits
                                        if c_start <= a < c_end]
        for m in scene_re.finditer(text):
            if any(a <= m.start < b for a, b in spans):
                continue
            spans.append((m.start, m.end))
            if negated(norm, c_start + m.start, lang, c_start + m.end) or verbs.removing(c_start + m.start):
                word = _lookup(m.value, _SCENE_LOOKUP) or _lookup(m.value, _ELEMENT_LOOKUP)
                if word:
                    what.removed_words.append(word)
                continue
            found = m.value
            if any(t.cat == "role" and t.start <= c_start + m.start < t.end for t in ctags):
                continue  # a text's cue: "voce fuori campo" is a voice-over, not a field
            if _verb_here(found, text[m.end:], lang) or _in_none(ctags, c_start + m.start):
                continue  # "two kids building a sandcastle": a verb; "the stock market": no market
            kind = _lookup(found, _SCENE_LOOKUP)
            one = (_one_thing(found, c_start + m.start, c_start + m.end, norm, tags, lang)
                   if kind is None or kind in _MODIFIER_SCENES or kind == "flowers" else None)  # (never a place)
            if one is not None:  # "a blue bird on a fence", "guarda le stelle": a subject, not the backdrop
                things.append(WordMatch(m.start, m.end, one, found, None))
                continue
            if _audience(text[:m.start]) and _canon(found) in _WEAK_SCENE_WORDS:
                continue  # "for my Year 4 class": who it is for, not a classroom
            scene = _lookup(found, _SCENE_LOOKUP)
            implied = _IMPLIED_EL.get(_canon(found))
            if implied and implied not in els:
                els.append(implied)
            if scene is not None:
                if scene in _MODIFIER_SCENES:
                    mods.append((scene, m.start))
                    mod_words[m.start] = found
                    night_only = night_only and scene == "night_sky" and bool(_AT_NIGHT.fullmatch(found))
                elif _canon(found) in _WEAK_SCENE_WORDS:
                    weak.append((scene, m.start, found))
                elif scene == "sunset" and (_in_time_phrase(ctags, c_start + m.start) or (
                        kin and text[m.end:m.end + 1] in of)):
                    # "a beach at sunset", "夕焼けの海辺", "日落时的海边": the beach, at dusk
                    times.append((scene, m.start, found))
                else:
                    mains.append((scene, m.start, found))
                continue
            el = _lookup(found, _ELEMENT_LOOKUP)
            if el is not None:
                els.append(el)
                continue
            if _lookup(found, _WEAK_LOOKUP):
                what.weak_subject = True
        if not mains:
            # "a gondola in Venice", "people at an airport": a place with no background of its own
            for t in ctags:
                if t.cat == "place" and c_start <= t.start < c_end and not _in_none(ctags, t.start):
                    family = t.value if t.value in SCENES else PLACE_FAMILY.get(str(t.value))
                    if family:
                        mains.append((str(family), t.start - c_start, t.text))
                        break
        actors: list[Actor] = []
        # places and weather are never subjects ("a boat under the bridge", "clouds over the sea")
        setting_spans = [(t.start - c_start, t.end - c_start) for t in ctags
                         if t.cat in _NOT_SUBJECT_CATS and c_start <= t.start and t.end <= c_end]
        matches = sorted(lex.find(text, lang, spans + setting_spans) + things, key=lambda w: w.start)
        # a background word inside a subject's name is that subject ("sea turtle", "ice cream", "雪人")
        inside = [(wm.start, wm.end) for wm in matches]

        def in_actor(p: int, found: str, inside: list[tuple[int, int]] = inside) -> bool:
            return any(a <= p and p + len(found) <= b and b - a > len(found) for a, b in inside)

        mains = [x for x in mains if not in_actor(x[1], x[2])]
        weak = [x for x in weak if not in_actor(x[1], x[2])]
        times = [x for x in times if not in_actor(x[1], x[2])]
        mods = [x for x in mods if not in_actor(x[1], mod_words.get(x[1], ""))]
        mains = _compound_heads(mains, text)
        matches = [wm for wm in matches if not _in_none(ctags, c_start + wm.start)
                   and not _modifies(ctags, c_start + wm.end, text[wm.end:])
                   and not _counter_after_number(ctags, c_start + wm.start, c_start + wm.end)
                   and not _inside_verb(ctags, c_start + wm.start, c_start + wm.end)
                   and not (wm.start > 0 and text[wm.start - 1].isdigit() and wm.word in units)]
        if lang == "en" and any(x[0] == "birds" for x in mods + mains) and matches:
            # "a cat, a dog and a bird": named with other subjects, the bird is one of them
            birds = [x for x in mods if x[0] == "birds"] + [(x[0], x[1]) for x in mains if x[0] == "birds"]
            for _scene, p in birds:
                word = mod_words.get(p) or next((f for s_, q, f in mains if q == p), "bird")
                if word.rstrip("s") == "bird" and (p < 3 or text[max(0, p - 3):p].strip() in ("a", "an", "the")
                                                   or text[max(0, p - 4):p].strip().endswith(("a", "and", ","))):
                    lexm = lex.find(word, lang)
                    if lexm:
                        matches.append(replace(lexm[0], start=p, end=p + len(word)))
                        mods = [x for x in mods if x[1] != p]
                        mains = [x for x in mains if x[1] != p]
            matches.sort(key=lambda w: w.start)
        for wm in matches:
            if negated(norm, c_start + wm.start, lang, c_start + wm.end) or verbs.removing(c_start + wm.start):
                what.removed_words.append(wm.subject)
                continue
            actor = _actor(wm)
            actor.start, actor.end = c_start + wm.start, c_start + wm.end
            actor.young = lex.young(wm.word, lang)
            actor.plural = lex.plural_form(wm.word, lang)  # "ducks on a pond": a few ducks
            info = lex.info(wm.subject)
            if info is not None and info.kind.startswith("person") and (
                    _audience(text[:wm.start]) or text[wm.end:wm.end + 8].lstrip().startswith(audience_after)):
                actor.audience = True
            actors.append(actor)
            if wm.asked and wm.subject and (wm.asked, wm.subject) not in what.missing:
                what.missing.append((wm.asked, wm.subject))
        _kin_of_animals(actors, norm, lang)
        everyone = [a for sc in what.scenes for a in sc.actors] + actors
        for actor in actors:
            if _possessor(norm, actor, everyone):
                actor.role = "mentioned"
        spans = [(a.start, a.end) for a in actors]
        for actor in actors:
            describe(actor, norm, ctags, spans, lang)
        _apply_verbs(text, lang, actors, lex)
        if not mains and weak and (not mods or (night_only and weak[0][0] not in ("sky", "night_sky"))):
            # "a student studying at night": at the desk, with stars; but "a lesson about rain" is rain
            mains.append(weak[0])
        sounds: list[str] = []
        for sm in _SOUND_RE.finditer(text):
            if negated(norm, c_start + sm.start(), lang, c_start + sm.end()) or verbs.removing(c_start + sm.start()):
                snd = _lookup(sm.group(0), _SOUND_LOOKUP)
                if snd and snd not in what.removed_words:
                    what.removed_words.append(snd)
                continue
            snd = _lookup(sm.group(0), _SOUND_LOOKUP)
            if snd and snd not in sounds:
                sounds.append(snd)
        clause_hits = [(a, b, t) for a, b, t in topic_hits if c_start <= a < c_end]
        expanded = False
        for a_, b_, topic in clause_hits:
            if topic.id not in what.topics:
                shots = expand_topic(topic, lang, actors, [x[0] for x in mains], c_start)
                # the topic's word names a subject too ("dinosaurs", "volcanoes"): that one was asked
                named = [m for m in lex.find(norm[a_:b_], lang)
                         if (info := lex.info(m.subject)) is not None
                         and info.kind.startswith(("animal", "plant", "transport", "sky"))]
                ids = {m.subject for m in named[:1]}
                for shot in shots:
                    for act in shot.actors:
                        if act.s in ids and act.extra:
                            act.extra = False
                            act.word, act.start, act.end = named[0].word, a_, b_
                            ids.discard(act.s)
                if shots:
                    what.topics.append(topic.id)
                    what.scenes.extend(shots)
                    expanded = True
        if expanded and not [m for m in mains if not any(a_ <= c_start + m[1] < b_ for a_, b_, _t in clause_hits)
                             and not any(t.cat == "template" and t.start <= c_start + m[1] < t.end for t in ctags)]:
            # (a background the clause names besides the topic is drawn too: "바다 위로 해가 뜨는 새해 인사";
            # but a lesson's word is no place: "Aula sobre o sistema solar")
            continue
        joins_prev = bool(what.scenes) and not mains and (bool(_WITH_LEAD.match(text)) or (listed and bool(actors)))
        if joins_prev:
            # "a forest, with birds" / "a cat, a dog and a bird": more of the previous scene.
            prev = what.scenes[-1]
            prev.end = max(prev.end, c_end)
            for scene, _p in mods:
                el = _MODIFIER_SCENES[scene]
                if el not in prev.els:
                    prev.els.append(el)
            for el in els:
                if el in ELEMENTS and el not in prev.els:
                    prev.els.append(el)
            for snd in sounds:
                if snd not in prev.sounds:
                    prev.sounds.append(snd)
            _add_actors(prev, actors, kin, what.mentions)
            continue
        if not mains and sounds and _SOUND_ONLY.search(text) and not actors:
            # "rain and wind sounds": sounds for the whole video, not a rain scene.
            mods = []
        if not mains and times:
            mains.extend(times)  # "a video at sunset": the sunset itself
        if not mains and mods and actors and night_only and all(x[0] == "night_sky" for x in mods):
            mains.append((best_home(actors) or "park", mods[0][1], ""))  # "a dog chasing a cat at night"
        if not mains and mods:
            first = min(mods, key=lambda x: x[1])
            mains.append((first[0], first[1], first[0]))
            mods = [x for x in mods if x is not first]
        for scene, _p in mods:
            el = _MODIFIER_SCENES[scene]
            if el not in els:
                els.append(el)
        if not mains and actors:
            home = best_home(actors) or "park"
            subj = Scene(scene=home, els=[e for e in dict.fromkeys(pending_els + els) if e in ELEMENTS],
                           sounds=list(sounds), label_terms=[home], pos=c_start + text.find(actors[0].word),
                           named_scene=False, end=c_end, begin=c_start)
            _add_actors(subj, actors, kin, what.mentions)
            what.scenes.append(subj)
            pending_els = []
            continue
        if not mains:
            if els:
                if what.scenes:
                    for el in els:
                        for subj in what.scenes[-1:]:
                            if el not in subj.els:
                                subj.els.append(el)
                else:
                    pending_els.extend(e for e in els if e not in pending_els)
            for snd in sounds:
                if snd not in brief.audio.global_sounds:
                    brief.audio.global_sounds.append(snd)
            continue
        seen: list[str] = []
        for scene, p, found in sorted(mains, key=lambda x: x[1]):
            if scene in seen:
                continue
            seen.append(scene)
            subj_els = [e for e in pending_els + els if e in ELEMENTS]
            subj_els = list(dict.fromkeys(subj_els))
            subj = Scene(scene=scene, els=subj_els, sounds=list(sounds), label_terms=[found or scene],
                         pos=c_start + p, end=c_end, named_scene=bool(found), begin=c_start)
            _add_actors(subj, actors, kin, what.mentions)
            what.scenes.append(subj)
        pending_els = []
    if pending_els and not what.scenes:
        home = _ELEMENT_HOME.get(pending_els[0], "abstract")
        what.scenes.append(Scene(scene=home, els=[e for e in pending_els if e != home
                                                      and _ELEMENT_HOME.get(e) != home],
                                     sounds=[], label_terms=[home], pos=0))


_TAG_REACH = 60  # characters: a grammar phrase, or a noun phrase's modifiers, around a clause


SENTENCE_CHARS = 300  # a caption longer than this is not read further for its scene (planning stays linear)


def sentence_subjects(text: str, lang_hint: str | None = None) -> list[Scene]:
    """The subjects one sentence of a script names (for one scene per sentence)."""
    norm = unicodedata.normalize("NFKC", text[:SENTENCE_CHARS]).lower()
    brief = Brief(raw=text, norm=norm, texts=[])
    _find_subjects(norm, brief, lang_hint)
    return brief.what.scenes
