""""Captions (or labels) for A, B and C": one scene per item, in that order, each captioned.

A list the prompt announces ("3 tips for better sleep: no screens before bed, keep the room
cool, ...", "the steps: crack the eggs, whisk them, fry in butter", "5 个小技巧：...") is read
the same way: each item becomes a captioned scene.

The list is read in the prompt's own words; each item is drawn as the step of a named topic
("evaporation" of the water cycle), as a background or subject it names ("lion"), or, when
nothing in it can be drawn, over the scene before it (and the reply says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .brief import Actor, Brief, Scene, TextAsk
from .lexicon import lexicon
from .phrases import is_cjk
from .read.grammar import LANGS, PARTICLE_SPACE, grammar

_CUE = re.compile(
    r"(?<![^\W_])(?:captions?|labels?|subtitles?|titles?|callouts?|subtítulos?|etiquetas?|leyendas?|sous-titres?|"
    r"légendes?|étiquettes?|untertiteln?|beschriftungen?|bildunterschriften?)"
    r"\s+(?:for|of|on|about|showing|naming|saying|that say|para|de|pour|sur|für|zu|von)\s+"
    r"(?:(?:the|each|every|los|las|les|la|le|el|die|der|das|jede[nr]?|chaque|cada)\s+)?(?:(?:steps?|stages?|phases?|parts?)"
    r"\s*:?\s+)?"
    r"|(?<![^\W_])(?:captions?|labels?|subtitles?)\s*:\s*"
    r"|(?:字幕|标注|标签|ラベル|キャプション)(?:分别)?(?:是|为|写|：|:)\s*")
# "<n> tips for better sleep: a, b, c": a list noun, a few words, a colon, then the items
_LIST_NOUNS = (r"tips?|reasons?|steps?|ways?|facts?|things?|rules?|ideas?|benefits?|lessons?|habits?|secrets?|"
               r"mistakes?|hacks?|features?|points?|stages?|questions?|myths?|signs?|tricks?|goals?|highlights?")
_LIST_CUE = re.compile(r"(?<![^\W_])(?:" + _LIST_NOUNS + r")(?:\s+[^\s:：.;!?。]+){0,8}?\s*[:：]\s*"
                       r"|(?:技巧|窍门|理由|原因|步骤|方法|要点|建议|好处|习惯|秘诀)[^：:。！？]{0,16}[：:]\s*")
_END_TEXT = (r"[.;!?\n。；！？]|\s(?:with|plus|then|and then|in|at|for|con|avec|mit)\s+(?:(?:a|an|the|some|soft|calm|"
             r"upbeat|epic|lo-?fi|background|quiet)\s+)*(?:music|song|sound|narration|voice|\d)|配上|加上音乐")
_END = re.compile(_END_TEXT + r"|,\s*(?:with|make|add|use|set|and (?:make|add|use))\b")
# an announced list's items are often instructions themselves ("..., add lemon for taste"): only
# the sentence's end or a word about the video's sound ends it
_LIST_END = re.compile(_END_TEXT)
# (quotes one after the other are items too: 「顔を洗う」「ストレッチ」)
_SEPARATOR = re.compile(r"\s*(?:,|;|、|，|；|/)\s*|(?<=q)\s+(?=q\d+q)")
# "避難訓練の動画：「おさない」「かけない」「しゃべらない」": a colon, then only quoted texts
_QUOTED_ITEMS = re.compile(r"[:：]\s*(?=(?:q\d+q[\s,;、，；]*){2,}(?:[.;!?\n。；！？]|$))")
_CONJUNCTION = re.compile(r"\s*(?:\band then\b|\bthen\b|\band\b|\bor\b|\by\b|\bet\b|\bund\b|\boder\b|和|与|及|以及|と)\s*")
_ARTICLE = re.compile(r"^(?:the|a|an|el|la|los|las|le|les|l'|un|une|der|die|das|ein|eine)\s+")
_NOT_ITEM = re.compile(r"music|song|sound|second|minute|vertical|square|narrat|voice|音乐|秒|"
                       r"\d+\s*(?:s|sec|secs|seconds?|min|minutes?|p|%)(?![a-z])|\d+:\d+")
_STEP_WORD = re.compile(r"(?<![^\W_])(?:steps?|stages?|phases?|pasos?|étapes?|schritte?[n]?|passos?|passaggi|passi|fasi|"
                        r"etapas?|fases?|stadien|stadi|life cycle|ciclo de vida|ciclo di vita|cycle de vie|"
                        r"lebenszyklus)(?![^\W_])|步骤|手順|ステップ|단계|生命周期|一生|ライフサイクル|한살이|생애 주기")
MAX_ITEMS = 12
#: words an item may have: a caption's ("evaporation", "a coral reef"), a listed tip's
MAX_WORDS, MAX_LIST_WORDS = 4, 9


def split_items(text: str) -> list[str]:
    """The items of a list: split at its commas (the last part also at its conjunction: "a, b and
    c"), so an item keeps its own "and" ("keep the room cool and dark, ..."); a list without
    commas is split at its conjunctions ("evaporation and condensation")."""
    parts = _SEPARATOR.split(text)
    if len(parts) > 1:
        return [*parts[:-1], *_CONJUNCTION.split(parts[-1])]
    return _CONJUNCTION.split(text)


@dataclass
class CaptionList:
    start: int
    end: int
    items: list[tuple[str, int]]  # (text as it should be shown, position in norm)
    role: str = "caption"         # caption ("captions for A, B"), item ("3 tips: ..."), step ("the steps: ...")
    as_typed: bool = False        # shown as the user wrote them (a vocabulary video's "apple" is not "Apple")


@lru_cache(maxsize=1)
def _list_cue() -> re.Pattern[str]:
    """ "<n> tips ...:", "3 consejos para ...:", "5 Tipps fürs ...:", "早起的5个好习惯：": the list nouns of
    every language (``templates.list`` of the grammar files)."""
    nouns: set[str] = set()
    for lang in LANGS:
        nouns.update(w.lower() for w in grammar(lang).data.get("templates", {}).get("list", [])
                     if w and not any(ch.isdigit() for ch in w))
    latin = sorted((n for n in nouns if not is_cjk(n)), key=len, reverse=True)
    cjk = sorted((n for n in nouns if is_cjk(n)), key=len, reverse=True)
    parts = [_LIST_CUE.pattern]
    if latin:
        parts.append(r"(?<![^\W_])(?:" + "|".join(re.escape(n) for n in latin) + r")(?:\s+[^\s:：.;!?。]+){0,8}?\s*[:：]\s*")
    if cjk:
        parts.append(r"(?:" + "|".join(re.escape(n) for n in cjk) + r")[^：:。！？]{0,16}[：:]\s*")
    return re.compile("|".join(parts))


@lru_cache(maxsize=1)
def _vocabulary_cue() -> re.Pattern[str]:
    """ "vocabulary video", "Vokabelvideo", "英単語", "단어": a video of words, each shown with its picture
    (``vocabulary_words`` of the grammar files)."""
    words = sorted({w.lower() for lang in LANGS for w in grammar(lang).data.get("vocabulary_words", [])},
                   key=len, reverse=True)
    latin = [re.escape(w) for w in words if not is_cjk(w)]
    cjk = [re.escape(w) for w in words if is_cjk(w)]
    return re.compile(r"(?<![^\W_])(?:" + "|".join(latin) + r")(?![^\W_])" + ("|" + "|".join(cjk) if cjk else ""))


_QUOTE_GAP = re.compile(r"\s*(?:[,;/、，；]|\s)\s*(?:(?:and|or|y|o|e|et|ou|und|oder|ed|和|与|と|과|와|그리고)\s*)?|"
                        r"\s*(?:and|or|y|e|et|und|ed|和|与|と)\s*|")


_CAPTION_WORDS = re.compile(
    r"(?<![^\W_])(?:captions?|labels?|subtitles?|subtítulos?|leyendas?|etiquetas?|légendes?|sous-titres?|étiquettes?|"
    r"untertitel[n]?|beschriftungen?|bildunterschriften?|legendas?|rótulos?|didascali[ae]|sottotitoli|etichett[ae])"
    r"(?![^\W_])|字幕|标注|标签|キャプション|ラベル|자막|라벨")


def _quoted_words(norm: str, quotes: list[TextAsk]) -> CaptionList | None:
    """A vocabulary video's words: two or more short quotes in a row ("„apple“, „house“, „tree“",
    "「dog」「cat」「rabbit」"), each an item shown as written; or captions named just before such a
    run ("con le didascalie «Uovo», «Girino», «Rana»"), each its scene's caption (a life cycle's
    or a process's: its steps)."""
    vocabulary = bool(_vocabulary_cue().search(norm))
    run = _quote_run(norm, quotes)
    if run is None:
        return None
    if vocabulary:
        return CaptionList(start=run[0].start, end=run[-1].end, items=[(q.text, q.start) for q in run[:MAX_ITEMS]],
                           role="item", as_typed=True)
    cue = _CAPTION_WORDS.search(norm, max(0, run[0].start - 24), run[0].start)
    if cue is None or _CLAUSE_BREAK_BEFORE.search(norm, cue.end(), run[0].start):
        return None
    role = "step" if _STEP_WORD.search(norm) else "caption"
    return CaptionList(start=run[0].start, end=run[-1].end, items=[(q.text, q.start) for q in run[:MAX_ITEMS]],
                       role=role)


_CLAUSE_BREAK_BEFORE = re.compile(r"[.;!?。；！？]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def _foreign_words(norm: str, lang: str) -> CaptionList | None:
    """A vocabulary video's words written without quotes, in another language than the prompt's
    ("vocabulario de inglés: cow, pig y horse"): two or more words in a row, each naming a thing in
    another language and nothing in the prompt's, joined by commas or "and"; each an item as written."""
    cue = _vocabulary_cue().search(norm)
    if cue is None:
        return None
    lex = lexicon()
    run: list[re.Match[str]] = []
    best: list[re.Match[str]] = []
    for m in _LATIN_WORD.finditer(norm, cue.end()):
        w = m.group(0)
        other = any(lex.subject_of(w, o) for o in ("en", "es", "fr", "de", "pt", "it") if o != lang)
        foreign = other and not _QUOTE_GAP.fullmatch(" " + w + " ") and (not lex.subject_of(w, lang) or bool(run))
        if foreign and run and _QUOTE_GAP.fullmatch(norm[run[-1].end():m.start()]):  # ("apple, pear y banana")
            run.append(m)
        elif foreign:
            run = [m]
        elif not _QUOTE_GAP.fullmatch(" " + w + " "):
            run = []
        if len(run) > len(best):
            best = list(run)
    if len(best) < 2:
        return None
    return CaptionList(start=best[0].start(), end=best[-1].end(), items=[(m.group(0), m.start()) for m in best[:MAX_ITEMS]],
                       role="item", as_typed=True)


def _quote_run(norm: str, quotes: list[TextAsk]) -> list[TextAsk] | None:
    """The longest run of two or more short quotes in a row."""
    run: list[TextAsk] = []
    best: list[TextAsk] = []
    for q in sorted((q for q in quotes if not q.bare), key=lambda q: q.start):
        short = 0 < len(q.text.split()) <= 3 and len(q.text) <= 40
        if short and run and _QUOTE_GAP.fullmatch(norm[run[-1].end:q.start]):
            run.append(q)
        else:
            run = [q] if short else []
        if len(run) > len(best):
            best = list(run)
    return best if len(best) >= 2 else None


@lru_cache(maxsize=1)
def _lesson_cue() -> re.Pattern[str]:
    """ "a lesson", "how the pyramids were built", "wie man", "Erklärvideo": a lesson of any language
    (``templates.lesson`` of the grammar files)."""
    words = sorted({w.lower() for lang in LANGS for w in grammar(lang).data.get("templates", {}).get("lesson", [])
                    if len(w) > 2 or (is_cjk(w) and len(w) == 2)} | {"how to", "how the", "how a", "how an", "how do", "how does", "wie man",
                                      "comment", "cómo", "como se", "come si"}, key=len, reverse=True)
    latin = [re.escape(w) for w in words if not is_cjk(w)]
    cjk = [re.escape(w) for w in words if is_cjk(w)]
    return re.compile(r"(?<![^\W_])(?:" + "|".join(latin) + r")(?![^\W_])" + ("|" + "|".join(cjk) if cjk else ""))


_ITEM_NOUN = re.compile(r"(?<![^\W_])(?:tips?|facts?|reasons?|ideas?|things?|myths?|mistakes?|hacks?|secrets?|"
                        r"consejos|astuces|conseils|tipps|dicas|consigli|curiosidades|fakten|faits|fatti)(?![^\W_])")
_COLON = re.compile(r"[:：]\s*")


def _lesson_colon(norm: str) -> re.Match[str] | None:
    """ "a lesson on how the pyramids were built: cutting stone, moving blocks, building layer by
    layer": a lesson's colon followed by three or more parts split by commas."""
    for c in _COLON.finditer(norm):
        if not _lesson_cue().search(norm, max(0, c.start() - 120), c.start()):
            continue
        end = _LIST_END.search(norm, c.end())
        seg = norm[c.end():end.start() if end else len(norm)]
        if len([p for p in split_items(seg) if p.strip()]) >= 3 and seg.count(",") + seg.count("，") + seg.count("、") >= 1:
            return c
    return None


_TITLE_COLON = re.compile(r"[^:：.!?\n。！？]{0,12}?[:：]\s*")


def _list_title(norm: str, quotes: list[TextAsk]) -> re.Match[str] | None:
    """ "做一个“五个早睡小技巧”的视频：a、b、c", "「早寝のコツ5選」：a、b": a quoted title that announces a
    list, then a colon: the list follows it."""
    for q in quotes:
        if q.start >= 0 and _list_cue().search(q.text.lower() + "："):
            m = _TITLE_COLON.match(norm, q.end)
            if m is not None:
                return m
    return None


def find_caption_list(norm: str, quotes: list[TextAsk], lang: str | None = None) -> CaptionList | None:
    """The "captions for A, B and C" list of a prompt, if there is one (quotes give their own text);
    ``lang``: the prompt's language, whose vocabulary video may list another's words unquoted."""
    vocabulary = _quoted_words(norm, quotes) or (_foreign_words(norm, lang) if lang else None)
    if vocabulary is not None:
        return vocabulary
    m = _CUE.search(norm)
    words, ender = MAX_WORDS, _END
    begin = m.start() if m else 0
    if m is None:  # "3 tips for better sleep: ...": the words before the colon stay the prompt's
        m = _list_cue().search(norm) or _lesson_colon(norm) or _QUOTED_ITEMS.search(norm) or _list_title(norm, quotes)
        if m is None:
            return None
        words, ender, begin = MAX_LIST_WORDS, _LIST_END, m.end()
        # a lesson's list is its steps ("how the pyramids were built: cutting stone, ..."), a list of
        # tips or facts its items
        lesson = (_lesson_cue().search(norm, 0, m.end()) and not _ITEM_NOUN.search(m.group(0))
                  and m.re is not _QUOTED_ITEMS)  # (quoted words after a colon are the lesson's items)
        role = "step" if _STEP_WORD.search(m.group(0)) or lesson else "item"
    else:  # "captions for A, B and C"; "as a caption: 'cat', 'dog'" lists items
        role = "step" if _STEP_WORD.search(m.group(0)) else ("item" if ":" in m.group(0) or "：" in m.group(0)
                                                             else "caption")
    start = m.end()
    stop = ender.search(norm, start)
    end = stop.start() if stop else len(norm)
    items: list[tuple[str, int]] = []
    pos = start
    for part in split_items(norm[start:end]):
        at = norm.find(part, pos) if part else pos
        pos = max(pos, at + len(part))
        text = part.strip(" :：\"'“”").strip().replace(PARTICLE_SPACE, "")  # ("방을 시원하게", as typed)
        if len(text.split()) <= 3:  # "the ocean" -> "Ocean"; "The heart pumps blood" keeps its article
            text = _ARTICLE.sub("", text).strip()
        q = re.fullmatch(r"q(\d+)q", text)
        if q and int(q.group(1)) < len(quotes):
            text = quotes[int(q.group(1))].text
        elif not text or len(text.split()) > words or (_NOT_ITEM.search(text) and (
                len(text) <= 3 if is_cjk(text) else len(text.split()) <= 2)):
            # ("calm music", "30 seconds", "轻音乐"; an instruction keeps its time: "zwei Minuten putzen",
            # "听轻音乐", "拉伸五分钟")
            continue
        items.append((text, at))
    if len(items) < 2:
        return None
    return CaptionList(start=begin, end=end, items=items[:MAX_ITEMS], role=role)


def shown(text: str) -> str:
    return text[:1].upper() + text[1:] if text.isascii() or text[:1].isalpha() else text


def _one_thing(scene: Scene, text: str, lang: str) -> None:
    """An item named by a background word ("star": a starry sky) shows that thing: it is the scene's
    subject (the vocabulary video's word has its picture, in the checklist too)."""
    lex = lexicon()
    sid = next((s for lg in dict.fromkeys((lang, "en")) if (s := lex.background_subject(text.lower(), lg))), None)
    if sid is not None and sid in lex.subjects:
        scene.actors = [*scene.actors, Actor(s=sid, art=lex.subjects[sid].art, word=text.lower())]


def apply_caption_list(brief: Brief, cl: CaptionList, item_subjects: list[Scene | None], lang: str = "en") -> None:
    """Replace the prompt's scenes by one scene per item (keeping scenes that are not covered)."""
    what = brief.what
    what.prompt_subjects = {a.s for s in what.scenes for a in s.actors if not a.extra}
    used_topics = {s.topic for s in item_subjects if s is not None and s.topic}
    background = next((s for s in what.scenes if s.named_scene and not s.topic and not s.actors), None)
    out: list[Scene] = []
    prev: Scene | None = None
    for (text, pos), subj in zip(cl.items, item_subjects, strict=True):
        if subj is not None:  # its words were read alone: where they stand in the prompt
            for a in subj.actors:
                if a.start >= 0 and not a.extra:
                    a.start, a.end = a.start + pos, a.end + pos
        if subj is None:
            base = prev or background or (what.scenes[0] if what.scenes else None)
            if base is None:
                base = Scene(scene="abstract", els=[], sounds=[], label_terms=[], pos=0)
            what.missing.append((text, None))
            subj = replace(base, actors=list(base.actors))
        elif not subj.topic and not subj.named_scene and background is not None:
            subj = replace(subj, scene=background.scene, els=list(background.els), named_scene=True)
        if not any(not a.extra for a in subj.actors) and len(text.split()) <= 2:
            _one_thing(subj, text, lang)
        subj.caption = text if cl.as_typed else shown(text)
        if cl.as_typed:  # a vocabulary video's word is shown with its picture: the picture is asked
            what.prompt_subjects.update(a.s for a in subj.actors)
        elif cl.role != "item" and len(text.split()) <= 2:  # a caption or a step that names a thing ("Egg")
            what.prompt_subjects.update(a.s for a in subj.actors if a.word and a.word.lower() in text.lower())
        out.append(subj)
        prev = subj
    # the list's items are the steps: a topic's own captioned steps make way for them ("a recipe
    # video with the steps: crack the eggs, ..." is not also "Ingredients, Cook, Serve")
    kept = [s for s in what.scenes
            if not (s.topic and (s.topic in used_topics or s.caption)) and s is not background
            and not any(s.pos == o.pos and s.scene == o.scene for o in out)]
    what.scenes = kept + out
    what.captions_for = [t if cl.as_typed else shown(t) for t, _p in cl.items]
    what.list_role = cl.role
    # Quoted items became captions of their scenes: they are not titles any more.
    texts = {t for t, _p in cl.items}
    brief.texts = [q for q in brief.texts if not (cl.start < q.end and q.start < cl.end and q.text in texts)]
