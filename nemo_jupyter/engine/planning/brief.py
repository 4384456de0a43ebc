"""What a prompt asks for, as small typed parts (built by :mod:`.parse`, read by the operations).

::

    Brief
    ├── raw, norm, quotes      the text, normalised, and the titles/captions found in it
    ├── length: LengthAsk      "30 seconds", "10 s longer", "50% longer", "longer"
    ├── fmt: FormatAsk         aspect ratio and resolution (and what could not be honoured)
    ├── audio: AudioAsk        music on/off, mood, volume, louder/quieter, ambient sounds
    ├── what: WhatAsk       the scenes to draw, their actors, what was removed or not drawable
    └── req: RequestAsk        new video or edit, uploads referred to, unsupported asks
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TextAsk:
    """A title or caption text taken from the prompt (quoted, or after a clear cue)."""

    text: str
    start: int
    end: int
    kind: str = "title"  # title | caption
    st: int | None = None
    end_ms: int | None = None
    length: int | None = None
    at_end: bool = False
    middle: bool = False
    bare: bool = False  # unquoted, after a cue that already told its kind


@dataclass
class Actor:
    """One drawable subject placed in a scene (see ``act`` in :mod:`nemo_jupyter.draft_format`)."""

    s: str                      # subject id, e.g. "cat"
    art: str                    # OpenMoji hexcode
    word: str = ""              # the word the user wrote ("kitten")
    asked: str | None = None    # when a substitute: what the user asked for ("quokka")
    lbl: str | None = None      # a label drawn with it (topics: "CO₂")
    mo: str | None = None       # motion override (topics)
    x: float | None = None      # placement overrides (topics); None: the composer decides
    y: float | None = None
    h: float | None = None
    audience: bool = False      # "... for kids", "for my mom": who it is for, drawn only where a theme asks


@dataclass
class Scene:
    """One scene asked for: a background family, its elements, sounds and actors."""

    scene: str
    els: list[str]
    sounds: list[str]
    label_terms: list[str]
    pos: int
    actors: list[Actor] = field(default_factory=list)
    caption: str | None = None  # a caption shown over this scene ("captions for A, B and C", topics)
    topic: str | None = None    # the curated topic this scene came from
    named_scene: bool = True    # the background was named (False: chosen for the actors)


@dataclass
class Timing:
    """A timing phrase ("at 5s", "for the first 3 seconds", "at the end")."""

    start: int
    end: int
    st: float | None = None
    end_s: float | None = None
    length: float | None = None
    at_end: bool = False
    middle: bool = False


@dataclass
class LengthAsk:
    duration_ms: int | None = None
    duration_note: str | None = None  # "short" | "long": clamped
    percent_change: float | None = None
    duration_delta: int | None = None
    longer: bool = False
    shorter: bool = False


@dataclass
class FormatAsk:
    aspect: str | None = None
    aspect_note: str | None = None
    res: int | None = None
    res_note: str | None = None


@dataclass
class AudioAsk:
    no_music: bool = False
    silent: bool = False
    mood: str | None = None
    music_asked: bool = False
    volume: float | None = None
    louder: bool = False
    quieter: bool = False
    global_sounds: list[str] = field(default_factory=list)


@dataclass
class WhatAsk:
    scenes: list[Scene] = field(default_factory=list)
    weak_subject: bool = False
    removed_words: list[str] = field(default_factory=list)
    # Words naming things that cannot be drawn: (word, substitute subject id or None).
    missing: list[tuple[str, str | None]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    captions_for: list[str] = field(default_factory=list)  # "captions for A, B and C"


@dataclass
class RequestAsk:
    generation: bool = False
    edit_lead: bool = False
    uploads_ref: set[str] = field(default_factory=set)
    has_uploads: bool = False
    unsupported: list[str] = field(default_factory=list)
    help_scenes: bool = False  # "what can you draw?"


@dataclass
class Brief:
    raw: str
    norm: str
    texts: list[TextAsk]
    length: LengthAsk = field(default_factory=LengthAsk)
    fmt: FormatAsk = field(default_factory=FormatAsk)
    audio: AudioAsk = field(default_factory=AudioAsk)
    what: WhatAsk = field(default_factory=WhatAsk)
    req: RequestAsk = field(default_factory=RequestAsk)
