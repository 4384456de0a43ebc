"""Which language a prompt is written in."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .common import MAX_PROMPT

_TRAD_ONLY = set("們這個視頻時發說為會來對還與頭後裡開關電話聽見應該讓嗎學麼從當樣實點變")
_LATIN_HINTS = {
    "es": {"un", "una", "unos", "unas", "del", "con", "el", "los", "las", "para", "por", "segundos", "música", "vídeo",
           "haz", "crea", "genera", "que", "y", "en", "sobre", "mi", "mis", "tu", "su", "al", "es", "muy", "como",
           "hacer", "niños", "nuevo", "nueva", "nuevas", "nuevos", "explicada", "explicado", "tocando", "corriendo",
           "bajo", "entre", "mamá", "de", "la"},
    "fr": {"une", "des", "avec", "et", "le", "les", "pour", "sur", "musique", "secondes", "vidéo", "fais",
           "crée", "génère", "du", "de", "qui", "au", "aux", "dans", "sous", "mon", "ma", "mes", "est", "un", "la", "d'un", "d'une", "l'eau", "enfants", "nouveau", "nouvelle", "joue", "dort", "entre", "en"},
    "de": {"ein", "eine", "einen", "einem", "einer", "mit", "und", "der", "die", "das", "von", "für", "musik",
           "sekunden", "erstelle", "mach", "ist", "im", "am", "auf", "den", "dem", "zu", "zum", "zur", "mein",
           "meine", "meinen", "meiner", "neue", "neuen", "neues", "einfach", "erklärt", "spielt", "an", "in"},
    "pt": {"um", "uma", "uns", "umas", "com", "os", "para", "vídeo", "música", "segundos", "faça", "crie", "gere",
           "não", "em", "no", "na", "nos", "nas", "do", "da", "dos", "das", "ao", "aos", "pelo", "pela", "meu",
           "minha", "meus", "minhas", "é", "são", "está", "também", "cachorro", "cachorros", "você", "seu", "sua",
           "coloque", "adicione", "mostre", "mostrando", "brincando", "correndo", "noite", "então", "até", "de", "a"},
    "it": {"uno", "con", "il", "lo", "gli", "per", "musica", "secondi", "crea", "fai", "della", "di", "del",
           "dei", "delle", "nel", "nella", "sul", "sulla", "che", "è", "mio", "mia", "miei", "sono", "anche",
           "cane", "gatto", "mentre", "aggiungi", "mostra", "metti", "notte", "poi", "alla", "allo", "un'",
           "dello", "degli", "ci", "sotto", "sopra", "accanto", "gioca", "corre", "bambini", "piccolo", "grande", "i", "in"},
    "en": {"the", "a", "an", "of", "with", "and", "to", "make", "video", "for", "in", "it", "music",
           "seconds", "generate", "create", "about", "add", "change", "set", "please", "my", "our", "on",
           "at", "is", "new", "from", "this", "that", "into", "some", "you", "i", "no"},
}


_EXTRA = {
    "es": {"y", "los", "las", "del", "al", "en", "por", "pero", "muy", "este", "esta", "sus", "su", "dos", "tres",
           "cinco", "perro", "gato", "niña", "niño", "árbol", "noche", "día", "parque", "playa", "lluvia", "nieve",
           "persiguiendo", "jugando", "encima", "debajo", "junto", "hay", "pon", "añade", "quiero", "vídeo", "hola", "ayuda", "gracias", "está", "demasiado", "tiene", "tienen", "puedes", "puedo"},
    "fr": {"le", "les", "des", "du", "et", "dans", "sur", "sous", "avec", "pour", "une", "un", "est", "qui", "ce",
           "cette", "deux", "trois", "chien", "chat", "nuit", "jour", "plage", "pluie", "neige", "l'", "d'", "qu'",
           "à", "côté", "devant", "derrière", "ajoute", "mets", "fais", "veux", "vidéo", "moi", "stp", "svp", "je",
           "vous", "nous", "ceci", "cela", "ça", "anglais", "français", "peux", "pouvez", "merci", "bonjour", "salut", "aide", "sais", "dessiner", "que", "tu"},
    "de": {"der", "die", "das", "ein", "eine", "einen", "und", "mit", "im", "auf", "unter", "neben", "hinter",
           "vor", "zwei", "drei", "hund", "katze", "nacht", "tag", "strand", "regen", "schnee", "ist", "sind",
           "füge", "zeige", "mache", "sekunden", "video", "du", "kannst", "kann", "ich", "wie", "bitte", "hallo", "hilfe", "danke"},
    "pt": {"um", "uma", "não", "em", "no", "na", "nos", "nas", "do", "da", "dos", "das", "ao", "aos", "pelo",
           "pela", "é", "são", "e", "o", "os", "as", "com", "dois", "duas", "três", "cachorro", "gato", "noite", "tem",
           "dia", "praia", "chuva", "neve", "perto", "embaixo", "coloque", "adicione", "quero", "vídeo", "numa",
           "num", "árvore", "floresta", "também", "você", "olá", "oi", "ajuda", "obrigado", "obrigada", "sem", "por"},
    "it": {"il", "lo", "gli", "le", "la", "un", "una", "uno", "un'", "che", "di", "del", "della", "dei", "degli",
           "nel", "nella", "sul", "sulla", "con", "per", "è", "sono", "e", "due", "tre", "cane", "gatto", "notte",
           "giorno", "spiaggia", "pioggia", "neve", "vicino", "sotto", "sopra", "accanto", "aggiungi", "metti",
           "voglio", "video", "albero", "bosco", "giardino", "bambino", "bambina", "ciao", "aiuto", "grazie"},
}
for _lang, _words in _EXTRA.items():
    _LATIN_HINTS[_lang] = _LATIN_HINTS[_lang] | _words
_OWNERS: dict[str, int] = {}
for _hints in _LATIN_HINTS.values():
    for _w in _hints:
        _OWNERS[_w] = _OWNERS.get(_w, 0) + 1
_WEIGHT = {w: 1.0 / n for w, n in _OWNERS.items()}


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, tuple[str, ...]]:
    """word -> the Latin-script languages whose grammar words or subject names it is."""
    from .lexicon import lexicon
    from .read.grammar import grammar
    from .vocabulary import _SCENE_TERMS_BY_LANG

    owners: dict[str, set[str]] = {}
    for lang in ("en", "es", "fr", "de", "pt", "it"):
        data = grammar(lang).data
        words: set[str] = set(lexicon().words.get(lang, {}))
        for table in ("colours", "sizes", "relations", "spatial", "times", "weathers", "seasons", "places"):
            for ws in data.get(table, {}).values():
                words.update(ws)
        for table in ("and", "negations", "request_verbs", "video_words", "question_starts", "outside", "determiners",
                      "boundaries", "help_starts"):
            words.update(data.get(table, []))
        for ws in data.get("edit_words", {}).values():  # "tire", "raccourcis", "forêt"
            words.update(ws)
        for terms in _SCENE_TERMS_BY_LANG.get(lang, {}).values():  # "forêt", "Wüste"
            words.update(terms)
        for w in words:
            if " " not in w:
                owners.setdefault(w.lower(), set()).add(lang)
    return {w: tuple(sorted(ls)) for w, ls in owners.items() if len(ls) < 6}


#: the edit tables whose words are the verbs of a request: they count as much as a function word
_VERB_TABLES = ("add", "remove", "change", "make", "use", "quieter", "louder", "longer", "shorter")


@lru_cache(maxsize=1)
def _edit_verbs() -> dict[str, tuple[str, ...]]:
    """word -> the Latin-script languages whose edit verbs it is ("cámbialo", "abaixa", "togli", "leiser")."""
    from .read.grammar import grammar

    owners: dict[str, set[str]] = {}
    for lang in ("es", "fr", "de", "pt", "it"):
        tables = grammar(lang).data.get("edit_words", {})
        for table in _VERB_TABLES:
            for w in tables.get(table, []):
                if " " not in w:
                    owners.setdefault(w.lower(), set()).add(lang)
    return {w: tuple(sorted(ls)) for w, ls in owners.items()}


def detect_language(text: str) -> str:
    """Guess the language of ``text``: "en", "zh-CN", "zh-TW", "ja", "ko", "ru", ... ("en" if unsure)."""
    return _detect(text)[0]


_QUOTED = re.compile(r"[\"“„«「『《](?:[^\"“”„«»「」『』《》\n]{1,200})[\"”“»」』》]"
                     r"|(?<![^\W_])['‘‹](?:[^'‘’‹›\n]{1,200})['’›](?![^\W_])")


def _detect(text: str) -> tuple[str, bool]:
    """The language of ``text`` and whether the text says so clearly (not just "720p" or "lofi"):
    the language the request is written in, not that of the words it quotes ("a vocabulary video
    for my French class: 'le chien', 'le chat'" is English)."""
    if not isinstance(text, str):
        return "en", False
    text = text[:MAX_PROMPT]
    unquoted = _QUOTED.sub(" ", text)
    if len(re.findall(r"[^\W\d_]+", unquoted)) >= 2:
        text = unquoted
    kana = hangul = han = cyr = arabic = thai = deva = greek = hebrew = trad = 0
    for ch in text:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF:
            kana += 1
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF:
            hangul += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            han += 1
            if ch in _TRAD_ONLY:
                trad += 1
        elif 0x0400 <= o <= 0x04FF:
            cyr += 1
        elif 0x0600 <= o <= 0x06FF:
            arabic += 1
        elif 0x0E00 <= o <= 0x0E7F:
            thai += 1
        elif 0x0900 <= o <= 0x097F:
            deva += 1
        elif 0x0370 <= o <= 0x03FF:
            greek += 1
        elif 0x0590 <= o <= 0x05FF:
            hebrew += 1
    if kana:
        return "ja", True
    if hangul and hangul >= han:
        return "ko", True
    if han:
        return ("zh-TW" if trad * 10 > han and trad >= 2 else "zh-CN"), True
    scripts = [(cyr, "ru"), (arabic, "ar"), (thai, "th"), (deva, "hi"), (greek, "el"), (hebrew, "he")]
    best = max(scripts, key=lambda s: s[0])
    if best[0]:
        if best[1] == "ru" and any(c in text for c in "їєіґЇЄІҐ"):
            return "uk", True
        return best[1], True
    words = re.findall(r"[^\W\d_]+(?:'(?=\w))?", text.lower())
    # a word several languages share counts for each of them a share ("con": es, it; "una": es, it);
    # the words of each language's grammar and vocabulary count half as much as its function words
    scores = {lang: sum(_WEIGHT.get(w, 0.0) for w in words if w in hints) for lang, hints in _LATIN_HINTS.items()}
    vocab, verbs = _vocabulary(), _edit_verbs()
    for w in words:
        owners, weight = (verbs[w], 1.0) if w in verbs and w not in _WEIGHT else (vocab.get(w), 0.5)
        if owners:
            for owner in owners:
                scores[owner] = scores.get(owner, 0.0) + weight / len(owners)
    lang = max(sorted(scores), key=lambda k: scores[k])
    unique = sum(1 for v in scores.values() if v == scores[lang]) == 1
    if len(words) >= 3:
        # a sentence: the character n-gram model decides when it is sure, and breaks the word lists'
        # near-ties otherwise ("un vecchio pescatore seduto al porto": "un", "al" are Spanish too)
        model, p = _ngram_language(text)
        if p >= _SURE:
            return model, True
        top = sorted(scores.values(), reverse=True)
        if p >= _LEANS and (len(top) < 2 or top[0] - top[1] < 1.0):
            return model, True
    if lang != "en" and scores[lang] > scores["en"] and (scores[lang] >= 1 or (unique and scores["en"] == 0)):
        return lang, True
    return "en", scores["en"] >= 1 or len(words) >= 3


#: how sure the character n-gram model must be to decide alone, or to break a near-tie of the word lists
_SURE, _LEANS = 0.9, 0.6


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's naive Bayes model over byte n-grams (BSD-3-Clause; the model ships in the wheel),
    restricted to the Latin-script languages the planner reads."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(_LATIN_HINTS))
    return ident


def _ngram_language(text: str) -> tuple[str, float]:
    """The Latin-script language of ``text`` by its character n-grams, and the model's probability."""
    lang, p = _identifier().classify(text.lower())
    return str(lang), float(p)
