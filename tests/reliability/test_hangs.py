"""A database or REST endpoint that accepts connections and never answers: toolkit gives up
within its connect timeout, exit 2, one line."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import admin
from tests.reliability.helpers import (
    db_state,
    one_line_error,
    record,
    session_cache,
    spawn,
    wait_for,
)
from toolkit.local import LocalStack

MARGIN_S = 4.0  # interpreter start-up and imports on a busy 2-core runner


class Silent:
    """A TCP server on 127.0.0.1 that accepts every connection and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture(scope="module")
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


def _db(silent: Silent) -> str:
    return f"postgresql://postgres:hang-pw-4711@127.0.0.1:{silent.port}/postgres"


def test_silent_hosts_time_out(silent: Silent) -> None:
    rest = {"SUPABASE_URL": f"http://127.0.0.1:{silent.port}",
            "SUPABASE_SERVICE_ROLE_KEY": "sb_secret_hangtest0123456789"}
    # The default (10 s) runs alongside the quick cases.
    default = spawn("check", env={"SUPABASE_DB_URL": _db(silent)})
    default_result: list[tuple[int, str, str, float]] = []
    waiter = threading.Thread(target=lambda: default_result.append(default.finish()))
    waiter.start()
    cases = [
        ("check", ["--connect-timeout", "2s"], {"SUPABASE_DB_URL": _db(silent)}, "database"),
        ("plan", ["--connect-timeout", "2s"], {"SUPABASE_DB_URL": _db(silent)}, "database"),
        ("apply", [], {"SUPABASE_DB_URL": _db(silent), "TOOLKIT_CONNECT_TIMEOUT": "2s"},
         "database"),
        ("rollback", ["--yes", "--connect-timeout", "2"], {"SUPABASE_DB_URL": _db(silent)},
         "database"),
        ("check", ["--connect-timeout", "2s", "--json"], rest, "REST"),
        ("verify", [], {**rest, "TOOLKIT_CONNECT_TIMEOUT": "2s"}, "REST"),
    ]
    timings = {}
    for command, flags, env, what in cases:
        code, out, err, elapsed = spawn(command, *flags, env=env).finish()
        assert code == 2, (command, out, err)
        line = one_line_error(err)
        assert "within 2s" in line and "--connect-timeout" in line, line
        assert 2 <= elapsed < 2 + MARGIN_S, (command, elapsed)
        timings[f"{command} ({what}, 2s)"] = round(elapsed, 1)
    waiter.join()
    code, out, err, elapsed = default_result[0]
    assert code == 2, out + err
    assert "within 10s" in one_line_error(err)
    assert 10 <= elapsed < 10 + MARGIN_S, elapsed
    timings["check (database, default 10s)"] = round(elapsed, 1)
    record("hangs (silent server on 127.0.0.1)", cases=len(timings),
           **{f"{k} gave up after s": v for k, v in timings.items()})


def test_silent_api_stops_apply_before_any_ddl(silent: Silent, stack: LocalStack,
                                               db: str) -> None:
    """The API hangs: apply's one request before any DDL gives up within the connect timeout
    and nothing is applied, rather than committing and only then finding the API silent."""
    env = {"SUPABASE_DB_URL": db, "SUPABASE_URL": f"http://127.0.0.1:{silent.port}",
           "SUPABASE_SERVICE_ROLE_KEY": "sb_secret_hangtest0123456789"}
    code, out, err, elapsed = spawn("apply", "--json", "--connect-timeout", "2s",
                                    env=env).finish()
    assert code == 2, out + err
    assert json.loads(out)["error"].endswith("did not answer within 2s (--connect-timeout)")
    with admin(stack, db) as conn:
        assert db_state(conn) == (0, 0)
    assert elapsed < 2 + MARGIN_S + 2


def _one_file(directory: Path, text: str) -> Path:
    """The project's migrations plus one pending file of `text`."""
    path = directory / "20990101000000_waits.sql"
    path.write_text(text)
    return path


SLOW_ON_TARGET = ("select pg_sleep(case when current_database() like 't\\_%' then {s} else 0 "
                  "end);\n")


@pytest.mark.parametrize(("command", "lift"), [
    ("check", ""), ("plan", ""), ("apply", ""), ("check", "set statement_timeout = 0;\n")],
    ids=["check", "plan", "apply", "check-lifted"])
def test_shadow_replay_is_bounded_by_the_statement_timeout(stack: LocalStack, db: str,
                                                           migrations_copy: Path,
                                                           command: str, lift: str) -> None:
    """A file that sleeps for ten minutes on the shadow stops every command after
    --statement-timeout, one line, exit 1, before anything is applied; lifting the timeout
    in the file changes nothing: the watchdog cancels it from outside."""
    _one_file(migrations_copy, f"{lift}select pg_sleep(600);\n")
    code, out, err, elapsed = spawn(
        command, "--migrations-dir", str(migrations_copy),
        env={"SUPABASE_DB_URL": db, "TOOLKIT_STATEMENT_TIMEOUT": "3s", **session_cache()}
    ).finish(timeout=120)
    with admin(stack, db) as conn:
        assert db_state(conn) == (0, 0)
    assert code == 1, out + err
    line = one_line_error(err)
    assert "replaying 20990101000000_waits.sql on the shadow database: ran past " \
        "--statement-timeout 3 s" in line, line
    # The wait itself, as toolkit timed it from the file's start on the shadow ...
    waited = float(line.split("was cancelled after ")[1].split(" s")[0])
    assert 3 <= waited < 3 + 2, line
    # ... and the whole run: start-up and the shadow's start (or first template build) on top.
    assert elapsed < 3 + 2 + MARGIN_S + 4, elapsed
    first = f"runs `{lift.strip()}` then " if lift else ""
    record(f"hangs (a file that {first}sleeps 600 s on the shadow, --statement-timeout 3s)",
           **{f"{command} gave up after s (the wait; the whole run)":
              f"{waited}; {round(elapsed, 1)}"})


@pytest.mark.parametrize("lift", ["reset all;", "set statement_timeout = 0;",
                                  "set local statement_timeout = 0;"])
def test_a_file_cannot_lift_the_statement_timeout(stack: LocalStack, db: str,
                                                  migrations_copy: Path, lift: str) -> None:
    """The file switches the timeout off and sleeps 12 s on the target (not on the shadow):
    the watchdog cancels it from outside at the 3 s limit, reported as the timeout."""
    _one_file(migrations_copy, f"create table public.waits_probe (id int);\n{lift}\n"
              + SLOW_ON_TARGET.format(s=12))
    run = spawn("apply", "--no-verify", "--statement-timeout", "3s", "--migrations-dir",
                str(migrations_copy), env={"SUPABASE_DB_URL": db, **session_cache()})
    with admin(stack, db) as watcher:
        wait_for(lambda: watcher.execute(
            "select count(*) from pg_stat_activity where application_name = 'toolkit' "
            "and wait_event = 'PgSleep'").fetchone() == (1,) or run.proc.poll() is not None,
                 60, "the file to sleep on the target")
        sleeping_at = time.monotonic()
        code, out, err, _ = run.finish(timeout=60)
        gave_up_s = time.monotonic() - sleeping_at
        probe = watcher.execute("select to_regclass('public.waits_probe')").fetchone()
        assert probe == (None,), "the file's table was committed"
    assert code == 1, out + err
    assert "cancelled by statement_timeout (3000 ms) (enforced from outside the session" in out, \
        out
    assert "nothing from 20990101000000_waits.sql was applied" in out, out
    assert "Traceback" not in out + err
    # Counted from the moment the sleep was seen, so a little under the 3 s at most.
    assert gave_up_s < 3 + 2, gave_up_s
    record(f"hangs (a file that runs `{lift}` then sleeps 12 s, --statement-timeout 3s)",
           **{"apply gave up after s (from the sleep)": round(gave_up_s, 1)})


class PausingProxy:
    """A fault injector: a real TCP proxy in front of PostgreSQL that can stop forwarding in
    both directions while keeping every socket open, as a network that drops packets does
    (the kernel still acknowledges, so only a client-side limit notices)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = upstream_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.forwarding = threading.Event()
        self.forwarding.set()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            self.held += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                return
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            self.forwarding.wait()  # paused: hold the bytes, answer nothing
            try:
                dst.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self.forwarding.set()
        self.sock.close()
        for s in self.held:
            with contextlib.suppress(OSError):
                s.close()


def test_silent_network_mid_apply(stack: LocalStack, db: str, migrations_copy: Path) -> None:
    """The network goes silent while the file runs: apply gives up within the statement
    timeout plus its cancel wait, exit 2, one line, and nothing is committed."""
    from urllib.parse import urlsplit

    _one_file(migrations_copy, "create table public.waits_probe (id int);\n"
              + SLOW_ON_TARGET.format(s=1))
    parts = urlsplit(db)
    proxy = PausingProxy(parts.port or 5432)
    try:
        url = db.replace(f":{parts.port}/", f":{proxy.port}/", 1)
        run = spawn("apply", "--no-verify", "--statement-timeout", "3s", "--migrations-dir",
                    str(migrations_copy), env={"SUPABASE_DB_URL": url, **session_cache()})
        with admin(stack, db) as watcher:
            wait_for(lambda: watcher.execute(
                "select count(*) from pg_stat_activity where application_name = 'toolkit' "
                "and wait_event = 'PgSleep'").fetchone() == (1,) or run.proc.poll() is not None,
                     60, "the file to run on the target")
            proxy.forwarding.clear()
            paused_at = time.monotonic()
            code, out, err, _ = run.finish(timeout=60)
            gave_up_s = time.monotonic() - paused_at
            proxy.close()  # the server sees the connection end and rolls back
            wait_for(lambda: watcher.execute(
                "select count(*) from pg_stat_activity where application_name = 'toolkit'"
            ).fetchone() == (0,), 30, "the server to notice")
            assert watcher.execute("select to_regclass('public.waits_probe')").fetchone() == \
                (None,)
    finally:
        proxy.close()
    assert code == 2, out + err
    line = one_line_error(err)
    assert "the database stopped answering" in line and "--statement-timeout 3 s" in line, line
    assert gave_up_s < 3 + 2, gave_up_s
    record("hangs (network silent mid-apply, paused proxy, --statement-timeout 3s)",
           **{"apply gave up after s (from the pause)": round(gave_up_s, 1)})
