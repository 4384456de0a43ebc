"""Which language a prompt is written in."""

from __future__ import annotations

import re

from .common import MAX_PROMPT

_TRAD_ONLY = set("們這個視頻時發說為會來對還與頭後裡開關電話聽見應該讓嗎學麼從當樣實點變")
_LATIN_HINTS = {
    "es": {"un", "una", "unos", "unas", "del", "con", "el", "los", "las", "para", "por", "segundos", "música", "vídeo",
           "haz", "crea", "genera", "que", "y", "en", "sobre", "mi", "mis", "tu", "su", "al", "es", "muy", "como",
           "hacer", "niños", "nuevo", "nueva", "nuevas", "nuevos", "explicada", "explicado", "tocando", "corriendo",
           "bajo", "entre", "mamá"},
    "fr": {"une", "des", "avec", "et", "le", "les", "pour", "sur", "musique", "secondes", "vidéo", "fais",
           "crée", "génère", "du", "de", "qui", "au", "aux", "dans", "sous", "mon", "ma", "mes", "est", "un", "la", "d'un", "d'une", "l'eau", "enfants", "nouveau", "nouvelle", "joue", "dort", "entre"},
    "de": {"ein", "eine", "einen", "einem", "einer", "mit", "und", "der", "die", "das", "von", "für", "musik",
           "sekunden", "erstelle", "mach", "ist", "im", "am", "auf", "den", "dem", "zu", "zum", "zur", "mein",
           "meine", "meinen", "meiner", "neue", "neuen", "neues", "einfach", "erklärt", "spielt", "an", "in"},
    "pt": {"um", "uma", "uns", "umas", "com", "os", "para", "vídeo", "música", "segundos", "faça", "crie", "gere",
           "não", "em", "no", "na", "nos", "nas", "do", "da", "dos", "das", "ao", "aos", "pelo", "pela", "meu",
           "minha", "meus", "minhas", "é", "são", "está", "também", "cachorro", "cachorros", "você", "seu", "sua",
           "coloque", "adicione", "mostre", "mostrando", "brincando", "correndo", "noite", "então", "até"},
    "it": {"uno", "con", "il", "lo", "gli", "per", "musica", "secondi", "crea", "fai", "della", "di", "del",
           "dei", "delle", "nel", "nella", "sul", "sulla", "che", "è", "mio", "mia", "miei", "sono", "anche",
           "cane", "gatto", "mentre", "aggiungi", "mostra", "metti", "notte", "poi", "alla", "allo", "un'",
           "dello", "degli", "ci", "sotto", "sopra", "accanto", "gioca", "corre", "bambini", "piccolo", "grande"},
    "en": {"the", "a", "an", "of", "with", "and", "to", "make", "video", "for", "in", "it", "music",
           "seconds", "generate", "create", "about", "add", "change", "set", "please", "my", "our", "on",
           "at", "is", "new", "from", "this", "that", "into", "some", "you", "i"},
}


def detect_language(text: str) -> str:
    """Guess the language of ``text``: "en", "zh-CN", "zh-TW", "ja", "ko", "ru", ... ("en" if unsure)."""
    return _detect(text)[0]


def _detect(text: str) -> tuple[str, bool]:
    """The language of ``text`` and whether the text says so clearly (not just "720p" or "lofi")."""
    if not isinstance(text, str):
        return "en", False
    text = text[:MAX_PROMPT]
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
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(1 for w in words if w in hints) for lang, hints in _LATIN_HINTS.items()}
    lang = max(sorted(scores), key=lambda k: scores[k])
    unique = sum(1 for v in scores.values() if v == scores[lang]) == 1
    if lang != "en" and scores[lang] > scores["en"] and (scores[lang] >= 2 or (unique and scores["en"] == 0)):
        return lang, True
    return "en", scores["en"] >= 1 or len(words) >= 3
