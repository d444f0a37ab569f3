"""assess()'s pieces that need no database, on captured catalogs: the judgement each mode makes
(toolkit.assess.judge), apply's refusal before any replay, and apply's judgement after its
transaction (reassess), which replaces the first judgement's instead of adding to it."""

from __future__ import annotations

from typing import Any

from tests.fast.catalogs import judged, target
from toolkit.assess import reassess
from toolkit.db.catalog import Catalog
from toolkit.judge.outcome import outcome
from toolkit.settings import load_settings

ROAD = "agent-road"
FIRST, SECOND = "20261126021500", "20261203090000"
TOUCHED = {"public.agent_tasks", "public.agent_open_tasks"}  # what SECOND changes


def _settings() -> Any:
    return load_settings({}, environ={}, env_file=None)


def test_the_assessment_carries_the_target_history_and_typed_findings() -> None:
    doc = target(ROAD)
    doc["relations"]["public.agent_tasks"]["rls"] = False
    a = judged(ROAD, "check", doc).assessment
    assert a.mode.name == "check" and a.oracle is not None
    assert [r.version for r in a.history or []] == [FIRST, SECOND]
    drift = [f for f in a.findings if f.table == "agent_tasks"]
    assert drift and all(f.object and f.property for f in drift)
    assert any(f.expected != f.actual for f in drift)


def test_without_a_database_plan_lists_every_file_and_check_says_what_it_cannot() -> None:
    plan = judged(ROAD, "plan", None).report
    assert plan.pending == [FIRST, SECOND]
    assert plan.notes[0].startswith("no database URL: nothing was compared with a database")
    check = judged(ROAD, "check", None)
    assert check.report.pending == []
    assert check.report.notes[0] == ("no database URL: preconditions, drift and pending are "
                                     "not checked")
    assert check.assessment.history is None


def test_apply_refuses_a_history_it_cannot_explain_before_any_replay() -> None:
    doc = target(ROAD)
    doc["history"].append({"version": "20991231000000", "name": "gone", "statements": []})
    a = judged(ROAD, "apply", doc).assessment
    assert a.oracle is None and a.report.tables == []
    assert a.report.errors[0].message.startswith("refusing to apply: Remote migration versions")
    check = judged(ROAD, "check", doc).assessment  # check judges on and says the same
    assert check.oracle is not None and check.report.tables
    assert check.report.errors[0].message.startswith("Remote migration versions")


def test_out_of_order_files_are_said_as_apply_refuses_them_in_plan_and_apply() -> None:
    doc = target(ROAD, 0)
    doc["history"] = [{"version": SECOND, "name": "agent_owners", "statements": []}]
    for mode in ("plan", "apply"):
        warned = [p.message for p in judged(ROAD, mode, doc).report.problems
                  if p.kind == "history" and "older than" in p.message]
        assert warned and "apply refuses it without --include-all" in warned[0], mode
    check = [p.message for p in judged(ROAD, "check", doc).report.problems
             if "older than" in p.message]
    assert "toolkit apply and supabase db push need --include-all" in check[0]
    included = judged(ROAD, "apply", doc, include_all=True).report
    assert any("included by --include-all" in n for n in included.notes)


def _after(before_doc: dict[str, Any], after_doc: dict[str, Any], *, complete: bool = True,
           counted: set[str] = TOUCHED) -> Any:
    before = judged(ROAD, "apply", before_doc).assessment
    assert before.report.pending == [SECOND]
    before.report.pending = [] if complete else before.report.pending
    return reassess(before, _settings(), Catalog.from_json(after_doc), counted=counted,
                    complete=complete)


def test_after_apply_the_judgement_is_replaced_not_added_to() -> None:
    before_doc = target(ROAD, 1)
    before_doc["relations"]["public.agent_logs"]["rls"] = False  # drift apply does not touch
    after_doc = target(ROAD)
    after_doc["relations"]["public.agent_logs"]["rls"] = False
    a = _after(before_doc, after_doc)
    report = a.report
    names = [t.name for t in report.tables]
    assert len(names) == len(set(names)) == 12  # judged again, not appended
    assert len([p for p in report.problems if p.table == "agent_logs"]) == \
        len(judged(ROAD, "check", after_doc).report.problems)  # drift said once
    logs = report.table("agent_logs")
    assert logs is not None and logs.database == "drifted" and not logs.counts
    assert logs.detail.startswith("not touched by this apply: ")
    v = outcome(report)
    assert v.code == 0, v  # drift outside what apply touched is reported, not a failure
    assert "the others differ outside what this apply touched" in v.summary


def test_after_apply_drift_in_a_touched_table_fails_it() -> None:
    after_doc = target(ROAD)
    after_doc["relations"]["public.agent_tasks"]["rls"] = False
    v = outcome(_after(target(ROAD, 1), after_doc).report)
    assert v.code == 1 and "agent_tasks" in v.reason


def test_after_a_failed_file_the_target_is_judged_as_check_judges_it() -> None:
    """Nothing committed, the second file failed: its tables are pending, not drifted."""
    a = _after(target(ROAD, 1), target(ROAD, 1), complete=False)
    tasks = a.report.table("agent_tasks")
    assert tasks is not None and tasks.database == "pending"
