"""Keyword tables (English and Simplified Chinese) and the patterns built from them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

from nemo_jupyter.draft_format import (
    AMBIENT,
    CAMERA,
    ELEMENTS,
    MOODS,
    SCENE_FAMILIES,
    SCENES,
)

from .phrases import PhraseMatcher

# Background families and their words in nine languages come from ``data/scenes.json``.
_SCENE_DATA: dict[str, dict[str, Any]] = SCENE_FAMILIES
#: the family drawing a place that has none of its own ("a night market" -> the street)
PLACE_FAMILY: dict[str, str] = json.loads(
    resources.files("nemo_jupyter.engine.planning").joinpath("data").joinpath("scenes.json").read_text("utf-8"))["places"]
SCENE_LANGS = ("en", "zh", "ja", "es", "fr", "de", "pt", "it", "ko")
#: German writes a scene or its sound as one word with the place: "Strandszene", "Regengeräusche"
_DE_COMPOUND_TAILS = ("szene", "szenen", "geräusch", "geräusche")
_SCENE_TERMS_BY_LANG: dict[str, dict[str, tuple[str, ...]]] = {
    lang: {fam: tuple(d.get(lang, ())) + (tuple(t + tail for t in d.get(lang, ()) if " " not in t
                                                for tail in _DE_COMPOUND_TAILS) if lang == "de" else ())
           for fam, d in _SCENE_DATA.items()} for lang in SCENE_LANGS}
_SCENE_TERMS: dict[str, tuple[str, ...]] = {
    fam: tuple(d.get("en", ())) + tuple(d.get("zh", ())) for fam, d in _SCENE_DATA.items()}
# Scene words that give way to any other background named in the same clause ("a lesson about
# volcanoes": the volcano; "a plane in the sky over the city": the city).
_WEAK_SCENE_WORDS = frozenset(["lesson", "class", "lecture", "school", "tutorial", "vlog", "show", "sky", "skies",
                               "air", "flying", "flight", "food", "meal", "celebration", "celebrate", "reading",
                               "study", "studying", "harvest", "showcase", "news", "driving", "sailing", "hiking",
                               "课", "上课", "学校", "天空", "飞翔", "学习", "阅读", "美食", "庆祝", "授業", "空",
                               "clase", "lección", "escuela", "classe", "leçon", "cours", "école", "unterricht",
                               "schule", "lektion", "cielo", "ciel", "himmel", "comida", "repas", "essen",
                               "tide", "surf", "waves", "wave", "shore", "seaside"])
# Weak terms describe the purpose, not the picture: ignored when uploads can be used.
_WEAK_TERMS = ("promo", "promotional", "advert", "advertisement", "commercial",
               "广告", "宣传", "推广")
# Terms that also bring an element: "夜景" is a city at night.
_IMPLIED_EL = {"夜景": "stars", "neon": "stars", "starry": "stars", "autumn": "leaves", "秋天": "leaves",
               "雪山": "snow", "storm": "clouds", "thunderstorm": "clouds", "暴雨": "clouds"}
# Words naming a product; shown instead of the generic "product".
_PRODUCT_NOUNS = {"coffee", "cup", "mug", "latte", "espresso", "cappuccino", "cafe", "café", "bottle", "perfume",
                  "sneaker", "gadget", "smartphone", "tea", "cake", "bread", "bakery", "food",
                  "咖啡", "奶茶", "拿铁", "茶", "蛋糕", "面包", "美食"}
# Element-only terms.
_ELEMENT_TERMS: dict[str, tuple[str, ...]] = {
    "clouds": ("cloud", "clouds", "cloudy", "云", "云朵", "白云"),
    "fireflies": ("firefly", "fireflies", "萤火虫"),
    "bubbles": ("bubble", "bubbles", "泡泡", "气泡"),
    "leaves": ("leaf", "leaves", "autumn", "fall foliage", "落叶", "树叶", "秋天", "枫叶"),
}
# Scenes that become an element when another scene is named in the same clause.
_MODIFIER_SCENES = {"birds": "birds", "rain": "rain", "snow": "snow", "night_sky": "stars"}
_ELEMENT_HOME = {"clouds": "mountains", "fireflies": "forest", "bubbles": "underwater",
                 "leaves": "forest", "birds": "birds", "rain": "rain", "snow": "snow", "stars": "night_sky"}
# Ambient sounds named in a prompt.
_SOUND_TERMS: dict[str, tuple[str, ...]] = {
    "birds": ("bird", "birds", "birdsong", "bird song", "chirping", "tweeting", "songbird",
              "鸟", "鸟叫", "鸟鸣", "鸟声", "鸟儿", "小鸟", "飞鸟", "鸟群"),
    "rain": ("rain", "rainy", "raining", "rainfall", "drizzle", "thunderstorm", "storm",
             "雨", "下雨", "雨声", "雨天", "暴雨", "细雨", "雷雨"),
    "waves": ("wave", "waves", "surf", "surf sound", "海浪", "浪花", "浪", "海浪声"),
    "wind": ("wind", "windy", "breeze", "风", "风声", "微风"),
    "fire": ("fire", "campfire", "fireplace", "crackling", "bonfire", "篝火", "火", "壁炉"),
    "city": ("city sound", "city sounds", "city noise", "traffic noise", "street noise", "city ambience",
             "城市的声音", "城市声", "车流声", "街头的声音"),
}
_MOOD_TERMS: dict[str, tuple[str, ...]] = {
    "soft": ("soft", "gentle", "tender", "light music", "romantic", "acoustic", "piano music",
             "轻柔", "柔和", "温柔", "柔美", "轻音乐", "浪漫", "钢琴曲"),
    # (the lo-fi loop plays jazz chords on a swung beat)
    "lofi": ("lo-fi", "lofi", "lo fi", "chill", "chillhop", "jazzy", "jazz", "hip hop",
             "study music", "低保真", "慵懒", "爵士"),
    "upbeat": ("upbeat", "happy", "energetic", "cheerful", "fun", "lively", "pop", "dance", "fast",
               "bouncy", "party", "festive", "workout",
               "欢快", "快乐", "活泼", "动感", "轻快", "节奏感", "愉快", "开心", "派对", "节日"),
    "epic": ("epic", "cinematic", "dramatic", "orchestral", "heroic", "powerful", "grand", "inspiring",
             "adventure", "suspense", "suspenseful", "mysterious", "spooky", "scary", "horror",
             "battle", "史诗", "大气", "震撼", "电影感", "激昂", "宏大", "冒险", "悬疑", "恐怖"),
    "calm": ("calm", "relaxing", "relaxed", "peaceful", "meditative", "serene", "tranquil", "ambient",
             "slow", "sad", "melancholy", "melancholic", "sleepy", "lullaby",
             "平静", "宁静", "放松", "冥想", "舒缓", "安静", "伤感", "悲伤", "摇篮曲"),
}
_DEFAULT_MOOD = {fam: str(d["mood"]) for fam, d in _SCENE_DATA.items()}
# Extra element that varies a scene on its later segments.
_VARIETY = {fam: str(d["variety"]) for fam, d in _SCENE_DATA.items() if d.get("variety")}
_CAM_CYCLE = ("zoom_in", "pan_right", "rise", "pan_left", "zoom_out")
_IMAGE_CAMS = ("zoom_in", "pan_right", "zoom_out", "pan_left")
# The tables above must only name what the renderer knows.
assert set(_CAM_CYCLE) | set(_IMAGE_CAMS) | {"still"} <= set(CAMERA)
assert set(_DEFAULT_MOOD.values()) <= set(MOODS) and set(_MOOD_TERMS) <= set(MOODS)
assert set(_SCENE_TERMS) == set(SCENES) and set(_VARIETY.values()) <= set(ELEMENTS)
assert set(_SOUND_TERMS) <= set(AMBIENT) and set(_ELEMENT_TERMS) <= set(ELEMENTS)

_SCENE_NAMES = {fam: (str(d["names"][0]), str(d["names"][1])) for fam, d in _SCENE_DATA.items()}
_ELEMENT_NAMES = {
    "birds": ("birds", "飞鸟"), "clouds": ("clouds", "云"), "stars": ("stars", "星星"),
    "rain": ("rain", "雨"), "snow": ("snow", "雪"), "fireflies": ("fireflies", "萤火虫"),
    "bubbles": ("bubbles", "气泡"), "leaves": ("leaves", "落叶"),
}
_MOOD_NAMES = {"soft": ("soft", "轻柔"), "lofi": ("lo-fi", "低保真"), "upbeat": ("upbeat", "欢快"),
               "epic": ("epic", "史诗"), "calm": ("calm", "平静")}
_SOUND_NAMES = {"birds": ("bird song", "鸟鸣"), "rain": ("rain", "雨声"), "waves": ("waves", "海浪声"),
                "wind": ("wind", "风声"), "city": ("city sounds", "城市声"), "fire": ("crackling fire", "篝火声")}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
               "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
               "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90,
               "a": 1, "an": 1, "half a": 0.5, "half an": 0.5, "a couple of": 2, "a few": 3}


def _is_cjk(term: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in term)


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for term in sorted(set(terms), key=lambda t: (-len(t), t)):
        if term.isascii():
            body = re.escape(term).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
            parts.append(r"(?<![a-z0-9])" + body + r"(?:e?s)?(?![a-z0-9])")
        elif not _is_cjk(term):
            body = re.escape(term).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
            parts.append(r"(?<![^\W_])" + body + r"(?:e?s)?(?![^\W_])")
        else:
            parts.append(re.escape(term) + (f"(?![{_CJK_NOT_BEFORE[term]}])" if term in _CJK_NOT_BEFORE else ""))
    return re.compile("|".join(parts))


#: a one-character Chinese term that starts a longer word meaning something else: 风格 (style), 风景 (scenery)
_CJK_NOT_BEFORE = {"风": "格景味险俗度采光趣", "火": "车柴锅腿箭"}


def _lookup_table(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, terms in table.items():
        for term in terms:
            out.setdefault(_canon(term), key)
    return out


def _canon(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.strip())


def _lookup(found: str, table: dict[str, str]) -> str | None:
    key = _canon(found)
    for cand in (key, key[:-1], key[:-2]):
        if cand in table:
            return table[cand]
    # "lo-fi" written "lofi" etc.
    squashed = key.replace(" ", "")
    for term, value in table.items():
        if term.replace(" ", "") == squashed:
            return value
    return None


_SCENE_RE = _term_pattern([t for ts in _SCENE_TERMS.values() for t in ts]
                          + [t for ts in _ELEMENT_TERMS.values() for t in ts] + list(_WEAK_TERMS))
_SCENE_LOOKUP = _lookup_table(_SCENE_TERMS)
for _lang in SCENE_LANGS:
    for _k, _v in _lookup_table(_SCENE_TERMS_BY_LANG[_lang]).items():
        _SCENE_LOOKUP.setdefault(_k, _v)
_EXTRA_TERMS = [t for ts in _ELEMENT_TERMS.values() for t in ts] + list(_WEAK_TERMS)
_SCENE_RES: dict[str, PhraseMatcher[str]] = {}


_SCENE_ONLY: dict[str, PhraseMatcher[str]] = {}


def scene_words_of(lang: str) -> PhraseMatcher[str]:
    """Only ``lang``'s own scene words (to tell which language a prompt names its scenes in)."""
    if lang not in _SCENE_ONLY:
        _SCENE_ONLY[lang] = PhraseMatcher((t, t) for ts in _SCENE_TERMS_BY_LANG[lang].values() for t in ts)
    return _SCENE_ONLY[lang]


def scene_pattern(lang: str) -> PhraseMatcher[str]:
    """Scene words of English plus ``lang`` (Japanese reads Chinese words too; not the reverse:
    Japanese 机 is a desk, Chinese 耳机 headphones)."""
    if lang not in _SCENE_RES:
        langs = {"en", lang} | ({"zh"} if lang == "ja" else set())
        terms = [t for lg in sorted(langs) if lg in _SCENE_TERMS_BY_LANG
                 for ts in _SCENE_TERMS_BY_LANG[lg].values() for t in ts]
        _SCENE_RES[lang] = PhraseMatcher((t, t) for t in terms + _EXTRA_TERMS)
    return _SCENE_RES[lang]
_ELEMENT_LOOKUP = _lookup_table(_ELEMENT_TERMS)
_WEAK_LOOKUP = {_canon(t): "product" for t in _WEAK_TERMS}
_SOUND_RE = _term_pattern([t for ts in _SOUND_TERMS.values() for t in ts])
_SOUND_LOOKUP = _lookup_table(_SOUND_TERMS)
_MOOD_RE = _term_pattern([t for ts in _MOOD_TERMS.values() for t in ts])
_MOOD_LOOKUP = _lookup_table(_MOOD_TERMS)

_NEG_BEFORE = re.compile(r"(?:\bno|\bwithout|\bdon't(?:\s+\w+)?|\bdo not(?:\s+\w+)?|\bnot|\bnever|\bminus|\bremove|\bdelete|\bdrop|"
                         r"不要|没有|去掉|删除|删掉|移除|不用|无|别)\s*(?:any\s+|the\s+|more\s+)?$")

_MUSIC_WORD = re.compile(r"(?<![a-z])(?:music|bgm|soundtrack|song|tune|melody|beat|beats|score)(?![a-z])|"
                         r"音乐|配乐|背景乐|歌|曲子|旋律")
_NO_MUSIC = re.compile(r"(?<![a-z])(?:don't|dont|do not|doesn't|does not|shouldn't)\s+(?:\w+\s+){0,3}?"
                       r"(?:music|bgm|soundtrack|songs?)(?![a-z])|(?<![a-z])(?:no|without|zero|skip|remove|delete|drop|mute|kill|lose|turn off|"
                       r"stop)\s+(?:the\s+|any\s+|background\s+|bg\s+)*(?:music|bgm|soundtrack|song)(?![a-z])|"
                       r"(?:music|bgm)\s+(?:off|removed)|"
                       r"(?:不要|无|没有|去掉|删除|删掉|移除|关掉|关闭|拿掉|不需要|不用)(?:任何)?(?:背景)?(?:音乐|配乐|bgm)|"
                       r"(?:音乐|配乐|bgm)(?:都|也)?(?:关掉|关了|关闭|去掉|删掉|删除|拿掉|不要了)")
_SILENT = re.compile(r"(?<![a-z])(?:silent|no sound|no audio|without sound|without audio|mute it|muted|mute|"
                     r"remove (?:the |all )?(?:sound|audio))(?![a-z])|静音|无声|去掉声音|不要声音|删除声音")

_GEN_EN = re.compile(
    r"(?<![a-z])(?:generate|create|make|produce|build|render|give me|i want|i'd like|i would like|"
    r"i need|show me|compose|craft|design|put together|turn|do|need|want)(?![a-z])"
    r"[^.!?\n]{0,80}?(?<![a-z])(?:video|videos|clip|movie|film|reel|short|animation|slideshow|"
    r"slide show|montage|trailer|intro|promo|vlog|footage|timelapse|time-lapse|story)(?![a-z])")
_VIDEO_OF = re.compile(r"(?<![a-z])(?:new|different|another|second)\s+(?:video|clip|movie|animation)(?![a-z])|"
                       r"(?<![a-z])(?:video|clip|animation|slideshow|montage|reel)\s+"
                       r"(?:of|about|with|showing|featuring|on)(?![a-z])|^\s*(?:an?|one)\s+[^.!?]{0,40}?"
                       r"(?<![a-z])(?:video|clip|animation|slideshow)(?![a-z])")
_GEN_ZH = re.compile(r"(?:生成|做|制作|创建|来|给我|弄|拍|剪|合成|搞|帮我|要)[^。！？\n]{0,30}?"
                     r"(?:视频|短片|影片|片子|动画|短视频|vlog|動画|ビデオ)")
_EDIT_LEAD = re.compile(r"^\s*(?:please\s+|pls\s+|now\s+|ok\s+|okay\s+|and\s+|also\s+)*"
                        r"(?:make\s+(?:it|the|this|that|my|everything)|change|set|switch|turn\s+(?:it|the)|"
                        r"remove|delete|drop|add|put|use|replace|rename|increase|decrease|lower|raise|"
                        r"louder|quieter|shorten|lengthen|extend|trim|cut|move|"
                        r"改|换|把|去掉|删除|删掉|加|添加|调)(?![a-z])")

_UPLOAD_REF = re.compile(
    r"(?<![a-z])(?:use|using|turn|put|include|add|with|from|of|combine|animate|into|slideshow)(?![a-z])"
    r"[^.!?\n]{0,40}?(?<![a-z])(?:my|our|these|those|uploaded|all\s+the|all\s+my|the\s+uploaded)(?![a-z])"
    r"[^.!?\n]{0,30}?(?<![a-z])(?P<what>images?|photos?|pictures?|pics|clips?|videos?|footage|files?|"
    r"uploads?|text|texts|script|audio|songs?|music|tracks?|slides?|media)(?![a-z])|"
    r"(?<![a-z])(?:my|the)\s+uploads(?![a-z])|"
    r"(?:用|把|拿)?(?:我的|上传的|这些|这几张|这几个|我上传的)[^。！？\n]{0,10}?"
    r"(?P<zwhat>图片|照片|图|视频|素材|文字|文本|脚本|文案|音乐|歌)")

_UNSUPPORTED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"look(?:s)?\s+like|in\s+the\s+style\s+of|style\s+of|à\s+la\s+manière\s+de|dans\s+le\s+style|"
                r"al\s+estilo|estilo\s+d[eoa]|nello\s+stile|in\s+stile|stile\s+di|im\s+stile?\b|stil\s+von|스타일로|풍으로|"
                r"スタイルで|風に描|pixar|disney|ghibli|anime|"
                r"photo-?realistic|realistic|3d\s+render|claymation|(?:皮克斯|迪士尼|宫崎骏|吉卜力|动漫|卡通|漫画|写实|真实|3d|油画|水彩)风格|像.{0,6}电影|皮克斯|迪士尼|动漫|ピクサー|ディズニー|ジブリ|アニメ風|みたいにして"),
     "style"),
    (re.compile(r"translat|in\s+(?:french|german|spanish|japanese|korean|italian|russian)|翻译|译成"),
     "translate"),
    # narration itself is planned (planning/narration.py); characters that talk are not
    (re.compile(r"talking\s+(?:characters?|animals?|heads?|cats?|dogs?|avatars?)|lip.?sync|dialogue|"
                r"(?:characters?|animals?|cats?|dogs?)\s+(?:that\s+)?(?:speak|talk)|说话的|对口型|对话"), "voice"),
]
