"""Many REST probes through the real gateway: each probe's timeout runs from when it is sent,
so a project with hundreds of tables never gets a false "did not answer" from a short
--connect-timeout while its probes wait their turn."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.conftest import run_toolkit
from toolkit.local import ApiHandle

TABLES = 600


def test_hundreds_of_tables_with_a_short_connect_timeout(db: str, api: ApiHandle,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20300101000000_many.sql").write_text("".join(
        f"create table public.many_{i} (id bigint generated always as identity primary key);\n"
        for i in range(TABLES)))
    env = {"SUPABASE_DB_URL": db, "SUPABASE_URL": api.api_url,
           "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}
    applied = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder), env=env,
                          timeout=300)
    assert applied.code == 0, applied.output
    # PostgREST reloads its schema cache after the commit: wait for it, outside toolkit.
    headers = {"apikey": api.service_role_key,
               "Authorization": f"Bearer {api.service_role_key}"}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = httpx.get(f"{api.api_url}/rest/v1/many_{TABLES - 1}?limit=0", headers=headers)
        if answer.status_code == 200:
            break
        time.sleep(0.2)
    result = run_toolkit("check", "--json", "--connect-timeout", "2s", "--migrations-dir",
                         str(folder), env=env, timeout=300)
    assert "did not answer" not in result.output
    assert result.code == 0, result.output[-2000:]
    rest = [t["rest"] for t in result.json["tables"] if t["name"].startswith("many_")]
    assert rest == ["present"] * TABLES
