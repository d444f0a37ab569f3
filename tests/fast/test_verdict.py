"""The verdict for each outcome: exit code, status and the summary line, from reports the judge
filled on captured catalogs (and a few built by hand for what only apply or REST fill)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fast.catalogs import judged, target
from toolkit.errors import ExitCode
from toolkit.judge.outcome import Verdict, verdict
from toolkit.oracle.replay import Failure
from toolkit.output.report import AppliedMigration, PreconditionResult, Report, TableResult

ROAD = "agent-road"


def _without_agents() -> dict[str, Any]:
    doc = target(ROAD, 0)
    del doc["relations"]["public.agents"]
    return doc


def _drifted() -> dict[str, Any]:
    doc = target(ROAD)
    doc["relations"]["public.agent_tasks"]["rls"] = False
    return doc


def _function_edited() -> dict[str, Any]:
    doc = target(ROAD)
    doc["functions"]["public.agent_tasks_touch()"]["def"] += "\n-- edited by hand"
    return doc


def _plan_pending_exit() -> Report:
    report = judged(ROAD, "plan", target(ROAD, 1)).report
    report.exit_on_pending = True
    return report


def _forbidden_over_rest() -> Report:
    report = judged(ROAD, "check", target(ROAD)).report
    for t in report.tables:
        t.rest = "present"
    report.tables[3].rest = "forbidden"
    return report


def _applied() -> Report:
    report = judged(ROAD, "apply", target(ROAD)).report
    report.applied = [AppliedMigration("20261203090000", "agent_owners", [], 1.0)]
    return report


def _failing_file() -> Report:
    fail = Failure("20261203090000_agent_owners.sql", 3, 1, "42601", "syntax error", [])
    return judged(ROAD, "plan", target(ROAD, 1), [fail]).report


def _verify_functional() -> Report:
    report = judged(ROAD, "verify", target(ROAD)).report
    report.functional.append(PreconditionResult("insert into agent_tasks", False, "denied"))
    return report


# (name, the report, exit code, status, the summary's start, a phrase of the reason)
OUTCOMES: list[tuple[str, Callable[[], Report], int, str, str, str]] = [
    ("check ok", lambda: judged(ROAD, "check", target(ROAD)).report,
     0, "ok", "OK: 12/12 tables present", ""),
    ("precondition", lambda: judged(ROAD, "check", _without_agents()).report,
     3, "failed", "NOT READY: precondition unmet: agents", "does not exist"),
    ("check drifted", lambda: judged(ROAD, "check", _drifted()).report,
     1, "incomplete", "INCOMPLETE: 11/12 tables ok", "1 table drifted (agent_tasks)"),
    ("check pending", lambda: judged(ROAD, "check", target(ROAD, 1)).report,
     1, "incomplete", "INCOMPLETE:", "1 migration pending: 20261203090000"),
    ("check without a database", lambda: judged(ROAD, "check", None).report,
     1, "incomplete", "INCOMPLETE: 0/12 tables ok", "not judged in the database"),
    ("check drifted function", lambda: judged(ROAD, "check", _function_edited()).report,
     1, "incomplete", "INCOMPLETE: 12/12 tables ok, 1 other object missing or drifted",
     "1 other object missing or drifted: function agent_tasks_touch()"),
    ("forbidden over REST", _forbidden_over_rest,
     1, "incomplete", "INCOMPLETE: 11/12 tables ok", "forbidden over REST"),
    ("plan nothing pending", lambda: judged(ROAD, "plan", target(ROAD)).report,
     0, "ok", "OK: nothing pending", ""),
    ("plan pending", lambda: judged(ROAD, "plan", target(ROAD, 1)).report,
     0, "pending", "PLAN: 1 migration pending: 20261203090000", ""),
    ("plan --detailed-exitcode", _plan_pending_exit,
     5, "pending", "PENDING: 1 migration pending", "20261203090000"),
    ("plan of a failing file", _failing_file,
     1, "failed", "FAILED: ", "syntax error [42601]"),
    ("plan unreadable history", lambda: judged(ROAD, "plan", {**target(ROAD),
                                                              "history": "forbidden"}).report,
     1, "incomplete", "INCOMPLETE: role", "may not read supabase_migrations"),
    ("apply refused", lambda: judged(ROAD, "apply", {**target(ROAD), "history": [
        *target(ROAD)["history"], {"version": "1", "name": "x", "statements": []}]}).report,
     1, "failed", "FAILED: refusing to apply", "Remote migration versions"),
    ("apply ok", _applied, 0, "ok", "OK: applied 1 migration; 12/12 tables present", ""),
    ("verify functional", _verify_functional,
     1, "incomplete", "INCOMPLETE:", "functional test failed: insert into agent_tasks"),
]


@pytest.mark.parametrize(("make", "code", "status", "summary", "reason"),
                         [o[1:] for o in OUTCOMES], ids=[o[0] for o in OUTCOMES])
def test_each_outcome(make: Callable[[], Report], code: int, status: str, summary: str,
                      reason: str) -> None:
    report = make()
    v = verdict(report)
    assert (v.code, v.status) == (code, status), v
    assert v.summary.startswith(summary), v.summary
    assert v.summary.endswith(f"(exit {code})")
    assert reason in v.reason
    _never_green_by_mistake(v)
    doc = report.to_dict()
    assert (doc["exit_code"], doc["ok"], doc["summary"]) == (v.code, v.ok, v.summary)


def _never_green_by_mistake(v: Verdict) -> None:
    """OK is exit 0 and exit 0 is OK (or a plan's PLAN line); a non-zero exit has its reason."""
    assert v.ok == (v.code == ExitCode.OK)
    if v.code != 0:
        assert v.reason and not v.summary.startswith(("OK", "PLAN"))
    else:
        assert v.reason == "" and v.summary.startswith(("OK", "PLAN"))


def test_unknown_is_never_ok() -> None:
    report = Report("check")
    report.tables.append(TableResult("t", database="unknown"))
    v = verdict(report)
    assert v.code == 1 and "1 table not judged (t)" in v.reason
    _never_green_by_mistake(v)


def test_the_cause_comes_first() -> None:
    """An unmet precondition outranks the failures that follow from it."""
    report = Report("apply")
    report.error("x failed", kind="migration")
    report.preconditions.append(PreconditionResult("agents", False, "missing"))
    assert verdict(report).code == ExitCode.PRECONDITION


def test_many_tables_are_named_four_at_a_time() -> None:
    report = Report("check")
    report.tables = [TableResult(f"t{i}", database="missing") for i in range(6)]
    assert "6 tables missing (t0, t1, t2, t3 and 2 more)" in verdict(report).reason
