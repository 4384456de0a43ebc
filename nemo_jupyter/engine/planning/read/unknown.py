"""Things a prompt asks to show that the vocabulary does not know ("a cardboard box", "a pine cone").

A subject the engine cannot name would otherwise be dropped without a word. A noun phrase is read
as such a thing when the prompt clearly makes it one:

* it fills a relation's slot ("a cat inside a *cardboard box*", "*a cowboy* riding his horse",
  "chased by *two crows*");
* it carries a count, a colour or a size with no known subject after them ("three *zorbs*");
* it is joined to a known subject, with its own determiner ("a lighthouse and *a hologram*").

Its words are those between a determiner (or the slot) and the next boundary (a function word,
a verb, punctuation, a known word); its head (the last word) must not be a word of the grammar,
a background, or a general word of the language (``not_things`` in the grammar file). Such an
actor has no subject id: the brief lists it, and the checklist says it could not be drawn.
Read here for the languages written with spaces; Chinese, Japanese and Korean in
:mod:`.unknown_cjk`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..brief import Actor, Brief, Scene
from .grammar import Tag, grammar, words_of
from .unknown_cjk import find_unknown_cjk

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # ("l'étang" is "l" + "étang")
_PUNCT = re.compile(r"[,;.:!?，。；：！？、\n()\"]")
_MAX_WORDS = 3
_SLOT_CATS = ("rel", "prel", "spatial")
_ATTR_CATS = ("num", "colour", "size")
#: "an ad for my ...", "un anuncio vertical de mis ...", "une pub pour nos ...": what follows is the product
_AD_FOR = re.compile(r"(?:\s+[^\W\d_]+)?\s+(?:for|of|de|para|pra|pro|pour|für|per|di|do|da|del)\s+(?:my|our|mi|mis|"
                     r"nuestros?|nuestras?|mon|ma|mes|notre|nos|meine[nm]?|unsere[nm]?|meus?|minhas?|nossos?|nossas?|"
                     r"(?:il |la |i |le )?(?:mio|mia|miei|mie|nostro|nostra|nostri|nostre))(?=\s)")
#: endings of a verb form that ends a noun phrase ("delfines *saltando*", "un chien *courant*")
_VERB_ENDINGS = {"es": ("ando", "iendo"), "pt": ("ando", "endo", "indo"), "it": ("ando", "endo"), "fr": ("ant",),
                 "de": ("end",)}
_RELATIVE = frozenset(["who", "that", "which", "qui", "que", "che", "der", "die", "das", "welcher", "welche", "quem"])
_INDEFINITE = frozenset(["a", "an", "un", "une", "una", "uno", "um", "uma", "ein", "eine", "einen", "einem", "einer"])
#: each language's own indefinite articles ("a" is Portuguese for "the", Italian and Spanish for "to")
_ARTICLES = {"en": ("a", "an"), "es": ("un", "una", "unos", "unas"), "fr": ("un", "une"),
             "it": ("un", "uno", "una", "un'"), "pt": ("um", "uma", "uns", "umas"),
             "de": ("ein", "eine", "einen", "einem", "einer", "eines")}


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text, start, end)]


def find_unknown(norm: str, lang: str, actors: Sequence[Actor], tags: Sequence[Tag],
                 known_spans: Sequence[tuple[int, int]], proper: Callable[[str], bool] | None = None) -> list[Actor]:
    """The things ``norm`` asks to show that no subject names, as actors without a subject."""
    g = grammar(lang)
    if lang in ("zh", "ja", "ko"):  # written without spaces, or with particles on the nouns
        return find_unknown_cjk(norm, lang, actors, tags, known_spans, list(words_of(lang, "verbs")))
    dets = {w.lower() for w in g.data.get("determiners", [])}
    stops = {w.lower() for w in g.data.get("boundaries", [])}
    nothing = {w.lower() for w in g.data.get("not_things", [])}
    nothing |= {w for ws in (g.data.get("object_pronouns") or {}).values() for w in ws if w not in dets}  # ("fängt ihn")
    business = {w.lower() for w in g.data.get("business_words", []) if len(w) > 3 or lang != "de"}  # ("Fahrradladen")
    parts = {w.lower() for w in g.data.get("part_words", [])}  # a part of the thing named after it
    if not dets and not stops:
        return []
    actor_spans = [(a.start, a.end) for a in actors if a.start >= 0]
    taken = actor_spans + list(known_spans)
    tagged = [(t.start, t.end) for t in tags if t.cat not in ("and",)]

    def is_known(a: int, b: int) -> bool:
        return any(x < b and a < y for x, y in taken + tagged)

    def boundary(word: str) -> bool:
        w = word.lower()
        return w in stops or (w.endswith(_VERB_ENDINGS.get(lang, ())) and len(w) > 5) or (
            lang == "en" and w.endswith(("ing", "ed")) and len(w) > 4)

    place_spans = [(t.start, t.end) for t in tags if t.cat in ("place", "weather", "time", "season")]
    modifiers = list(known_spans) + place_spans  # background and place words: modifiers, never heads

    def modifier(a: int) -> bool:
        return any(x <= a < y for x, y in modifiers)

    def phrase_after(pos: int) -> tuple[int, int] | None:
        """The noun phrase that starts at ``pos`` (skipping determiners, numbers, colours, sizes)."""
        m = _PUNCT.search(norm, pos)
        limit = m.start() if m else len(norm)
        got: list[tuple[int, int, str]] = []
        prev = ""
        for a, b, w in _words(norm, pos, min(limit, pos + 60)):
            attr = any(t.start <= a < t.end and t.cat in _ATTR_CATS for t in tags)
            if not got and (w.lower() in dets or attr):
                prev = w.lower()
                continue
            if prev in _INDEFINITE and any(t.start <= a < t.end and t.cat == "upload" for t in tags):
                got.append((a, b, w))  # "on a track" is a thing; "my track" is an upload
                prev = ""
                continue
            prev = w.lower()
            of = next((t for t in tags if t.cat == "of" and 0 <= t.start - b <= 1), None) if prev in parts else None
            if of is not None:  # "on the edge of the table", "sul davanzale della finestra": the table, the window
                return phrase_after(of.end)
            if any(x <= a < y for x, y in actor_spans):
                if got and a - got[-1][1] <= 2:
                    return None  # "a fluffy cat", "our new sneakers": words said of a subject named
                break
            if boundary(w):
                break
            if any(t.start <= a < t.end and t.cat in ("place", "weather", "time", "season", "head", "none")
                   for t in tags) or w.lower() in nothing:
                return None  # "in thick fog", "a flower shop", "a lovely day": no thing to draw
            if not modifier(a) and any(t.start <= a < t.end and t.cat not in _ATTR_CATS for t in tags):
                break
            got.append((a, b, w))
            if len(got) == _MAX_WORDS:
                break
        if got and modifier(got[0][0]) and g.adjectives in ("after", "both"):
            return None  # "un café humeante": the head comes first, and it is a place's word
        while got and modifier(got[-1][0]):
            got.pop()  # "the kitchen table" is a table; "the park" is no thing
        if not got or boundary(got[-1][2]):
            return None
        return got[0][0], got[-1][1]

    def phrase_before(pos: int) -> tuple[int, int] | None:
        """The noun phrase that ends just before ``pos``."""
        start = max(0, pos - 60)
        m = None
        for m in _PUNCT.finditer(norm, start, pos):  # noqa: B007 - the last punctuation before pos
            pass
        if m is not None:
            start = m.end()
        words = _words(norm, start, pos)
        if words and words[-1][2].lower() in _RELATIVE and len(words) > 1:
            words = words[:-1]  # "un facteur qui apporte": the doer before its relative pronoun
        got: list[tuple[int, int, str]] = []
        for a, b, w in reversed(words):
            if not got and w.lower() in nothing:
                return None
            if w.lower() in dets or boundary(w) or is_known(a, b):
                break
            got.insert(0, (a, b, w))
            if len(got) == _MAX_WORDS:
                break
        if not got:
            return None
        return got[0][0], got[-1][1]

    found: list[tuple[int, int]] = []
    products_at: list[tuple[int, int]] = []  # the spans read as an ad's product
    placed = sorted((a for a in actors if a.start >= 0), key=lambda a: a.start)
    videos = {w.lower() for w in g.data.get("video_words", [])}

    def about(t: Tag) -> bool:
        """A place word right after the video's own word says what it is about ("un vídeo corto sobre el
        antiguo Egipto", "a short film on volcanoes"): no thing on or under another."""
        return t.cat == "spatial" and any(w.lower() in videos for _a, _b, w in _words(norm, max(0, t.start - 30), t.start)[-2:])

    for t in tags:
        if t.cat in _SLOT_CATS and not about(t):
            # the phrase right after the word fills its slot, whatever is named later ("vor einer
            # Garage und ... ein Fahrrad": the garage)
            span = phrase_after(t.end)
            if span:
                found.append(span)
            if g.order == "svo" and t.cat in ("rel", "spatial") and not any(
                    0 <= t.start - a.end <= 40 and not _PUNCT.search(norm, a.end, t.start) for a in placed):
                span = phrase_before(t.start)
                if span:
                    found.append(span)
        elif t.cat == "and" and any(0 <= t.start - a.end <= 2 for a in placed):
            # "a lighthouse and a hologram": a thing named beside a known one, with its determiner
            following = _words(norm, t.end, min(len(norm), t.end + 20))
            if following and following[0][2].lower() in dets:
                span = phrase_after(t.end)
                if span:
                    found.append(span)
        elif t.cat == "template" and t.value == "ad" and (m := _AD_FOR.match(norm, t.end)):
            span = phrase_after(m.end())  # "an ad for my handmade earrings": the product, drawn or not
            if span and not any(w in business or (lang == "de" and w.endswith(tuple(business)))
                                for w in norm[span[0]:span[1]].lower().split()):
                found.append(span)  # (not "für unseren Fahrradladen": the business, not its product)
                products_at.append(span)
        elif t.cat in _ATTR_CATS:
            if g.adjectives in ("after", "both") and t.cat != "num" and any(
                    0 <= t.start - a.end <= 2 for a in placed):
                continue  # "patitos amarillos": the colour of the noun before it
            nxt = next((a for a in placed if a.start >= t.end), None)
            if nxt is None or nxt.start - t.end > 24 or _PUNCT.search(norm, t.end, nxt.start):
                span = phrase_after(t.end)
                if span:
                    found.append(span)
    selves = {w.lower() for w in g.data.get("self_words", [])}
    prev_word = ""
    for a, _b, w in _words(norm, 0, len(norm)):
        # "a plumber fixing a sink", "un boulanger devant...": a thing named with an indefinite article,
        # wherever it stands (its head no word of the grammar); not what the speaker is or has ("sono
        # una maestra", "tenho uma hamburgueria": ``self_words``)
        if w.lower() in _ARTICLES.get(lang, ()) and prev_word not in selves and not is_known(a, a + len(w)):
            span = phrase_after(a)
            if span:
                found.append(span)
        prev_word = w.lower()
    out: list[Actor] = []
    products = set(products_at)
    for a, b in sorted(set(found)):
        if any(x < b and a < y for x, y in actor_spans) or any(x < b and a < y for x, y in [(o.start, o.end) for o in out]):
            continue
        words = norm[a:b].strip()
        if proper is not None and proper(words):
            continue  # "in Taipei", "for Leo": a name, not a thing to draw
        out.append(Actor(s="", art="", word=words, asked=words, start=a, end=b,
                         role="product" if (a, b) in products else "actor"))
    return out


def scene_for_unknown(scenes: list[Scene], thing: Actor) -> Scene | None:
    """The scene whose clause names ``thing``, else the nearest; for an ad's product when nothing else of
    the prompt makes a scene ("uno spot per i miei orecchini"), a new one added to ``scenes`` (the
    checklist says the product could not be drawn); None for other things of a prompt with no scene
    (words of an edit: "ma photo de profil en bas")."""
    owner = next((s for s in scenes if s.pos <= thing.start < max(s.end, s.pos + 1)), None)
    if owner is not None or scenes:
        return owner or min(scenes, key=lambda s: abs(s.pos - thing.start))
    if thing.role != "product":
        return None
    scene = Scene(scene="abstract", els=[], sounds=[], label_terms=[], pos=thing.start, named_scene=False)
    scenes.append(scene)
    return scene


def settle_unplaced(brief: Brief) -> None:
    """Things read in a prompt with no scene stay in the brief (not drawable, said) only when the prompt
    asks for a video of them: not in a question, a request outside video making, help, or an edit's
    words ("ajoute ma photo de profil comme un logo", "mi prenoti un volo?"). Relations of the things
    dropped go with them."""
    r, e, au, ln = brief.req, brief.edit, brief.audio, brief.length
    changes = (au.volume is not None or au.louder or au.quieter or ln.percent_change or ln.longer or ln.shorter
               or ln.duration_delta or (brief.voice is not None and brief.voice.any))
    # ("Musiklautstärke auf 50 %", "ナレーションのスピードを遅く": a change of the video open)
    if not brief.what.unplaced or not (r.question or r.outside or r.help or r.export or r.edit_lead or r.uploads_ref
                                       or e.adding or e.add_word or e.replace_scenes or e.swap or e.set_to
                                       or e.change_title or changes):
        return
    gone = {a.id for a in brief.what.unplaced}
    brief.what.unplaced = []
    brief.relations = [x for x in brief.relations if x.a not in gone and (x.b or "") not in gone]


#: what a thing no subject names does that only people do in a prompt ("a shepherd carrying a lamb",
#: "un vendeur qui donne à manger aux pigeons"): it is drawn as a person, and the reply says so
_PEOPLE_DO = frozenset(["ride", "carry", "feed", "throw", "build", "grow", "talk_to", "hold"])
_A_PERSON = "person"


def people_for_unknown_doers(brief: Brief, lang: str) -> None:
    """A thing no subject names that does what people do is drawn as a person (a substitute: the
    checklist says "drawn as a person"); a thing asked in a prompt with no scene stays undrawn."""
    from ..lexicon import lexicon

    info = lexicon().info(_A_PERSON)
    if info is None:
        return
    undrawn = {id(a) for a in brief.what.unplaced}
    said = [(q.start, q.end) for q in brief.texts if q.start >= 0] + ([brief.what.list_span] if brief.what.list_span else [])
    dets = {w.lower() for w in grammar(lang).data.get("determiners", [])}

    def named(a: Actor) -> bool:
        """Named as someone: with an article or a count ("a shepherd", "obreros" in a plural), outside
        the texts and lists it asks for ("captions: blood carries oxygen")."""
        if any(x <= a.start < y for x, y in said):
            return False
        before = brief.norm[max(0, a.start - 24):a.start].split()
        return a.count is not None or a.plural or bool(before and before[-1].lower() in dets)

    for r in brief.relations:
        a = brief.actor(r.a)
        if r.kind in _PEOPLE_DO and a is not None and not a.s and id(a) not in undrawn and a.role == "actor" and named(a):
            a.s, a.art, a.asked = _A_PERSON, info.art, a.asked or a.word
