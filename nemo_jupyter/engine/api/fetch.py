"""URL uploads: fetch http(s) URLs into temp files with the same limits as multipart uploads,
through the egress policy of :mod:`.egress` (public addresses only, checked on every connection)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .common import (
    _ACCEPTED_LIST,
    _CONTENT_TYPE_EXT,
    _EXT_TYPE,
    MAX_URL_REDIRECTS,
    ApiError,
    _ext,
)
from .egress import EgressPolicy, EgressRefused, guarded_transport
from .multipart import _Incoming, check_free_space

MAX_URLS = 20  # URLs in one upload request


def _checked_url(url: Any) -> str:
    """``url`` if it is an http(s) URL that can be fetched at all; else a typed refusal that says why
    (an unparsable address is a 422, never a server error)."""
    if not isinstance(url, str):
        raise ApiError(415, 4001, f"Only http and https URLs can be uploaded, not {str(url)[:100]!r}.",
                       {"accepted": _ACCEPTED_LIST})
    import httpx

    try:
        scheme = urlparse(url).scheme
        if scheme not in ("http", "https"):
            raise ApiError(415, 4001, f"Only http and https URLs can be uploaded, not {url[:100]!r}.",
                           {"accepted": _ACCEPTED_LIST})
        parsed = httpx.URL(url)
        if not parsed.host or (parsed.port is not None and not 0 < parsed.port < 65536):
            raise ValueError("no host, or a port outside 1-65535")
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise ApiError(422, 4000, f"{url[:200]!r} is not a URL that can be fetched ({str(exc)[:120] or 'unparsable'}): "
                                  "check the address (for example https://example.com/photo.png) and upload again.",
                       {"reason": "bad_url"}) from None
    return url


def _refused(url: str, exc: EgressRefused, policy: EgressPolicy) -> ApiError:
    return ApiError(422, 4000, f"Could not fetch {url[:200]}: {exc.host} is {exc.why} ({exc.address}), and URL "
                               "uploads fetch only public http(s) addresses. Download the file and upload it "
                               "directly, or ask whoever runs the engine to allow this host "
                               "(python -m nemo_jupyter.engine --allow-url-host HOST).",
                    {"reason": "egress", "host": exc.host[:200], "allowed_hosts": policy.describe()})


async def _fetch_urls(urls: list[Any], tmp_dir: Path, limit: int,
                      policy: EgressPolicy | None = None) -> list[_Incoming]:
    import httpx

    policy = policy if policy is not None else EgressPolicy()
    if len(urls) > MAX_URLS:
        raise ApiError(413, 4002, f"More than {MAX_URLS} URLs in one upload: send them in several uploads.",
                       {"limit": MAX_URLS})

    async def check_redirect(resp: httpx.Response) -> None:
        """Before a redirect is followed: refuse one to anything but http(s) (file:, ftp:, ...)."""
        if not resp.has_redirect_location:
            return
        try:
            scheme = resp.request.url.join(resp.headers["location"]).scheme
        except (httpx.InvalidURL, ValueError):
            return  # httpx refuses it itself when it follows the redirect
        if scheme not in ("http", "https"):
            raise ApiError(415, 4001, f"{str(resp.request.url)[:200]} redirects to a {scheme or 'schemeless'} "
                                      "URL: only http and https URLs can be uploaded.",
                           {"accepted": _ACCEPTED_LIST})

    checked = [_checked_url(u) for u in urls]   # every address readable before anything is fetched
    files: list[_Incoming] = []
    try:
        async with httpx.AsyncClient(follow_redirects=True, max_redirects=MAX_URL_REDIRECTS,
                                     timeout=httpx.Timeout(60, connect=10), trust_env=False,
                                     transport=guarded_transport(policy),
                                     event_hooks={"response": [check_redirect]}) as client:
            for url in checked:
                try:
                    async with client.stream("GET", url) as resp:
                        if urlparse(str(resp.url)).scheme not in ("http", "https"):
                            raise ApiError(415, 4001, "The URL redirected to something that is not http(s).",
                                           {"accepted": _ACCEPTED_LIST})
                        if resp.status_code != 200:
                            raise ApiError(422, 4000, f"Could not fetch {url[:200]}: HTTP {resp.status_code}.")
                        name = _name_from_response(resp, url)
                        inc = _Incoming(tmp_dir, name, limit)
                        files.append(inc)
                        length = resp.headers.get("content-length")
                        if length and length.isdigit() and int(length) > inc.limit:
                            inc.size = int(length)
                            inc.write(b"")  # raises 4002 before anything is downloaded
                        if length and length.isdigit():
                            check_free_space(tmp_dir, int(length), name)
                        async for chunk in resp.aiter_bytes(1 << 16):
                            inc.write(chunk)
                        inc.close()
                except EgressRefused as exc:
                    raise _refused(url, exc, policy) from None
                except httpx.TooManyRedirects:
                    raise ApiError(422, 4000, f"Could not fetch {url[:200]}: more than {MAX_URL_REDIRECTS} "
                                              "redirects; upload the file's final URL instead.") from None
                except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
                    raise ApiError(422, 4000, f"Could not fetch {url[:200]}: {type(exc).__name__}.") from None
    except BaseException:
        for f in files:
            f.close()
            f.path.unlink(missing_ok=True)
        raise
    return files


def _name_from_response(resp: Any, url: str) -> str:
    cd = resp.headers.get("content-disposition", "")
    m = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", cd)
    name = unquote(m.group(1)) if m else unquote(urlparse(url).path.rsplit("/", 1)[-1])
    if not _ext(name) or _ext(name) not in _EXT_TYPE:
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        ext = _CONTENT_TYPE_EXT.get(ctype)
        if ext and _ext(name) not in _EXT_TYPE:
            name = f"{name or 'download'}.{ext}"
    return name or "download"
