"""The outcome of each mode and exit code: exit code, status, the summary line and the reasons,
from reports assess()'s judgement filled on captured catalogs (and a few built by hand for what
only apply, rollback or REST fill)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fast.catalogs import judged, target
from toolkit.errors import ExitCode
from toolkit.judge.outcome import Outcome, outcome
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


def _verify_ok() -> Report:
    report = judged(ROAD, "verify", target(ROAD)).report
    report.functional.append(PreconditionResult("insert agent_profiles", True, "inserted"))
    return report


def _apply_unmet() -> Report:
    return judged(ROAD, "apply", _without_agents()).report


def _rolled_back() -> Report:
    report = Report("rollback")
    report.rolled_back = "20261203090000_agent_owners"
    return report


def _rollback_refused() -> Report:
    report = Report("rollback")
    report.error("refusing to roll back: public.agent_tasks holds 3 rows", kind="refused")
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
    ("apply precondition", _apply_unmet,
     3, "failed", "NOT READY: precondition unmet: agents", "does not exist"),
    ("verify functional", _verify_functional,
     1, "incomplete", "INCOMPLETE:", "functional test failed: insert into agent_tasks"),
    ("verify ok", _verify_ok, 0, "ok", "OK: 12/12 tables present", ""),
    ("verify pending", lambda: judged(ROAD, "verify", target(ROAD, 1)).report,
     1, "incomplete", "INCOMPLETE:", "1 migration pending: 20261203090000"),
    ("rollback ok", _rolled_back, 0, "ok", "OK: rolled back 20261203090000_agent_owners", ""),
    ("rollback refused", _rollback_refused, 1, "failed", "FAILED: refusing to roll back", "rows"),
]


@pytest.mark.parametrize(("make", "code", "status", "summary", "reason"),
                         [o[1:] for o in OUTCOMES], ids=[o[0] for o in OUTCOMES])
def test_each_outcome(make: Callable[[], Report], code: int, status: str, summary: str,
                      reason: str) -> None:
    report = make()
    v = outcome(report)
    assert (v.code, v.status) == (code, status), v
    assert v.summary.startswith(summary), v.summary
    assert v.summary.endswith(f"(exit {code})")
    assert reason in v.reason
    _never_green_by_mistake(v)
    doc = report.to_dict(v)
    assert (doc["exit_code"], doc["ok"], doc["summary"]) == (v.code, v.ok, v.summary)
    assert ("rolled_back" in doc) == (report.command == "rollback")
    # The outcome adds reason lines only to a non-zero exit; a non-zero exit always has a
    # reason (an error line, the report's or the outcome's, or the verdict's own reason).
    if code in (ExitCode.OK, ExitCode.PENDING):
        assert v.reasons == ()
    else:
        assert v.reason or [p for p in v.findings if p.level == "error"]


def test_every_exit_code_of_an_outcome_is_covered() -> None:
    """0, 1, 3 and 5 come from the outcome (2 and 4 from the error path: test_run.py)."""
    codes = {o[2] for o in OUTCOMES}
    assert codes == {ExitCode.OK, ExitCode.INCOMPLETE, ExitCode.PRECONDITION, ExitCode.PENDING}
    modes = {o[1]().command for o in OUTCOMES}
    assert modes == {"check", "plan", "apply", "verify", "rollback"}


def _never_green_by_mistake(v: Outcome) -> None:
    """OK is exit 0 and exit 0 is OK (or a plan's PLAN line); a non-zero exit has its reason."""
    assert v.ok == (v.code == ExitCode.OK)
    if v.code != 0:
        assert v.reason and not v.summary.startswith(("OK", "PLAN"))
    else:
        assert v.reason == "" and v.summary.startswith(("OK", "PLAN"))


def test_unknown_is_never_ok() -> None:
    report = Report("check")
    report.tables.append(TableResult("t", database="unknown"))
    v = outcome(report)
    assert v.code == 1 and "1 table not judged (t)" in v.reason
    _never_green_by_mistake(v)


def test_the_cause_comes_first() -> None:
    """An unmet precondition outranks the failures that follow from it."""
    report = Report("apply")
    report.error("x failed", kind="migration")
    report.preconditions.append(PreconditionResult("agents", False, "missing"))
    assert outcome(report).code == ExitCode.PRECONDITION


def test_many_tables_are_named_four_at_a_time() -> None:
    report = Report("check")
    report.tables = [TableResult(f"t{i}", database="missing") for i in range(6)]
    assert "6 tables missing (t0, t1, t2, t3 and 2 more)" in outcome(report).reason


# -- the reasons, the annotations, and a report left as the command returned it ----------------

def test_the_reasons_are_the_outcomes_and_the_report_is_left_alone() -> None:
    """A drifted table's reason is a line of the outcome; the report keeps only its own
    findings, so the report a command returns is the one printed."""
    report = judged(ROAD, "check", _drifted()).report
    before = list(report.problems)
    v = outcome(report)
    assert report.problems == before
    assert [r.kind for r in v.reasons] == ["reason"]
    assert v.reasons[0].message.startswith("agent_tasks: differs from what the migrations")
    assert v.findings == (*before, *v.reasons)
    doc = report.to_dict(v)
    assert [p["message"] for p in doc["problems"]] == [p.message for p in v.findings]
    assert outcome(report) == v  # computed from the report alone: the same every time


def test_a_precondition_already_said_is_not_said_again() -> None:
    report = judged(ROAD, "apply", _without_agents()).report
    report.error("refusing to apply: agents: table public.agents does not exist",
                 kind="precondition")
    assert not [r for r in outcome(report).reasons if "precondition agents" in r.message]


def test_an_exit_without_a_reason_is_called_a_bug() -> None:
    report = Report("check")
    report.tables.append(TableResult("t", database="present", rest="present"))
    report.pending = ["1"]
    v = outcome(report)
    assert v.code == 1 and v.reason == "1 migration pending: 1"
    assert not v.reasons  # the reason line says it already
    bare = Report("check")
    bare.tables.append(TableResult("t", database="pending"))
    bare.error("t: pending", kind="general")  # said already: no reason line of the outcome's
    assert outcome(bare).reasons == ()


def test_plan_annotations_are_notices_and_warnings() -> None:
    """In a plan, what the pending files create is missing as expected: a notice on the
    file, never an error; in check the same tables are errors."""
    plan = outcome(judged(ROAD, "plan", target(ROAD, 0)).report)
    assert plan.missing_expected and not plan.shows_applied
    levels = {a.level for a in plan.annotations}
    assert "error" not in levels and "notice" in levels
    assert any("is pending: apply creates" in a.message and a.line == 1
               for a in plan.annotations)
    check = outcome(judged(ROAD, "check", target(ROAD, 0)).report)
    assert not check.missing_expected
    assert any(a.level == "error" and "is not applied" in a.message and a.line == 1
               for a in check.annotations)


def test_drift_is_annotated_on_the_table_with_its_fix() -> None:
    report = judged(ROAD, "check", _drifted()).report
    drift = next(p for p in report.problems if p.table == "agent_tasks")
    drift.fix_tried = True  # as try_fixes marks a fix it proved on a shadow
    located = next(a for a in outcome(report).annotations if a.message.startswith(
        drift.message))
    table = report.table("agent_tasks")
    assert table is not None and table.file and located.file == table.file
    assert located.line == table.line and f"\nfix: {drift.fix_sql}" in located.message


def test_apply_says_what_it_applied() -> None:
    v = outcome(_applied())
    assert v.shows_applied and not v.missing_expected and not v.shows_rolled_back


def test_no_module_branches_on_the_commands_name() -> None:
    """The mode's differences are its traits (toolkit.judge.mode) and the outcome's fields:
    neither the renderers nor the judge compare `report.command` with a command's name."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "toolkit"
    compared = re.compile(r"\.command\s*(==|!=|in\s*\()")
    found = [f"{p.relative_to(root)}:{n}" for p in sorted(root.rglob("*.py"))
             if p.parent.name != "local"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if compared.search(line)]
    assert found == []
