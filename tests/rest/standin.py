"""A STAND-IN HTTP server, for answers no real part of the local stack gives: a firewall's HTML
403, a proxy's 502 page, PostgREST's 503 PGRST002 while its schema cache loads, an app's HTML
home page, a host that accepts and never answers. Anything it is not told to fake it forwards
to the real API, so the other tables get PostgREST's own answers."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (status, content type, body) for a request path, or None to forward it to the real API.
Fake = Callable[[str], tuple[int, str, bytes] | None]

HTML_PAGE = (200, "text/html; charset=utf-8",
             b"<!doctype html><html><head><title>My App</title></head><body>Welcome</body></html>")
FIREWALL_403 = (403, "text/html", b"<html><body><h1>403 Forbidden</h1>Request blocked by the "
                b"web application firewall</body></html>")
PROXY_502 = (502, "text/html", b"<html><head><title>502 Bad Gateway</title></head><body>"
             b"<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
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
            answer = fake(self.path)
            if answer is None and upstream is not None:
                answer = self._forward(upstream)
            status, ctype, body = answer or (404, "text/plain", b"not here")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, base: str) -> tuple[int, str, bytes]:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() in ("apikey", "authorization", "accept", "prefer")}
            request = urllib.request.Request(base + self.path, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as resp:
                    return resp.status, resp.headers.get("content-type", ""), resp.read()
            except urllib.error.HTTPError as err:
                return err.code, err.headers.get("content-type", ""), err.read()

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


def table_of(path: str) -> str:
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
