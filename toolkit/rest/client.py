"""The REST view: each table probed through the Supabase client's table API, all at once.

A probe is `GET /rest/v1/<table>?select=*&limit=0`, sent by supabase-py's `.table()` (a
client from `acreate_client`), over one httpx client of toolkit's own that the Supabase client
is handed (HTTP/2 where the server offers it, and an event hook that keeps each raw answer).
This module is imported only by commands that talk to REST, since the client is heavy.

How many probes go at once, over which HTTP, is toolkit.rest.http's; the probes' process
begins their TCP connections there while it imports this module.

Only PostgREST's own answers count: a table is present on a 2xx JSON array, missing on
PostgREST's missing-table codes, forbidden on its 42501; anything else (an HTML page, a proxy's
502, a 503 while the schema cache loads) is unknown, retried a little, and never ok.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import re
import sys
import time
from dataclasses import dataclass

# httpcore tries `import sniffio` for every lock it makes (several per request); when it is not
# installed, each failed import scans sys.path (~0.5 ms). None in sys.modules fails it at once.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

import httpx
from postgrest import AsyncRequestBuilder
from postgrest.exceptions import APIError
from supabase import AsyncClient, AsyncClientOptions, AsyncSupabaseException, acreate_client

from toolkit.errors import ConnectError
from toolkit.redact import redact
from toolkit.rest.http import HTTP1_IN_FLIGHT, Opened, http_versions, in_flight
from toolkit.rest.pool import lean_transport
from toolkit.rest.probe import Probe

MISSING_CODES = {"42P01", "PGRST205"}  # PostgREST 12.0 / 12.2+
FORBIDDEN_CODE = "42501"
UNKNOWN_ROLE_CODE = "22023"  # the JWT's role is not a role of this database
GATEWAY_REJECTIONS = {"Invalid API key", "No API key found in request"}
RETRY_S = 2.0  # how long unknown answers are retried (a 503 while the schema cache loads)
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Answer:
    """What came back for one probe, captured before postgrest-py interprets it."""

    url: str
    status: int
    content_type: str
    body: bytes
    content_range: str = ""  # PostgREST sends one with every read of a table ("*/*")

    def data(self) -> object:
        """The JSON body, or None when it is not JSON."""
        if "json" not in self.content_type:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def postgrest_error(self) -> dict[str, object] | None:
        """PostgREST's error object ({code, message, details, hint}), if this is one."""
        data = self.data()
        if isinstance(data, dict) and isinstance(data.get("code"), str) and "message" in data:
            return data
        return None

    @property
    def from_postgrest(self) -> bool:
        return (200 <= self.status < 300 and isinstance(self.data(), list)) or \
            self.postgrest_error() is not None

    def describe(self) -> str:
        """'text/html 200 from <url>: first words', for an answer that is not PostgREST's."""
        kind = self.content_type.split(";", 1)[0].strip() or "no content type"
        error = self.postgrest_error()
        if error is not None:
            words = f"{error['code']}: {error.get('message') or ''}"
        else:
            text = self.body[:600].decode("utf-8", "replace")
            words = " ".join(_TAGS.sub(" ", text).split())
        words = words[:80] + ("..." if len(words) > 80 else "")
        return f"{kind} {self.status} from {self.url}" + (f": {words}" if words else "")


@dataclass(frozen=True)
class RestClient:
    """The Supabase client, and the httpx client it sends through (toolkit's to close)."""

    supabase: AsyncClient
    http: httpx.AsyncClient

    def table(self, name: str) -> AsyncRequestBuilder:
        return self.supabase.table(name)

    async def aclose(self) -> None:
        await self.http.aclose()


async def _client(url: str, key: str, timeout_s: float, answers: dict[str, Answer],
                  opened: Opened | None = None) -> RestClient:
    async def remember(response: httpx.Response) -> None:
        body = await response.aread()
        answers[response.request.url.path.rsplit("/", 1)[-1]] = Answer(
            str(response.request.url.copy_with(query=None)), response.status_code,
            response.headers.get("content-type", ""), body[:4096],
            response.headers.get("content-range", ""))

    http1, http2 = http_versions(url)
    tls = url.startswith("https://")
    http = httpx.AsyncClient(
        http1=http1,
        http2=http2,
        # Counted from when a probe is sent: it never waits for a connection (see in_flight).
        timeout=httpx.Timeout(timeout_s, pool=None),
        limits=httpx.Limits(max_connections=HTTP1_IN_FLIGHT,
                            max_keepalive_connections=HTTP1_IN_FLIGHT),
        event_hooks={"response": [remember]},
        # Plain http needs no TLS context (loading the CA bundle costs ~50 ms), and so must not
        # follow a redirect into https with one: a redirect is reported instead (_probe).
        verify=tls,
        follow_redirects=tls,
        # Plain HTTP/1.1: a pool whose checkout does not walk every connection (rest/pool.py).
        transport=None if tls or http2 else lean_transport(opened=opened),
    )
    # The Supabase client sends its usual headers (apikey, Authorization: Bearer, X-Client-Info)
    # through `http`; its own retry is off, since unknown answers are retried here (bounded).
    options = AsyncClientOptions(httpx_client=http, postgrest_client_retry=False,
                                 auto_refresh_token=False, persist_session=False)
    try:
        return RestClient(await acreate_client(url, key, options=options), http)
    except AsyncSupabaseException as exc:
        await http.aclose()
        raise ConnectError(f"SUPABASE_URL {url}: {redact(exc.message, [key])}") from None
    except BaseException:
        await http.aclose()
        raise


def classify(table: str, answer: Answer | None) -> Probe:
    """Judge one answer; only PostgREST's own answers say present, missing or forbidden."""
    if answer is None:
        return Probe(table, "unknown", None, "no answer", from_postgrest=False)
    if 200 <= answer.status < 300 and isinstance(answer.data(), list):
        if not answer.content_range:
            # A JSON array alone is what any server can say; PostgREST also says how many.
            return Probe(table, "unknown", answer.status,
                         f"not a PostgREST answer: {answer.describe()} without PostgREST's "
                         "Content-Range header", from_postgrest=False)
        return Probe(table, "present", answer.status, "readable")
    error = answer.postgrest_error()
    code = str(error["code"]) if error else ""
    message = str(error.get("message") or "") if error else ""
    if code in MISSING_CODES:
        return Probe(table, "missing", answer.status, f"{code}: {message}")
    if code == FORBIDDEN_CODE:
        return Probe(table, "forbidden", answer.status,
                     f"exists, but this key's role may not read it ({code}: {message})")
    return Probe(table, "unknown", answer.status, f"not a PostgREST answer: {answer.describe()}"
                 if error is None else f"HTTP {answer.status} {code}: {message}",
                 from_postgrest=error is not None)


def _rejection(answer: Answer | None) -> str | None:
    """Answers that condemn the key or the URL as a whole: one line, exit 2."""
    if answer is None:
        return None
    if 300 <= answer.status < 400:
        return (f"SUPABASE_URL answers with a redirect (HTTP {answer.status}): use the "
                "https:// URL from Project Settings > API")
    data = answer.data()
    message = str(data.get("message") or "") if isinstance(data, dict) else ""
    code = str(data.get("code") or "") if isinstance(data, dict) else ""
    if message in GATEWAY_REJECTIONS:
        return (f"the API gateway answered {answer.status} {message!r}: check "
                "SUPABASE_SERVICE_ROLE_KEY")
    if code.startswith("PGRST30"):
        return (f"the API refused the key ({code}: {message}): it is expired, or belongs to "
                "another project")
    if code == UNKNOWN_ROLE_CODE:
        return (f"the API does not know the role of SUPABASE_SERVICE_ROLE_KEY ({code}: "
                f"{message}): this database lacks Supabase's API roles, or the key was made for "
                "another project")
    return None


async def _probe(client: RestClient, table: str, answers: dict[str, Answer]) -> Probe:
    # Judged from the captured answer, not from what the client made of it.
    with contextlib.suppress(APIError, ValueError, TypeError, KeyError):
        await client.table(table).select("*").limit(0).execute()
    answer = answers.get(table)
    rejected = _rejection(answer)
    if rejected:
        raise ConnectError(rejected)
    return classify(table, answer)


async def probe_async(url: str, key: str, tables: list[str], timeout_s: float,
                      opened: Opened | None = None) -> list[Probe]:
    """One round: every table, `in_flight(url)` at a time, each timed from when it is sent;
    `opened`: connections whose handshake began already (toolkit.rest.http.begin)."""
    answers: dict[str, Answer] = {}
    client = await _client(url, key, timeout_s, answers, opened)
    gate = asyncio.Semaphore(in_flight(url))

    async def bounded(table: str) -> Probe:
        async with gate:
            try:
                return await _probe(client, table, answers)
            except httpx.RemoteProtocolError:  # a kept-alive connection the server closed
                return await _probe(client, table, answers)  # as it was reused: once more

    try:
        return list(await asyncio.gather(*(bounded(t) for t in tables)))
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


# A table no project has: PostgREST must answer it as missing, in its own words. A server that
# answers rows for it (an HTTP stub answering 200 [] to everything) is not the Supabase API,
# whatever it says for the real tables.
SIGNATURE_TABLE = "toolkit_signature_no_such_table"


def _signed(found: Probe) -> None:
    if found.state == "missing" and found.from_postgrest:
        return
    if found.from_postgrest and found.status == 503:
        return  # PostgREST itself, its schema cache still loading: the tables stay unknown
    said = ("rows (HTTP 200), as if it existed" if found.state == "present"
            else found.detail.removeprefix("not a PostgREST answer: "))
    raise ConnectError(
        f"SUPABASE_URL does not answer as PostgREST: a table that cannot exist "
        f"({SIGNATURE_TABLE}) answered {said}; some other server (a stand-in, a proxy, a "
        "mock) is answering, so no REST answer can be trusted (use https://<project-ref>"
        ".supabase.co from Project Settings > API)")


def _not_the_api(probes: list[Probe]) -> None:
    """No PostgREST answer at all: the URL is not the Supabase API (exit 2)."""
    if probes and not any(p.from_postgrest for p in probes):
        first = probes[0].detail.removeprefix("not a PostgREST answer: ")
        raise ConnectError(f"SUPABASE_URL does not answer as the Supabase API: {first} (use "
                           "https://<project-ref>.supabase.co from Project Settings > API)")


def probe_settled(url: str, key: str, tables: list[str], *, timeout_s: float = 10,
                  wait_s: float = RETRY_S,
                  retry_missing: bool = False, opened: Opened | None = None
                  ) -> tuple[list[Probe], float, bool]:
    """Probe, then probe again (bounded by `wait_s`) the tables whose answer was unknown, and
    the missing ones with `retry_missing` (PostgREST's schema cache catching up with fresh DDL).

    Returns the last probes, the seconds waited and whether nothing was left to retry.
    """
    start = time.monotonic()
    delay = 0.05
    retried = {"unknown", "missing"} if retry_missing else {"unknown"}
    first = asyncio.run(probe_async(url, key, [*tables, SIGNATURE_TABLE], timeout_s, opened))
    _not_the_api(first)
    _signed(first.pop())
    results = {p.table: p for p in first}
    while True:
        lagging = [t for t, p in results.items() if p.state in retried]
        waited = time.monotonic() - start
        if not lagging or waited >= wait_s:
            probes = list(results.values())
            _not_the_api(probes)
            return probes, waited, not lagging
        time.sleep(min(delay, max(0.0, wait_s - waited)))
        delay = min(delay * 2, 1.0)
        for p in asyncio.run(probe_async(url, key, lagging, timeout_s)):
            results[p.table] = p


def probe(url: str, key: str, tables: list[str], timeout_s: float = 10,
          opened: Opened | None = None) -> list[Probe]:
    """Probe every table concurrently, unknown answers retried for a moment; a rejected key, an
    unreachable URL or a URL that is not the API is a ConnectError. `opened`: connections begun
    before this module was imported (toolkit.rest.http.begin)."""
    return probe_settled(url, key, tables, timeout_s=timeout_s, opened=opened)[0]


def probe_until_present(url: str, key: str, tables: list[str], *, timeout_s: float = 10,
                        wait_s: float = 5.0) -> tuple[list[Probe], float, bool]:
    """After DDL: retry missing and unknown tables while PostgREST's schema cache catches up."""
    return probe_settled(url, key, tables, timeout_s=timeout_s, wait_s=wait_s,
                         retry_missing=True)


def preflight(url: str, key: str, table: str, timeout_s: float = 10) -> None:
    """One cheap request before any DDL: the key is accepted and PostgREST itself answers."""
    found = probe(url, key, [table], timeout_s)[0]
    if found.state == "unknown":
        raise ConnectError(f"refusing to apply: the API does not give a usable answer for "
                           f"{table} ({found.detail}); nothing was changed")
