"""The gateway's apikey rule, apart from any server: what Kong's key-auth does on Supabase.

The key comes from the `apikey` header or query parameter; none -> 401 "No API key found in
request"; unknown -> 401 "Invalid API key". Authorization: absent -> `Bearer <JWT mapped from
the apikey>`; a Bearer holding an opaque sb_ key -> the mapped JWT; any other Bearer is passed
through for PostgREST to judge. Only `/rest/v1` and `/health` are routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

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
NO_ROUTE = {"message": "no Route matched with those values"}
NO_KEY = {"message": "No API key found in request"}
BAD_KEY = {"message": "Invalid API key"}
UPSTREAM_DOWN = {"message": "upstream (PostgREST) unavailable"}
HEALTHY = {"status": "ok"}


@dataclass(frozen=True)
class Answer:
    """The gateway answers itself (a JSON body)."""

    status: int
    body: dict[str, str]


@dataclass(frozen=True)
class Forward:
    """Send upstream: the target (PostgREST's path and query) and the headers to send."""

    target: str
    headers: list[tuple[str, str]]


def route(method: str, target: str, headers: list[tuple[str, str]],
          keys: dict[str, str]) -> Answer | Forward:
    """Judge one request. `target` is the raw request target (path and query, still
    percent-encoded); `headers` have lower-case names."""
    path, _, query = target.partition("?")
    if path == "/health" and method in ("GET", "HEAD"):
        return Answer(200, HEALTHY)
    if path != REST_PREFIX and not path.startswith(REST_PREFIX + "/"):
        return Answer(404, NO_ROUTE)
    params = query.split("&") if query else []
    apikey = next((v for k, v in headers if k == "apikey"), None)
    if apikey is None:
        apikey = next((unquote_plus(p.partition("=")[2]) for p in params if _is_apikey(p)),
                      None)
    if method == "OPTIONS" and any(k == "access-control-request-method" for k, _ in headers):
        # CORS preflight carries no apikey (browsers never send it); Kong's cors plugin
        # answers before key-auth, here PostgREST's own CORS handling answers.
        apikey = next(iter(keys))
    if not apikey:
        return Answer(401, NO_KEY)
    mapped = keys.get(apikey)
    if mapped is None:
        return Answer(401, BAD_KEY)
    forward = [(k, v) for k, v in headers if k not in HOP_BY_HOP and k != "authorization"]
    auth = next((v for k, v in headers if k == "authorization"), None)
    if auth is None:
        auth = f"Bearer {mapped}"
    else:
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        if token is not None and token.startswith("sb_") and token in keys:
            auth = f"Bearer {keys[token]}"
    forward.append(("authorization", auth))
    # PostgREST would read an `apikey` query parameter as a column filter; the rest of the
    # query goes on byte for byte.
    rest = "&".join(p for p in params if not _is_apikey(p))
    upstream = (path[len(REST_PREFIX):] or "/") + (f"?{rest}" if rest else "")
    return Forward(upstream, forward)


def _is_apikey(param: str) -> bool:
    return unquote_plus(param.partition("=")[0]) == "apikey"
