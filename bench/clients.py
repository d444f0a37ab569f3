"""One probe round, as toolkit's `check` sends it, through the Supabase client toolkit uses or
through plain postgrest-py: what does the Supabase client cost?

    python bench/clients.py supabase|postgrest <SUPABASE_URL> <SERVICE_ROLE_KEY>

`supabase` (toolkit's, toolkit/rest/client.py): `await acreate_client(url, key,
options=AsyncClientOptions(httpx_client=http, postgrest_client_retry=False))`, then
`.table(t).select("*").limit(0).execute()`; `postgrest`: postgrest-py's `AsyncPostgrestClient`
(the client that `.table()` wraps) built directly over the same httpx client with the headers
create_client sends. Both send the same 12 requests at once (asyncio.gather) over an identical
httpx client, so the difference is the Supabase client's import and construction (its auth,
storage, realtime and functions clients). Prints one JSON line: import and probe-round
milliseconds, tables answered; exit 1 when a probe failed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

# Here, not imported from baseline_check.py, which imports the Supabase client at its top.
TABLES = [
    "agents", "agent_profiles", "agent_tasks", "agent_status", "agent_conversations",
    "agent_tools", "agent_permissions", "agent_logs", "agent_analytics", "approvals_queue",
    "approval_history", "agent_metrics",
]


def load(which: str) -> Callable[[str, str, Any], Awaitable[Any]]:
    """Import the client library and return a factory for a client with a .table() API."""
    if which == "supabase":
        from supabase import AsyncClientOptions, acreate_client

        async def supabase(url: str, key: str, http: Any) -> Any:
            options = AsyncClientOptions(httpx_client=http, postgrest_client_retry=False,
                                         auto_refresh_token=False, persist_session=False)
            return await acreate_client(url, key, options=options)

        return supabase
    if which == "postgrest":
        from postgrest import AsyncPostgrestClient

        async def direct(url: str, key: str, http: Any) -> Any:
            headers = {"apikey": key, "Authorization": f"Bearer {key}"}
            return AsyncPostgrestClient(f"{url}/rest/v1", headers=headers, http_client=http,
                                        retry_enabled=False)

        return direct
    raise SystemExit(f"unknown client {which!r}: supabase or postgrest")


async def probe_round(factory: Callable[[str, str, Any], Awaitable[Any]], url: str,
                      key: str) -> int:
    import httpx  # already imported by either client library

    # toolkit's settings for plain http (toolkit/rest/client.py): HTTP/1.1, no TLS context.
    async with httpx.AsyncClient(timeout=httpx.Timeout(10), verify=False,
                                 limits=httpx.Limits(max_connections=16)) as http:
        client = await factory(url, key, http)
        results = await asyncio.gather(
            *(client.table(t).select("*").limit(0).execute() for t in TABLES),
            return_exceptions=True)
    return sum(not isinstance(r, BaseException) for r in results)


def main() -> int:
    which, url, key = sys.argv[1:4]
    began = time.perf_counter()
    factory = load(which)
    imported = time.perf_counter()
    answered = asyncio.run(probe_round(factory, url, key))
    done = time.perf_counter()
    print(json.dumps({"import_ms": (imported - began) * 1000, "probe_ms": (done - imported) * 1000,
                      "answered": answered}))
    return 0 if answered == len(TABLES) else 1


if __name__ == "__main__":
    sys.exit(main())
