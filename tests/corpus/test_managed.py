"""A history that calls Supabase's managed extensions (vector with an hnsw index, pg_net,
supabase_vault, pgmq, pg_cron): the default shadow replays it with stand-ins where this machine
has no real extension, judges everything else it creates, and says once which extensions it
stood in for; the target's own truth (an extension it lacks) still stops apply, naming it."""

from __future__ import annotations

import pytest

from tests.conftest import run_toolkit
from tests.corpus.projects import migration_files, migrations_dir, psql_apply
from toolkit.local import LocalStack

PROJECT = "managed-extensions"
TABLES = {"documents", "webhook_log"}


def test_the_shadow_replays_it_and_judges_the_rest(db: str) -> None:
    folder = str(migrations_dir(PROJECT))
    checked = run_toolkit("check", "--json", "--migrations-dir", folder,
                          env={"SUPABASE_DB_URL": db})
    doc = checked.json
    assert doc["shadow"]["origin"].startswith("embedded PostgreSQL"), doc["shadow"]
    states = {t["name"]: t["database"] for t in doc["tables"] if t["name"] in TABLES}
    # Judged (missing: nothing is applied yet), not "unknown": the stand-ins let them replay.
    assert states == {"documents": "missing", "webhook_log": "missing"}, checked.output
    # What the extensions make (pgmq's queue tables, vault's secrets) is theirs, not the
    # project's: never a row.
    assert {t["name"] for t in doc["tables"]} == TABLES, checked.output
    messages = [p["message"] for p in doc["problems"]]
    assert not [p for p in doc["problems"] if p["kind"] == "shadow"], messages
    stood = [m for m in messages if "stood in for" in m]
    assert len(stood) == 1, messages
    for name in ("vector", "pg_net", "supabase_vault", "pgmq"):
        assert stood[0].count(name) == 1, stood[0]  # each named once
    assert "exist only on Supabase's image" in stood[0] and "install" not in stood[0]
    assert not [m for m in messages if "cannot be judged" in m], messages


def test_the_target_lacking_an_extension_stops_apply_naming_it(stack: LocalStack, db: str,
                                                               psql_db: str) -> None:
    applied = run_toolkit("apply", "--migrations-dir", str(migrations_dir(PROJECT)),
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 1, applied.output
    assert "vector" in applied.output and "20250601080000_extensions.sql" in applied.output
    # psql on the same server stops at the same file, for the same reason.
    with pytest.raises(AssertionError, match=r'extension "vector" is not available'):
        psql_apply(stack.db_url(psql_db), migration_files(PROJECT))
