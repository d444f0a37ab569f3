"""The old check-schema.js, in Python: one REST probe per table, one after another.

    python bench/baseline_check.py <SUPABASE_URL> <SERVICE_ROLE_KEY>

Uses the Supabase client library exactly as the JS script used supabase-js:
`create_client(url, key).table(t).select("*").limit(1).execute()` for each table in turn.
Prints one line per table; exit 1 when any table fails.
"""

from __future__ import annotations

import sys

from clients import TABLES
from supabase import create_client


def main() -> int:
    url, key = sys.argv[1], sys.argv[2]
    client = create_client(url, key)
    failed = 0
    for table in TABLES:
        try:
            client.table(table).select("*").limit(1).execute()
            print(f"ok       {table}")
        except Exception as exc:
            failed += 1
            print(f"missing  {table}: {exc}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
