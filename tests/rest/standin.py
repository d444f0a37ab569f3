"""A STAND-IN HTTP server, for answers no real part of the local stack gives: a firewall's HTML
403, a proxy's 502 page, PostgREST's 503 PGRST002 while its schema cache loads, an app's HTML
home page, a host that accepts and never answers, a stub that answers 200 [] to everything (the
shape of a present table, without PostgREST's signature). Anything it is not told to fake it
forwards to the real API with PostgREST's own headers, so the other tables get PostgREST's own
answers."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (status, content type, body[, headers]) for a request path, or None to forward it to the
# real API.
Fake = Callable[[str], tuple[int, str, bytes] | tuple[int, str, bytes, dict[str, str]] | None]

HTML_PAGE = (200, "text/html; charset=utf-8",
             b"<!doctype html><html><head><title>My App</title></head><body>Welcome</body></html>")
FIREWALL_403 = (403, "text/html", b"<html><body><h1>403 Forbidden</h1>Request blocked by the "
                b"web application firewall</body></html>")
PROXY_502 = (502, "text/html", b"<html><head><title>502 Bad Gateway</title></head><body>"
             b"<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
# A stub answering every request as an empty, readable table: what a naive check takes for the
# Supabase API. It sends no Content-Range, and it answers a table that cannot exist too.
EMPTY_ARRAY = (200, "application/json; charset=utf-8", b"[]")
# The same stub copying PostgREST's headers as well: only the table that cannot exist tells.
EMPTY_ARRAY_WITH_HEADERS = (200, "application/json; charset=utf-8", b"[]",
                            {"Content-Range": "*/*", "Server": "postgrest/12.0.2"})
SCHEMA_CACHE_503 = (503, "application/json; charset=utf-8", json.dumps({
    "code": "PGRST002", "details": None, "hint": None,
    "message": "Could not query the database for the schema cache. Retrying."}).encode())


@contextlib.contextmanager
def standin(fake: Fake, upstream: str | None = None, *, silent: bool = False) -> Iterator[str]:
    """Serve on a free loopback port; yields its base URL. `silent`: accept, never answer."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if silent:
                release.wait(120)
                return
            faked = fake(self.path)
            answer = faked[:3] if faked is not None else None
            extra: dict[str, str] = faked[3] if faked is not None and len(faked) > 3 else {}
            if answer is None and upstream is not None:
                answer, extra = self._forward(upstream)
            status, ctype, body = answer or (404, "text/plain", b"not here")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, base: str) -> tuple[tuple[int, str, bytes], dict[str, str]]:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() in ("apikey", "authorization", "accept", "prefer")}
            request = urllib.request.Request(base + self.path, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as resp:
                    return ((resp.status, resp.headers.get("content-type", ""), resp.read()),
                            _kept(resp.headers))
            except urllib.error.HTTPError as err:
                return (err.code, err.headers.get("content-type", ""), err.read()), \
                    _kept(err.headers)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def _kept(headers: Any) -> dict[str, str]:
    """PostgREST's own headers, passed on as the real gateway passes them."""
    return {k: v for k, v in headers.items() if k.lower() in ("content-range", "server")}


def table_of(path: str) -> str:
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
