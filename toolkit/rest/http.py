"""Which HTTP the REST probes speak, how many go at once, and the TCP connections begun for
them before their client is imported. Standard library only: the probes' process runs this
while it imports the Supabase client (toolkit.rest.worker).

HTTP versions: https negotiates HTTP/2 by ALPN, so every probe shares one connection. Plain
http uses HTTP/1.1 on up to HTTP1_IN_FLIGHT connections unless TOOLKIT_HTTP2=1, which speaks
HTTP/2 with prior knowledge (h2c) so the probes share one connection there too: the local
stack's gateway accepts it (with the `local` extra), but not every plain-http server does (a
gateway that only speaks HTTP/1.1 fails every probe), hence opt-in. TOOLKIT_HTTP2=0 forces
HTTP/1.1.
"""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Probes in flight at once: HTTP/1.1 uses one connection each (the pool's size), HTTP/2 streams
# on one connection (below the 100-128 streams Kong and nginx allow). The rest wait on a
# semaphore, not in httpx's pool, whose queueing time would count against the timeout. 128
# connections keep 300 probes to three round trips over a 100 ms link (64 took five, 50 ms more
# for a whole check there); with rest/pool.py's checkout a probe's CPU does not grow with them
# (docs/benchmarks-scale.md).
HTTP1_IN_FLIGHT = 128
HTTP2_IN_FLIGHT = 100


def http_versions(url: str) -> tuple[bool, bool]:
    """(http1, http2) for the client, by the scheme and TOOLKIT_HTTP2 (see the module doc)."""
    tls = url.startswith("https://")
    choice = os.environ.get("TOOLKIT_HTTP2", "").strip().lower()
    if choice in ("1", "true", "yes", "on"):
        return tls, True  # http: h2c prior knowledge; https: h2, HTTP/1.1 only as ALPN fallback
    if choice in ("0", "false", "no", "off"):
        return True, False
    return True, tls  # https: negotiated by ALPN, one connection for all probes


def in_flight(url: str) -> int:
    """How many probes are sent at once: HTTP/2 multiplexes them on one connection."""
    return HTTP2_IN_FLIGHT if http_versions(url)[1] else HTTP1_IN_FLIGHT


@dataclass
class Opened:
    """TCP connections to one host and port whose handshakes were begun early (non-blocking
    sockets: the kernel completes the handshake, no Python thread waits for it)."""

    host: str
    port: int
    sockets: list[socket.socket] = field(default_factory=list)

    def take(self, host: str, port: int) -> socket.socket | None:
        """One of the sockets, if any is left for this host and port."""
        if (host, port) != (self.host, self.port) or not self.sockets:
            return None
        return self.sockets.pop()

    def close(self) -> None:
        """Close those never taken."""
        while self.sockets:
            self.sockets.pop().close()


def begin(url: str, count: int) -> Opened | None:
    """Begin up to `count` TCP handshakes with a plain-http URL's host, for the HTTP/1.1
    connections the probes will open: over a 100 ms round trip each costs a round trip before
    its first request, which the worker's import (a quarter of a second) then hides. None for
    https (one HTTP/2 connection, opened with its TLS by httpx), for h2c, and for a host that
    does not resolve (httpx then says why, as it always has)."""
    if not url.startswith("http://") or http_versions(url)[1] or count < 1:
        return None
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or 80
        if not host:
            return None
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, ValueError, UnicodeError):
        return None
    opened = Opened(host, port)
    for _ in range(count):
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as asyncio's own
        if sock.connect_ex(address) not in (0, errno.EINPROGRESS):
            sock.close()
            break  # refused or unreachable: httpx's own connect says so
        opened.sockets.append(sock)
    return opened
