"""Races decided under the advisory lock: two processes for real, made to overlap by a barrier
(this test holds the lock every writing run takes, so both have read the history before either
may write). Whatever order the lock grants them in, the outcome must be one a careful operator
accepts: one run wins, the other is refused, and the history never has a hole."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from tests.conftest import MIGRATIONS, ROOT, admin, run_toolkit
from tests.reliability.helpers import spawn, toolkit_backends, wait_for
from toolkit.db.history import LOCK_KEY
from toolkit.local import LocalStack

BASE = "20261126021500"


@contextmanager
def barrier(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """Hold the runs' advisory lock until the block ends."""
    conn.execute("select pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        conn.execute("select pg_advisory_unlock(%s)", [LOCK_KEY])


def _waiting(conn: psycopg.Connection[Any], n: int) -> None:
    wait_for(lambda: toolkit_backends(conn, "wait_event = 'advisory'") >= n, 90,
             f"{n} toolkit run(s) waiting for the advisory lock", step=0.05)


def _checkout(root: Path, name: str, extra: dict[str, str]) -> Path:
    """A project folder: the seed migration and its rollback, plus `extra` files."""
    migrations = root / name / "migrations"
    migrations.mkdir(parents=True)
    shutil.copy(MIGRATIONS / f"{BASE}_agent_tables.sql", migrations)
    rollbacks = root / name / "rollbacks"
    rollbacks.mkdir()
    shutil.copy(ROOT / "supabase" / "rollbacks" / f"{BASE}_agent_tables.sql", rollbacks)
    for file_name, sql in extra.items():
        (migrations / file_name).write_text(sql)
        (rollbacks / file_name).write_text(sql.replace("create table", "drop table")
                                           .split(" (")[0] + ";\n")
    return migrations


def _history(conn: psycopg.Connection[Any]) -> list[str]:
    return [r[0] for r in conn.execute(
        "select version from supabase_migrations.schema_migrations order by version")]


def test_two_checkouts_with_different_pending_files(stack: LocalStack, db: str,
                                                    tmp_path: Path) -> None:
    a = _checkout(tmp_path, "a", {"20261201000001_a.sql":
                                  "create table public.race_a (id bigint primary key);\n"})
    b = _checkout(tmp_path, "b", {"20261201000002_b.sql":
                                  "create table public.race_b (id bigint primary key);\n"})
    env = {"SUPABASE_DB_URL": db}
    with admin(stack, db) as conn:
        with barrier(conn):
            first = spawn("apply", "--json", "--no-verify", "--migrations-dir", str(a), env=env)
            _waiting(conn, 1)
            second = spawn("apply", "--json", "--no-verify", "--migrations-dir", str(b),
                           env=env)
            _waiting(conn, 2)
        results = [first.finish(120), second.finish(120)]
        history = _history(conn)
        tables = {r[0] for r in conn.execute(
            "select relname from pg_class where relname in ('race_a', 'race_b')")}
    codes = sorted(code for code, *_ in results)
    assert codes == [0, 1], results
    won = next(json.loads(out) for code, out, *_ in results if code == 0)
    lost_out, lost_err = next((out, err) for code, out, err, _ in results if code != 0)
    winner = "a" if won["applied"][-1]["version"] == "20261201000001" else "b"
    loser_version = "20261201000002" if winner == "a" else "20261201000001"
    winner_version = "20261201000001" if winner == "a" else "20261201000002"
    # The loser read the history before the winner wrote: only the lock's second look saw it.
    assert f"another run recorded {winner_version} while this one waited for the lock" \
        in lost_out + lost_err, lost_out + lost_err
    assert "this checkout has no file for it" in lost_out + lost_err
    assert history == [BASE, winner_version], history
    assert tables == {f"race_{winner}"}
    assert loser_version not in history


def test_rollback_racing_an_apply_never_leaves_a_hole(stack: LocalStack, db: str,
                                                      tmp_path: Path) -> None:
    newer = "20261201000003"
    migrations = _checkout(tmp_path, "c", {})
    env = {"SUPABASE_DB_URL": db}
    done = run_toolkit("apply", "--no-verify", "--migrations-dir", str(migrations), env=env)
    assert done.code == 0, done.output
    (migrations / f"{newer}_newer.sql").write_text(
        "create table public.race_newer (id bigint primary key);\n")
    (migrations.parent / "rollbacks" / f"{newer}_newer.sql").write_text(
        "drop table public.race_newer;\n")
    with admin(stack, db) as conn:
        with barrier(conn):
            applying = spawn("apply", "--json", "--no-verify", "--migrations-dir",
                             str(migrations), env=env)
            _waiting(conn, 1)
            # The rollback reads the history now: BASE is the newest applied migration.
            rolling = spawn("rollback", "--yes", "--json", "--migrations-dir", str(migrations),
                            env=env)
            _waiting(conn, 2)
        apply_code, apply_out, apply_err, _ = applying.finish(120)
        roll_code, roll_out, roll_err, _ = rolling.finish(120)
        history = _history(conn)
    assert sorted([apply_code, roll_code]) in ([0, 1], [0, 3]), (apply_out, apply_err,
                                                                 roll_out, roll_err)
    if apply_code == 0:  # the lock went to apply first: the rollback's target is stale
        assert history == [BASE, newer]
        assert roll_code == 3
        assert f"another run recorded {newer} while this rollback waited" in roll_err, roll_err
    else:  # the rollback went first: apply must not record a file on top of the hole
        assert history == []
        assert f"{BASE} left the history while this run waited" in apply_out + apply_err


def test_repair_waits_for_the_lock(stack: LocalStack, db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", "--no-verify", env=env).code == 0
    with admin(stack, db) as conn:
        with barrier(conn):
            repair = spawn("migration", "repair", BASE, "--status", "reverted", "--yes",
                           env=env)
            _waiting(conn, 1)  # a repair queues behind a run that holds the lock
            assert _history(conn) == [BASE]
        code, out, err, _ = repair.finish(60)
        assert code == 0, out + err
        assert _history(conn) == []


def test_checkouts_one_after_the_other(stack: LocalStack, db: str, tmp_path: Path) -> None:
    """No race at all: the second checkout lacks the first's file, or holds another version of
    it. Either way it is refused before any DDL."""
    a_sql = "create table public.race_a (id bigint primary key);\n"
    a = _checkout(tmp_path, "a", {"20261201000001_a.sql": a_sql})
    b = _checkout(tmp_path, "b", {"20261201000002_b.sql":
                                  "create table public.race_b (id bigint primary key);\n"})
    c = _checkout(tmp_path, "c", {"20261201000001_a.sql": a_sql.replace("bigint", "integer"),
                                  "20261201000003_c.sql":
                                  "create table public.race_c (id bigint primary key);\n"})
    env = {"SUPABASE_DB_URL": db}
    first = run_toolkit("apply", "--no-verify", "--migrations-dir", str(a), env=env)
    assert first.code == 0, first.output
    lacking = run_toolkit("apply", "--json", "--no-verify", "--migrations-dir", str(b), env=env)
    assert lacking.code == 1, lacking.output
    assert "Remote migration versions not found in local migrations directory: " \
        "20261201000001" in lacking.json["reason"]
    differing = run_toolkit("apply", "--json", "--no-verify", "--migrations-dir", str(c),
                            env=env)
    assert differing.code == 1, differing.output
    assert "20261201000001_a.sql differs from what the history records as applied" \
        in differing.json["reason"]
    with admin(stack, db) as conn:
        assert _history(conn) == [BASE, "20261201000001"]
        assert conn.execute("select count(*) from pg_class where relname in "
                            "('race_b', 'race_c')").fetchone() == (0,)
