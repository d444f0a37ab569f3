"""A small HTTP/1.1 server for the local gateway's ASGI app, on asyncio streams and h11.

The gateway runs under hypercorn when the `local` extra is installed (it adds h2c, HTTP/2 with
prior knowledge, on the same port); without it, this server keeps `toolkit local` whole with
nothing beyond toolkit's own dependencies (h11 is the HTTP/1.1 state machine httpx uses too).
It serves one request at a time per connection, with keep-alive, and runs the app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

import h11

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Coroutine[Any, Any, None]]

READ_SIZE = 64 * 1024
_KNOWN = frozenset(s.value for s in HTTPStatus)


async def serve(app: App, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve `app` on host:port until `stop` is set; lifespan startup first, shutdown last."""
    lifespan = _Lifespan(app)
    await lifespan.startup()
    server = await asyncio.start_server(lambda r, w: _connection(app, r, w), host, port)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        await lifespan.shutdown()


class _Lifespan:
    def __init__(self, app: App) -> None:
        self.app = app
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.started = asyncio.Event()
        self.stopped = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def _receive(self) -> Message:
        return await self.inbox.get()

    async def _send(self, message: Message) -> None:
        if message["type"] == "lifespan.startup.complete":
            self.started.set()
        elif message["type"] == "lifespan.shutdown.complete":
            self.stopped.set()

    async def startup(self) -> None:
        self.task = asyncio.create_task(self.app({"type": "lifespan"}, self._receive, self._send))
        await self.inbox.put({"type": "lifespan.startup"})
        await self.started.wait()

    async def shutdown(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.stopped.wait()
        if self.task is not None:
            await self.task


async def _next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> Any:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        conn.receive_data(await reader.read(READ_SIZE))  # b"" tells h11 the peer closed


async def _connection(app: App, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                      ) -> None:
    conn = h11.Connection(h11.SERVER)
    try:
        while True:
            event = await _next_event(conn, reader)
            if not isinstance(event, h11.Request):
                break  # ConnectionClosed, or a peer that stopped mid-way
            await _exchange(app, conn, event, reader, writer)
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                break  # not reusable: the app failed, the body was not read, or Connection: close
            conn.start_next_cycle()
    except h11.RemoteProtocolError:
        # Not HTTP/1.x (an h2c preface, say): answer 400 when a response can still be sent.
        if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            with contextlib.suppress(h11.LocalProtocolError):
                writer.write(_simple(conn, 400, b"bad request"))
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def _simple(conn: h11.Connection, status: int, body: bytes) -> bytes:
    headers = [("content-type", "text/plain"), ("content-length", str(len(body))),
               ("connection", "close")]
    return (conn.send(h11.Response(status_code=status, headers=headers)) or b"") + (
        conn.send(h11.Data(data=body)) or b"") + (conn.send(h11.EndOfMessage()) or b"")


async def _exchange(app: App, conn: h11.Connection, request: h11.Request,
                    reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    target = bytes(request.target)
    raw_path, _, query = target.partition(b"?")
    peer = writer.get_extra_info("peername")
    sock = writer.get_extra_info("sockname")
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": request.http_version.decode("ascii"),
        "method": request.method.decode("ascii"),
        "scheme": "http",
        "path": unquote(raw_path.decode("latin-1")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(name.lower(), value) for name, value in request.headers],
        "client": tuple(peer[:2]) if peer else None,
        "server": tuple(sock[:2]) if sock else None,
    }
    body_done = False
    response_started = False

    async def receive() -> Message:
        nonlocal body_done
        if body_done:
            # ASGI: after the body, receive() blocks until the client goes; it is never
            # called again by the gateway, which reads the body once.
            return {"type": "http.disconnect"}
        event = await _next_event(conn, reader)
        if isinstance(event, h11.Data):
            return {"type": "http.request", "body": bytes(event.data), "more_body": True}
        body_done = True
        if isinstance(event, h11.EndOfMessage):
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal response_started
        if message["type"] == "http.response.start":
            headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            headers.append((b"date", formatdate(usegmt=True).encode("ascii")))
            status = int(message["status"])
            reason = HTTPStatus(status).phrase.encode() if status in _KNOWN else b""
            writer.write(conn.send(h11.Response(status_code=status, headers=headers,
                                                reason=reason)) or b"")
            response_started = True
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            if body and request.method != b"HEAD":  # HEAD: the headers only, as for GET
                writer.write(conn.send(h11.Data(data=body)) or b"")
            if not message.get("more_body", False):
                writer.write(conn.send(h11.EndOfMessage()) or b"")
            await writer.drain()

    try:
        await app(scope, receive, send)
    except Exception as exc:  # the app's own failure: a 500, not a dead server
        print(f"gateway: {type(exc).__name__}: {exc}", file=sys.stderr)
        if not response_started:
            writer.write(_simple(conn, 500, b"internal error"))
        return
    if conn.their_state is h11.SEND_BODY:
        # The app answered without reading the whole body: drain it so the
        # connection can serve the next request.
        done = (h11.EndOfMessage, h11.ConnectionClosed)
        while not isinstance(await _next_event(conn, reader), done):
            pass
