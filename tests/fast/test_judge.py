"""The judge on captured catalogs: preconditions, the history, pending files, drift and what
the shadow could not run, each read from the report the commands fill."""

from __future__ import annotations

from typing import Any

from tests.fast.catalogs import judged, target
from toolkit.oracle.replay import Failure
from toolkit.output.report import Report

ROAD = "agent-road"
FIRST, SECOND = "20261126021500", "20261203090000"


def _unmet(report: Report) -> dict[str, str]:
    return {p.name: p.detail for p in report.preconditions if not p.ok}


def _agents_id(doc: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in doc["relations"]["public.agents"]["columns"] if c["name"] == "id")


def test_a_fresh_target_meets_every_precondition() -> None:
    report = judged(ROAD, "check", target(ROAD, 0)).report
    assert {p.name for p in report.preconditions} == {"agents", "uuid-ossp"}
    assert _unmet(report) == {}


def test_no_agents_table() -> None:
    doc = target(ROAD, 0)
    del doc["relations"]["public.agents"]
    unmet = _unmet(judged(ROAD, "check", doc).report)
    assert "table public.agents does not exist" in unmet["agents"]


def test_bigint_agents_id_against_uuid_references() -> None:
    doc = target(ROAD, 0)
    _agents_id(doc)["type"] = "bigint"
    unmet = _unmet(judged(ROAD, "check", doc).report)
    assert unmet["agents"].startswith("agents.id is bigint, but the migrations reference it "
                                      "from a uuid column")


def test_agents_id_neither_key_nor_unique() -> None:
    doc = target(ROAD, 0)
    doc["relations"]["public.agents"]["constraints"] = []
    unmet = _unmet(judged(ROAD, "check", doc).report)
    assert "is neither a primary key nor unique" in unmet["agents"]


def test_no_uuid_ossp() -> None:
    doc = target(ROAD, 0)
    del doc["extensions"]["uuid-ossp"]
    unmet = _unmet(judged(ROAD, "check", doc).report)
    assert "create extension if not exists \"uuid-ossp\" with schema extensions" in \
        unmet["uuid-ossp"]
    doc["uuid_ossp_available"] = False
    unmet = _unmet(judged(ROAD, "check", doc).report)
    assert "contrib" in unmet["uuid-ossp"]


def test_uuid_ossp_in_public_is_an_advisor_warning() -> None:
    doc = target(ROAD, 0)
    doc["extensions"]["uuid-ossp"] = "public"
    report = judged(ROAD, "check", doc).report
    assert _unmet(report) == {}
    assert [p.kind for p in report.problems if "extension_in_public" in p.message] == ["advisor"]


def test_pending_files_and_what_they_change() -> None:
    report = judged(ROAD, "check", target(ROAD, 1)).report
    assert report.pending == [SECOND]
    tasks = report.table("agent_tasks")
    assert tasks is not None and tasks.database == "pending"
    assert tasks.pending_changes and not tasks.differences
    plan = judged(ROAD, "plan", target(ROAD, 0)).report
    assert plan.pending == [FIRST, SECOND]
    assert {t.database for t in plan.tables if t.name != "agents"} == {"missing"}


def test_nothing_pending_and_no_drift_on_an_applied_target() -> None:
    report = judged(ROAD, "check", target(ROAD)).report
    assert report.pending == [] and report.problems == []
    assert {t.database for t in report.tables} == {"present"}


def test_history_the_local_files_do_not_explain() -> None:
    doc = target(ROAD)
    doc["history"].append({"version": "20991231000000", "name": "gone", "statements": []})
    check = judged(ROAD, "check", doc).report
    assert [(e.kind, "20991231000000" in e.message) for e in check.errors] == [("history", True)]
    apply = judged(ROAD, "apply", doc).report
    assert apply.errors[0].kind == "refused"
    assert apply.errors[0].message.startswith("refusing to apply: Remote migration versions")


def test_a_file_changed_after_it_was_applied() -> None:
    doc = target(ROAD)
    doc["history"][1]["statements"] = ["select 1"]
    report = judged(ROAD, "check", doc).report
    changed = [p for p in report.problems if "changed after it was applied" in p.message]
    assert [p.file for p in changed] == [str(judged(ROAD, "check", doc).migrations.files[1].path)]


def test_comments_and_blank_lines_are_not_a_change() -> None:
    doc = target(ROAD)
    doc["history"][1]["statements"] = ["-- same\n" + s + "\n"
                                       for s in doc["history"][1]["statements"]]
    report = judged(ROAD, "check", doc).report
    assert not [p for p in report.problems if "changed after it was applied" in p.message]


def test_unreadable_history() -> None:
    doc = target(ROAD)
    doc["history"] = "forbidden"
    check = judged(ROAD, "check", doc).report
    assert [(p.level, p.kind) for p in check.problems] == [("warning", "history")]
    plan = judged(ROAD, "plan", doc).report
    assert [(p.level, p.kind) for p in plan.problems] == [("error", "history")]


def test_drift_becomes_a_finding_naming_table_and_column() -> None:
    doc = target(ROAD)
    tasks = doc["relations"]["public.agent_tasks"]
    tasks["columns"] = [c for c in tasks["columns"] if c["name"] != "title"]
    tasks["grants"]["anon"].remove("SELECT")
    report = judged(ROAD, "check", doc).report
    t = report.table("agent_tasks")
    assert t is not None and t.database == "drifted"
    found = {(p.kind, p.table, p.column) for p in report.problems}
    assert found == {("drift", "agent_tasks", "title"), ("grant", "agent_tasks", None)}


def test_missing_table_function_and_view() -> None:
    doc = target(ROAD)
    del doc["relations"]["public.agent_logs"]
    del doc["relations"]["public.agent_open_tasks"]
    del doc["functions"]["public.agent_tasks_touch()"]
    report = judged(ROAD, "check", doc).report
    logs = report.table("agent_logs")
    assert logs is not None and logs.database == "missing"
    states = {(o.kind, o.name): o.database for o in report.objects}
    assert states[("view", "agent_open_tasks")] == "missing"
    assert states[("function", "agent_tasks_touch()")] == "missing"


def test_a_pending_file_failing_on_the_shadow_is_an_error() -> None:
    fail = Failure(f"{SECOND}_agent_owners.sql", 3, 1, "42601", "syntax error", [])
    report = judged(ROAD, "check", target(ROAD, 1), [fail]).report
    assert [(e.kind, e.line, e.sqlstate) for e in report.errors] == [("shadow", 3, "42601")]
    applied = judged(ROAD, "check", target(ROAD), [fail]).report
    assert applied.errors == []
    assert [p.kind for p in applied.problems] == ["shadow-applied"]


def test_a_missing_extension_makes_what_it_touches_unknown() -> None:
    fail = Failure(f"{FIRST}_agent_tables.sql", 5, 1, "0A000", "no vector", ["public.agent_logs"],
                   extension="vector")
    report = judged(ROAD, "check", target(ROAD), [fail]).report
    logs = report.table("agent_logs")
    assert logs is not None and logs.database == "unknown"
    limit = [p for p in report.problems if p.kind == "shadow-limit"]
    assert len(limit) == 1 and "lacks extension vector" in limit[0].message
    assert "agent_logs cannot be judged" in limit[0].message


def test_no_database_url_judges_nothing_in_the_database() -> None:
    report = judged(ROAD, "check", None).report
    assert report.preconditions == []
    assert {t.db_judged for t in report.tables} == {False}
