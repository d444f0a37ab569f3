"""apply sends each file in one round trip, and a file cannot tear: a failing statement is
located, session state does not reach the next file, the server (not the parse) says whether the
transaction is still toolkit's, and text the server would read otherwise is refused."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tests.conftest import ROOT, admin, run_toolkit
from toolkit.local import LocalStack


def _proxy_class() -> Any:
    """The benchmark's counting proxy (bench/latency_proxy.py), here with no added delay."""
    spec = importlib.util.spec_from_file_location("latency_proxy", ROOT / "bench" /
                                                  "latency_proxy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["latency_proxy"] = module
    spec.loader.exec_module(module)
    return module.LatencyProxy


def _table_file(i: int) -> str:
    """A file as real histories have them: a table with a foreign key, a CHECK, an index, RLS
    and a policy; later files alter an earlier table."""
    alter = (f"alter table public.t_{i - 1} add column note_{i} text;\n" if i > 1 else "")
    return (f"create table public.t_{i} (\n"
            "    id uuid primary key default gen_random_uuid(),\n"
            "    agent_id uuid not null references public.agents (id) on delete cascade,\n"
            "    n integer not null check (n > 0)\n);\n"
            f"create index t_{i}_agent_id_idx on public.t_{i} (agent_id);\n"
            f"alter table public.t_{i} enable row level security;\n"
            f"create policy t_{i}_read on public.t_{i} for select to authenticated "
            "using (true);\n" + alter)


def _write_history(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, count + 1):
        (folder / f"2030010100{i:04d}_t_{i}.sql").write_text(_table_file(i))
    return folder


def _through(proxy: Any, url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit(":", 1)[0] + f":{proxy.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _history(stack: LocalStack, db: str) -> list[str]:
    with admin(stack, db) as conn:
        if conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                        ).fetchone() == (None,):
            return []
        return [r[0] for r in conn.execute(
            "select version from supabase_migrations.schema_migrations order by 1").fetchall()]


def _exists(stack: LocalStack, db: str, name: str) -> bool:
    with admin(stack, db) as conn:
        return conn.execute("select to_regclass(%s)", [name]).fetchone() != (None,)


def test_one_round_trip_per_file(stack: LocalStack, db: str, tmp_path: Path) -> None:
    """Round trips counted on the wire by the benchmark's proxy: 20 more files cost about 20
    more round trips, not the five a file of a BEGIN/setup/file/history/COMMIT sequence."""
    proxy = _proxy_class()("127.0.0.1", urlsplit(db).port, delay_s=0.0,
                           handshake_rtt=False).start()
    try:
        counts = {}
        for n in (1, 21):
            with admin(stack, db) as conn:  # the same database, emptied between the two runs
                conn.execute("drop table if exists " + ", ".join(
                    f"public.t_{i}" for i in range(1, 22)) + " cascade")
                conn.execute("drop schema if exists supabase_migrations cascade")
            folder = _write_history(tmp_path / f"m{n}", n)
            proxy.reset()
            result = run_toolkit("apply", "--no-verify", "--json", "--migrations-dir",
                                 str(folder), env={"SUPABASE_DB_URL": _through(proxy, db)})
            assert result.code == 0, result.output
            assert len(result.json["applied"]) == n
            counts[n] = proxy.snapshot().round_trips
        extra = counts[21] - counts[1]
        assert extra <= 20 + 4, counts  # one per file, a little slack for TCP segmentation
    finally:
        proxy.stop()


def test_failing_statement_in_the_pipeline_is_located(stack: LocalStack, db: str,
                                                       tmp_path: Path) -> None:
    """A statement that fails on the target only (agents has rows there, not on the shadow),
    in the middle of file 2 sent as one pipeline: located by file, line and column of its
    first word; file 1 stays applied and recorded, nothing of file 2 remains."""
    folder = _write_history(tmp_path / "m", 2)
    bad = folder / "20300101000002_t_2.sql"
    bad.write_text(bad.read_text() + "\n-- a comment before the statement\n  select 1 / (case "
                   "when exists (select 1 from public.agents) then 0 else 1 end);\n"
                   "create table public.after_error (id int);\n")
    lines = bad.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "1 / (" in text)
    result = run_toolkit("apply", "--no-verify", "--json", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 1, result.output
    problem = next(p for p in result.json["problems"] if p["level"] == "error")
    assert (problem["line"], problem["col"], problem["sqlstate"]) == (line, 3, "22012"), problem
    assert problem["file"].endswith(bad.name)
    assert [a["version"] for a in result.json["applied"]] == ["20300101000001"]
    assert _history(stack, db) == ["20300101000001"]
    assert not _exists(stack, db, "public.t_2") and not _exists(stack, db, "public.after_error")


def test_session_state_does_not_reach_the_next_file(stack: LocalStack, db: str,
                                                    tmp_path: Path) -> None:
    """A file that switches role and search path for the session: the next file runs as
    toolkit set it up, not as the previous file left the connection."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "20300101000001_session.sql").write_text(
        "create schema elsewhere;\nset search_path = elsewhere;\nset role anon;\n"
        "create temporary table probe_target (id int);\n")
    (folder / "20300101000002_table.sql").write_text(
        "create table probe_target (id int);\ninsert into probe_target values (1);\n"
        "create table who (name text default current_user);\ninsert into who default values;\n")
    result = run_toolkit("apply", "--no-verify", "--json", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 0, result.output
    assert _exists(stack, db, "public.probe_target") and _exists(stack, db, "public.who")
    assert not _exists(stack, db, "elsewhere.who")
    with admin(stack, db) as conn:
        owner = conn.execute("select tableowner from pg_tables where tablename = 'who'"
                             ).fetchone()
        rows = conn.execute("select (select count(*) from public.probe_target), "
                            "(select name from public.who)").fetchone()
    assert owner == ("postgres",)
    assert rows == (1, "postgres")  # not into file 1's temporary table, not as anon
    assert _history(stack, db) == ["20300101000001", "20300101000002"]


def test_hidden_commit_through_standard_conforming_strings_is_refused(
        stack: LocalStack, db: str, tmp_path: Path) -> None:
    """The issue's case: file 1 turns standard_conforming_strings off, so file 2's
    `select '\\' , ' ; commit; ...` would be a COMMIT to the server and a string to the
    parser. Refused before any DDL, located; nothing changes."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "20300101000001_off.sql").write_text(
        "create table public.first (id int);\n\nset standard_conforming_strings = off;\n")
    (folder / "20300101000002_hidden.sql").write_text(
        "create table public.torn_a (id int);\n"
        "select '\\' , ' ; commit; create table public.torn_b (id int); select 1/0; -- ';\n")
    for command in ("apply", "check"):
        result = run_toolkit(command, "--no-verify" if command == "apply" else "--json",
                             "--migrations-dir", str(folder), env={"SUPABASE_DB_URL": db})
        assert result.code == 1, result.output
        assert "20300101000001_off.sql:3:1: refusing" in result.stderr, result.output
        assert "standard_conforming_strings" in result.stderr
        assert "Traceback" not in result.output
    for name in ("public.first", "public.torn_a", "public.torn_b"):
        assert not _exists(stack, db, name)
    assert _history(stack, db) == []


def test_database_default_off_is_overridden(stack: LocalStack, db: str, tmp_path: Path) -> None:
    """standard_conforming_strings off as the database's default (not in any file): toolkit's
    own setting makes the server read file 2 as the parser did, one string, no COMMIT."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "20300101000001_hidden.sql").write_text(
        "create table public.torn_a (id int);\n"
        "select '\\' , ' ; commit; create table public.torn_b (id int); select 1/0; -- ';\n")
    dbname = urlsplit(db).path.strip("/")
    with admin(stack, db) as conn:
        conn.execute(f'alter database "{dbname}" set standard_conforming_strings = off')
    result = run_toolkit("apply", "--no-verify", "--json", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 0, result.output
    assert _exists(stack, db, "public.torn_a") and not _exists(stack, db, "public.torn_b")
    assert _history(stack, db) == ["20300101000001"]


def test_nul_byte_is_refused_located(stack: LocalStack, db: str, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "20300101000001_nul.sql").write_text(
        "create table public.before_nul (id int);\ncreate table public.x\0 (id int);\n"
        "create table public.after_nul (id int);\n")
    result = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 1, result.output
    assert "20300101000001_nul.sql:2:22: refusing" in result.stderr, result.output
    assert "NUL byte" in result.stderr and "Traceback" not in result.output
    assert not _exists(stack, db, "public.before_nul")
    assert _history(stack, db) == []


def test_server_checks_the_transaction_is_still_toolkits(stack: LocalStack, db: str,
                                                          tmp_path: Path) -> None:
    """A stand-in for a parser blind to a COMMIT (no real file can show it once the settings
    above hold): the plan's statements include one the parser would have called a SELECT. The
    server-side check stops before the history row, and the report says what stayed."""
    import psycopg

    from toolkit.commands.apply import _failed
    from toolkit.db.apply_file import FilePlan, Session
    from toolkit.db.catalog import inspect
    from toolkit.output.report import Report
    from toolkit.project.migrations import MigrationFile
    from toolkit.project.model import FileAnalysis, Statement
    from toolkit.settings import Settings

    sql = ("create table public.kept (id int);\ncommit;\n"
           "create table public.dropped (id int);\n")
    f = MigrationFile("20300101000001", "blind", tmp_path / "20300101000001_blind.sql", sql)
    offsets = [0, sql.index("commit"), sql.index("create table public.dropped")]
    ends = [sql.index(";"), sql.index(";", offsets[1]), len(sql) - 2]
    blind = FileAnalysis("20300101000001", "blind", str(f.path), f.digest, statements=[
        Statement(sql[o:e], o, "SelectStmt" if "commit" in sql[o:e] else "CreateStmt", e)
        for o, e in zip(offsets, ends, strict=True)], recorded=["..."])
    settings = Settings(db_url=db)
    with psycopg.connect(db, autocommit=True) as conn:
        conn.prepare_threshold = None
        before = inspect(conn)
        session = Session(conn, settings, before)
        plan = FilePlan(f, blind, ensure_history=True)
        outcome = session.transaction(plan, set())
        assert outcome.state == "ended"
        assert outcome.statement is not None and outcome.statement.offset == offsets[1]
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        report = Report("apply")
        _failed(report, plan, outcome, settings, conn, before, [])
    (error,) = report.errors
    assert error.line == 2 and error.col == 1  # the COMMIT the parser missed
    assert "committed without a history row (kept)" in error.message, error.message
    assert _exists(stack, db, "public.kept")  # committed by the file's own COMMIT
    assert not _exists(stack, db, "public.dropped")  # after it: rolled back by the check
    assert _history(stack, db) == []  # never recorded as applied
