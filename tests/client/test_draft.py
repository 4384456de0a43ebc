"""The Draft model: validation, DataFrame round trip, user edits, summary, diff, source mapping."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nemo_jupyter.client.draft import COLUMNS, Draft, Track
from nemo_jupyter.client.exceptions import DraftError

# The draft carried by the stateDelta of the real ADK capture (PROTOCOL.md, fixtures/adk-run-sse-streaming.txt).
CAPTURE = {"t": [{"tt": 0, "sg": [{"n": "forest", "st": 0, "d": 30000}]}], "d": 30000}

# A draft as the embedded engine writes it, every documented key used.
ENGINE = {
    "t": [
        {"tt": 0, "n": "Video", "sg": [
            {"id": "v1", "n": "city timelapse", "st": 0, "d": 10000, "k": "scene", "scene": "city",
             "el": ["birds", "clouds"], "cam": "pan_left", "tr": "fade", "trd": 500},
            {"id": "v2", "n": "clip", "st": 10000, "d": 5000, "k": "video", "src": "/mnt/userdata/clips/beach.mp4",
             "ss": 1200, "v": 0.5, "tr": "cut"},
        ]},
        {"tt": 1, "n": "BGM", "sg": [
            {"id": "a1", "n": "Lo-fi", "st": 0, "d": 10000, "k": "music", "mood": "lofi", "v": 0.35,
             "fi": 500, "fo": 1000},
            {"id": "a2", "n": "Rain", "st": 0, "d": 15000, "k": "ambient", "snd": "rain", "v": 0.2},
        ]},
        {"tt": 7, "n": "Title", "sg": [
            {"id": "t1", "n": "Title", "st": 0, "d": 3000, "k": "title", "txt": "Urban Dreams", "pos": "center",
             "sz": 96, "col": "#ffffff", "fi": 300, "fo": 300},
        ]},
    ],
    "d": 15000,
    "m": {"title": "Urban", "width": 1920, "height": 1080, "fps": 30, "aspect": "16:9", "lang": "en"},
}

# Unknown keys at every level, an empty track, an unknown track type, odd segment values.
UNKNOWN = {
    "v": 3, "cloudKey": {"nested": [1, 2, {"x": None}]},
    "t": [
        {"tt": 0, "n": "Main", "locked": True, "sg": [
            {"n": "forest", "st": 0, "d": 30000, "fx": {"blur": 2}, "id": 7, "weird": None},
            {"st": "oops", "d": None, "n": None, "txt": 5, "v": "loud"},
        ]},
        {"tt": 1, "sg": [], "muted": False},
        {"tt": 3, "sg": [{"st": 100.5, "d": 2000.25, "k": "sticker", "zz": [1.5, "a"]}], "extra": "x"},
        {"tt": 7, "sg": [{"txt": "Hi", "st": 0, "d": 1000, "v": None}]},
    ],
    "d": 30000,
    "m": {"title": "T", "width": 1080, "height": 1920, "theme": {"dark": True}},
}

THREE = {
    "t": [
        {"tt": 0, "sg": [{"n": "city timelapse", "st": 0, "d": 10000, "k": "scene"}]},
        {"tt": 1, "sg": [{"n": "Lo-fi", "st": 0, "d": 10000, "k": "music", "v": 0.35}]},
        {"tt": 7, "sg": [{"n": "Title", "txt": "Urban Dreams", "st": 0, "d": 3000, "k": "title"}]},
    ],
    "d": 10000,
}


def roundtrip(raw: dict) -> Draft:
    return Draft.from_dataframe(Draft(raw).to_dataframe())


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("raw", [CAPTURE, ENGINE, UNKNOWN, THREE], ids=["capture", "engine", "unknown", "three"])
def test_round_trip_is_lossless_and_keeps_unknown_keys(raw: dict) -> None:
    before = copy.deepcopy(raw)
    draft = Draft(raw)
    assert draft.to_json() == raw
    back = Draft.from_dataframe(draft.to_dataframe())
    assert back == draft
    assert back.to_json() == raw
    assert json.dumps(back.to_json(), sort_keys=True) == json.dumps(raw, sort_keys=True)
    assert raw == before  # the input dict was not touched


def test_from_json_accepts_text_bytes_and_none() -> None:
    text = json.dumps(ENGINE)
    assert Draft.from_json(text) == Draft(ENGINE)
    assert Draft.from_json(text.encode()) == Draft(ENGINE)
    assert Draft.from_json(None).is_empty
    assert Draft.from_json("null").to_json() == {"t": []}
    assert Draft.from_json({}).is_empty


def test_draft_is_a_copy_not_a_view() -> None:
    raw = copy.deepcopy(CAPTURE)
    draft = Draft(raw)
    raw["t"][0]["sg"][0]["n"] = "changed"
    assert draft.to_json()["t"][0]["sg"][0]["n"] == "forest"
    out = draft.to_json()
    out["t"].clear()
    assert draft.is_exportable
    assert draft.copy() == draft and draft.copy() is not draft
    assert draft != Draft(THREE)
    assert (draft == 3) is False


@pytest.mark.parametrize(("data", "words"), [
    ([1, 2], "JSON object"),
    ("[]", "JSON object"),
    ({"t": {"tt": 0}}, "'t' must be a list"),
    ({"t": [5]}, "Track 0 of the draft must be an object"),
    ({"t": [{"sg": []}]}, "integer 'tt'"),
    ({"t": [{"tt": True, "sg": []}]}, "integer 'tt'"),
    ({"t": [{"tt": "0", "sg": []}]}, "integer 'tt'"),
    ({"t": [{"tt": 0}]}, "'sg' list"),
    ({"t": [{"tt": 0, "sg": {"st": 0}}]}, "'sg' list"),
    ({"t": [{"tt": 0, "sg": [[0, 1000]]}]}, "Segment 0 of track 0"),
    ({"t": [], "d": -5}, "duration 'd'"),
    ({"t": [], "d": "30000"}, "duration 'd'"),
    ({"t": [], "m": [1]}, "metadata 'm'"),
    ("{not json", "not valid JSON"),
    ('{"t": [], "d": NaN}', "NaN"),
    (b"\xff\xfe", "not UTF-8"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_bad_drafts_raise_draft_error(data: object, words: str) -> None:
    with pytest.raises(DraftError) as info:
        Draft.from_json(data)  # type: ignore[arg-type]
    assert words in str(info.value)
    assert isinstance(info.value, ValueError)


def test_constructor_validates_too() -> None:
    with pytest.raises(DraftError, match="'sg' list"):
        Draft({"t": [{"tt": 1}]})
    with pytest.raises(DraftError):
        Draft("x")  # type: ignore[arg-type]


def test_properties() -> None:
    e = Draft(ENGINE)
    assert (e.width, e.height, e.aspect, e.title) == (1920, 1080, "16:9", "Urban")
    assert e.duration == 15.0
    assert e.is_exportable and not e.is_empty
    assert [t.type for t in e.tracks] == ["video", "audio", "text"]
    assert [t.name for t in e.tracks] == ["Video", "BGM", "Title"]
    assert isinstance(e.tracks[0], Track) and e.tracks[0].segments[1]["src"].endswith("beach.mp4")
    c = Draft(CAPTURE)
    assert (c.width, c.height, c.aspect, c.title) == (None, None, None, None)
    assert c.tracks[0].name == "Video"
    u = Draft(UNKNOWN)
    assert (u.width, u.height, u.aspect) == (1080, 1920, "9:16")
    assert [t.type for t in u.tracks] == ["video", "audio", "other", "text"]
    # Without an outer d the duration is the furthest segment end.
    assert Draft({"t": [{"tt": 0, "sg": [{"st": 2000, "d": 5500}]}]}).duration == 7.5
    empty = Draft({"t": [{"tt": 0, "sg": []}], "m": {"aspect": "9:16"}})
    assert empty.is_empty and not empty.is_exportable
    assert (empty.width, empty.height) == (1080, 1920)
    assert repr(e) == "<Draft 3 tracks, 15.0 s, 1920x1080>"
    assert repr(c) == "<Draft 1 track, 30.0 s>"


def test_alternative_time_keys_in_seconds_and_ms() -> None:
    secs = Draft({"t": [{"tt": 0, "sg": [{"n": "a", "start": 2.5, "duration": 5}]}], "d": 7500})
    df = secs.to_dataframe()
    assert (df.loc[0, "start"], df.loc[0, "end"]) == (2.5, 7.5)
    ms = Draft({"t": [{"tt": 0, "sg": [{"n": "a", "s": 2500, "e": 7500}]}], "d": 7500})
    df = ms.to_dataframe()
    assert (df.loc[0, "start"], df.loc[0, "end"]) == (2.5, 7.5)
    assert "s" not in df.loc[0, "extra"] and "e" not in df.loc[0, "extra"]
    # An edit is written back in the segment's own keys and unit.
    edited = secs.to_dataframe()
    edited.loc[0, "end"] = 9.0
    assert Draft.from_dataframe(edited).to_json()["t"][0]["sg"][0] == {"n": "a", "start": 2.5, "duration": 6.5}
    edited = ms.to_dataframe()
    edited.loc[0, "start"] = 1.0
    assert Draft.from_dataframe(edited).to_json()["t"][0]["sg"][0] == {"n": "a", "s": 1000, "e": 7500}


# --------------------------------------------------------------------------- the DataFrame


def test_dataframe_columns_and_values() -> None:
    df = Draft(ENGINE).to_dataframe()
    assert tuple(df.columns) == COLUMNS
    assert list(df["track"]) == [0, 0, 1, 1, 2]
    assert list(df["track_type"]) == ["video", "video", "audio", "audio", "text"]
    assert list(df["kind"]) == ["scene", "video", "music", "ambient", "title"]
    assert list(df["start"]) == [0.0, 10.0, 0.0, 0.0, 0.0]
    assert list(df["end"]) == [10.0, 15.0, 10.0, 15.0, 3.0]
    assert list(df["label"]) == ["city timelapse", "clip", "Lo-fi", "Rain", "Title"]
    assert df.loc[4, "text"] == "Urban Dreams"
    assert df.loc[1, "source"] == "/mnt/userdata/clips/beach.mp4"
    assert df.loc[2, "volume"] == 0.35
    assert pd.isna(df.loc[0, "volume"])
    assert df.loc[0, "extra"] == {"scene": "city", "el": ["birds", "clouds"], "cam": "pan_left", "tr": "fade",
                                  "trd": 500}
    assert list(df["segment_id"]) == ["v1", "v2", "a1", "a2", "t1"]
    assert [t["name"] for t in df.attrs["tracks"]] == ["Video", "BGM", "Title"]


def test_empty_tracks_and_outer_keys_survive() -> None:
    raw = {"t": [{"tt": 0, "sg": []}, {"tt": 1, "n": "Music", "sg": [], "x": 1}], "d": 0, "m": {"a": 1}, "z": [1]}
    df = Draft(raw).to_dataframe()
    assert len(df) == 0 and tuple(df.columns) == COLUMNS
    assert Draft.from_dataframe(df).to_json() == raw


def test_user_edits_are_applied() -> None:
    draft = Draft(ENGINE)
    df = draft.to_dataframe()
    snapshot = df.copy(deep=True)
    extras_before = json.dumps(list(df["extra"]))
    edited = df.copy()
    edited.loc[0, ["start", "end"]] = [5.0, 15.0]      # move the scene
    edited.loc[0, "label"] = "city at night"
    edited.loc[2, "volume"] = 60                       # a percentage
    edited.loc[3, "volume"] = 0.1                      # a fraction
    edited.at[3, "extra"] = {"loop": True}             # drop 'snd', add an unknown key
    edited.loc[4, "text"] = "Night City"
    edited = edited.drop(index=1)                      # delete the clip
    edited.loc[10] = [2, "text", "caption", 4.0, 6.0, None, "by me", None, None, None, {"pos": "bottom"}, None]
    out = Draft.from_dataframe(edited, base=draft).to_json()
    video, audio, text = (t["sg"] for t in out["t"])
    assert video == [{"id": "v1", "n": "city at night", "st": 5000, "d": 10000, "k": "scene", "scene": "city",
                      "el": ["birds", "clouds"], "cam": "pan_left", "tr": "fade", "trd": 500}]
    assert audio[0]["v"] == 0.6
    assert audio[1] == {"id": "a2", "n": "Rain", "st": 0, "d": 15000, "k": "ambient", "v": 0.1, "loop": True}
    assert text[0]["txt"] == "Night City"
    assert text[1] == {"pos": "bottom", "k": "caption", "txt": "by me", "st": 4000, "d": 2000}
    assert out["d"] == 15000  # nothing grew beyond 15 s
    # Neither the DataFrame nor the base changed.
    pd.testing.assert_frame_equal(df, snapshot)
    assert json.dumps(list(df["extra"])) == extras_before
    assert draft.to_json() == ENGINE


def test_duration_follows_segments_that_grow() -> None:
    df = Draft(ENGINE).to_dataframe()
    df.loc[1, "end"] = 21.5
    out = Draft.from_dataframe(df)
    assert out.to_json()["d"] == 21500 and out.duration == 21.5
    # A shorter timeline keeps the outer duration.
    df = Draft(ENGINE).to_dataframe()
    df.loc[1, "end"] = 12.0
    assert Draft.from_dataframe(df).to_json()["d"] == 15000


def test_row_moved_to_another_track_and_volume_strings() -> None:
    raw = copy.deepcopy(THREE)
    raw["t"].append({"tt": 1, "n": "SFX", "sg": []})
    df = Draft(raw).to_dataframe()
    df.loc[1, "track"] = 3
    df["volume"] = df["volume"].astype(object)
    df.loc[1, "volume"] = "50%"
    out = Draft.from_dataframe(df).to_json()
    assert out["t"][1]["sg"] == []
    assert out["t"][3]["sg"] == [{"n": "Lo-fi", "st": 0, "d": 10000, "k": "music", "v": 0.5}]
    assert Draft(THREE).diff(Draft.from_dataframe(Draft(THREE).to_dataframe())) == []


def test_sorted_and_reindexed_frame_still_round_trips() -> None:
    draft = Draft(ENGINE)
    df = draft.to_dataframe().sort_values(["start", "track"]).reset_index(drop=True)
    back = Draft.from_dataframe(df)
    assert sorted(json.dumps(s, sort_keys=True) for t in back.to_json()["t"] for s in t["sg"]) == sorted(
        json.dumps(s, sort_keys=True) for t in ENGINE["t"] for s in t["sg"])


def test_concat_drops_attrs_so_base_is_used() -> None:
    draft = Draft(UNKNOWN)
    df = draft.to_dataframe()
    new = pd.DataFrame([{"track": 3, "track_type": "text", "kind": "title", "start": 1.0, "end": 2.0,
                         "label": None, "text": "Bye", "source": None, "volume": None, "extra": {}, "segment_id": None}])
    both = pd.concat([df, new], ignore_index=True)
    assert both.attrs == {}
    out = Draft.from_dataframe(both, base=draft).to_json()
    assert out["cloudKey"] == UNKNOWN["cloudKey"] and out["t"][1]["muted"] is False
    assert out["t"][0]["sg"] == UNKNOWN["t"][0]["sg"]
    assert out["t"][3]["sg"][-1] == {"k": "title", "txt": "Bye", "st": 1000, "d": 1000}
    # Without base nor attrs the tracks are inferred from the frame (no gap allowed).
    built = Draft.from_dataframe(new.assign(track=0))
    assert built.to_json() == {"t": [{"tt": 7, "n": "Title", "sg": [{"k": "title", "txt": "Bye", "st": 1000,
                                                                        "d": 1000}]}]}
    with pytest.raises(DraftError, match="no gap"):
        Draft.from_dataframe(new)


def edited(**cells: object) -> pd.DataFrame:
    df = Draft(ENGINE).to_dataframe()
    for column, value in cells.items():
        df[column] = df[column].astype(object)
        df.loc[2, column] = value
    return df


@pytest.mark.parametrize(("cells", "words"), [
    ({"start": 5.0, "end": 4.0}, "end (4 s) must be after start (5 s)"),
    ({"start": 3.0, "end": 3.0}, "must be after start"),
    ({"start": -1.0}, "start is -1 s; it must be 0 or more"),
    ({"start": "soon"}, "start must be a number"),
    ({"end": None}, "end must be a number"),
    ({"volume": 150}, "volume must be 0-1 or a percentage 0-100, got 150"),
    ({"volume": -0.5}, "volume must be 0-1"),
    ({"volume": "loud"}, "volume must be 0-1"),
    ({"track": 9}, "there is no track 9; known tracks are 0, 1, 2"),
    ({"track": None}, "track must be a track number"),
    ({"track": 1.5}, "track must be a track number"),
    ({"track": 0}, "a 'music' segment cannot go on track 0 (video)"),
    ({"extra": "mood=lofi"}, "extra must be a dict"),
])
def test_bad_edits_raise_draft_error_naming_the_row(cells: dict, words: str) -> None:
    df = edited(**cells)
    with pytest.raises(DraftError) as info:
        Draft.from_dataframe(df)
    assert "Row 2 of the timeline DataFrame" in str(info.value)
    assert words in str(info.value)


def test_from_dataframe_rejects_what_is_not_a_timeline() -> None:
    with pytest.raises(DraftError, match="pandas DataFrame"):
        Draft.from_dataframe([{"track": 0}])  # type: ignore[arg-type]
    with pytest.raises(DraftError, match="lacks the column"):
        Draft.from_dataframe(pd.DataFrame({"track": [0]}))
    with pytest.raises(DraftError, match="base must be a Draft"):
        Draft.from_dataframe(Draft(CAPTURE).to_dataframe(), base=CAPTURE)  # type: ignore[arg-type]
    new_row = pd.DataFrame({"track": [0], "start": [0.0], "end": [None]})
    with pytest.raises(DraftError, match="end must be a number"):
        Draft.from_dataframe(new_row, base=Draft(CAPTURE))


# --------------------------------------------------------------------------- words


def test_summary_in_the_skills_form() -> None:
    assert Draft(THREE).summary() == (
        'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) '
        '3. Title: "Urban Dreams" (0-3s)'
    )
    assert Draft(CAPTURE).summary() == "Timeline (1 track): 1. Video: forest (0-30s)"
    assert Draft().summary() == "Timeline is empty"
    assert Draft({"t": [{"tt": 0, "sg": []}]}).summary() == "Timeline is empty"
    two = {"t": [{"tt": 0, "n": "Clips", "sg": [{"n": "A", "st": 2500, "d": 2000}, {"n": "B", "st": 4500, "d": 2500}]},
                 {"tt": 1, "sg": []},
                 {"tt": 1, "sg": [{"n": "x", "st": 0, "d": 1000, "v": 0.2}, {"n": "y", "st": 0, "d": 1000, "v": 0.5}]}]}
    assert Draft(two).summary() == (
        "Timeline (3 tracks): 1. Clips: A, B (2.5-7s) 2. BGM: (empty) 3. BGM: x, y (0-1s, 20-50%)"
    )


def test_diff_in_words() -> None:
    a = Draft(ENGINE)
    assert a.diff(a) == [] and a.diff(a.copy()) == []
    raw = copy.deepcopy(ENGINE)
    raw["d"] = 30000
    raw["m"].update(aspect="9:16", width=1080, height=1920)
    raw["t"][0]["sg"][0].update(st=5000)                       # move, same length
    raw["t"][1]["sg"][0]["v"] = 0.6
    raw["t"][2]["sg"][0]["txt"] = "Night City"
    del raw["t"][1]["sg"][1]                                   # remove the rain
    raw["t"][2]["sg"].append({"n": "Credits", "txt": "The end", "st": 12000, "d": 3000, "k": "caption"})
    raw["t"][0]["sg"][1]["cam"] = "zoom_in"
    changes = a.diff(Draft(raw))
    assert changes == [
        "Changed duration 15 s → 30 s",
        "Changed aspect 16:9 → 9:16",
        "Removed ambient sound 'Rain'",
        "Added caption 'The end' 12-15 s",
        "Moved video 'city timelapse' 0-10 s → 5-15 s",
        "Changed camera of video 'clip' none → zoom_in",
        "Changed volume of music 'Lo-fi' 35% → 60%",
        "Changed title text 'Urban Dreams' → 'Night City'",
    ]


def test_diff_examples_from_the_brief() -> None:
    before = Draft({"t": [{"tt": 0, "sg": [{"n": "Forest", "st": 0, "d": 10000, "k": "scene"}]},
                          {"tt": 1, "sg": [{"n": "Lo-fi", "st": 0, "d": 10000, "k": "music", "v": 0.35}]}],
                    "d": 30000})
    after = Draft({"t": [{"tt": 0, "sg": [{"n": "Forest", "st": 0, "d": 15000, "k": "scene"}]},
                         {"tt": 1, "sg": []},
                         {"tt": 7, "sg": [{"n": "Title", "txt": "Urban Dreams", "st": 0, "d": 3000, "k": "title"}]}],
                   "d": 15000})
    assert before.diff(after) == [
        "Changed duration 30 s → 15 s",
        "Removed music 'Lo-fi'",
        "Added title 'Urban Dreams' 0-3 s",
        "Retimed video 'Forest' 0-10 s → 0-15 s",
    ]
    with pytest.raises(DraftError):
        before.diff(after.to_json())  # type: ignore[arg-type]


def test_diff_tells_empty_tracks_and_follows_an_inserted_track() -> None:
    a = Draft({"t": [{"tt": 0, "sg": [{"n": "Forest", "st": 0, "d": 5000}]}]})
    b = Draft({"t": [{"tt": 0, "n": "Intro", "sg": []}, {"tt": 0, "sg": [{"n": "Forest", "st": 0, "d": 5000}]},
                     {"tt": 1, "sg": [{"n": "Soft", "st": 0, "d": 5000, "k": "music", "v": 0.4}]}]})
    assert a.diff(b) == ["Added track 1 'Intro'", "Added music 'Soft' 0-5 s", "Moved video 'Forest' to track 2 'Video'"]
    assert b.diff(a) == ["Removed track 1 'Intro'", "Removed music 'Soft'", "Moved video 'Forest' to track 1 'Video'"]


def test_words_and_html_never_show_a_token() -> None:
    token = "nmv_usr_" + "s3cr3tvalue42"
    raw = {"t": [{"tt": 0, "n": token, "sg": [{"n": token, "src": f"https://cdn.example/a.mp4?t={token}",
                                                "st": 0, "d": 1000}]}], "m": {"title": token}}
    draft = Draft(raw)
    texts = [draft.summary(), draft._repr_html_(), draft.to_styled().to_html(), *Draft().diff(draft)]
    assert all("s3cr3tvalue42" not in text for text in texts)
    assert draft.to_json() == raw  # the draft itself is sent back unchanged


def test_diff_matches_by_id_across_tracks() -> None:
    a = Draft({"t": [{"tt": 1, "sg": [{"id": "s", "n": "Soft", "st": 0, "d": 1000, "k": "music", "v": 0.35}]},
                     {"tt": 1, "n": "Music 2", "sg": []}]})
    b = Draft({"t": [{"tt": 1, "sg": []},
                     {"tt": 1, "n": "Music 2", "sg": [{"id": "s", "n": "Soft", "st": 0, "d": 1000, "k": "music",
                                                       "v": 0.6}]}]})
    assert a.diff(b) == ["Moved music 'Soft' to track 2 'Music 2'", "Changed volume of music 'Soft' 35% → 60%"]


# --------------------------------------------------------------------------- sources


def test_sandbox_sources_are_mapped_to_cdn_urls() -> None:
    raw = {"t": [{"tt": 0, "sg": [
        {"src": "/mnt/userdata/a/clip.mp4", "st": 0, "d": 1000},
        {"src": "/mnt/userdata/logo.png", "st": 1000, "d": 1000},
        {"src": "/mnt/userdata/missing.mov", "st": 2000, "d": 1000},
        {"src": "https://cdn.example/x.mp4", "st": 3000, "d": 1000},
        {"src": "/mnt/userdata/a/clip.mp4", "st": 4000, "d": 1000},
    ]}]}
    draft = Draft(raw)
    assert draft.sandbox_sources() == ["/mnt/userdata/a/clip.mp4", "/mnt/userdata/logo.png",
                                       "/mnt/userdata/missing.mov"]
    mapped = draft.with_sources_mapped({"/mnt/userdata/a/clip.mp4": "https://cdn.example/clip-1.mp4",
                                        "clip.mp4": "https://cdn.example/wrong.mp4",
                                        "logo.png": "https://cdn.example/logo.png"})
    srcs = [s["src"] for s in mapped.to_json()["t"][0]["sg"]]
    assert srcs == ["https://cdn.example/clip-1.mp4", "https://cdn.example/logo.png", "/mnt/userdata/missing.mov",
                    "https://cdn.example/x.mp4", "https://cdn.example/clip-1.mp4"]
    assert mapped.sandbox_sources() == ["/mnt/userdata/missing.mov"]
    assert draft.to_json() == raw  # the original draft is untouched
    by_path_name = draft.with_sources_mapped({"/somewhere/else/missing.mov": "https://cdn.example/m.mov"})
    assert by_path_name.to_json()["t"][0]["sg"][2]["src"] == "https://cdn.example/m.mov"
    with pytest.raises(DraftError):
        draft.with_sources_mapped(["clip.mp4"])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- display


def test_html_escapes_every_backend_string() -> None:
    evil = "<script>alert(1)</script>"
    raw = {"t": [{"tt": 7, "n": evil, "sg": [{"n": evil, "txt": evil, "src": evil, "k": evil, "st": 0, "d": 1000,
                                               evil: evil}]}], "m": {"title": evil}}
    draft = Draft(raw)
    page = draft._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    styled = draft.to_styled().to_html()
    assert "<script>" not in styled and "&lt;script&gt;" in styled
    assert "Timeline is empty" in Draft()._repr_html_()


def test_styled_table_colours_each_track_type() -> None:
    html = Draft(ENGINE).to_styled().to_html()
    for colour in ("#dbeafe", "#dcfce7", "#fef3c7"):
        assert colour in html
    assert "35%" in html and "Urban Dreams" in html


def test_importing_the_draft_module_does_not_import_pandas() -> None:
    code = "import sys, nemo_jupyter.client.draft; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(json_values)
def test_arbitrary_json_gives_a_draft_or_a_draft_error(data: object) -> None:
    for form in (data, json.dumps(data)):
        try:
            draft = Draft.from_json(form)  # type: ignore[arg-type]
        except DraftError:
            continue
        draft.summary()
        repr(draft)


near_drafts = st.fixed_dictionaries(
    {"t": st.lists(st.fixed_dictionaries({}, optional={
        "tt": st.sampled_from([0, 1, 7]) | json_values,
        "sg": st.lists(st.dictionaries(st.sampled_from(["st", "d", "v", "n", "start", "e"]), json_values,
                                       max_size=3) | json_values, max_size=3) | json_values,
    }), max_size=3) | json_values},
    optional={"d": st.integers(-10, 10**400) | json_values, "m": json_values},
)


@FAST
@given(near_drafts)
def test_nearly_valid_drafts_give_a_draft_or_a_draft_error(data: dict) -> None:
    try:
        draft = Draft.from_json(data)
    except DraftError:
        return
    assert Draft.from_dataframe(draft.to_dataframe()) == draft
    assert draft.diff(draft) == []
    for text in (draft.summary(), repr(draft), draft._repr_html_()):
        assert isinstance(text, str)


@FAST
@given(st.binary(max_size=64))
def test_arbitrary_bytes_give_a_draft_or_a_draft_error(data: bytes) -> None:
    try:
        draft = Draft.from_json(data)
    except DraftError:
        return
    assert isinstance(draft.to_json(), dict)


unknown_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=6).filter(
    lambda k: k not in ("start", "end", "duration", "dur"))
segments = st.fixed_dictionaries(
    {"st": st.integers(0, 100_000), "d": st.integers(1, 60_000)},
    optional={
        "id": st.text(min_size=1, max_size=6), "n": st.text(max_size=8), "k": st.sampled_from(["scene", "music",
                                                                                                  "title", "odd"]),
        "txt": st.text(max_size=8), "src": st.text(max_size=12), "v": st.floats(0, 1),
        "cam": st.sampled_from(["still", "zoom_in"]),
    },
).flatmap(lambda seg: st.dictionaries(unknown_keys, json_values, max_size=3).map(lambda extra: {**extra, **seg}))
segment_keys = st.sampled_from(["id", "n", "k", "txt", "src", "v", "st", "d", "start", "s", "duration", "dur",
                                "end", "e", "ss", "fi"]) | st.text(max_size=4)
segment_values = json_values | st.integers(-5, 200_000) | st.floats(0, 100) | st.sampled_from(["35%", "1500"])
any_segments = segments | st.dictionaries(segment_keys, segment_values, max_size=6)
tracks = st.fixed_dictionaries(
    {"tt": st.sampled_from([0, 1, 7, 3]), "sg": st.lists(any_segments, max_size=4)},
    optional={"n": st.text(max_size=6), "meta": json_values},
)
drafts = st.fixed_dictionaries(
    {"t": st.lists(tracks, max_size=4)},
    optional={"d": st.integers(0, 200_000), "m": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
              "other": json_values},
)


@FAST
@given(drafts)
def test_generated_drafts_round_trip_losslessly(raw: dict) -> None:
    draft = Draft(raw)
    back = Draft.from_dataframe(draft.to_dataframe())
    assert back == draft
    assert back.to_json() == raw


@FAST
@given(drafts)
def test_diff_with_itself_is_empty(raw: dict) -> None:
    draft = Draft(raw)
    assert draft.diff(draft) == []
    assert draft.diff(Draft(copy.deepcopy(raw))) == []
    assert isinstance(draft.summary(), str) and isinstance(draft._repr_html_(), str)


valid_drafts = st.fixed_dictionaries(
    {"t": st.lists(st.fixed_dictionaries({"tt": st.sampled_from([0, 1, 7]), "sg": st.lists(segments, max_size=3)}),
                   min_size=1, max_size=3)},
    optional={"d": st.integers(0, 200_000)},
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_drafts, st.floats(0.001, 50), st.floats(0.5, 30))
def test_edited_times_are_read_back(raw: dict, shift: float, length: float) -> None:
    draft = Draft(raw)
    df = draft.to_dataframe()
    df["start"] = df["start"] + shift
    df["end"] = df["start"] + length
    back = Draft.from_dataframe(df)
    again = back.to_dataframe()
    assert list(again["start"]) == pytest.approx(list(df["start"]), abs=1e-3)
    assert list(again["end"]) == pytest.approx(list(df["end"]), abs=1e-3)
    assert list(again["extra"]) == list(df["extra"])
    if len(df):
        assert back.duration >= max(df["end"]) - 1e-3 or "d" not in raw


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts, st.data())
def test_deleted_rows_are_the_only_segments_gone(raw: dict, data: st.DataObject) -> None:
    draft = Draft(raw)
    df = draft.to_dataframe()
    keep = data.draw(st.lists(st.booleans(), min_size=len(df), max_size=len(df)))
    back = Draft.from_dataframe(df[keep] if len(df) else df).to_json()
    expected = copy.deepcopy(raw)
    flags = iter(keep)
    for track in expected["t"]:
        track["sg"] = [seg for seg in track["sg"] if next(flags)]
    assert back == expected


def test_the_actors_column_states_each_scenes_composition() -> None:
    scene = {"id": "v1", "k": "scene", "scene": "farm", "st": 0, "d": 4000,
             "act": [{"s": "cow", "n": 3, "col": "brown"}, {"s": "cat", "sc": 0.45, "rel": {"k": "under", "o": 2}},
                     {"s": "chair"}]}
    raw = {"t": [{"tt": 0, "sg": [scene]}, {"tt": 7, "sg": [{"id": "t1", "k": "title", "st": 0, "d": 1000, "txt": "Hi"}]}],
           "d": 4000}
    df = Draft(raw).to_dataframe()
    assert df.loc[0, "actors"] == [{"subject": "cow", "count": 3, "colour": "brown"},
                                   {"subject": "cat", "size": 0.45, "relation": "under chair"}, {"subject": "chair"}]
    assert df.loc[1, "actors"] is None and df.loc[0, "extra"]["act"] == scene["act"]
    assert Draft.from_dataframe(df).to_json() == raw  # read only: the act entries come back as they were
