"""The gateway's HTTP/1.1 server: a byte-level reverse proxy in front of PostgREST.

Requests are parsed just far enough to apply the apikey rule (toolkit.local.keyrule) and
relayed over a pool of kept-alive connections to PostgREST; the answer's head is relayed as
PostgREST wrote it, less hop-by-hop headers, with the body read whole (Content-Length or
chunked) and sent with a Content-Length. No HTTP library sits on this path: each request costs
a few string operations, so the gateway keeps up with PostgREST (see docs/benchmarks-scale.md)
instead of costing several times its CPU per request.

A connection that opens with HTTP/2's preface (h2c with prior knowledge) is spliced byte for
byte to `h2_port`, where hypercorn serves the same rule over HTTP/2 (the `local` extra);
without it, such a connection gets a 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from email.utils import formatdate
from http import HTTPStatus

from toolkit.local.keyrule import HOP_BY_HOP, UPSTREAM_DOWN, Answer, route

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\n"
HEAD_LIMIT = 1 << 20  # the largest request or response head accepted
IDLE_MAX = 64  # kept-alive connections to PostgREST; more are closed after use
_NO_BODY = frozenset({204, 304})
_REASONS = {s.value: s.phrase for s in HTTPStatus}

Head = list[tuple[str, str]]


class BadRequest(Exception):
    """The client sent something that is not HTTP/1.x: answer 400 and close."""


async def _read_body(reader: asyncio.StreamReader, headers: Head) -> bytes:
    """The body of a message framed by Transfer-Encoding: chunked or Content-Length."""
    coding = next((v.lower() for k, v in headers if k == "transfer-encoding"), "")
    if "chunked" in coding:
        chunks: list[bytes] = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip() or b"x", 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers: dropped, as hop-by-hop
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = next((v for k, v in headers if k == "content-length"), None)
    return b"" if length is None else await reader.readexactly(int(length))


def _parse_head(data: bytes) -> tuple[list[str], Head]:
    lines = data[:-4].decode("latin-1").split("\r\n")
    headers: Head = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(f"bad header line {line[:40]!r}")
        headers.append((name.lower(), value.strip()))
    return lines[0].split(" ", 2), headers


class Upstream:
    """PostgREST at host:port, over kept-alive HTTP/1.1 connections."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.authority = f"{host}:{port}"
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def exchange(self, request: bytes, method: str) -> tuple[int, str, Head, bytes]:
        """Send one request; (status, reason, headers, body) of the answer."""
        while self.idle:
            conn = self.idle.pop()
            try:
                return await self._on(conn, request, method)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                # PostgREST closed a kept-alive connection while it was idle: nothing of the
                # answer arrived, so the request never ran; send it again on another.
                _close(conn[1])
                if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                    raise
        conn = await asyncio.open_connection(self.host, self.port, limit=HEAD_LIMIT)
        return await self._on(conn, request, method)

    async def _on(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                  request: bytes, method: str) -> tuple[int, str, Head, bytes]:
        reader, writer = conn
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        first, headers = _parse_head(head)
        status = int(first[1])
        keep = first[0] == "HTTP/1.1" and not any(
            k == "connection" and "close" in v.lower() for k, v in headers)
        if method == "HEAD" or status in _NO_BODY or status < 200:
            body = b""
        elif any(k in ("content-length", "transfer-encoding") for k, _ in headers):
            body = await _read_body(reader, headers)
        else:
            body, keep = await reader.read(-1), False  # delimited by the end of the connection
        if keep and len(self.idle) < IDLE_MAX:
            self.idle.append(conn)
        else:
            _close(writer)
        return status, first[2] if len(first) > 2 else "", headers, body

    def close(self) -> None:
        for _, writer in self.idle:
            _close(writer)
        self.idle.clear()


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()


def _response(status: int, reason: str, headers: Head, body: bytes, *, length: bool = True,
              close: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, '')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    if not any(k == "date" for k, _ in headers):
        lines.append(f"date: {formatdate(usegmt=True)}")
    if length:
        lines.append(f"content-length: {len(body)}")
    if close:
        lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _answer(answer: Answer, method: str, close: bool) -> bytes:
    data = json.dumps(answer.body).encode()
    out = _response(answer.status, "", [("content-type", "application/json")], data,
                    close=close)
    return out[: len(out) - len(data)] if method == "HEAD" else out


class Relay:
    """The HTTP/1.1 front of the gateway: `serve()` until `stop` is set."""

    def __init__(self, upstream: Upstream, keys: dict[str, str], h2_port: int | None) -> None:
        self.upstream = upstream
        self.keys = keys
        self.h2_port = h2_port

    async def serve(self, host: str, port: int, stop: asyncio.Event) -> None:
        server = await asyncio.start_server(self.connection, host, port, limit=HEAD_LIMIT)
        try:
            await stop.wait()
        finally:
            server.close()
            self.upstream.close()

    async def connection(self, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return  # the client closed the connection between requests
                if head == H2_PREFACE:
                    await self._h2(head, reader, writer)
                    return
                if not await self._exchange(head, reader, writer):
                    return
        except (BadRequest, ValueError, IndexError, asyncio.LimitOverrunError,
                asyncio.IncompleteReadError):
            writer.write(_response(400, "", [("content-type", "text/plain")], b"bad request",
                                   close=True))
        except ConnectionError:
            pass
        except Exception as exc:  # the gateway's own failure: a 500, not a dead server
            print(f"gateway: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            writer.write(_response(500, "", [("content-type", "text/plain")], b"internal error",
                                   close=True))
        finally:
            with contextlib.suppress(Exception):
                await writer.drain()
            _close(writer)

    async def _exchange(self, head: bytes, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> bool:
        """One request and its answer; whether the connection serves another."""
        first, headers = _parse_head(head)
        if len(first) != 3 or first[2] not in ("HTTP/1.1", "HTTP/1.0"):
            raise BadRequest(f"bad request line {first!r}")
        method, target, version = first
        tokens = ",".join(v.lower() for k, v in headers if k == "connection")
        close = "close" in tokens if version == "HTTP/1.1" else "keep-alive" not in tokens
        if any(k == "expect" and v.lower() == "100-continue" for k, v in headers):
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            headers = [(k, v) for k, v in headers if k != "expect"]
        body = await _read_body(reader, headers)
        decided = route(method, target, headers, self.keys)
        if isinstance(decided, Answer):
            writer.write(_answer(decided, method, close))
            await writer.drain()
            return not close
        lines = [f"{method} {decided.target} HTTP/1.1", f"host: {self.upstream.authority}"]
        lines += [f"{k}: {v}" for k, v in decided.headers]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"content-length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            status, reason, out, payload = await self.upstream.exchange(request, method)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                IndexError, BadRequest):
            writer.write(_answer(Answer(502, UPSTREAM_DOWN), method, close))
            await writer.drain()
            return not close
        kept = [(k, v) for k, v in out if k not in HOP_BY_HOP]
        if method == "HEAD":
            kept += [(k, v) for k, v in out if k == "content-length"]
        writer.write(_response(status, reason, kept, payload, length=method != "HEAD",
                               close=close))
        await writer.drain()
        return not close

    async def _h2(self, preface: bytes, reader: asyncio.StreamReader,
                  writer: asyncio.StreamWriter) -> None:
        if self.h2_port is None:
            raise BadRequest("HTTP/2 needs the local extra (hypercorn)")
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.h2_port)
        up_writer.write(preface)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(1 << 16):
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                _close(dst)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
