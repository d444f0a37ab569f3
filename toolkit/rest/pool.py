"""An HTTP/1.1 transport for the REST probes whose connection checkout costs O(1).

httpcore's pool, on every request and every response closed, walks each of its connections
and asks each idle one whether its socket has expired (a readability poll through anyio's
typed attributes): with 16 connections that walk is a third of a probe's CPU, and it grows
with the number of connections, so more connections (what a 100 ms round trip asks for) made
every probe dearer. The probes never ask for more connections than their semaphore admits, so
no queue is needed: a request takes the last connection returned (or opens one), and gives it
back when its answer is read. A connection the server closed while idle shows as a
RemoteProtocolError on reuse, which the probes retry once.

A connection whose TCP handshake the worker began before importing its client
(toolkit.rest.http.begin) is adopted as httpcore's network stream instead of connecting again.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterable
from typing import Any

import anyio
import httpcore
import httpx

from toolkit.rest.http import Opened


class _Pool:
    """Duck-types httpcore's pool where httpx.AsyncHTTPTransport calls it."""

    def __init__(self, keepalive_s: float, opened: Opened | None = None) -> None:
        self.keepalive_s = keepalive_s
        self.backend = _Adopting(opened) if opened is not None else None
        self.idle: list[httpcore.AsyncHTTPConnection] = []
        self.every: set[httpcore.AsyncHTTPConnection] = set()

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        conn = None
        while self.idle and conn is None:
            conn = self.idle.pop()
            if conn.is_closed() or not conn.can_handle_request(request.url.origin):
                await self._drop(conn)
                conn = None
        if conn is None:
            conn = httpcore.AsyncHTTPConnection(origin=request.url.origin,
                                                keepalive_expiry=self.keepalive_s,
                                                network_backend=self.backend)
            self.every.add(conn)
        try:
            response = await conn.handle_async_request(request)
        except BaseException:
            await self._drop(conn)
            raise
        return httpcore.Response(status=response.status, headers=response.headers,
                                 content=_Returned(self, conn, response),
                                 extensions=response.extensions)

    def give_back(self, conn: httpcore.AsyncHTTPConnection) -> None:
        if conn.is_idle():
            self.idle.append(conn)
        else:
            self.every.discard(conn)

    async def _drop(self, conn: httpcore.AsyncHTTPConnection) -> None:
        self.every.discard(conn)
        await conn.aclose()

    async def aclose(self) -> None:
        for conn in list(self.every):
            await self._drop(conn)
        self.idle.clear()

    async def __aenter__(self) -> _Pool:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class _Returned:
    """The answer's body; closing it returns the connection to the pool."""

    def __init__(self, pool: _Pool, conn: httpcore.AsyncHTTPConnection,
                 response: httpcore.Response) -> None:
        self.pool, self.conn, self.response = pool, conn, response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self.response.aiter_stream():
            yield part

    async def aclose(self) -> None:
        await self.response.aclose()
        self.pool.give_back(self.conn)


class _Adopting(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, except that a connection to the host `opened` was begun for
    takes one of its sockets once the handshake has completed; a socket whose handshake failed
    is closed and the connection made as usual, so its error is httpcore's own."""

    def __init__(self, opened: Opened) -> None:
        self.opened = opened
        self.usual = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        sock = self.opened.take(host, port) if local_address is None else None
        if sock is not None:
            stream = await _adopt(sock, timeout)
            if stream is not None:
                return stream
        return await self.usual.connect_tcp(host, port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        return await self.usual.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.usual.sleep(seconds)


async def _adopt(sock: socket.socket, timeout: float | None
                 ) -> httpcore.AsyncNetworkStream | None:
    """The socket as httpcore's stream once its handshake has completed; None (socket closed)
    if it failed or took longer than `timeout`."""
    from anyio.abc import SocketStream
    from httpcore._backends.anyio import AnyIOStream  # what AnyIOBackend.connect_tcp returns

    try:
        with anyio.fail_after(timeout):
            await anyio.wait_writable(sock)
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            raise OSError("the early handshake failed")
        return AnyIOStream(await SocketStream.from_socket(sock))
    except (OSError, TimeoutError):
        sock.close()
        return None


def lean_transport(keepalive_s: float = 5.0, opened: Opened | None = None
                   ) -> httpx.AsyncHTTPTransport:
    """An httpx transport (plain http, HTTP/1.1) on the pool above: httpx's own request and
    exception mapping stay, only the pool under it changes (httpx < 0.29 keeps it in `_pool`).
    `opened`: connections whose handshake began early, taken before any new one is made."""
    out = httpx.AsyncHTTPTransport(verify=False, http1=True, http2=False)
    out._pool = _Pool(keepalive_s, opened)  # type: ignore[assignment]
    return out
