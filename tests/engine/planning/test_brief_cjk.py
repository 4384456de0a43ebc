"""The brief read in Chinese, Japanese and Korean: one test per rule of those languages (their data files,
data/lang/<lang>.json, and the typology branches of the reader), with prompts of our own.

Each case names the rule it checks; a rule is general (a word order, a particle, a table of the
language), so each has prompts with other words than the ones it was written for.
"""

from __future__ import annotations

from typing import Any

import pytest

from nemo_jupyter.engine.planning.brief import Brief
from nemo_jupyter.engine.planning.parse import _analyse


def _actors(brief: Brief) -> set[tuple[str, int | None, str | None, str | None]]:
    return {(a.s or a.word, a.count, a.colour, a.size) for s in brief.what.scenes for a in s.actors if not a.extra}


def _relations(brief: Brief) -> set[tuple[str, ...]]:
    subject = {str(a.id): a.s or a.word for s in brief.what.scenes for a in s.actors}
    out = set()
    for r in brief.relations:
        names = [subject.get(str(x), str(x)) for x in (r.a, r.b, r.c) if x]
        out.add((r.kind, *names))
    return out


def _check(prompt: str, lang: str, want: dict[str, Any]) -> None:
    brief = _analyse(prompt, [], lang)
    if "actors" in want:
        assert _actors(brief) == set(want["actors"]), prompt
    if "rel" in want:
        assert _relations(brief) == set(want["rel"]), prompt


# -- counts: an article is no count, a count belongs to the noun it follows ------------------------------
COUNTS = [
    # Chinese 一 + counter is the article "a" (no count), unless "only" is said
    ("zh", "一头大象和一只老鼠", {"actors": [("elephant", None, None, None), ("mouse", None, None, None)]}),
    ("zh", "一个男孩在放风筝", {"actors": [("boy", None, None, None), ("kite", None, None, None)]}),
    ("zh", "只有一只猫", {"actors": [("cat", 1, None, None)]}),
    ("zh", "两只老虎", {"actors": [("tiger", 2, None, None)]}),
    # Korean and Japanese: a count after a noun is that noun's, never the next noun's
    ("ko", "돼지 세 마리와 늑대", {"actors": [("pig", 3, None, None), ("wolf", None, None, None)]}),
    ("ko", "자동차 두 대와 버스", {"actors": [("automobile", 2, None, None), ("bus", None, None, None)]}),
    ("ja", "リンゴが二つとバナナ", {"actors": [("red_apple", 2, None, None), ("banana", None, None, None)]}),
    # ... and a count before its noun, with the genitive, is that noun's
    ("ja", "五羽のペンギン", {"actors": [("penguin", 5, None, None)]}),
    # a counter after a number names nothing, but the same word elsewhere is a subject
    ("ja", "椅子の上に本が二冊", {"actors": [("closed_book", 2, None, None), ("chair", None, None, None)],
                                  "rel": [("on", "closed_book", "chair")]}),
    ("ko", "개가 공을 물고 있어요", {"actors": [("dog", None, None, None), ("soccer_ball", None, None, None)]}),
    ("ko", "연필 몇 개", {"actors": [("pencil", None, None, None)]}),
]


@pytest.mark.parametrize(("lang", "prompt", "want"), COUNTS, ids=[c[1] for c in COUNTS])
def test_counts(lang: str, prompt: str, want: dict[str, Any]) -> None:
    _check(prompt, lang, want)


# -- a colour the noun is made: past the words that join them ---------------------------------------------
PREDICATIVE = [
    ("zh", "把气球改成红色", {"actors": [("balloon", None, "red", None)]}),
    ("ja", "車を青に変えて", {"actors": [("automobile", None, "blue", None)]}),
    ("ko", "버스를 노란색으로 바꿔 줘", {"actors": [("bus", None, "yellow", None)]}),
    # a colour before another noun is that noun's
    ("ja", "猫を白い犬が見ている", {"actors": [("cat", None, None, None), ("dog", None, "white", None)]}),
]


@pytest.mark.parametrize(("lang", "prompt", "want"), PREDICATIVE, ids=[c[1] for c in PREDICATIVE])
def test_colour_made(lang: str, prompt: str, want: dict[str, Any]) -> None:
    _check(prompt, lang, want)


# -- a kin word makes another individual of the kind ------------------------------------------------------
KIN = [
    ("ko", "아기 고양이 두 마리가 엄마 고양이를 따라간다",
     {"actors": [("cat", 2, None, None), ("cat", None, None, None)], "rel": [("follow", "cat", "cat")]}),
    ("zh", "三只小猫跟着猫妈妈", {"actors": [("cat", 3, None, None), ("cat", None, None, None)],
                                 "rel": [("follow", "cat", "cat")]}),
]


@pytest.mark.parametrize(("lang", "prompt", "want"), KIN, ids=[c[1] for c in KIN])
def test_kin(lang: str, prompt: str, want: dict[str, Any]) -> None:
    _check(prompt, lang, want)


# -- relations ----------------------------------------------------------------------------------------------
RELATIONS = [
    # a place word's ground is the subject right before it; a background there is no ground
    ("zh", "一只猫在花园里追一只蝴蝶", {"rel": [("chase", "cat", "butterfly")]}),
    ("zh", "椅子下面的小狗", {"rel": [("under", "dog", "chair")]}),
    ("zh", "小狗在椅子下面", {"rel": [("under", "dog", "chair")]}),
    ("ja", "公園の中でウサギがにんじんを食べている", {"rel": [("eat", "rabbit", "carrot")]}),
    # "between": two grounds joined by "and", or one ground of two
    ("zh", "两棵树中间的房子", {"rel": [("between", "house", "deciduous_tree", "deciduous_tree")]}),
    ("zh", "猫和狗之间的兔子", {"rel": [("between", "rabbit", "cat", "dog")]}),
    ("ko", "자동차 두 대 사이에 있는 자전거", {"rel": [("between", "bicycle", "automobile", "automobile")]}),
    ("ko", "노란 고양이 두 마리 옆의 개", {"rel": [("beside", "dog", "cat")]}),
    # the Chinese passive with the verb last: 被 + doer + verb
    ("zh", "小鸡被狐狸追", {"rel": [("chase", "fox", "baby_chick")]}),
    # two subjects doing something together
    ("zh", "小男孩和小猫一起玩", {"rel": [("play_with", "boy", "cat")]}),
    ("zh", "妈妈正在跟孩子说话", {"rel": [("talk_to", "woman", "child")]}),
    ("ko", "소녀와 강아지가 함께 놀고 있어요", {"rel": [("play_with", "girl", "dog")]}),
    # 把 brings the object before the verb
    ("zh", "男孩把胡萝卜扔给兔子", {"rel": [("throw", "boy", "carrot")]}),
    # a Korean verb made with 하다 after a template word is that verb
    ("ko", "엄마가 아이에게 이야기하고 있어요", {"rel": [("talk_to", "woman", "child")]}),
]


@pytest.mark.parametrize(("lang", "prompt", "want"), RELATIONS, ids=[c[1] for c in RELATIONS])
def test_relations(lang: str, prompt: str, want: dict[str, Any]) -> None:
    _check(prompt, lang, want)


def test_a_verb_holding_a_template_word_is_no_template() -> None:
    assert _analyse("엄마가 아이에게 이야기하고 있어요", [], "ko").template is None
    assert _analyse("교실에서 노는 아이들", [], "ko").template is None
    assert _analyse("教室里有一只猫", [], "zh").template is None
    assert _analyse("给学生讲讲光合作用", [], "zh").template == "lesson"


# -- vocabulary: everyday words of each language, stand-ins said as such -------------------------------------
VOCABULARY = [
    ("zh", "一只鹅和一条鱿鱼", {"actors": [("goose", None, None, None), ("squid", None, None, None)]}),
    ("zh", "窗边的黑猫", {"actors": [("window", None, None, None), ("cat", None, "black", None)]}),
    ("ja", "ソファーの上で寝ている子牛", {"actors": [("couch_and_lamp", None, None, None), ("cow", None, None, None)]}),
    ("ko", "거위와 청둥오리", {"actors": [("goose", None, None, None), ("duck", None, None, None)]}),
    ("ko", "해가 뜨는 바다", {"actors": [("sun", None, None, None)]}),
    ("ko", "풍선을 만들어 줘", {"actors": [("balloon", None, None, None)]}),
]


@pytest.mark.parametrize(("lang", "prompt", "want"), VOCABULARY, ids=[c[1] for c in VOCABULARY])
def test_vocabulary(lang: str, prompt: str, want: dict[str, Any]) -> None:
    _check(prompt, lang, want)


@pytest.mark.parametrize(("lang", "prompt", "asked", "drawn"), [
    ("zh", "湖边站着一只白鹭", "白鹭", "swan"),
    ("ja", "公園でカラスが鳴いている", "カラス", "black_bird"),
    ("ko", "연어를 잡는 곰", "연어", "fish"),
])
def test_stand_ins_are_said(lang: str, prompt: str, asked: str, drawn: str) -> None:
    """A thing the engine has no drawing of is drawn as a close one, and the brief says so."""
    brief = _analyse(prompt, [], lang)
    got = [(a.asked, a.s) for s in brief.what.scenes for a in s.actors if a.asked]
    assert (asked, drawn) in got


# -- words that hold a subject word but name none, and settings said in a word ---------------------------
def _setting(brief: Brief, facet: str) -> str | None:
    values = [getattr(brief.setting, facet)] + [getattr(s.setting, facet) for s in brief.what.scenes]
    return next((v for v in values if v is not None), None)


NOT_SUBJECTS = [
    ("ja", "ロゴを右上に置いて", set()),              # a corner (右上) is no arrow
    ("ja", "この台本を読み上げて", set()),            # an upload role (台本) holds no book
    ("ja", "おじいちゃんが孫を肩車している", {"old_man", "child"}),  # a verb (肩車) holds no car
    ("ja", "来月の運動会で流す動画", set()),          # next month (来月) is no moon
    ("ko", "이 노래를 배경음악으로 쓰고 여행 영상 클립", set()),  # travel is no suitcase, a clip no paperclip
]


@pytest.mark.parametrize(("lang", "prompt", "subjects"), NOT_SUBJECTS, ids=[c[1] for c in NOT_SUBJECTS])
def test_words_that_hold_a_subject_word(lang: str, prompt: str, subjects: set[str]) -> None:
    brief = _analyse(prompt, [], lang)
    assert {a.s for s in brief.what.scenes for a in s.actors if not a.extra and a.s} == subjects


SETTINGS = [
    ("zh", "山顶上的一棵树", "place", "mountains"),
    ("zh", "小朋友们排队过马路", "place", "road"),
    ("zh", "企鹅在冰面上走", "place", "polar"),
    ("zh", "热闹的夜市", "time", "night"),
    ("ja", "海の底で眠るタコ", "place", "underwater"),
    ("ja", "青空に浮かぶ雲", "weather", "clear"),
    ("ja", "木の下で昼寝をしている猫", "time", None),
    ("ko", "해 질 녘의 바다", "time", "dusk"),
    ("ko", "한강에서 자전거를 타는 사람", "place", "river"),
]


@pytest.mark.parametrize(("lang", "prompt", "facet", "value"), SETTINGS, ids=[c[1] for c in SETTINGS])
def test_settings(lang: str, prompt: str, facet: str, value: str | None) -> None:
    assert _setting(_analyse(prompt, [], lang), facet) == value


PASSIVES = [
    ("ko", "고양이가 개에게 쫓기고 있어요", {("chase", "dog", "cat")}),
    ("ja", "ネズミが猫に追いかけられている", {("chase", "cat", "mouse")}),
    ("ko", "할아버지가 비둘기에게 모이를 주고 있어요", {("feed", "old_man", "dove")}),
]


@pytest.mark.parametrize(("lang", "prompt", "rel"), PASSIVES, ids=[c[1] for c in PASSIVES])
def test_verb_final_relations(lang: str, prompt: str, rel: set[tuple[str, ...]]) -> None:
    _check(prompt, lang, {"rel": rel})


@pytest.mark.parametrize("lang", ["zh", "ja", "ko", "en", "es", "fr", "de", "pt", "it"])
def test_grammar_files_name_each_table_once(lang: str) -> None:
    """A table written twice in one file (a merge of two edits) would silently lose one of them."""
    import json
    from importlib import resources

    text = resources.files("nemo_jupyter.engine.planning").joinpath("data", "lang", f"{lang}.json").read_text("utf-8")
    twice: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _v in items]
        twice.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    assert not twice


# -- texts: lists of quotes, moments before the text, cues after it, events before their marker -------------
def _texts(brief: Brief) -> list[tuple[str, str]]:
    return [(t.text, t.role) for t in brief.texts]


def test_quotes_one_after_the_other_are_a_list() -> None:
    brief = _analyse("夜のルーティン3ステップ：「歯を磨く」「本を読む」「電気を消す」", [], "ja")
    assert _texts(brief) == [("歯を磨く", "step"), ("本を読む", "step"), ("電気を消す", "step")]
    assert brief.template == "list"
    brief = _analyse("交通安全の動画：「止まる」「見る」「待つ」", [], "ja")
    assert _texts(brief) == [("止まる", "item"), ("見る", "item"), ("待つ", "item")]


@pytest.mark.parametrize(("lang", "prompt", "text", "start_s"), [
    ("zh", "标题「夏日」，第5秒出现字幕“限时优惠”", "限时优惠", 5.0),
    ("ja", "タイトルは「秋」、3秒のところで「新作登場」とテロップ", "新作登場", 3.0),
    ("ko", "제목은 ‘봄’, 7초에 ‘오늘만 할인’ 자막", "오늘만 할인", 7.0),
])
def test_a_moment_said_before_its_text(lang: str, prompt: str, text: str, start_s: float) -> None:
    brief = _analyse(prompt, [], lang)
    got = {t.text: t for t in brief.texts}
    assert got[text].st == round(start_s * 1000)
    assert all(t.st is None for t in brief.texts if t.text != text)


@pytest.mark.parametrize(("lang", "prompt", "text", "role"), [
    ("ja", "「森の音」というカフェの広告", "森の音", "brand"),
    ("ja", "「期間限定」と字幕を入れて", "期間限定", "caption"),
    ("ko", "'달빛'이라는 카페 광고", "달빛", "brand"),
    ("ko", "‘오늘의 추천’ 자막 넣어 줘", "오늘의 추천", "caption"),
])
def test_a_role_cue_after_its_text(lang: str, prompt: str, text: str, role: str) -> None:
    assert (text, role) in _texts(_analyse(prompt, [], lang))


@pytest.mark.parametrize(("lang", "prompt", "event"), [
    ("zh", "月亮出来的时候显示字幕“晚安”", "月亮出来"),
    ("ja", "雪が降ってきたら「冬が来た」と字幕を出して", "雪が降ってきたら"),
    ("ja", "太陽が沈むときに「おやすみ」と表示", "太陽が沈むときに"),
    ("ko", "꽃이 피면 ‘봄이 왔어요’ 자막", "꽃이 피면"),
])
def test_an_event_said_before_its_marker(lang: str, prompt: str, event: str) -> None:
    brief = _analyse(prompt, [], lang)
    when = brief.texts[0].when if brief.texts else None
    # (Korean is read with its particles split off: "꽃 이 피면")
    assert when is not None and event.replace(" ", "") in when.replace(" ", "")


@pytest.mark.parametrize(("lang", "prompt", "place"), [
    ("zh", "给我的咖啡店做一个广告，展示一杯拿铁", None),
    ("ja", "パン屋「こむぎ」の宣伝動画", None),
    ("ko", "빵집을 운영하고 있어요. 크루아상 광고 만들어 줘", None),
    ("zh", "在咖啡馆里看书的女孩", "cafe"),
])
def test_the_shop_an_ad_is_for_is_no_place(lang: str, prompt: str, place: str | None) -> None:
    assert _setting(_analyse(prompt, [], lang), "place") == place


@pytest.mark.parametrize(("lang", "prompt", "length_s", "no_music"), [
    ("ja", "尺を30秒にして、音楽はなしで", 30.0, True),
    ("ja", "長さは1分くらいの動画", 60.0, False),
    ("ko", "15초 정도로 만들어 줘, 음악 없이", 15.0, True),
])
def test_length_and_no_music_in_verb_final_languages(lang: str, prompt: str, length_s: float, no_music: bool) -> None:
    brief = _analyse(prompt, [], lang)
    assert brief.length.duration_ms == round(length_s * 1000)
    assert brief.audio.no_music is no_music


# -- what kind of request: questions with the question word in place, help, export ---------------------------
from nemo_jupyter.engine.planner import plan  # noqa: E402

_OPEN = "a 20-second video of a park with a dog"


@pytest.mark.parametrize(("prompt", "kind"), [
    ("视频里用的是哪首歌？", "question"),
    ("这个视频现在多长", "question"),
    ("字幕は何個ありますか", "question"),
    ("영상에 나오는 동물은 몇 마리야", "question"),
    ("如何添加我自己的照片？", "help"),
    ("どうやってアップロードするの？", "help"),
    ("사진은 어떻게 올려요?", "help"),
    ("导出视频", "export"),
    ("動画をエクスポートして", "export"),
    ("mp4로 내보내 줘", "export"),
    ("把视频改成竖屏", "edit"),
])
def test_kind_of_request(prompt: str, kind: str) -> None:
    draft = plan(_OPEN, None, []).draft
    got = plan(prompt, draft, [], language=None).brief or {}
    assert got.get("kind") == kind, prompt
    if kind in ("question", "help", "export"):
        assert "music" not in got and not got.get("actors")


# -- things the vocabulary does not know: actors that are not drawn, never dropped ---------------------------
def _not_drawn(brief: Brief) -> set[str]:
    return {a.word for s in brief.what.scenes for a in s.actors if not a.s}


@pytest.mark.parametrize(("lang", "prompt", "words", "rel"), [
    ("zh", "广场上立着一排旗杆", {"旗杆"}, set()),                       # after a group word
    ("zh", "男孩把风筝递给爷爷，爷爷坐在木凳上", {"木凳"}, {("on", "old_man", "木凳")}),  # a place word's ground
    ("ja", "箱の中に猫が二匹", {"箱"}, {("inside", "cat", "箱")}),
    ("ja", "少年が凧を持っている", set(), {("hold", "boy", "kite")}),   # (known words read as before)
    ("ko", "상자 안에 있는 고양이", {"상자"}, {("inside", "cat", "상자")}),
    ("ko", "엄마가 조카에게 공을 던져요", {"조카"}, {("throw", "woman", "soccer_ball")}),  # a marked partner
])
def test_things_the_vocabulary_does_not_know(lang: str, prompt: str, words: set[str], rel: set[tuple[str, ...]]) -> None:
    brief = _analyse(prompt, [], lang)
    assert _not_drawn(brief) == words
    if rel:
        assert rel <= _relations(brief)


@pytest.mark.parametrize(("lang", "prompt", "word", "hidden"), [
    ("zh", "小朋友们走过斑马线", "斑马线", "zebra"),
    ("ja", "ベンチの上のケーキ", "ベンチ", ""),
    ("ko", "가로등 아래의 고양이", "가로등", ""),
])
def test_things_known_to_have_no_drawing(lang: str, prompt: str, word: str, hidden: str) -> None:
    """A compound the vocabulary knows it cannot draw is said so, and holds no subject (斑马线 is no zebra)."""
    brief = _analyse(prompt, [], lang)
    assert word in _not_drawn(brief)
    assert hidden not in {a.s for s in brief.what.scenes for a in s.actors if a.s}


@pytest.mark.parametrize(("lang", "prompt"), [
    ("zh", "狗狗只露出一条尾巴"),        # a part of a body is no thing of its own
    ("ko", "초등학교 3학년 수업"),        # a grade is no count
    ("ja", "5月の公園で遊ぶ子供"),         # a date holds no moon
])
def test_no_thing_is_made_up(lang: str, prompt: str) -> None:
    brief = _analyse(prompt, [], lang)
    assert not _not_drawn(brief)
    assert "full_moon" not in {a.s for s in brief.what.scenes for a in s.actors}


@pytest.mark.parametrize(("lang", "prompt", "rel"), [
    ("ko", "식탁 위에 놓인 사과", {("on", "red_apple", "table")}),   # a relative clause before the figure
    ("ja", "椅子の上で寝ている猫", {("on", "cat", "chair")}),
    ("zh", "椅子上趴着的小狗", {("on", "dog", "chair")}),
    ("ja", "椅子の上に猫と犬", {("on", "cat", "chair"), ("on", "dog", "chair")}),  # figures joined by "and"
    ("zh", "椅子上的苹果和香蕉", {("on", "red_apple", "chair"), ("on", "banana", "chair")}),
])
def test_the_figure_of_a_place_word(lang: str, prompt: str, rel: set[tuple[str, ...]]) -> None:
    assert _relations(_analyse(prompt, [], lang)) == rel


@pytest.mark.parametrize(("lang", "prompt", "subjects"), [
    ("zh", "桌上摆着一些水果", {"red_apple"}),          # a group word: its first member, the others illustrate it
    ("ja", "棚に並んだ楽器", {"guitar"}),
    ("ko", "바구니에 담긴 채소", {"carrot"}),
])
def test_group_words(lang: str, prompt: str, subjects: set[str]) -> None:
    brief = _analyse(prompt, [], lang)
    assert {a.s for s in brief.what.scenes for a in s.actors if not a.extra and a.s} >= subjects


@pytest.mark.parametrize(("lang", "prompt", "rel"), [
    ("ja", "ネコを追いかける小さな黒い犬", {("chase", "dog", "cat")}),   # a relative clause with adjectives
    ("ko", "고양이를 쫓는 작은 강아지", {("chase", "dog", "cat")}),
    ("zh", "两只小猫在吃鱼，下着大雪", {("eat", "cat", "tropical_fish")}),  # a weather phrase holds no place word
])
def test_relative_clauses_and_weather(lang: str, prompt: str, rel: set[tuple[str, ...]]) -> None:
    assert _relations(_analyse(prompt, [], lang)) == rel


@pytest.mark.parametrize(("lang", "prompt", "rel"), [
    ("zh", "母鸡领着五只小鸡散步", {("follow", "baby_chick", "chicken")}),      # leading: the led follow
    ("ja", "お母さんアヒルが子ガモを連れて歩く", {("follow", "duck", "duck")}),
    ("ko", "엄마 곰이 아기 곰을 데리고 간다", {("follow", "bear", "bear")}),
    ("zh", "一只狼对着月亮嚎叫", set()),                                        # facing is no relation
])
def test_leading_and_facing(lang: str, prompt: str, rel: set[tuple[str, ...]]) -> None:
    assert _relations(_analyse(prompt, [], lang)) == rel


@pytest.mark.parametrize(("lang", "prompt", "actors"), [
    ("zh", "小猫的妈妈在睡觉", {("cat", None, None, None)}),                       # the kin of an animal is one of it
    ("ja", "キツネのお母さんと子ギツネ", {("fox", None, None, None)}),
    ("zh", "给初一学生讲讲月相", set()),                                           # who it is for; a grade is no count
    ("zh", "配上轻柔的钢琴曲，画面是湖边的小船", {("sailboat", None, None, "small")}),  # piano music is no piano
])
def test_who_and_what_is_drawn(lang: str, prompt: str, actors: set[tuple[Any, ...]]) -> None:
    brief = _analyse(prompt, [], lang)
    assert {(a.s, a.count, a.colour, a.size) for s in brief.what.scenes for a in s.actors
            if not a.extra and not a.audience} == actors


@pytest.mark.parametrize(("lang", "prompt", "subject"), [
    ("en", "make a birthday video, with a cake and balloons", "balloon"),
    ("zh", "帮我做个生日视频，要有蛋糕和气球", "balloon"),
])
def test_a_thing_named_is_asked_even_when_a_topic_draws_it(lang: str, prompt: str, subject: str) -> None:
    brief = _analyse(prompt, [], lang)
    assert any(a.s == subject and not a.extra for s in brief.what.scenes for a in s.actors)


@pytest.mark.parametrize(("lang", "prompt", "texts"), [
    # "at the end" is a moment: an ad's last text is its end card, another video's keeps its role
    ("zh", "给我的蛋糕店做个广告，最后显示“欢迎光临”", [("欢迎光临", "end_card")]),
    ("ja", "卒業式の思い出ムービー、最後に「ありがとう先生」と出して", [("ありがとう先生", "greeting")]),
    ("ko", "우리 카페 광고, 마지막에 ‘지금 방문하세요’", [("지금 방문하세요", "end_card")]),
    # a cue right after a text is that text's, not the next one's
    ("ja", "新商品の広告、「春の新作」と字幕、最後に「ご来店お待ちしています」",
     [("春の新作", "caption"), ("ご来店お待ちしています", "end_card")]),
])
def test_at_the_end(lang: str, prompt: str, texts: list[tuple[str, str]]) -> None:
    brief = _analyse(prompt, [], lang)
    assert _texts(brief) == texts
    assert all(t.at_end for t in brief.texts if t.role in ("end_card", "greeting"))


@pytest.mark.parametrize(("lang", "prompt", "actors"), [
    # a colour before another noun is that noun's ("a girl in a red raincoat")
    ("zh", "穿黄色外套的男孩", {("boy", None, None, None), ("coat", None, "yellow", None)}),
    ("ko", "파란 모자를 쓴 소녀", {("girl", None, None, None), ("billed_cap", None, "blue", None)}),
    ("ja", "赤い屋根の家", {("house", None, None, None)}),
    # idioms and clock words that hold a subject word
    ("zh", "小狗在院子里晒太阳，背景音乐欢快一点", {("dog", None, None, None)}),
    ("zh", "老人在河边钓鱼", {("older_person", None, None, None)}),
])
def test_what_a_word_before_a_noun_says(lang: str, prompt: str, actors: set[tuple[Any, ...]]) -> None:
    brief = _analyse(prompt, [], lang)
    assert {(a.s, a.count, a.colour, a.size) for s in brief.what.scenes for a in s.actors if not a.extra} == actors


def test_the_own_timing_phrase_wins_over_a_shorter_one_inside_it() -> None:
    brief = _analyse("在第3秒到第8秒显示字幕“新品上市”", [], "zh")
    assert (brief.texts[0].st, brief.texts[0].end_ms) == (3000, 8000)


@pytest.mark.parametrize(("prompt", "question"), [
    ("这个视频多长", True),
    ("给三年级学生讲解彩虹是怎么形成的", False),   # an embedded question inside a lesson asks nothing
    ("做一个视频，告诉大家为什么要保护环境", False),
])
def test_question_words_in_place_ask_only_in_a_short_question(prompt: str, question: bool) -> None:
    from nemo_jupyter.engine.planning.read.grammar import tags
    from nemo_jupyter.engine.planning.read.kind import is_question
    from nemo_jupyter.engine.planning.text import _normalise

    norm, _quotes = _normalise(prompt)
    assert is_question(norm, tags(norm, "zh"), "zh") is question


@pytest.mark.parametrize(("lang", "prompt", "subjects"), [
    ("ja", "海辺を歩くカップル", {"two_hearts"}),               # no cup cut out of a couple
    ("ja", "テーブルの上のマグカップ", {"hot_beverage", "table"}),     # a compound's head ends it
    ("ja", "イチゴのショートケーキ", {"strawberry", "shortcake"}),
    ("ja", "森の中のクマの親子", {"bear"}),                      # parent and young: two bears
])
def test_katakana_words_and_pairs(lang: str, prompt: str, subjects: set[str]) -> None:
    brief = _analyse(prompt, [], lang)
    assert {a.s for s in brief.what.scenes for a in s.actors if not a.extra} == subjects


def test_parent_and_young_are_two() -> None:
    brief = _analyse("ペンギンの親子が氷の上を歩いている", [], "ja")
    penguins = {a.id for s in brief.what.scenes for a in s.actors if a.s == "penguin"}
    assert len(penguins) == 2


@pytest.mark.parametrize(("lang", "prompt", "rel", "time"), [
    ("ja", "桜の木の下でお弁当を食べる家族", {("under", "man", "cherry_blossom"), ("eat", "man", "bento_box")}, None),
    ("ja", "お父さんが子供を肩に乗せて歩いている", {("carry", "man", "child")}, None),  # a shoulder is no thing
    ("ja", "夕焼けの海辺を歩く犬", set(), "dusk"),                # the sunset of a place is its time
])
def test_japanese_phrases(lang: str, prompt: str, rel: set[tuple[str, ...]], time: str | None) -> None:
    brief = _analyse(prompt, [], lang)
    assert _relations(brief) == rel
    assert _setting(brief, "time") == time


def test_korean_nouns_made_verbs_with_hada() -> None:
    brief = _analyse("새로 연 빵집 ‘밀밭’ 홍보해 줘, 세로 영상으로", [], "ko")
    assert brief.template == "ad" and _texts(brief) == [("밀밭", "brand")]
    assert not [a for s in brief.what.scenes for a in s.actors]  # (세로 is no traffic light, 연 no kite)
    assert _setting(_analyse("도서관에서 공부하는 학생", [], "ko"), "place") == "library"  # (studying is no desk)


@pytest.mark.parametrize(("lang", "prompt"), [
    ("ko", "할머니께 드리는 생신 축하 영상"),
    ("ko", "엄마에게 보내는 감사 영상"),
    ("ja", "おばあちゃんへの誕生日動画"),
])
def test_who_a_video_is_for_said_after_them(lang: str, prompt: str) -> None:
    brief = _analyse(prompt, [], lang)
    people = [a for s in brief.what.scenes for a in s.actors if a.s in ("woman", "old_woman") and not a.extra]
    assert all(a.audience for a in people)


@pytest.mark.parametrize(("lang", "prompt", "rel"), [
    # a subject named again stands where it is named for its relations
    ("en", "a cat and a dog in the garden, the cat sleeps under the tree", {("under", "cat", "deciduous_tree")}),
    ("ko", "고양이와 강아지가 있고, 의자 위에 앉은 고양이", {("on", "cat", "chair")}),
    ("zh", "一只猫和一只狗，椅子上的猫在睡觉", {("on", "cat", "chair")}),
])
def test_a_subject_named_again(lang: str, prompt: str, rel: set[tuple[str, ...]]) -> None:
    assert rel <= _relations(_analyse(prompt, [], lang))


def test_a_korean_animal_family_is_two_of_its_kind() -> None:
    brief = _analyse("눈 속에서 노는 펭귄 가족", [], "ko")
    assert {(a.s, a.extra) for s in brief.what.scenes for a in s.actors} == {("penguin", False)}
    assert len({a.id for s in brief.what.scenes for a in s.actors}) == 2


def test_a_count_of_uploads_is_theirs() -> None:
    assets = [{"filename": "a.jpg", "file_type": "image"}, {"filename": "b.jpg", "file_type": "image"}]
    brief = _analyse("제품 사진 두 장으로 핸드크림 광고 만들어 줘", assets, "ko")
    assert [(u.role, u.file) for u in brief.uploads] == [("product", "a.jpg"), ("product", "b.jpg")]
    assert all(a.count is None for s in brief.what.scenes for a in s.actors)


@pytest.mark.parametrize(("lang", "prompt", "mood"), [
    ("ja", "穏やかなピアノの曲で", "calm"),        # a mood said in words wins over an instrument's
    ("ko", "잔잔한 피아노 음악으로", "calm"),
])
def test_a_mood_word_wins_over_an_instrument(lang: str, prompt: str, mood: str) -> None:
    assert _analyse(prompt, [], lang).audio.mood == mood


@pytest.mark.parametrize(("lang", "prompt", "time"), [
    ("zh", "太阳升起的时候，一只公鸡在屋顶上", "dawn"),
    ("ja", "日が沈む海と太陽", "dusk"),
    ("ko", "바다 위로 해가 뜨는 장면", "dawn"),
])
def test_a_time_said_by_its_subject_keeps_the_subject(lang: str, prompt: str, time: str) -> None:
    brief = _analyse(prompt, [], lang)
    assert _setting(brief, "time") == time
    assert "sun" in {a.s for s in brief.what.scenes for a in s.actors} or lang == "zh"


@pytest.mark.parametrize(("lang", "prompt", "rel"), [
    ("ko", "소년이 연을 날리고 있어요", {("fly", "boy", "kite")}),
    ("zh", "妈妈把苹果扔给女儿", {("throw", "woman", "red_apple")}),  # thrown to her: she is drawn
])
def test_flying_and_throwing(lang: str, prompt: str, rel: set[tuple[str, ...]]) -> None:
    brief = _analyse(prompt, [], lang)
    assert rel <= _relations(brief)
    assert not any(a.audience for s in brief.what.scenes for a in s.actors)


@pytest.mark.parametrize(("lang", "prompt", "items"), [
    # a quoted title announcing a list, then a colon: the list; items as typed, an instruction with music kept
    ("zh", "做一个“三个护眼小技巧”的视频：少看手机、多看远处、听轻音乐", ["少看手机", "多看远处", "听轻音乐"]),
    ("ja", "「集中するコツ3選」：スマホを置く、机を片付ける、音楽を止める",
     ["スマホを置く", "机を片付ける", "音楽を止める"]),
    ("ko", "‘잘 자는 꿀팁 3가지’: 방을 어둡게, 휴대폰 끄기, 물 마시기", ["방을 어둡게", "휴대폰 끄기", "물 마시기"]),
])
def test_a_quoted_list_title(lang: str, prompt: str, items: list[str]) -> None:
    brief = _analyse(prompt, [], lang)
    assert brief.template == "list"
    assert [t.text for t in brief.texts if t.role == "item"] == items
    assert brief.audio.mood is None and not brief.audio.music_asked  # (an item's music is the item's)


@pytest.mark.parametrize(("lang", "prompt", "subjects"), [
    # removal follows its noun in verb-final languages
    ("ja", "動画から犬を消して、猫を二匹追加して", {("cat", 2)}),
    ("ko", "영상에서 개를 빼고 고양이 두 마리를 추가해 줘", {("cat", 2)}),
    ("ja", "鳥はいらない、猫だけ", {("cat", None)}),
])
def test_removal_after_the_noun(lang: str, prompt: str, subjects: set[tuple[str, int | None]]) -> None:
    brief = _analyse(prompt, [], lang)
    assert {(a.s, a.count) for s in brief.what.scenes for a in s.actors if not a.extra} == subjects


@pytest.mark.parametrize(("lang", "prompt", "mood"), [
    ("ja", "BGMは明るめに", "upbeat"),
    ("ko", "배경음악은 잔잔하게", "calm"),
])
def test_moods_said_as_adverbs(lang: str, prompt: str, mood: str) -> None:
    assert _analyse(prompt, [], lang).audio.mood == mood


@pytest.mark.parametrize(("lang", "prompt", "rel"), [
    # a place word opening its clause keeps the ground of the one before
    ("zh", "房子左边有一棵树，右边有一辆汽车",
     {("left_of", "deciduous_tree", "house"), ("right_of", "automobile", "house")}),
    ("ja", "家の左に木、右に車", {("left_of", "deciduous_tree", "house"), ("right_of", "automobile", "house")}),
    ("ko", "집 왼쪽에 나무, 오른쪽에 자동차", {("left_of", "deciduous_tree", "house"), ("right_of", "automobile", "house")}),
])
def test_the_ground_said_once(lang: str, prompt: str, rel: set[tuple[str, ...]]) -> None:
    assert _relations(_analyse(prompt, [], lang)) == rel


@pytest.mark.parametrize(("prompt", "kind", "template"), [
    ("何ができるの？", "help", None),                     # how to use the tool, asked as a question
    ("뭘 할 수 있어?", "help", None),
    ("서울 가는 기차표 예매해 줘", "outside", None),       # an errand
    ("新年快乐视频，给全家人的", "new", "greeting"),       # a wish said outside quotes
    ("お誕生日おめでとう動画を作って", "new", "greeting"),
])
def test_kinds_and_wishes(prompt: str, kind: str, template: str | None) -> None:
    got = plan(prompt, None, [], language=None).brief or {}
    assert (got.get("kind"), got.get("template")) == (kind, template)


def test_who_is_taught_is_not_drawn_and_a_lesson_colon_lists() -> None:
    brief = _analyse("教小朋友认识水果：苹果、香蕉、葡萄", [], "zh")
    assert brief.template == "lesson"
    assert [t.text for t in brief.texts] == ["苹果", "香蕉", "葡萄"]
    assert all(a.audience for s in brief.what.scenes for a in s.actors if a.s == "child")


@pytest.mark.parametrize(("prompt", "template", "subjects"), [
    ("桌子上放着一个生日蛋糕和五根蜡烛", None, {"birthday_cake", "candle", "table"}),  # a cake is no birthday video
    ("熊猫宝宝在树上睡觉", None, {"panda", "deciduous_tree"}),                  # a panda's baby is a panda
    ("妈妈抱着刚出生的小宝宝", None, {"woman", "baby"}),                       # a modifier clause is no thing
])
def test_words_inside_words_in_chinese(prompt: str, template: str | None, subjects: set[str]) -> None:
    brief = _analyse(prompt, [], "zh")
    assert brief.template == template
    assert {a.s for s in brief.what.scenes for a in s.actors if not a.extra} == subjects


@pytest.mark.parametrize(("lang", "prompt"), [("ja", "大学生が公園で本を読んでいる"), ("zh", "一个高中生在操场上跑步"),
                                             ("ko", "중학생이 교실에 앉아 있어요")])
def test_school_and_university_students_are_students(lang: str, prompt: str) -> None:
    assert "student" in {a.s for sc in _analyse(prompt, [], lang).what.scenes for a in sc.actors}
