"""Shared fixtures: one real local Supabase stack per test session, a fresh database per test.

Everything here is real: PostgreSQL 15 shaped like Supabase, PostgREST 12 behind the /rest/v1
gateway, and toolkit run as a subprocess exactly as a user runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from toolkit.local import (
    ApiHandle,
    LocalStack,
    create_database,
    drop_database,
    serve_api,
    start,
    throwaway_state_dir,
)

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "supabase" / "migrations"
NEW_TABLES = [
    "agent_profiles", "agent_tasks", "agent_status", "agent_conversations", "agent_tools",
    "agent_permissions", "agent_logs", "agent_analytics", "approvals_queue", "approval_history",
    "agent_metrics",
]
ALL_TABLES = ["agents", *NEW_TABLES]
# One log per session (sessions of other checkouts may run at the same time on this machine);
# CI names a fixed path so that it can print the log when a job fails.
OUTPUT_LOG = Path(os.environ.get("TOOLKIT_TEST_OUTPUT_LOG")
                  or f"/tmp/toolkit-test-output-{os.getpid()}.log")
# Secrets a test used beyond the stack's own (bad passwords, foreign keys): the secret scan in
# tests/secrets looks for each of them in every output of the session.
SESSION_SECRETS: set[str] = set()
# What every toolkit run in the suite gets for its shadow database: what users get, the embedded
# server (a test about the URL shadow sets TOOLKIT_SHADOW_DB_URL itself, to SHADOW_URL), with a
# cache folder of the session's own, so no run depends on what an earlier session left in
# ~/.cache (the embedded template is built once per session, there).
SHADOW: dict[str, str] = {}
# The session stack's superuser URL, for the tests of the URL shadow.
SHADOW_URL: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "runs_last: reads what the other tests of the session left behind")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Every session starts a fresh output log, so the secret scan sees this session only."""
    OUTPUT_LOG.write_text("", encoding="utf-8")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked runs_last go after every other, whatever their file is called.

    The secret scan judges every output of the session, so it must come after all of them.
    It stays a test (it is selected, reported and fails like one) rather than a sessionfinish
    hook, and pytest's own ordering hook places it, instead of a folder name that happens to
    sort last. trylast: after any other plugin has reordered.
    """
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    with throwaway_state_dir("toolkit-test-") as state_dir:
        running = start(state_dir)
        SHADOW_URL["TOOLKIT_SHADOW_DB_URL"] = running.admin_url("postgres")
        SHADOW["TOOLKIT_CACHE_DIR"] = str(state_dir / "cache")
        yield running


@pytest.fixture
def db(stack: LocalStack) -> Iterator[str]:
    """A fresh Supabase-shaped database (roles, extensions.uuid-ossp, agents with rows)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = create_database(stack, name)
    try:
        yield url
    finally:
        drop_database(stack, name)


@pytest.fixture
def api(stack: LocalStack, db: str) -> Iterator[ApiHandle]:
    """PostgREST and the gateway in front of this test's own database."""
    dbname = db.rsplit("/", 1)[1].split("?")[0]
    with serve_api(stack, dbname) as handle:
        yield handle


def admin(stack: LocalStack, db_url: str) -> psycopg.Connection[Any]:
    """A superuser connection to a test database, for set-up and for looking behind toolkit."""
    dbname = db_url.rsplit("/", 1)[1].split("?")[0]
    return psycopg.connect(stack.admin_url(dbname), autocommit=True)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_toolkit(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
                timeout: float = 120, input: str | None = None, log: bool = True) -> Result:
    """Run `python -m toolkit` as a user would; every output is kept for the secret scan."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_"))}
    base["PYTHONUNBUFFERED"] = "1"
    base.update(SHADOW)
    base.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "toolkit", *args], env=base, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, input=input)
    if not log:  # `toolkit local env` prints the stack's keys: that is its job
        return Result(proc.returncode, proc.stdout, proc.stderr)
    with OUTPUT_LOG.open("a", encoding="utf-8") as out_log:
        out_log.write(f"$ toolkit {' '.join(args)}\n{proc.stdout}\n{proc.stderr}\n")
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def migrations_copy(tmp_path: Path) -> Path:
    """A writable copy of supabase/migrations for tests that add or break files."""
    target = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, target)
    return target
