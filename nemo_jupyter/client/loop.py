"""One background event loop, on its own daemon thread, for the sync API.

Jupyter's kernel already runs an asyncio loop on the main thread, so
``asyncio.run`` cannot be called from a cell and patching the user's loop
(nest_asyncio) changes behaviour behind their back. Instead every sync call is
a coroutine submitted to this private loop and waited for from the caller's
thread. Work submitted here keeps running while the kernel's main thread is
free, which is what lets widgets stay responsive during a long turn.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, Generic, TypeVar, cast, overload

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def get_loop() -> asyncio.AbstractEventLoop:
    """The background loop, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def _run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            thread = threading.Thread(target=_run, name="nemo-jupyter-loop", daemon=True)
            thread.start()
            ready.wait()
            _loop, _thread = loop, thread
        return _loop


def in_loop_thread() -> bool:
    """True when called from the background loop's own thread."""
    return _thread is not None and threading.current_thread() is _thread


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule ``coro`` on the background loop; returns a thread-safe future."""
    return asyncio.run_coroutine_threadsafe(coro, get_loop())


def run_sync(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the background loop and wait for its result.

    Works from plain scripts and from inside a running loop (a Jupyter cell).
    A KeyboardInterrupt while waiting (the kernel's Interrupt button) cancels
    the coroutine before it propagates.
    """
    if in_loop_thread():
        coro.close()
        raise RuntimeError("run_sync() called from the nemo-jupyter loop thread; await the coroutine instead")
    future = submit(coro)
    try:
        return future.result(timeout)
    except (KeyboardInterrupt, concurrent.futures.TimeoutError):
        future.cancel()
        raise


async def _anext(agen: AsyncIterator[T]) -> T:
    return await agen.__anext__()


def iterate_sync(agen: AsyncIterator[T]) -> Iterator[T]:
    """Drive an async iterator on the background loop, yielding its items here."""
    try:
        while True:
            try:
                yield run_sync(_anext(agen))
            except StopAsyncIteration:
                return
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):  # best effort on generator cleanup
                run_sync(aclose())


class Forward(Generic[T]):
    """An attribute that reads the same name on an object this one holds: a sync twin's on the async
    object it wraps, a client's on the part that keeps it (``target``: the attribute holding that
    object, dotted for one further in). ``backend = Forward[str]("pipeline")`` keeps the type.
    Read-only unless ``settable``: then assigning it sets the name on the target.
    """

    def __init__(self, target: str = "_async", *, settable: bool = False) -> None:
        self.path = target.split(".")
        self.settable = settable
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _target(self, obj: object) -> object:
        for part in self.path:
            obj = getattr(obj, part)
        return obj

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Forward[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Forward[T] | T:
        if obj is None:
            return self
        return cast(T, getattr(self._target(obj), self.name))

    def __set__(self, obj: object, value: T) -> None:
        if not self.settable:
            raise AttributeError(f"{self.name} is read-only")
        setattr(self._target(obj), self.name, value)
