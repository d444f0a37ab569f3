"""The REST view: each table probed through the Supabase client's table API, all at once.

A probe is `GET /rest/v1/<table>?select=*&limit=0`, sent by postgrest-py (the library behind
`supabase.table()`), over one shared httpx client (HTTP/2 where the server offers it).
This module is imported only by commands that talk to REST, since the client is heavy.

HTTP versions: https negotiates HTTP/2 by ALPN, so every probe shares one connection. Plain
http uses HTTP/1.1 (up to one connection per probe) unless TOOLKIT_HTTP2=1, which speaks
HTTP/2 with prior knowledge (h2c) so the probes share one connection there too: the local
stack's gateway (hypercorn) accepts it, but not every plain-http server does (a gateway that
only speaks HTTP/1.1 fails every probe), hence opt-in. TOOLKIT_HTTP2=0 forces HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass

import httpx
from postgrest import AsyncPostgrestClient
from postgrest.exceptions import APIError

from toolkit.errors import ConnectError
from toolkit.redact import redact

MISSING_CODES = {"42P01", "PGRST205"}  # PostgREST 12.0 / 12.2+
GATEWAY_REJECTIONS = {"Invalid API key", "No API key found in request"}


@dataclass(frozen=True)
class Probe:
    table: str
    state: str  # present | missing | forbidden | unknown
    status: int | None
    detail: str


def http_versions(url: str) -> tuple[bool, bool]:
    """(http1, http2) for the client, by the scheme and TOOLKIT_HTTP2 (see the module doc)."""
    tls = url.startswith("https://")
    choice = os.environ.get("TOOLKIT_HTTP2", "").strip().lower()
    if choice in ("1", "true", "yes", "on"):
        return tls, True  # http: h2c prior knowledge; https: h2, HTTP/1.1 only as ALPN fallback
    if choice in ("0", "false", "no", "off"):
        return True, False
    return True, tls  # https: negotiated by ALPN, one connection for all probes


def _client(url: str, key: str, timeout_s: float, statuses: dict[str, int]) -> AsyncPostgrestClient:
    async def remember(response: httpx.Response) -> None:
        statuses[response.request.url.path.rsplit("/", 1)[-1]] = response.status_code

    http1, http2 = http_versions(url)
    tls = url.startswith("https://")
    http = httpx.AsyncClient(
        http1=http1,
        http2=http2,
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        event_hooks={"response": [remember]},
        # Plain http needs no TLS context (loading the CA bundle costs ~50 ms), and so must not
        # follow a redirect into https with one: a redirect is reported instead (_probe).
        verify=tls,
        follow_redirects=tls,
    )
    # The same headers supabase.create_client() sends.
    headers = {"apikey": key, "Authorization": f"Bearer {key}"}
    return AsyncPostgrestClient(f"{url}/rest/v1", headers=headers, http_client=http,
                                retry_enabled=False)


def classify(table: str, status: int | None, error: APIError | None) -> Probe:
    if error is None:
        return Probe(table, "present", status, "readable")
    code = error.code or ""
    message = error.message or ""
    if code in MISSING_CODES:
        return Probe(table, "missing", status, f"{code}: {message}")
    if code == "42501" or status == 403:
        return Probe(table, "forbidden", status,
                     f"exists, but this key's role may not read it ({code or status}: {message})")
    return Probe(table, "unknown", status, f"HTTP {status}: {code} {message}".strip())


def _rejection(probe_error: APIError, status: int | None) -> str | None:
    message = probe_error.message or ""
    if message in GATEWAY_REJECTIONS:
        return f"the API gateway answered {status} {message!r}: check SUPABASE_SERVICE_ROLE_KEY"
    if (probe_error.code or "").startswith("PGRST30"):
        return (f"the API refused the key ({probe_error.code}: {message}): it is expired, or "
                "belongs to another project")
    return None


async def _probe(client: AsyncPostgrestClient, table: str, statuses: dict[str, int]) -> Probe:
    try:
        await client.from_(table).select("*").limit(0).execute()
    except APIError as exc:
        status = statuses.get(table)
        if status is not None and 300 <= status < 400:
            raise ConnectError(f"SUPABASE_URL answers with a redirect (HTTP {status}): use the "
                               "https:// URL from Project Settings > API") from None
        rejected = _rejection(exc, status)
        if rejected:
            raise ConnectError(rejected) from None
        return classify(table, status, exc)
    return classify(table, statuses.get(table), None)


async def probe_async(url: str, key: str, tables: list[str], timeout_s: float) -> list[Probe]:
    statuses: dict[str, int] = {}
    client = _client(url, key, timeout_s, statuses)
    try:
        return list(await asyncio.gather(*(_probe(client, t, statuses) for t in tables)))
    except httpx.TimeoutException:
        raise ConnectError(
            f"SUPABASE_URL {url} did not answer within {timeout_s:g}s (--connect-timeout)"
        ) from None
    except httpx.HTTPError as exc:
        raise ConnectError(
            f"cannot reach SUPABASE_URL {url}: {redact(str(exc), [key]) or type(exc).__name__}"
        ) from None
    finally:
        await client.aclose()


def probe(url: str, key: str, tables: list[str], timeout_s: float = 10) -> list[Probe]:
    """Probe every table concurrently; a rejected key or unreachable URL is a ConnectError."""
    return asyncio.run(probe_async(url, key, tables, timeout_s))


def probe_until_present(url: str, key: str, tables: list[str], *, timeout_s: float = 10,
                        wait_s: float = 5.0) -> tuple[list[Probe], float, bool]:
    """Probe again while PostgREST's schema cache catches up with fresh DDL.

    Returns the last probes, the seconds waited and whether every table showed up in time.
    """
    start = time.monotonic()
    delay = 0.05
    results = {p.table: p for p in probe(url, key, tables, timeout_s)}
    while True:
        lagging = [t for t, p in results.items() if p.state == "missing"]
        waited = time.monotonic() - start
        if not lagging:
            return list(results.values()), waited, True
        if waited >= wait_s:
            return list(results.values()), waited, False
        time.sleep(min(delay, max(0.0, wait_s - waited)))
        delay = min(delay * 2, 1.0)
        for p in probe(url, key, lagging, timeout_s):
            results[p.table] = p


