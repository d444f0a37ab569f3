"""The comparison on real catalogs: each kind of drift made by changing the target's copy of a
captured catalog, and the difference found names the object and what differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fast.catalogs import state
from toolkit.db.model import Function, Relation, Type
from toolkit.judge import compare

TASKS = "public.agent_tasks"


def _col(rel: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in rel["columns"] if c["name"] == name)


def _drop(items: list[dict[str, Any]], **match: Any) -> None:
    hit = next(i for i in items if all(i[k] == v for k, v in match.items()))
    items.remove(hit)


# The comparison reads typed objects; the drifts are made on the captured JSON, then parsed.
def _relation(name: str, want: dict[str, Any], have: dict[str, Any]) -> list[compare.Difference]:
    return compare.relation(name, Relation.from_json(want), Relation.from_json(have))


def _function(name: str, want: dict[str, Any], have: dict[str, Any]) -> list[compare.Difference]:
    return compare.function(name, Function.from_json(want), Function.from_json(have))


def _type(name: str, want: dict[str, Any], have: dict[str, Any]) -> list[compare.Difference]:
    return compare.type_(name, Type.from_json(want), Type.from_json(have))


def _pair() -> tuple[dict[str, Any], dict[str, Any]]:
    want = state("agent-road")["relations"][TASKS]
    return want, state("agent-road")["relations"][TASKS]


def test_equal_catalogs_have_no_difference() -> None:
    doc = state("agent-road")
    for name, rel in doc["relations"].items():
        assert _relation(name, rel, state("agent-road")["relations"][name]) == [], name
    for name, fn in doc["functions"].items():
        assert _function(name, fn, state("agent-road")["functions"][name]) == []


# (what the target's copy gets, a phrase the difference says, the column it names)
DRIFTS: list[tuple[str, Callable[[dict[str, Any]], None], str, str | None]] = [
    ("column missing", lambda r: _drop(r["columns"], name="title"),
     'column "title" missing', "title"),
    ("column extra", lambda r: r["columns"].append({**_col(r, "title"), "name": "notes"}),
     'column "notes" not in the migrations', "notes"),
    ("column type", lambda r: _col(r, "title").update(type="character varying"),
     'column "title" is character varying, expected text', "title"),
    ("nullability", lambda r: _col(r, "title").update(not_null=False),
     'column "title" is nullable, expected NOT NULL', "title"),
    ("default differs", lambda r: _col(r, "status").update(default="'done'::text"),
     "column \"status\" defaults to 'done'::text, expected 'pending'::text", "status"),
    ("default missing", lambda r: _col(r, "created_at").update(default=None),
     'column "created_at" defaults to nothing, expected now()', "created_at"),
    ("primary key missing", lambda r: _drop(r["constraints"], type="p"),
     "primary key is (none), expected (id)", "id"),
    ("foreign key missing", lambda r: _drop(r["constraints"], name="agent_tasks_agent_id_fkey"),
     "foreign key (agent_id) -> agents(id) missing", "agent_id"),
    ("foreign key action", lambda r: next(k for k in r["constraints"]
                                          if k["name"] == "agent_tasks_agent_id_fkey"
                                          ).update(on_delete="a"),
     "is ON DELETE NO ACTION, expected ON DELETE CASCADE", "agent_id"),
    ("check missing", lambda r: _drop(r["constraints"], name="agent_tasks_priority_check"),
     "check on (priority)", "priority"),
    ("index missing", lambda r: _drop(r["indexes"], name="agent_tasks_created_by_idx"),
     "index on (created_by) missing (agent_tasks_created_by_idx)", None),
    ("index extra", lambda r: r["indexes"].append(
        {"columns": ["title"], "name": "agent_tasks_title_idx", "unique": False,
         "def": "CREATE INDEX agent_tasks_title_idx ON public.agent_tasks USING btree (title)"}),
     "index on (title) not in the migrations (agent_tasks_title_idx)", None),
    ("rls off", lambda r: r.update(rls=False), "row level security is disabled", None),
    ("rls forced", lambda r: r.update(rls_forced=True),
     "row level security is forced, expected not forced", None),
    ("policy missing", lambda r: r["policies"].clear(),
     'policy "Owners read their agent tasks" missing', None),
    ("policy differs", lambda r: r["policies"][0].update(roles=["anon"]),
     'policy "Owners read their agent tasks" is for SELECT to anon', None),
    ("policy extra", lambda r: r["policies"].append({**r["policies"][0], "name": "p2"}),
     'policy "p2" not in the migrations', None),
    ("trigger disabled", lambda r: r["triggers"][0].update(enabled="D"),
     'trigger "agent_tasks_touch" is', None),
    ("grant lacking", lambda r: r["grants"]["anon"].remove("SELECT"),
     "anon lacks SELECT (fix: grant select on public.agent_tasks to anon)", None),
    ("grant extra", lambda r: r["grants"].update(anon=[*r["grants"]["anon"], "MAINTAIN"]),
     "anon has MAINTAIN, not granted by the migrations "
     "(revoke maintain on public.agent_tasks from anon)", None),
]


@pytest.mark.parametrize(("change", "says", "column"), [d[1:] for d in DRIFTS],
                         ids=[d[0] for d in DRIFTS])
def test_each_drift_is_found_and_named(change: Callable[[dict[str, Any]], None], says: str,
                                       column: str | None) -> None:
    want, have = _pair()
    change(have)
    diffs = _relation(TASKS, want, have)
    assert len(diffs) == 1, diffs
    assert says in diffs[0].message
    assert diffs[0].column == column
    assert diffs[0].kind == ("grant" if says.startswith("anon") else "drift")


def test_a_renamed_key_is_named_with_the_rename_that_puts_it_back() -> None:
    """The definition is the same, but a later migration may drop the key by its name."""
    want, have = _pair()
    key = next(k for k in have["constraints"] if k["type"] == "f")
    old, key["name"] = key["name"], "renamed_fkey"
    (diff,) = _relation(TASKS, want, have)
    assert (diff.property, diff.expected, diff.actual) == ("name", old, "renamed_fkey")
    assert diff.object == f"constraint {old} on {TASKS}"
    assert diff.fix_sql == f"alter table {TASKS} rename constraint renamed_fkey to {old}"


def test_extensions_schema_qualification_is_the_same_call() -> None:
    want, have = _pair()
    _col(have, "id")["default"] = "extensions.uuid_generate_v4()"
    assert _relation(TASKS, want, have) == []


def test_a_view_where_a_table_was_expected() -> None:
    want, have = _pair()
    have["kind"] = "v"
    assert [d.message for d in _relation(TASKS, want, have)] == [
        "is a view, expected a table"]


def test_view_definition_function_and_enum() -> None:
    doc = state("views-functions")
    view = doc["relations"]["public.low_stock"]
    changed = {**view, "view": (view["view"] or "") + " LIMIT 1"}
    assert [d.message for d in _relation("public.low_stock", view, changed)] == [
        "view definition differs from the migrations"]
    fn = doc["functions"]["public.touch_updated_at()"]
    fn_name = "public.touch_updated_at()"
    fn = doc["functions"][fn_name]
    body = _function(fn_name, fn, {**fn, "body": fn["body"] + " "})
    assert [(d.property, d.message) for d in body] == [
        ("body", "its body differs from the migrations")]
    revoked = _function(fn_name, fn, {**fn, "executors": ["service_role"]})
    assert {d.property for d in revoked} == {
        "privileges of anon", "privileges of authenticated", "privileges of PUBLIC"}
    assert all(d.fix_sql and d.fix_sql.startswith("grant execute on function") for d in revoked)
    enum = doc["types"]["public.stock_state"]
    labels = enum["labels"]
    assert [d.message for d in _type("public.stock_state", enum,
                                             {**enum, "labels": labels[:-1]})] == [
        f"has values ({', '.join(labels[:-1])}), expected ({', '.join(labels)})"]


def test_grant_fix_statements() -> None:
    assert compare.grant_fix("public.t", "anon", ["SELECT", "INSERT"]) == \
        "grant select, insert on public.t to anon"
    assert compare.grant_fix("public.t", "anon", ["UPDATE"], revoke=True) == \
        "revoke update on public.t from anon"
