"""The brief: one reading of a request, as a documented data type.

The planner reads a prompt once into a :class:`Brief` (:mod:`.parse`); everything after it (the
edit operations, the composition of the scenes, the reply) reads the brief. Each item of the brief
ends with an :class:`Outcome` (done, done differently, or not done and why), which the session state
carries as a checklist (:meth:`Brief.checklist`), so that no part of a request is dropped silently.

The brief is plain data: :meth:`Brief.to_json` gives the JSON object described below (the session
state's ``brief``), so that another reader (a form, a language model) can say what it understood in
the same terms::

    Brief
    ├── kind       new | edit | question | outside | help | export | capabilities | empty
    ├── template   what kind of video: ad | greeting | lesson | list | story | None
    ├── language   the reply's language ("en", "zh-CN", "es", "fr", "de", "ja", "pt", "it", "ko")
    ├── what.scenes: [Scene]        where, and what is in it, in story order
    │     ├── scene, setting        background family; place asked, time of day, weather, season
    │     └── actors: [Actor]       noun, subject id, count, colour, size, role, action
    ├── relations: [Relation]       chase(a1, a2), under(a1, a2), ... (actor ids)
    ├── texts: [TextAsk]            role (title, brand, caption, end_card, greeting, item, step,
    │                               voiceover), the text, and its moment ("at 10 s", "at the end",
    │                               "when the clouds form")
    ├── uploads: [UploadUse]        file, role (logo, screenshot, product, background, photo, clip,
    │                               script, music), corner and size for a logo
    ├── length, fmt, audio          length, shape and resolution, music, sounds
    └── req                         new video or edit, uploads referred to, unsupported asks

Vocabularies (the values a field takes) are the tuples below: :data:`COLOURS`, :data:`SIZES`,
:data:`ROLES`, :data:`RELATIONS`, :data:`TIMES`, :data:`WEATHERS`, :data:`SEASONS`,
:data:`TEXT_ROLES`, :data:`UPLOAD_ROLES`, :data:`CORNERS`, :data:`KINDS`, :data:`TEMPLATES`.
Places are the background families of :data:`nemo_jupyter.draft_format.SCENES` plus
:data:`PLACES` (places a reader may name that are drawn as the nearest family).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from nemo_jupyter import draft_format as df

from .asks import AudioAsk as AudioAsk  # the brief's parts, importable from here as before
from .asks import EditAsk as EditAsk
from .asks import FormatAsk as FormatAsk
from .asks import LengthAsk as LengthAsk
from .asks import RequestAsk as RequestAsk
from .asks import Timing as Timing

# -- vocabularies ---------------------------------------------------------------------------------
KINDS = ("new", "edit", "question", "outside", "help", "export", "capabilities", "empty")
TEMPLATES = ("ad", "greeting", "lesson", "list", "story")
COLOURS = df.COLOURS
SIZES = ("tiny", "small", "big", "giant")
#: what an actor is to the video: drawn and acting, the advertised product, who the video is for
#: (not drawn unless a theme asks), or only mentioned (not drawn: "for beginners")
ROLES = ("actor", "product", "audience", "mentioned")
#: relations between two actors (``a`` does it to / is placed against ``b``; ``between``: b and c)
RELATIONS = df.RELATION_KINDS
TIMES = df.TIMES_OF_DAY
WEATHERS = df.WEATHER
SEASONS = ("spring", "summer", "autumn", "winter")
TEXT_ROLES = ("title", "brand", "caption", "end_card", "greeting", "item", "step", "voiceover")
UPLOAD_ROLES = ("logo", "screenshot", "product", "background", "photo", "clip", "script", "music")
CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")
#: places a prompt may name beyond the drawn families
PLACES = ("market", "station", "airport", "canal_town", "bamboo_grove", "oasis", "snowy_village",
          "living_room", "office", "hospital", "supermarket", "garden", "playground", "zoo",
          "museum", "bedroom", "bakery", "restaurant", "gym", "pool", "harbour", "bridge", "temple",
          "village", "island", "cave", "hill", "field")

Status = Literal["pending", "done", "substituted", "not_done"]
#: how a text role is shown on the timeline: the segment kind it becomes
TEXT_KIND = {"title": "title", "brand": "title", "greeting": "title", "end_card": "title",
             "caption": "caption", "item": "caption", "step": "caption", "voiceover": "voice"}


# -- outcomes -------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """How one item of the brief ended: ``done``, ``substituted`` (done differently: ``params``
    say with what), ``not_done`` (``reason`` says why), or still ``pending`` (a bug: the benchmark
    counts a pending item as silently dropped). ``reason`` is a key of the message catalogues
    (``data/messages/<lang>.json``), ``params`` fill it."""

    status: Status = "pending"
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def done(self) -> None:
        self.status, self.reason, self.params = "done", "", {}

    def substituted(self, reason: str, **params: Any) -> None:
        self.status, self.reason, self.params = "substituted", reason, dict(params)

    def not_done(self, reason: str, **params: Any) -> None:
        self.status, self.reason, self.params = "not_done", reason, dict(params)

    def settle(self) -> None:
        """Done, unless a stage already said otherwise."""
        if self.status == "pending":
            self.done()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.params:
            out["params"] = dict(self.params)
        return out


# -- items ----------------------------------------------------------------------------------------
@dataclass
class TextAsk:
    """A text the prompt asks to show or say (quoted, or after a clear cue), with its role and moment.

    Moment: ``st`` / ``end_ms`` / ``length`` in ms ("at 10 s", "from 2 to 4 s", "for 3 seconds"),
    ``at_end`` / ``middle`` / ``at_start``, or ``when``: the words of an event ("when the clouds
    form"), shown over the scene that shows it (``scene``: its index, once found).
    """

    text: str
    start: int
    end: int
    role: str = "title"
    st: int | None = None
    end_ms: int | None = None
    length: int | None = None
    at_end: bool = False
    middle: bool = False
    at_start: bool = False
    when: str | None = None
    scene: int | None = None
    bare: bool = False  # unquoted, after a cue that already told its kind
    listed: bool = False  # an item of a list ("3 tips: ..."): shown as its scene's caption
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def kind(self) -> str:
        """The segment kind this text becomes: ``title``, ``caption`` or ``voice``."""
        return TEXT_KIND.get(self.role, "caption")

    @kind.setter
    def kind(self, value: str) -> None:
        self.role = value

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "text": self.text}
        moment: dict[str, Any] = {}
        for key, value in (("start_s", self.st), ("end_s", self.end_ms), ("length_s", self.length)):
            if value is not None:
                moment[key] = value / 1000
        for key in ("at_end", "middle", "at_start"):
            if getattr(self, key):
                moment[key] = True
        if self.when:
            moment["when"] = self.when
        if self.scene is not None:
            moment["scene"] = self.scene
        if moment:
            out["moment"] = moment
        out.update(self.outcome.to_json())
        return out


@dataclass
class Actor:
    """One subject of the request: a noun phrase ("five yellow ducklings"), drawn in a scene
    (see ``act`` in :mod:`nemo_jupyter.draft_format`)."""

    s: str                      # subject id drawn, e.g. "cat" (a substitute when ``asked`` is set)
    art: str                    # OpenMoji hexcode
    word: str = ""              # the word the user wrote ("kitten")
    asked: str | None = None    # when a substitute: what the user asked for ("quokka")
    lbl: str | None = None      # a label drawn with it (topics: "CO₂")
    mo: str | None = None       # motion (a verb of the prompt, or a topic's)
    x: float | None = None      # placement overrides (topics); None: the composer decides
    y: float | None = None
    h: float | None = None
    audience: bool = False      # "... for kids", "for my mom": who it is for, drawn only where a theme asks
    id: str = ""                # "a1", "a2"...: what relations refer to
    count: int | None = None    # how many were asked ("five"); None: not said
    plural: bool = False        # named in the plural without a number ("ducks")
    young: bool = False         # named as the young of its kind ("ducklings", "chatons", "Welpen")
    colour: str | None = None   # one of COLOURS
    size: str | None = None     # one of SIZES
    role: str = "actor"         # one of ROLES
    extra: bool = False         # not asked: added by a topic's illustration (a birthday's balloons)
    phrase: str = ""            # its noun phrase as written ("five yellow ducklings"): checklist labels
    start: int = -1             # where its words are in the normalised prompt (internal)
    end: int = -1
    outcome: Outcome = field(default_factory=Outcome)
    #: outcomes of its attributes: "count", "colour", "size", "action"
    details: dict[str, Outcome] = field(default_factory=dict)

    def detail(self, name: str) -> Outcome:
        return self.details.setdefault(name, Outcome())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "noun": self.asked or self.word or self.s.replace("_", " "),
                               "subject": self.s}
        if self.asked:
            out["instead_of"] = self.asked
        if self.count is not None:
            out["count"] = self.count
        elif self.plural:
            out["plural"] = True
        if self.young:
            out["young"] = True
        if self.colour:
            out["colour"] = self.colour
        if self.size:
            out["size"] = self.size
        out["role"] = "audience" if self.audience else ("extra" if self.extra else self.role)
        if self.mo and self.mo != "still":
            out["action"] = self.mo
        out.update(self.outcome.to_json())
        if self.details:
            out["details"] = {k: v.to_json() for k, v in self.details.items()}
        return out


@dataclass
class Relation:
    """ ``a`` <kind> ``b`` ("a dog chasing a squirrel": chase(dog, squirrel)); ids of actors."""

    kind: str
    a: str
    b: str | None = None
    c: str | None = None        # the second object of "between"
    word: str = ""              # the words as written
    outcome: Outcome = field(default_factory=Outcome)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "a": self.a}
        if self.b:
            out["b"] = self.b
        if self.c:
            out["c"] = self.c
        if self.word:
            out["word"] = self.word
        out.update(self.outcome.to_json())
        return out


@dataclass
class Setting:
    """Where and when a scene is: the place asked (a family of SCENES or one of PLACES), the time of
    day, the weather and the season; each facet asked has its outcome in ``outcomes``."""

    place: str | None = None
    time: str | None = None
    weather: str | None = None
    season: str | None = None
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)  # facet -> the words that said it ("at sunset")

    def facets(self) -> Iterator[tuple[str, str]]:
        for name in ("place", "time", "weather", "season"):
            value = getattr(self, name)
            if value:
                yield name, value

    def outcome(self, facet: str) -> Outcome:
        return self.outcomes.setdefault(facet, Outcome())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.facets())
        if self.outcomes:
            out["outcomes"] = {k: v.to_json() for k, v in self.outcomes.items() if getattr(self, k, None)}
        return out


@dataclass
class UploadUse:
    """An upload the prompt refers to, in its role ("my logo in the top right corner")."""

    role: str                   # one of UPLOAD_ROLES
    file: str = ""              # the upload's file name ("" when none matched)
    file_type: str = ""         # image | video | audio | text
    corner: str | None = None   # one of CORNERS (a logo)
    scale: float | None = None  # a logo's width, 0-1 of the frame's width
    word: str = ""              # the words as written
    unasked: bool = False       # uploaded for this turn but not referred to (said when not used)
    outcome: Outcome = field(default_factory=Outcome)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "file": self.file}
        if self.unasked:
            out["unasked"] = True
        if self.corner:
            out["corner"] = self.corner
        if self.scale is not None:
            out["scale"] = self.scale
        out.update(self.outcome.to_json())
        return out


@dataclass
class Scene:
    """One scene asked for: a background family, its setting, elements, sounds and actors."""

    scene: str
    els: list[str]
    sounds: list[str]
    label_terms: list[str]
    pos: int
    actors: list[Actor] = field(default_factory=list)
    caption: str | None = None  # a caption shown over this scene ("captions for A, B and C", topics)
    topic: str | None = None    # the curated topic this scene came from
    named_scene: bool = True    # the background was named (False: chosen for the actors)
    setting: Setting = field(default_factory=Setting)
    end: int = -1               # where its clause ends in the normalised prompt (internal)
    begin: int = -1             # where its clause begins (internal)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scene": self.scene, "setting": self.setting.to_json(),
                               "actors": [a.id for a in self.actors]}
        if self.els:
            out["elements"] = list(self.els)
        if self.sounds:
            out["sounds"] = list(self.sounds)
        if self.caption:
            out["caption"] = self.caption
        if self.topic:
            out["topic"] = self.topic
        return out


@dataclass
class WhatAsk:
    scenes: list[Scene] = field(default_factory=list)
    weak_subject: bool = False
    removed_words: list[str] = field(default_factory=list)
    # Words naming things that cannot be drawn: (word, substitute subject id or None).
    missing: list[tuple[str, str | None]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    captions_for: list[str] = field(default_factory=list)  # "captions for A, B and C"
    list_role: str | None = None  # what the list's texts are: caption | item | step
    prompt_subjects: set[str] = field(default_factory=set)  # subjects named outside a list's items
    list_span: tuple[int, int] | None = None  # where a list's items are in the normalised prompt (internal)
    #: a subject named again in a scene that has it ("... the latte on the table"): (that mention, the
    #: actor it names), for the relations its words make (internal)
    mentions: list[tuple[Actor, Actor]] = field(default_factory=list)
    #: things asked for that no subject names, in a prompt that made no scene to hold them ("a plumber
    #: fixing a sink"): in the brief and its checklist, not drawn
    unplaced: list[Actor] = field(default_factory=list)


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
    edit: EditAsk = field(default_factory=EditAsk)
    #: narration asked or changed (planning/narration.py ``Asks``), read once with the rest
    voice: Any = None
    about: str | None = None       # what the prompt is about when nothing in it can be drawn
    kind: str = "new"
    template: str | None = None
    language: str = "en"
    relations: list[Relation] = field(default_factory=list)
    uploads: list[UploadUse] = field(default_factory=list)
    unasked_uploads: list[UploadUse] = field(default_factory=list)  # uploaded for this turn, not referred to
    setting: Setting = field(default_factory=Setting)  # said of the whole video ("at night")
    #: outcomes of the video-wide asks: "length", "aspect", "music", "narration", "sound:<snd>", "el:<element>"
    asks: dict[str, Outcome] = field(default_factory=dict)
    narration: bool = False     # a voice-over is asked (narrate, a voice saying '...', read my script aloud)

    @property
    def scenes(self) -> list[Scene]:
        return self.what.scenes

    def shown_texts(self) -> list[TextAsk]:
        """The texts that become title and caption segments (not list items, which are their scenes'
        captions, and not voice-over lines, which are spoken)."""
        return [q for q in self.texts if not q.listed and q.kind in ("title", "caption")]

    def actors(self) -> Iterator[Actor]:
        """Every actor of every scene, once per id (a subject repeated in several scenes is one; where
        it is asked in one scene and only illustrates another, the asked one)."""
        first: dict[str, Actor] = {}
        for actors in [*(scene.actors for scene in self.what.scenes), self.what.unplaced]:
            for actor in actors:
                key = actor.id or f"{id(actor)}"
                if key not in first or (first[key].extra and not actor.extra):
                    first[key] = actor
        yield from first.values()

    def actor(self, actor_id: str) -> Actor | None:
        return next((a for a in self.actors() if a.id == actor_id), None)

    def to_json(self) -> dict[str, Any]:
        """The brief as plain JSON (the session state's ``brief``), without the prompt's text."""
        out: dict[str, Any] = {"kind": self.kind, "language": self.language}
        if self.template:
            out["template"] = self.template
        out["setting"] = self.setting.to_json()
        out["actors"] = [a.to_json() for a in self.actors()]
        out["relations"] = [r.to_json() for r in self.relations]
        out["scenes"] = [s.to_json() for s in self.what.scenes]
        out["texts"] = [t.to_json() for t in self.texts]
        out["uploads"] = [u.to_json() for u in self.uploads + self.unasked_uploads]
        if self.length.duration_ms is not None:
            out["length_s"] = self.length.duration_ms / 1000
        if self.fmt.aspect:
            out["aspect"] = self.fmt.aspect
        music: dict[str, Any] = {}
        if self.audio.no_music:
            music["none"] = True
        if self.audio.mood:
            music["mood"] = self.audio.mood
        if self.audio.volume is not None:
            music["volume"] = self.audio.volume
        song = any(u.role == "music" for u in self.uploads)
        if music or (self.audio.music_asked and not song):
            out["music"] = music
        if self.audio.global_sounds:
            out["sounds"] = list(self.audio.global_sounds)
        if self.narration:
            out["narration"] = True
        if self.asks:
            out["asks"] = {k: v.to_json() for k, v in self.asks.items()}
        return out
