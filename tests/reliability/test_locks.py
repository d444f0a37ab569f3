"""A migration that needs a lock the team holds gives up after lock_timeout, applies nothing,
and never keeps the team's queries on `agents` queued behind it for longer than that."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import admin
from tests.reliability.helpers import (
    db_state,
    record,
    session_cache,
    spawn,
    toolkit_backends,
    wait_for,
)
from toolkit.local import LocalStack

MARGIN_S = 1.5


@pytest.mark.parametrize("flag", [None, "1s"], ids=["default-4s", "lock-timeout-1s"])
def test_lock_held_on_agents(stack: LocalStack, db: str, flag: str | None) -> None:
    timeout_s = 1.0 if flag else 4.0
    args = ["apply", "--no-verify"] + (["--lock-timeout", flag] if flag else [])
    with admin(stack, db) as holder, admin(stack, db) as watcher, admin(stack, db) as team:
        # An uncommitted UPDATE holds ROW EXCLUSIVE on agents; CREATE TABLE ... REFERENCES
        # agents needs SHARE ROW EXCLUSIVE, which conflicts with it.
        holder.autocommit = False
        holder.execute("update public.agents set id = id")
        run = spawn(*args, env={"SUPABASE_DB_URL": db})
        wait_for(lambda: toolkit_backends(watcher, "wait_event_type = 'Lock'") == 1
                 or run.proc.poll() is not None, 60, "apply to queue for the lock")
        assert run.proc.poll() is None, run.finish()
        queued_at = time.monotonic()
        # A read is not blocked at all (ACCESS SHARE conflicts with neither lock) ...
        start = time.monotonic()
        team.execute("select count(*) from public.agents").fetchone()
        select_s = time.monotonic() - start
        # ... a write queues behind apply's request, and must not wait longer than its timeout.
        start = time.monotonic()
        team.execute("update public.agents set id = id where false")
        write_s = time.monotonic() - start
        code, out, err, _ = run.finish()
        gave_up_s = time.monotonic() - queued_at
        holder.rollback()
        assert db_state(watcher) == (0, 0)
    assert code == 1, out + err
    assert "lock" in out and "lock_timeout" in out and "nothing from" in out, out
    assert "Traceback" not in out + err
    assert select_s < MARGIN_S, select_s
    assert write_s < timeout_s + MARGIN_S, write_s
    assert gave_up_s < timeout_s + MARGIN_S, gave_up_s
    record(f"locks ({'--lock-timeout ' + flag if flag else 'default lock_timeout 4s'})",
           apply_gave_up_after_s=round(gave_up_s, 2),
           team_write_on_agents_waited_s=round(write_s, 2),
           team_select_on_agents_took_s=round(select_s, 3), tables_left=0, history_rows=0)


def test_second_apply_does_not_fail_on_lock_timeout(stack: LocalStack, db: str,
                                                    migrations_copy: Path) -> None:
    """lock_timeout bounds waits on the team's tables, not two applies waiting on each other:
    with a 1 s lock timeout and a 3 s migration, the second run still waits and succeeds."""
    from tests.reliability.helpers import slow_migrations

    slow_migrations(migrations_copy, 0.3)
    args = ("apply", "--no-verify", "--lock-timeout", "1s", "--migrations-dir",
            str(migrations_copy))
    first = spawn(*args, env={"SUPABASE_DB_URL": db})
    with admin(stack, db) as watcher:
        wait_for(lambda: toolkit_backends(watcher, "wait_event = 'PgSleep'") == 1, 60,
                 "the first apply to run its file")
        second = spawn(*args, env={"SUPABASE_DB_URL": db})
        assert first.finish()[0] == 0
        code, out, err, _ = second.finish()
        assert code == 0, out + err
        assert db_state(watcher) == (11, 1)


@pytest.mark.parametrize("command", ["check", "plan", "apply"])
def test_catalog_read_gives_up_on_an_exclusive_lock(stack: LocalStack, db: str,
                                                    command: str) -> None:
    """ACCESS EXCLUSIVE on agents blocks even the catalog read: every command gives up after
    the lock timeout, says who holds the lock, and changes nothing."""
    # The holder is the same role as toolkit's, so pg_stat_activity shows toolkit its query.
    with psycopg.connect(db) as holder, admin(stack, db) as watcher:
        holder.execute("lock table public.agents in access exclusive mode")
        holder_pid = holder.info.backend_pid
        run = spawn(command, env={"SUPABASE_DB_URL": db, "TOOLKIT_LOCK_TIMEOUT": "2s"})
        code, out, err, elapsed = run.finish(timeout=60)
        holder.rollback()
        assert db_state(watcher) == (0, 0)
    assert code == 1, out + err
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    # The live line (a plain one: stderr is not a terminal here), then the reason.
    waiting = f"waiting for a lock on public.agents held by pid {holder_pid} (idle in transaction"
    assert any(line.startswith(f"toolkit: {waiting}") for line in lines), err
    assert lines[-1].startswith(
        "toolkit: error: reading the database's catalog: gave up after"), err
    assert waiting in lines[-1] and "(--lock-timeout 2 s)" in lines[-1], err
    assert "lock table public.agents" in lines[-1], err
    waited = float(lines[-1].split("gave up after ")[1].split(" s")[0])
    assert 2 <= waited < 2 + 2, lines[-1]
    # Interpreter start-up, the migrations read and connecting come on top of the wait.
    assert elapsed < 2 + MARGIN_S + 2, elapsed
    record(f"locks (ACCESS EXCLUSIVE on agents, {command} --lock-timeout 2s)",
           waited_s=waited, whole_run_s=round(elapsed, 2), exit_code=code)


def test_a_file_cannot_lift_the_lock_timeout(stack: LocalStack, db: str,
                                             migrations_copy: Path) -> None:
    """`reset all` drops the lock timeout inside the file: the watchdog still gives up on the
    lock after --lock-timeout, from outside the session, and names who holds it."""
    for other in migrations_copy.glob("*.sql"):
        other.unlink()
    (migrations_copy / "20990101000000_waits.sql").write_text(
        "reset all;\nlock table public.agents in access exclusive mode;\n")
    with psycopg.connect(db) as holder, admin(stack, db) as watcher:
        # ROW EXCLUSIVE: the catalog read passes, the file's ACCESS EXCLUSIVE waits.
        holder.execute("update public.agents set id = id")
        run = spawn("apply", "--no-verify", "--lock-timeout", "2s", "--migrations-dir",
                    str(migrations_copy), env={"SUPABASE_DB_URL": db, **session_cache()})
        wait_for(lambda: toolkit_backends(watcher, "wait_event_type = 'Lock'") == 1
                 or run.proc.poll() is not None, 60, "apply to queue for the lock")
        queued_at = time.monotonic()
        code, out, err, _ = run.finish()
        gave_up_s = time.monotonic() - queued_at
        holder_pid = holder.info.backend_pid
        holder.rollback()
        assert db_state(watcher) == (0, 0)
    assert code == 1, out + err
    assert "for longer than lock_timeout (2000 ms) (waiting for a lock on public.agents held " \
        f"by pid {holder_pid} (idle in transaction" in out, out
    assert "nothing from 20990101000000_waits.sql was applied" in out, out
    assert gave_up_s < 2 + 2, gave_up_s
    record("locks (a file that runs `reset all` then waits on agents, --lock-timeout 2s)",
           apply_gave_up_after_s=round(gave_up_s, 2))


def test_lock_wait_live_line_on_a_terminal(stack: LocalStack, db: str) -> None:
    """At a terminal the wait is a live line redrawn in place, erased before the reason."""
    from tests.conftest import ROOT
    from tests.workflow.test_progress import _on_a_terminal

    with psycopg.connect(db) as holder:
        holder.execute("lock table public.agents in access exclusive mode")
        code, text = _on_a_terminal(["check"], {"SUPABASE_DB_URL": db,
                                                "TOOLKIT_LOCK_TIMEOUT": "2s"}, ROOT)
        pid = holder.info.backend_pid
    assert code == 1, text
    assert f"\r\x1b[K\x1b[2m…\x1b[0m waiting for a lock on public.agents held by pid {pid} " \
        "(idle in transaction for" in text, text
    assert "toolkit: waiting" not in text  # no plain line at a terminal
    last = text.rstrip().splitlines()[-1].removeprefix("\x1b[K")  # the live line erased first
    assert last.startswith("toolkit: error: reading the database's catalog: gave up after"), \
        text
