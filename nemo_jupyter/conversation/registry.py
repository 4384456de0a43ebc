"""The registry of named conversations on one backend (``%%nemo -s NAME``, ``%nemo sessions``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..client.secrets import get_logger, swallowed
from .orchestrator import Conversation
from .protocols import ChatClient
from .replay import ReplayStore
from .words import Hints, backend_badge

__all__ = ["Conversations"]

log = get_logger("nemo_jupyter.conversation")


class Conversations:
    """Named conversations on one backend (``%%nemo -s NAME``, ``%nemo sessions``, ``%nemo use``).

    ``replay=True`` keeps every turn in ``replay.sqlite3`` in the client's config dir, so a turn
    run again unchanged (Run All, a restarted kernel) is shown, not re-sent; ``place`` (the
    notebook) is part of every replay key, so two notebooks never share answers.
    """

    def __init__(self, backend: str | None = None, *, nemo: ChatClient | None = None,
                 factory: Callable[[str | None], ChatClient] | None = None,
                 hints: Hints | None = None, replay: bool = False,
                 place: str | Callable[[], str] = "") -> None:
        self._backend = backend
        self._factory = factory or _default_factory
        self._nemo = nemo
        self.hints = hints
        self._items: dict[str, Conversation] = {}
        self.current = "default"
        self.replay = replay
        self.place = place
        self._store: ReplayStore | None = None

    @property
    def store(self) -> ReplayStore | None:
        if not self.replay:
            return None
        if self._store is None:
            settings = self.nemo.settings
            self._store = ReplayStore(Path(settings.config_dir) / "replay.sqlite3",
                                      max_age_days=settings.replay_days)
        return self._store

    @property
    def nemo(self) -> ChatClient:
        if self._nemo is None:
            self._nemo = self._factory(self._backend)
        return self._nemo

    @property
    def has_client(self) -> bool:
        """Whether the client was made (the backend was reached, or tried)."""
        return self._nemo is not None

    @property
    def backend(self) -> str:
        if self._nemo is not None:
            return backend_badge(self._nemo.backend)
        return backend_badge(self._backend or _settings_backend())

    @property
    def backend_spec(self) -> str | None:
        return self._backend

    def get(self, name: str | None = None) -> Conversation:
        name = name or self.current
        conv = self._items.get(name)
        if conv is None:
            place = self.place() if callable(self.place) else self.place
            conv = self._items[name] = Conversation(self.nemo, name, hints=self.hints, store=self.store,
                                                    place=place)
        return conv

    __getitem__ = get

    def put(self, conv: Conversation) -> Conversation:
        """Keep ``conv``, made elsewhere (a batch's row), under its name: ``%nemo use NAME`` finds it."""
        self._items[conv.name] = conv
        return conv

    def use(self, name: str) -> Conversation:
        self.current = name
        return self.get(name)

    def exists(self, name: str) -> bool:
        """Whether ``name`` is a conversation here ("default" always is)."""
        return name == "default" or name in self._items

    def with_drafts(self, *, but: str | None = None) -> list[str]:
        """The conversations that stand on a draft with something on it (``but`` left out), in the
        order they were made: what a "nothing here" message points to."""
        out = []
        for name, conv in self._items.items():
            current = conv.versions.current
            if name != but and current is not None and current.draft is not None and not current.draft.is_empty:
                out.append(name)
        return out

    def names(self) -> list[str]:
        names = list(self._items)
        if self.current not in names:
            names.insert(0, self.current)
        return names

    def items(self) -> list[tuple[str, Conversation]]:
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)

    async def switch_backend(self, spec: str | None) -> None:
        """Use another backend (``local``, ``cloud`` or a URL); conversations start afresh."""
        old = self._nemo
        for conv in self._items.values():
            conv.cancel()
        new = self._factory(spec)
        self._nemo, self._backend = new, spec
        self._items.clear()
        if self._store is not None:
            self._store.close()
            self._store = None  # the new backend's config dir
        if old is not None:
            with swallowed(log, "closing the previous backend's client"):
                await old.aclose()

    async def aclose(self) -> None:
        for conv in self._items.values():
            conv.cancel()
        if self._nemo is not None:
            await self._nemo.aclose()
            self._nemo = None


def _default_factory(backend: str | None) -> ChatClient:
    from ..client.nemo import AsyncNemo

    return AsyncNemo(backend=backend) if backend else AsyncNemo()


def _settings_backend() -> str:
    spec = os.environ.get("NEMO_BACKEND")
    if spec:
        return spec
    return "cloud" if os.environ.get("NEMO_TOKEN") else "local"
