"""The compact draft format: every key, in one place.

The NemoVideo protocol documents only the outer keys of a draft (``t`` tracks,
``tt`` track type, ``sg`` segments, ``d`` duration in ms, ``m`` metadata) and
leaves segment keys undocumented. This module is the single description of the
segment keys that the embedded engine writes and renders, and that the client's
:class:`~nemo_jupyter.Draft` reads. It is plain data and types: the engine and the
client both import it, and it imports nothing of the package (the scene families are read
from the engine's ``scenes.json``, the one place a family is registered). The shapes are typed
below (:class:`DraftJSON`, :class:`TrackJSON`, :class:`SegmentJSON`,
:class:`ActorJSON`, :class:`MetaJSON`); the client reads them in one place
(``client/draft/reader.py``).

A draft::

    {
      "t": [                                   # tracks, drawn bottom to top
        {"tt": 0, "n": "Video", "sg": [...]},  # 0 video
        {"tt": 1, "n": "BGM",   "sg": [...]},  # 1 audio / background music
        {"tt": 7, "n": "Title", "sg": [...]},  # 7 text / titles / captions
      ],
      "d": 30000,                              # duration in ms
      "m": {"title": "Forest", "width": 1920, "height": 1080, "fps": 30,
            "aspect": "16:9", "lang": "en"},
    }

``m.loud`` (optional) says where the video goes and so how loud it is made: ``social`` (-14 LUFS),
``web`` (-16 LUFS), ``broadcast`` (-23 LUFS, EBU R 128) or a number of LUFS; without it, 9:16 and
1:1 videos are made for social platforms and others for the web (see :data:`LOUDNESS`). The true
peak stays at or below -1 dBTP.

A sound's volume ``v`` is a gain against its kind's default (:data:`VOLUME`, also what a segment
without ``v`` plays at): with every sound at its default the video plays at its loudness target;
half the default plays that sound 6 dB lower, the others where they were. The video as a whole is
never made louder than its target (turned down as a whole when the sounds would add up to more).

Segment keys (all optional unless marked; unknown keys are kept untouched by
every reader and writer):

====== ===================================================================
key    meaning
====== ===================================================================
id     segment id, unique within the draft
n      label shown on the timeline ("Forest", "Lo-fi", "Title")
st     start on the timeline, ms (required)
d      duration, ms (required)
k      kind: video track ``scene`` | ``image`` | ``video``, and ``overlay``
       (a picture drawn over the whole frame, on a track of its own, e.g. a
       logo watermark: see ``corner`` and ``w``);
       audio track ``music`` | ``ambient`` | ``audio`` | ``voice``
       (narration: one segment per spoken sentence);
       text track ``title`` | ``caption`` | ``text``
src    source of media: an upload's ``cdn_url`` or a sandbox path
       ``/mnt/userdata/...`` (mapped to the ``cdn_url`` before export)
ss     in-point inside the source, ms (trim)
scene  illustrated scene family for ``k == "scene"`` (see :data:`SCENES`)
el     extra moving elements drawn over a scene, e.g. ``["birds"]``
act    actors drawn in a scene (``k == "scene"``): a list of dicts, each
       ``{"s": subject id ("cat"), "art": art id (an OpenMoji hexcode such
       as "1F408"), "mo": motion (see :data:`MOTIONS`), "x": centre,
       0-1 of the frame width, "y": ground line (the actor's feet), 0-1
       of the frame height, "h": height, 0-1 of the frame height, "z":
       depth, 0 near - 1 far (parallax, haze, draw order), "lbl": optional
       label drawn with it}``; only ``s`` is required (the renderer picks
       defaults for the rest: art from an emoji name, a motion, the scene's
       ground line, a size shrinking with depth, positions spread apart).
       The composition a brief asked for (see :data:`ACT_KEYS`): ``"id"``
       the brief's actor id, ``"n"`` how many (a group), ``"col"`` a colour
       of :data:`COLOURS`, ``"sc"`` a size factor (1 = the subject's usual
       size), ``"rel"`` a relation ``{"k": kind, "o": index of the other
       actor in this list}`` (kinds: :data:`RELATION_KINDS`; ``"o2"``: the
       third actor of ``between``). An actor in a relation is placed by it:
       its own ``x``/``y`` are then ignored. At most 12 copies are drawn.
tod    time of day of a scene: ``dawn`` | ``day`` | ``dusk`` | ``night``
wx     weather of a scene: ``clear`` | ``clouds`` | ``rain`` | ``snow`` |
       ``fog`` | ``wind`` | ``storm``
role   what a text segment is for: ``title`` | ``brand`` | ``caption`` |
       ``end_card`` | ``greeting`` | ``item`` | ``step`` (the renderer styles
       a brand and an end card as a card with a band behind the words; a
       reader that does not know it shows the text as its ``k`` says)
shot   how a scene segment frames its scene: ``wide`` (the default),
       ``close`` (a close-up on its actors, the background enlarged about
       them) or ``beat`` (the action seen from the other side, later in its
       motion); successive segments of one scene vary it (see :data:`SHOTS`)
anim   how a text comes in: ``fade`` (the default) | ``rise`` (fades in while
       rising a little) | ``type`` (typed on, word by word or character by
       character for CJK), see :data:`TEXT_ANIMS`
corner where an ``overlay`` sits: ``top_left`` | ``top_right`` |
       ``bottom_left`` | ``bottom_right`` (see :data:`CORNERS`)
w      an ``overlay``'s width, 0-1 of the frame's width (a logo: 0.12)
frame  how an ``image`` is framed: ``phone`` or ``laptop`` (a screenshot shown
       inside a drawn device), ``hero`` (a product photo on a studio backdrop,
       cut out when its background is plain), see :data:`FRAMES`
cam    camera motion (see :data:`CAMERA`)
tr     transition into this segment: ``fade`` | ``cut``
trd    transition length, ms
v      volume, 0.0-1.0 (audio segments; video segments with sound), see :data:`VOLUME`
fi     fade in, ms
fo     fade out, ms
mood   music mood for ``k == "music"`` (see :data:`MOODS`)
snd    ambient sound for ``k == "ambient"`` (see :data:`AMBIENT`)
txt    text of a text segment, or the words of a ``voice`` segment
voice  voice name of a ``voice`` segment (see the engine's capability list)
rate   speaking rate of a ``voice`` segment, 1.0 = the voice's natural pace
pos    text position: ``top`` | ``center`` | ``bottom``
sz     text size in px at a 1080-pixel short side
col    text colour, ``#rrggbb``
====== ===================================================================
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final, TypedDict

# Track types (``tt``) from the protocol.
SANDBOX_PREFIX: Final = "/mnt/userdata/"
"""A segment ``src`` under this prefix names an upload of the session by its file name."""

TRACK_VIDEO: Final = 0
TRACK_AUDIO: Final = 1
TRACK_TEXT: Final = 7
TRACK_KINDS: Final[dict[int, str]] = {TRACK_VIDEO: "video", TRACK_AUDIO: "audio", TRACK_TEXT: "text"}

# Segment kinds (``k``) per track type.
VIDEO_KINDS: Final = ("scene", "image", "video", "overlay")
AUDIO_KINDS: Final = ("music", "ambient", "audio", "voice")
TEXT_KINDS: Final = ("title", "caption", "text")

# Illustrated scene families the engine can draw (``scene``): one registration each, an entry of the
# engine's ``planning/data/scenes.json`` (its words in nine languages, names, mood, how actors stand in
# it) with a painter of the same name (``engine/render/picture/scenes/``). Adding a family is that entry
# and that painter; this list follows.
def _scene_families() -> dict[str, dict[str, Any]]:
    path = Path(__file__).parent / "engine" / "planning" / "data" / "scenes.json"
    families: dict[str, dict[str, Any]] = json.loads(path.read_text("utf-8"))["families"]
    return families


SCENE_FAMILIES: Final[dict[str, dict[str, Any]]] = _scene_families()
SCENES: Final[tuple[str, ...]] = tuple(SCENE_FAMILIES)

_SUBJECT_ZH: dict[str, str] = {}


def subject_zh(subject: str) -> str | None:
    """The Chinese name of an actor's subject id (``act[].s``: ``"panda"`` -> ``"熊猫"``), from the
    engine's vocabulary (``planning/data/subjects.json``, read once when first asked), or None."""
    if not _SUBJECT_ZH:
        path = Path(__file__).parent / "engine" / "planning" / "data" / "subjects.json"
        subjects = json.loads(path.read_text("utf-8")).get("subjects", {})
        _SUBJECT_ZH.update({k: v[2] for k, v in subjects.items()
                            if isinstance(v, list) and len(v) > 2 and isinstance(v[2], str) and v[2]})
    return _SUBJECT_ZH.get(subject)

# Actor motions (``act[].mo``).
MOTIONS: Final = (
    "still",    # stands in place, breathing slightly
    "walk",     # walks across the frame on its ground line
    "run",      # runs across, faster, with a bounce
    "drive",    # vehicles: rolls across smoothly
    "fly",      # flies across with a gentle bob
    "swim",     # swims across with a wave
    "float",    # drifts slowly up and down (balloons, clouds, astronauts)
    "orbit",    # circles a centre (planets, moons, electrons): the frame's middle, at the
                # distance of its x from 0.5 (x = 0.5: a small circle about its own spot)
    "bounce",   # bounces in place (balls, happy characters)
    "bloom",    # grows from nothing and sways (flowers, plants)
    "erupt",    # bursts upward with particles (volcanoes, fireworks, fountains)
    "launch",   # rises from the ground and leaves the frame (rockets)
    "turn",     # product hero shot: slow turn / zoom with a highlight
    "sway",     # sways in place (trees, seaweed, lanterns)
)

# What a brief can ask of an actor (``act[]`` keys beyond s/art/mo/x/y/h/z/lbl), of a scene and of
# a text. The planner writes them into the draft; ``*_DRAWN`` say which of them the renderer
# honours today: the planner reports any other as not done (the brief's checklist), so that a
# draft never claims what the frames do not show. Add a key to a ``*_DRAWN`` set in the change
# that teaches the renderer to draw it, with a test that looks at the frames.
ACT_KEYS: Final = ("id", "n", "col", "sc", "rel")
ACT_DRAWN: Final[frozenset[str]] = frozenset({"id", "n", "col", "sc", "rel"})
COLOURS: Final = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "grey",
                  "gold", "silver")
RELATION_KINDS: Final = ("chase", "follow", "ride", "hold", "carry", "eat", "drink", "feed", "throw", "kick",
                         "catch", "build", "grow", "play_with", "look_at", "talk_to", "hug", "fly",
                         "on", "under", "behind", "in_front_of", "beside", "inside", "above", "below",
                         "between", "left_of", "right_of", "near")
RELATIONS_DRAWN: Final[frozenset[str]] = frozenset(RELATION_KINDS)
SCENE_KEYS: Final = ("tod", "wx")
TIMES_OF_DAY: Final = ("dawn", "day", "dusk", "night")
WEATHER: Final = ("clear", "clouds", "rain", "snow", "fog", "wind", "storm")
SCENE_DRAWN: Final[frozenset[str]] = frozenset({"tod", "wx"})
TEXT_ROLES: Final = ("title", "brand", "caption", "end_card", "greeting", "item", "step")
#: how a text comes in (``anim``)
TEXT_ANIMS: Final = ("fade", "rise", "type")
#: where an overlay sits (``corner``)
CORNERS: Final = ("top_left", "top_right", "bottom_left", "bottom_right")
#: how an image is framed (``frame``)
FRAMES: Final = ("phone", "laptop", "hero")
#: an overlay's width (``w``) when none is given, and the largest a watermark is drawn at
OVERLAY_W: Final = 0.12
OVERLAY_W_MAX: Final = 0.5

# Loudness targets (``m.loud``), integrated LUFS.
LOUDNESS: Final[dict[str, float]] = {"social": -14.0, "web": -16.0, "broadcast": -23.0}
TRUE_PEAK_DB: Final = -1.0
#: Each kind of sound's default volume (``v``): what the planner writes and what a segment without
#: ``v`` plays at. At its default a sound plays at the level the loudness target sets for it; ``v``
#: turns it from there (half: 6 dB lower). Kinds: ``k`` of an audio segment, ``video`` for a clip's sound.
VOLUME: Final[dict[str, float]] = {"music": 0.35, "audio": 0.35, "ambient": 0.45, "voice": 1.0, "video": 1.0}

# Extra moving elements (``el``).
ELEMENTS: Final = ("birds", "clouds", "stars", "rain", "snow", "fireflies", "bubbles", "leaves")

# Shots of a scene segment (``shot``).
SHOTS: Final = ("wide", "close", "beat")

# Camera motions (``cam``).
CAMERA: Final = ("still", "pan_left", "pan_right", "zoom_in", "zoom_out", "rise")

# Music moods (``mood``); "none" means no music track at all.
MOODS: Final = ("soft", "lofi", "upbeat", "epic", "calm")

# Ambient sounds (``snd``).
AMBIENT: Final = ("birds", "rain", "waves", "wind", "city", "fire")

# Output sizes by aspect ratio, in pixels at 1080p.
SIZES_1080: Final[dict[str, tuple[int, int]]] = {
    "16:9": (1920, 1080),
    "9:16": (1080, 1920),
    "1:1": (1080, 1080),
}
FPS: Final = 30

# Upload formats by ``file_type`` (the protocol's list, plus TXT scripts); the client checks
# them before sending and the engine checks them on arrival.
UPLOAD_FORMATS: Final[dict[str, tuple[str, ...]]] = {
    "video": ("mp4", "mov", "avi", "webm", "mkv"),
    "image": ("jpg", "jpeg", "png", "gif", "webp"),
    "audio": ("mp3", "wav", "m4a", "aac"),
    "text": ("txt",),
}


# -- the shapes, typed ----------------------------------------------------------------------------
# Every key is optional unless a base class below makes it required; a reader keeps unknown keys.


class _ActorSubject(TypedDict):
    s: str


class ActorJSON(_ActorSubject, total=False):
    """One actor of a scene (``act[]``): the subject ``s`` is required."""

    art: str
    mo: str
    x: float
    y: float
    h: float
    z: float
    lbl: str
    id: str                 # the brief's actor
    n: int                  # how many (a group)
    col: str                # a colour of COLOURS
    sc: float               # a size factor
    rel: dict[str, object]  # {"k": kind, "o": index of the other actor}


class _SegmentSpan(TypedDict):
    st: float
    d: float


class SegmentJSON(_SegmentSpan, total=False):
    """One segment: ``st`` and ``d`` (ms) are required; the other keys are in the table above."""

    id: str
    n: str
    k: str
    src: str
    ss: float
    scene: str
    el: list[str]
    act: list[ActorJSON]
    cam: str
    tr: str
    trd: float
    v: float
    fi: float
    fo: float
    mood: str
    snd: str
    txt: str
    voice: str
    rate: float
    pos: str
    sz: float
    col: str
    tod: str                # time of day of a scene
    wx: str                 # weather of a scene
    role: str               # what a text is for (TEXT_ROLES)
    anim: str               # how a text comes in (TEXT_ANIMS)
    corner: str             # where an overlay sits (CORNERS)
    w: float                # an overlay's width, 0-1 of the frame's width
    frame: str              # how an image is framed (FRAMES)


class _TrackBody(TypedDict):
    tt: int
    sg: list[SegmentJSON]


class TrackJSON(_TrackBody, total=False):
    """One track: its type ``tt`` (:data:`TRACK_KINDS`) and its segments ``sg``; ``n`` its name."""

    n: str


class MetaJSON(TypedDict, total=False):
    """The draft's metadata ``m``."""

    title: str
    width: int
    height: int
    fps: int
    aspect: str
    lang: str
    loud: str | float       # where the video goes: a key of LOUDNESS, or LUFS


class DraftJSON(TypedDict, total=False):
    """A whole draft: tracks ``t``, duration ``d`` (ms), metadata ``m``."""

    t: list[TrackJSON]
    d: float
    m: MetaJSON
