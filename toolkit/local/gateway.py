"""The API gateway of a local stack: what Kong does on Supabase, for `/rest/v1/*` only.

Runs as its own process (`python -m toolkit.local.gateway --config <json>`). HTTP/1.1 is served
by toolkit.local.relay, a byte-level reverse proxy that costs a small part of PostgREST's own
time per request. With the `local` extra installed (`pip install toolkit[local]`), hypercorn
serves HTTP/2 (h2c, prior knowledge) on the same port: the relay hands it such connections.
The apikey rule both apply is toolkit.local.keyrule.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx

from toolkit.local.keyrule import HOP_BY_HOP, UPSTREAM_DOWN, Answer, route
from toolkit.local.relay import Relay, Upstream

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

class Gateway:
    """ASGI app. `keys` maps every accepted apikey to the JWT forwarded for it."""

    def __init__(self, upstream: str, keys: dict[str, str]) -> None:
        self.upstream = upstream.rstrip("/")
        self.keys = keys
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.client is not None:
                    await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        raw = scope.get("raw_path") or scope["path"].encode()
        query = scope["query_string"].decode("latin-1")
        target = raw.decode("latin-1") + (f"?{query}" if query else "")
        decided = route(scope["method"], target, headers, self.keys)
        if isinstance(decided, Answer):
            await _json(send, decided.status, decided.body)
            return
        body = await _read_body(receive)
        assert self.client is not None, "lifespan startup did not run"
        try:
            request = self.client.build_request(scope["method"], self.upstream + decided.target,
                                                headers=decided.headers, content=body)
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError:
            await _json(send, 502, UPSTREAM_DOWN)
            return
        try:
            # Raw bytes: keep any content-encoding exactly as PostgREST sent it.
            payload = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        out = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in response.headers.multi_items()
            if k.lower() not in HOP_BY_HOP and k.lower() != "date"
        ]
        out.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": response.status_code, "headers": out})
        await send({"type": "http.response.body", "body": payload})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _json(send: Send, status: int, body: dict[str, str]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def serve(config: dict[str, Any]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    upstream = config["upstream"].removeprefix("http://").rstrip("/")
    host, _, port = upstream.rpartition(":")
    try:
        from hypercorn.asyncio import serve as hypercorn_serve
        from hypercorn.config import Config
    except ImportError:
        print("gateway: HTTP/1.1 only (h2c needs the local extra: pip install toolkit[local])",
              file=sys.stderr, flush=True)
        relay = Relay(Upstream(host, int(port)), config["keys"], None)
        await relay.serve(config["host"], config["port"], stop)
        return
    # hypercorn serves HTTP/2 on a loopback socket of its own, the relay splices h2c to it.
    inner = socket.create_server(("127.0.0.1", 0))
    app = Gateway(config["upstream"], config["keys"])
    hc = Config()
    hc.bind = [f"fd://{inner.fileno()}"]
    hc.accesslog = None
    # PostgREST's own Server header passes through; the Date header is hypercorn's.
    hc.include_server_header = False
    hc.errorlog = "-"
    hc.loglevel = "WARNING"
    relay = Relay(Upstream(host, int(port)), config["keys"], inner.getsockname()[1])
    try:
        await asyncio.gather(
            hypercorn_serve(app, hc, shutdown_trigger=stop.wait),  # type: ignore[arg-type]
            relay.serve(config["host"], config["port"], stop))
    finally:
        inner.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.local.gateway")
    parser.add_argument("--config", required=True, type=Path)
    args = parser.parse_args(argv)
    asyncio.run(serve(json.loads(args.config.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
