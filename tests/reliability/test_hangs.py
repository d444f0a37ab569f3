"""A database or REST endpoint that accepts connections and never answers: toolkit gives up
within its connect timeout, exit 2, one line."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import admin
from tests.reliability.helpers import db_state, one_line_error, record, spawn
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
