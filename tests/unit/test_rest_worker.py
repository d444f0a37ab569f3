"""The REST probes' own process: when it is started early, and how its failures come back.

No service: the worker is a real child process; the faults are real (a killed process, a port
nothing listens on)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from toolkit.errors import ConnectError, ToolkitError
from toolkit.rest import worker

KEY = "sb_secret_" + "x" * 32


@pytest.mark.parametrize(("argv", "env", "expected"), [
    (["check"], {"SUPABASE_URL": "https://abc.supabase.co"}, True),
    (["verify", "--json"], {"SUPABASE_URL": "https://abc.supabase.co"}, True),
    (["check", "--supabase-url", "https://abc.supabase.co"], {}, True),
    (["check", "--supabase-url=https://abc.supabase.co"], {}, True),
    (["check"], {"SUPABASE_URL": " "}, False),  # empty: REST is not configured
    (["apply"], {"SUPABASE_URL": "https://abc.supabase.co"}, False),  # probes in-process
    (["check", "--help"], {"SUPABASE_URL": "https://abc.supabase.co"}, False),
    ([], {"SUPABASE_URL": "https://abc.supabase.co"}, False),
])
def test_prestart_guess(argv: list[str], env: dict[str, str], expected: bool,
                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env around
    assert worker._will_probe(argv, env) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("SUPABASE_URL=https://abc.supabase.co\n", True),
    ("export SUPABASE_URL='https://abc.supabase.co'\n", True),
    ("SUPABASE_URL=\nSUPABASE_DB_URL=postgresql://x\n", False),
    ("# SUPABASE_URL=https://abc.supabase.co\n", False),
])
def test_prestart_reads_the_env_file(text: str, expected: bool, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "supabase").mkdir()
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert worker._will_probe(["check"], {}) is expected
    other = tmp_path / "other.env"
    other.write_text(text, encoding="utf-8")
    (tmp_path / ".env").write_text("", encoding="utf-8")
    assert worker._will_probe(["check", "--env-file", str(other)], {}) is expected


def test_spawn_takes_the_prestarted_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "_early", None)
    worker.prestart(["check", "--supabase-url", "https://abc.supabase.co"])
    early = worker._early
    assert early is not None
    try:
        assert worker.spawn() is early
        assert worker._early is None
        fresh = worker.spawn()
        assert fresh is not early
        fresh.communicate(b"")  # an empty request: it leaves without a word
        assert fresh.returncode == 0
    finally:
        early.kill()
        early.wait()


def test_an_unreachable_url_is_the_workers_connect_error() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectError, match=f"127.0.0.1:{port}") as caught:
        worker.ask(worker.spawn(), f"http://127.0.0.1:{port}", KEY, ["agents"], 2)
    assert KEY not in str(caught.value)


def test_a_worker_that_dies_is_one_line() -> None:
    child = worker.spawn()
    child.kill()
    child.wait()
    with pytest.raises(ToolkitError, match=r"the REST probes' process ended with exit -9") \
            as caught:
        worker.ask(child, "http://127.0.0.1:1", KEY, ["agents"], 2)
    assert "\n" not in str(caught.value) and KEY not in str(caught.value)
