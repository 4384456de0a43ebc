"""The parts of a :class:`~.brief.Brief` that are plain settings of the request: its timing phrases,
the length, shape and sound asked, what kind of request it is and what an edit asks."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AudioAsk", "EditAsk", "FormatAsk", "LengthAsk", "RequestAsk", "Timing"]


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
    at_start: bool = False


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
class RequestAsk:
    generation: bool = False
    edit_lead: bool = False
    uploads_ref: set[str] = field(default_factory=set)
    has_uploads: bool = False
    unsupported: list[str] = field(default_factory=list)
    help_scenes: bool = False  # "what can you draw?"
    question: bool = False     # an interrogative sentence asking for no change
    outside: bool = False      # a request that is not video making ("book me a table")
    about_video: bool = False  # it names something of a video (its length, title, music, a scene)
    help: bool = False         # how to use the tool ("how do I add my own music?"), or "help", "hi"
    export: bool = False       # "export", "render it": a step of the client, not a turn
    empty: bool = False        # nothing said
    new_video: bool = False    # a new video although one exists (decided by the planner)


@dataclass
class EditAsk:
    """What an edit asks of the current video beyond the items above (read by ``read/edits.py``)."""

    adding: bool = False           # leads with add / put / include
    into_scenes: bool = False      # "to the scene", "in every scene"
    add_scene: bool = False        # "add a sunset scene"
    at_start: bool = False         # "... at the start", "first"
    add_word: bool = False         # an add verb anywhere
    sound_word: bool = False       # "sounds", "noise"
    change_title: bool = False     # "change the title to ..."
    remove_title: bool = False
    remove_captions: bool = False
    captions_from_script: bool = False  # "captions", "my script"
    replace_scenes: bool = False   # "make it about ...", "instead"
    scene_word: bool = False       # "the forest scene", "that part"
    swap: bool = False             # "change X to Y"
    more: bool = False             # "more music"
    set_to: bool = False           # "set it to lo-fi"
    about_volume: bool = False     # "the volume"
    words: int = 0                 # how many words the request has
