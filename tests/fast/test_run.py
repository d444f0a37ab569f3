"""The run's last step in-process: a finished report printed in every format the run speaks
(text, JSON, GitHub's annotations, summary, outputs and report file) from one outcome, computed
once, whose code is the exit code; and the error path's codes (2, 4). The process exit itself
(os._exit, which would end pytest) is the one stand-in: `_leave` records the code instead."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fast.catalogs import judged, target
from toolkit.cli import run as runner
from toolkit.errors import ConfigError, Declined, ExitCode
from toolkit.judge import outcome as outcome_module
from toolkit.output.report import Report
from toolkit.settings import Settings, load_settings

ROAD = "agent-road"


class Left(Exception):
    """The run left with this code (os._exit, recorded)."""

    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def leave(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def record(code: int) -> Any:
        raise Left(code)

    monkeypatch.setattr(runner, "_leave", record)
    # run() ignores late signals once the outcome is decided: give pytest its handlers back.
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A runner's environment: the step summary, the outputs and the report file in tmp."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        (tmp_path / name).touch()
        monkeypatch.setenv(name, str(tmp_path / name))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    return tmp_path


def _settings() -> Settings:
    return load_settings({}, environ={}, env_file=None)


def _run(command: str, fmt: str, as_json: bool, body: Callable[[Settings], Report]) -> int:
    try:
        runner.run(command, fmt, as_json, _settings, body)
    except Left as left:
        return left.code
    raise AssertionError("run() always leaves")


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = outcome_module.verdict

    def counted(report: Report) -> outcome_module.Verdict:
        calls.append(report.command)
        return real(report)

    monkeypatch.setattr(outcome_module, "verdict", counted)
    return calls


def _drifted() -> Report:
    doc = target(ROAD)
    doc["relations"]["public.agent_tasks"]["rls"] = False
    return judged(ROAD, "check", doc).report


@pytest.mark.usefixtures("leave")
def test_the_verdict_is_computed_once_in_github_and_json_mode(
        monkeypatch: pytest.MonkeyPatch, github: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    calls = _counting(monkeypatch)
    report = _drifted()
    problems = list(report.problems)
    code = _run("check", "auto", True, lambda s: report)
    assert calls == ["check"]  # annotations, summary, outputs, report file, JSON, exit: one
    assert code == ExitCode.INCOMPLETE
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert (doc["exit_code"], doc["status"]) == (1, "incomplete")
    assert json.loads((github / "toolkit-check-report.json").read_text()) == doc
    assert "status=incomplete" in (github / "GITHUB_OUTPUT").read_text()
    assert "### ⚠️ toolkit check: incomplete" in (github / "GITHUB_STEP_SUMMARY").read_text()
    assert "::error" in err and "::warning" in err  # annotations on stderr: stdout is JSON
    # The reason line is the outcome's, printed everywhere, and never written into the report.
    assert any(p["kind"] == "reason" for p in doc["problems"])
    assert report.problems == problems


@pytest.mark.usefixtures("leave")
def test_text_mode_prints_the_one_outcome(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    calls = _counting(monkeypatch)
    report = judged(ROAD, "plan", target(ROAD, 1)).report
    report.exit_on_pending = True
    assert _run("plan", "text", False, lambda s: report) == ExitCode.PENDING
    assert calls == ["plan"]
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last == "PENDING: 1 migration pending: 20261203090000 (exit 5)"


def _config_error(settings: Settings) -> Report:
    raise ConfigError("nothing to check: set SUPABASE_DB_URL")


def _declined(settings: Settings) -> Report:
    raise Declined("apply declined: nothing changed")


@pytest.mark.usefixtures("leave")
@pytest.mark.parametrize(("command", "body", "code", "status", "line"), [
    ("check", _config_error, ExitCode.USAGE, "failed",
     "toolkit: error: nothing to check: set SUPABASE_DB_URL\n"),
    ("apply", _declined, ExitCode.DECLINED, "declined",
     "toolkit: apply declined: nothing changed\n"),
])
def test_the_error_path_exits_with_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str,
        body: Callable[[Settings], Report], code: int, status: str, line: str) -> None:
    """A usage error exits 2, a declined question 4 (run() raises SystemExit for it)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    try:
        left = _run(command, "auto", True, body)
    except SystemExit as exc:
        left = int(exc.code or 0)
    assert left == code
    out, err = capsys.readouterr()
    assert err == line
    doc = json.loads(out)
    assert (doc["command"], doc["ok"], doc["status"], doc["exit_code"]) == \
        (command, False, status, code)
