"""Shared pieces of the reliability tests: slowed migrations, spawned toolkit processes that
can be killed, and looking at the database from behind toolkit's back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from tests.conftest import NEW_TABLES, OUTPUT_LOG, ROOT

ROLLBACK_SQL = (ROOT / "supabase" / "rollbacks" / "20261126021500_agent_tables.sql").read_text()
PROGRESS_SEQ = "public.reliability_progress"
# Figures the reliability tests report (trials, faults, inputs), printed and written at the end.
FIGURES: dict[str, dict[str, Any]] = {}


def record(section: str, **figures: Any) -> None:
    FIGURES.setdefault(section, {}).update(figures)


def slow_migrations(directory: Path, pause_s: float, progress: bool = False) -> Path:
    """The migration file with `select pg_sleep(pause_s)` before every create table, so a
    fault lands inside the transaction; with `progress`, a nextval() on a sequence first (not
    transactional: it shows from outside that the file started running)."""
    path = next(directory.glob("*.sql"))
    text = path.read_text().replace(
        "create table if not exists", f"select pg_sleep({pause_s});\ncreate table if not exists")
    if progress:
        text = f"select nextval('{PROGRESS_SEQ}');\n{text}"
    path.write_text(text)
    return path


def session_cache() -> dict[str, str]:
    """The test session's own cache folder (its shadow template built once, in it), for runs
    that start an embedded shadow: the user's cache is shared with whatever else runs on the
    machine, whose toolkit version may replace the template while this one copies it."""
    from tests.conftest import SHADOW

    return {"TOOLKIT_CACHE_DIR": SHADOW["TOOLKIT_CACHE_DIR"]}


def child_env(env: dict[str, str] | None) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_", "PG"))}
    base["PYTHONUNBUFFERED"] = "1"
    base.update(env or {})
    return base


@dataclass
class Spawned:
    args: tuple[str, ...]
    proc: subprocess.Popen[str]
    started: float

    def signal(self, signum: int) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)

    def finish(self, timeout: float = 60) -> tuple[int, str, str, float]:
        """Exit code, stdout, stderr and seconds since start; the output goes to the log."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"toolkit {' '.join(self.args)} hung for {timeout}s") from None
        elapsed = time.monotonic() - self.started
        with OUTPUT_LOG.open("a", encoding="utf-8") as log:
            log.write(f"$ toolkit {' '.join(self.args)}\n{out}\n{err}\n")
        return self.proc.returncode, out, err, elapsed


def spawn(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Spawned:
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", *args], env=child_env(env),
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return Spawned(args, proc, time.monotonic())


def toolkit_backends(conn: psycopg.Connection[Any], where: str = "true") -> int:
    row = conn.execute(
        "select count(*) from pg_stat_activity where application_name = 'toolkit' "
        f"and datname = current_database() and pid <> pg_backend_pid() and ({where})"
    ).fetchone()
    assert row is not None
    return int(row[0])


def wait_for(predicate: Any, timeout: float, what: str, step: float = 0.01) -> float:
    """Poll until predicate() is true; the seconds it took."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)
    return time.monotonic() - start


def wait_backends_gone(conn: psycopg.Connection[Any], timeout: float = 15) -> None:
    """After a kill the server finishes the statement in hand before it notices the client is
    gone; only then is the outcome final."""
    wait_for(lambda: toolkit_backends(conn) == 0, timeout, "toolkit's backend to end")


def db_state(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    """(how many of the migration's tables exist, how many history rows)."""
    row = conn.execute("select count(*) from pg_class c join pg_namespace n on n.oid = "
                       "c.relnamespace where n.nspname = 'public' and c.relname = any(%s)",
                       [NEW_TABLES]).fetchone()
    assert row is not None
    tables = int(row[0])
    if conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                    ).fetchone() == (None,):
        return tables, 0
    hist = conn.execute("select count(*) from supabase_migrations.schema_migrations").fetchone()
    assert hist is not None
    return tables, int(hist[0])


def reset(conn: psycopg.Connection[Any]) -> None:
    """Undo an applied migration from behind toolkit's back (tables and history row)."""
    conn.execute(ROLLBACK_SQL.encode())
    if conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                    ).fetchone() != (None,):
        conn.execute("delete from supabase_migrations.schema_migrations")


def progress(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(f"select case when is_called then last_value else 0 end "
                       f"from {PROGRESS_SEQ}").fetchone()
    assert row is not None
    return int(row[0])


def one_line_error(stderr: str) -> str:
    """stderr must be exactly one `toolkit: error:` line, never a traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("toolkit: error: "), stderr
    return lines[0]


SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
