"""Egress policy for URL uploads: public http(s) addresses only (against SSRF).

A URL upload makes the engine fetch a URL; without a policy anyone with a token could read
services only the engine's machine can reach (another local service, a cloud metadata
endpoint at 169.254.169.254, the router) and get their answer back as an upload. So:

- only ``http`` and ``https``;
- the host name is resolved, and *every* address it resolves to must be public (not
  loopback, private, link-local, shared, multicast, reserved or unspecified; IPv4-mapped
  IPv6 addresses are judged as the IPv4 address they carry);
- the check runs at connect time in the transport (:class:`GuardedBackend`), on the
  address actually connected to: so it holds on every redirect and cannot be dodged by a
  DNS answer that changes between a check and the connection (rebinding);
- hosts named in the engine's allow list (``--allow-url-host``, e.g. a class's file
  server on the school network) are fetched whatever their address. An entry is a host
  name (``files.school.lan``), an address (``10.0.0.5``) or a network (``10.0.0.0/24``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx

__all__ = ["EgressPolicy", "EgressRefused", "GuardedBackend", "guarded_transport"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class EgressRefused(Exception):
    """The URL's host is not a public address (and is not on the allow list)."""

    def __init__(self, host: str, address: str, why: str) -> None:
        super().__init__(f"{host} resolves to {address} ({why})")
        self.host, self.address, self.why = host, address, why


def _why_not_public(ip: IPAddress) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attr, why in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                      ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
                      ("is_private", "a private network"), ("is_reserved", "reserved")):
        if getattr(ip, attr):
            return why
    if not ip.is_global:
        return "not a public address"
    return None


class EgressPolicy:
    """Which hosts a URL upload may connect to (see the module docstring)."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow:
            entry = entry.strip().strip("[]").lower()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry.rstrip("."))

    def describe(self) -> str:
        allowed = sorted(self.names) + [str(n) for n in self.networks]
        return ", ".join(allowed) if allowed else "none"

    def check(self, host: str, address: str) -> None:
        """Raise :class:`EgressRefused` unless connecting to ``address`` for ``host`` is allowed."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if host.strip("[]").lower().rstrip(".") in self.names:
            return
        plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
        if any(plain in net for net in self.networks if net.version == plain.version):
            return
        why = _why_not_public(ip)
        if why is not None:
            raise EgressRefused(host, str(ip), why)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving names itself and connecting only to allowed addresses."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        for address in addresses:   # every address must pass: a mixed answer is refused
            self.policy.check(host, address)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("URL uploads do not connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_transport(policy: EgressPolicy) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection (redirects too) obeys ``policy``; no proxies."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(   # same pool httpx builds, with our backend
        ssl_context=httpx.create_ssl_context(), max_connections=10, max_keepalive_connections=5,
        keepalive_expiry=5.0, http1=True, http2=False, network_backend=GuardedBackend(policy),
    )
    return transport
