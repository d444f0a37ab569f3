"""One probe round through either REST client, as toolkit's `check` sends it: which serves better?

    python bench/clients.py supabase|postgrest <SUPABASE_URL> <SERVICE_ROLE_KEY>

`supabase`: `await acreate_client(url, key)` then `.table(t).select("*").limit(0).execute()`;
`postgrest`: the client that `.table()` returns, built directly (what toolkit/rest.py does),
with the headers create_client sends. Both probe the 12 tables at once (asyncio.gather) with
their default HTTP settings. Prints one JSON line: import and probe-round milliseconds, tables
answered; exit 1 when a probe failed.
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


def load(which: str) -> Callable[[str, str], Awaitable[Any]]:
    """Import the client library and return a factory for a client with a .table() API."""
    if which == "supabase":
        from supabase import acreate_client

        return acreate_client
    if which == "postgrest":
        from postgrest import AsyncPostgrestClient

        async def direct(url: str, key: str) -> Any:
            headers = {"apikey": key, "Authorization": f"Bearer {key}"}
            return AsyncPostgrestClient(f"{url}/rest/v1", headers=headers)

        return direct
    raise SystemExit(f"unknown client {which!r}: supabase or postgrest")


async def probe_round(factory: Callable[[str, str], Awaitable[Any]], url: str, key: str) -> int:
    client = await factory(url, key)
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
