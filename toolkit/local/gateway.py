"""The API gateway of a local stack: what Kong does on Supabase, for `/rest/v1/*` only.

Runs as its own process (`python -m toolkit.local.gateway --config <json>`). With the `local`
extra installed (`pip install toolkit[local]`) it runs under hypercorn, which speaks HTTP/1.1
and HTTP/2 (h2c prior knowledge) on the same port; without it, under toolkit's own HTTP/1.1
server (toolkit.local.http1), which is all a Supabase client and `toolkit check` need.

The apikey rule: the key comes from the `apikey` header or query parameter; none -> 401
"No API key found in request"; unknown -> 401 "Invalid API key". Authorization: absent ->
`Bearer <JWT mapped from the apikey>`; a Bearer holding an opaque sb_ key -> the mapped JWT;
any other Bearer is passed through for PostgREST to judge.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

REST_PREFIX = "/rest/v1"
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "http2-settings",
    }
)


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
        path: str = scope["path"]
        if path == "/health" and scope["method"] in ("GET", "HEAD"):
            await _json(send, 200, {"status": "ok"})
            return
        if path != REST_PREFIX and not path.startswith(REST_PREFIX + "/"):
            await _json(send, 404, {"message": "no Route matched with those values"})
            return
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        preflight = scope["method"] == "OPTIONS" and any(
            k == "access-control-request-method" for k, _ in headers
        )
        apikey = next((v for k, v in headers if k == "apikey"), None)
        if apikey is None:
            apikey = next((v for k, v in query if k == "apikey"), None)
        if preflight:
            # CORS preflight carries no apikey (browsers never send it); Kong's cors plugin
            # answers before key-auth, here PostgREST's own CORS handling answers.
            apikey = next(iter(self.keys))
        if not apikey:
            await _json(send, 401, {"message": "No API key found in request"})
            return
        mapped = self.keys.get(apikey)
        if mapped is None:
            await _json(send, 401, {"message": "Invalid API key"})
            return

        forward = [(k, v) for k, v in headers if k not in HOP_BY_HOP and k != "authorization"]
        auth = next((v for k, v in headers if k == "authorization"), None)
        if auth is None:
            auth = f"Bearer {mapped}"
        else:
            token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
            if token is not None and token.startswith("sb_") and token in self.keys:
                auth = f"Bearer {self.keys[token]}"
        forward.append(("authorization", auth))
        # PostgREST would read an `apikey` query parameter as a column filter.
        qs = urlencode([(k, v) for k, v in query if k != "apikey"])
        url = self.upstream + (path[len(REST_PREFIX) :] or "/") + (f"?{qs}" if qs else "")
        body = await _read_body(receive)

        assert self.client is not None, "lifespan startup did not run"
        try:
            request = self.client.build_request(scope["method"], url, headers=forward, content=body)
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError:
            await _json(send, 502, {"message": "upstream (PostgREST) unavailable"})
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


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def serve(config: dict[str, Any]) -> None:
    app = Gateway(config["upstream"], config["keys"])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        from hypercorn.asyncio import serve as hypercorn_serve
        from hypercorn.config import Config
    except ImportError:
        from toolkit.local import http1

        print("gateway: HTTP/1.1 only (h2c needs the local extra: pip install toolkit[local])",
              file=sys.stderr, flush=True)
        await http1.serve(app, config["host"], config["port"], stop)
        return
    hc = Config()
    hc.bind = [f"{config['host']}:{config['port']}"]
    hc.accesslog = None
    # PostgREST's own Server header passes through; the Date header is hypercorn's.
    hc.include_server_header = False
    hc.errorlog = "-"
    hc.loglevel = "WARNING"
    await hypercorn_serve(app, hc, shutdown_trigger=stop.wait)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.local.gateway")
    parser.add_argument("--config", required=True, type=Path)
    args = parser.parse_args(argv)
    asyncio.run(serve(json.loads(args.config.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
