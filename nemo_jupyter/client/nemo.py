"""``AsyncNemo``: the NemoVideo API client: identity and settings, and the parts it hands one
request pipeline to (its sessions, their chat turns, the render endpoints).

Protocol rules this package enforces (see PROTOCOL.md):

* attribution headers and the bearer token on every request; anonymous tokens
  from ``/api/auth/anonymous-token`` with the persisted client id, cached per backend;
* 1001 → one fresh anonymous token (same client id) and one retry (:mod:`.auth`, an
  ``httpx.Auth`` flow); 1002 / unknown session → :class:`SessionNotFound` and a new session
  at next use; 429 → one retry after ``Retry-After``; GETs retried with backoff on connection
  errors and 5xx; a stopped embedded engine found again (:mod:`.transport`, for plain requests
  and the chat stream alike); chat messages and render submits are never re-sent (a failed
  submit is retried once *with a new id*, as the protocol says);
* every refusal becomes an exception of the tree by one function (:func:`.errors.error_for`);
* a dropped chat stream is followed by the protocol's recovery (:mod:`.chat`).

The parts: :class:`~.pipeline.Pipeline` (every request), :class:`~.render_api.RenderEndpoints`
(renders and the jobs kept), :class:`~.session.AsyncSession` (one conversation on the backend);
the sync twins are in :mod:`.sync`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .auth import BearerAuth, Tokens
from .exceptions import NemoError
from .jobs import AsyncRenderJob, JobStore
from .loop import Forward
from .models import Credits
from .pipeline import Pipeline
from .render_api import RenderEndpoints
from .render_cache import RenderCache
from .session import AsyncSession
from .settings import Limits, Polling, Recovery, Retries, Settings, Timeouts, normalize_backend

if TYPE_CHECKING:
    from ..engine.launcher import EngineInfo

__all__ = ["AsyncNemo", "AsyncSession"]

#: the keyword options of earlier versions, and the value object each one now sets
_OPTIONS = {
    "rate_limit_wait": ("retries", "rate_limit_wait"), "retry_backoff": ("retries", "backoff"),
    "poll_interval": ("polling", "interval"), "poll_backoff": ("polling", "backoff"),
    "poll_max_interval": ("polling", "max_interval"),
    "recovery_wait": ("recovery", "wait"), "recovery_interval": ("recovery", "interval"),
    "recovery_checks": ("recovery", "checks"),
    "timeout": ("timeouts", "request"), "turn_timeout": ("timeouts", "turn"),
}
_SETTINGS = ("api_url", "web_url", "client_id", "platform", "max_upload_mb", "class_code")


class AsyncNemo:
    """The async client. ``backend``: ``"local"`` | ``"cloud"`` | a URL (default from settings).

    Behaviour is set by value objects: ``settings`` (:class:`Settings`: where, who, limits),
    ``retries`` (:class:`Retries`, or an int: GET retries), ``polling`` (:class:`Polling`: render
    polls), ``recovery`` (:class:`Recovery`: dropped streams), ``timeouts`` (:class:`Timeouts`) and
    ``limits`` (:class:`Limits`: what is accepted from a backend: events, turns, downloads).
    The single keyword options of earlier versions (``api_url=``, ``rate_limit_wait=``,
    ``poll_interval=``, ``turn_timeout=``, ...) still set the matching field.
    """

    def __init__(self, backend: str | None = None, token: str | None = None, *, settings: Settings | None = None,
                 retries: Retries | int | None = None, polling: Polling | None = None,
                 recovery: Recovery | None = None, timeouts: Timeouts | None = None, limits: Limits | None = None,
                 **options: Any) -> None:
        unknown = sorted(set(options) - set(_OPTIONS) - set(_SETTINGS))
        if unknown:
            raise TypeError(f"AsyncNemo() got unexpected keyword argument(s): {', '.join(unknown)}")
        overrides: dict[str, Any] = {"backend": backend, "token": token, **{k: options.get(k) for k in _SETTINGS}}
        if settings is None:
            settings = Settings.from_env(**overrides)
        else:
            if backend is not None:
                overrides["backend"] = normalize_backend(backend)
            settings = settings.with_(**overrides)
        values: dict[str, Any] = {
            "retries": Retries(attempts=retries) if isinstance(retries, int) else (retries or Retries()),
            "polling": polling or Polling(), "recovery": recovery or Recovery(), "timeouts": timeouts or Timeouts(),
        }
        for name, value in options.items():
            if name in _OPTIONS and value is not None:
                group, field_name = _OPTIONS[name]
                values[group] = values[group].with_(**{field_name: value})
        self.settings = settings
        self.recovery: Recovery = values["recovery"]
        # A token given by the user (argument, or NEMO_TOKEN for a non-local backend) is used as is.
        user_token = token if token is not None else (settings.token if settings.backend != "local" else None)
        self.pipeline = Pipeline(settings, retries=values["retries"], timeouts=values["timeouts"], token=user_token,
                                 limits=limits)
        self.renders = RenderEndpoints(self.pipeline, JobStore(settings.jobs_file),
                                       RenderCache(settings.config_dir / "renders.json"), values["polling"])

    # -- identity (kept by the parts that use it) ------------------------------------------------
    backend = Forward[str]("pipeline")
    base_url = Forward[str]("pipeline")            # the embedded engine is found or started on first use
    tokens = Forward[Tokens]("pipeline")
    auth = Forward[BearerAuth]("pipeline")
    user_id = Forward["str | None"]("pipeline.tokens", settable=True)
    is_private_engine = Forward[bool]("pipeline")  # its media URLs work only through this client
    is_anonymous = Forward[bool]("pipeline")
    retries = Forward[Retries]("pipeline", settable=True)
    timeouts = Forward[Timeouts]("pipeline", settable=True)
    limits = Forward[Limits]("pipeline", settable=True)
    polling = Forward[Polling]("renders", settable=True)

    @property
    def web_url(self) -> str:
        return self.settings.web_url

    @property
    def _token(self) -> str | None:
        """The bearer token in use now (a secret: masked everywhere it could show)."""
        return self.pipeline.tokens.token

    def engine_info(self) -> EngineInfo | None:
        """The embedded engine this client found or started (its pid, how long it stays once idle,
        which processes hold it), or None: another backend, or no engine running."""
        if self.backend != "local" or self.pipeline.engine_address is None:
            return None
        from ..engine.launcher import engine_info

        return engine_info(self.settings.engine_home)

    def __repr__(self) -> str:
        where = self.pipeline.known_url or "(engine not started yet)"
        user = f" user={self.user_id}" if self.user_id else ""
        return f"<{type(self).__name__} backend={self.backend!r} url={where!r}{user}>"

    # -- lifecycle -----------------------------------------------------------------------------
    async def aclose(self) -> None:
        await self.pipeline.aclose()

    async def __aenter__(self) -> AsyncNemo:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- public --------------------------------------------------------------------------------
    async def credits(self) -> Credits:
        return Credits.from_json(await self.pipeline.api("GET", "/api/credits/balance/simple"))

    def session(self, name: str | None = None, *, session_id: str | None = None) -> AsyncSession:
        return AsyncSession(self, name=name, session_id=session_id)

    async def jobs(self) -> list[AsyncRenderJob]:
        """Unfinished render jobs submitted to this backend (kept across restarts)."""
        return await self.renders.jobs()

    def attach(self, job_id: str) -> AsyncRenderJob:
        return self.renders.attach(job_id)

    async def find_job(self, **match: Any) -> str | None:
        """The newest locally kept job id of this backend whose entry matches (e.g. ``render_key=``)."""
        return await self.renders.find(**match)

    async def backend_key(self) -> str:
        """Which backend this is, as a stable string (the embedded engine by its data dir)."""
        return await self.pipeline.backend_key()

    async def render_slots(self) -> int | None:
        """How many renders the backend runs at once, when it says (an engine's ``/health``: its
        render lanes, or its Dask cluster's slots); None for a backend that does not (the cloud)."""
        try:
            body = await self.pipeline.request("GET", "/health", auth=False)
        except NemoError:
            return None
        slots = body.get("render_slots") if isinstance(body, dict) else None
        return slots if isinstance(slots, int) and not isinstance(slots, bool) and slots > 0 else None
