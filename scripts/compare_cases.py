"""Regenerate supabase/functions/migration-guide/compare.cases.json: the cases both
toolkit/judge/compare.py (tests/workflow/test_edge_bundle.py) and the Edge Function's compare.ts
(unit.test.ts) must answer alike. Each relation case's `have` is the bundle's
public.agent_status (or the case's own `want`) changed by one edit; `kinds` holds the other
kinds (sequences, schemas, extensions, Supabase's tables, publications, types, default
privileges, the project's roles), each naming the function and its arguments. The answers are
compare.py's (judge/drift.py's for default privileges).

    .venv/bin/python scripts/compare_cases.py
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.db.model import (  # noqa: E402
    Extension,
    Function,
    ManagedTable,
    PublicationMember,
    Relation,
    Schema,
    Sequence,
    Type,
)
from toolkit.edge.bundle import keywords  # noqa: E402
from toolkit.judge import compare  # noqa: E402
from toolkit.project.edge_bundle import BUNDLE, read_bundle  # noqa: E402

CASES = ROOT / "supabase" / "functions" / "migration-guide" / "compare.cases.json"
NAME = "public.agent_status"


def findings(diffs: list[compare.Difference]) -> list[list[Any]]:
    return sorted([[d.message, d.object, d.property, d.expected, d.actual, d.fix_sql]
                   for d in diffs], key=lambda f: f[0])


def _full(rel: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """A case written before the inspect query read a property, given it as the base has it
    (a column by its name; one the base lacks, as unset): both sides then carry the same
    value, as when the property was not compared, and the answers stay what they were."""
    out = {**copy.deepcopy(base), **copy.deepcopy(rel)}
    like = {c["name"]: c for c in base["columns"]}
    unset = {k: None for k in base["columns"][0]}
    out["columns"] = [{**unset, **like.get(c["name"], {}), **c} for c in out["columns"]]
    return out


def relation(case: dict[str, Any], base: dict[str, Any]) -> tuple[Relation, Relation]:
    want = _full(case["want"], base) if case["want"] else base
    return Relation.from_json(want), Relation.from_json(_full(case["have"], base))


def function(have: dict[str, Any]) -> Function:
    return Function.from_json({**FUNCTION, **have})


def _new_cases(base: dict[str, Any]) -> list[dict[str, Any]]:
    """One per kind compare.py learnt: (title, want or None, edit of a copy)."""
    def edit(title: str, change: Any, want: dict[str, Any] | None = None) -> dict[str, Any]:
        have = copy.deepcopy(want or base)
        change(have)
        return {"title": title, "want": want, "have": have}

    def col(rel: dict[str, Any], name: str) -> dict[str, Any]:
        return next(c for c in rel["columns"] if c["name"] == name)

    def rename_trigger(rel: dict[str, Any]) -> None:
        t = rel["triggers"][0]
        t.update({"name": "touched", "def": t["def"].replace(" touch ", " touched ", 1)})

    with_trigger = copy.deepcopy(base)
    with_trigger["triggers"] = [{"name": "touch", "enabled": "O", "def": (
        "CREATE TRIGGER touch BEFORE UPDATE ON public.agent_status FOR EACH ROW EXECUTE "
        "FUNCTION touch()")}]
    view = copy.deepcopy(base)
    view.update(kind="v", options=["security_invoker=true"], view=" SELECT 1;",
                constraints=[], indexes=[])
    return [
        edit("owner", lambda h: h.update(owner="supabase_admin")),
        edit("unlogged", lambda h: h.update(persistence="u")),
        edit("replica identity full", lambda h: h.update(replica_identity="f")),
        edit("table option set", lambda h: h.update(options=["fillfactor=70"])),
        edit("view option turned off", lambda h: h.update(options=["security_invoker=false"]),
             view),
        edit("collation", lambda h: col(h, "state").update(collation="pg_catalog.C")),
        edit("column grant", lambda h: col(h, "state").update(grants={"anon": ["UPDATE"]})),
        edit("grant to PUBLIC; a role the migrations never grant to is the platform's",
             lambda h: h["grants"].update(PUBLIC=["SELECT"], app_reader=["SELECT"])),
        edit("constraint renamed", lambda h: next(
            k for k in h["constraints"] if k["type"] == "u").update(name="status_agent_key")),
        edit("trigger disabled", lambda h: h["triggers"][0].update(enabled="D"), with_trigger),
        edit("a quoted name in a fix", lambda h: h.update(owner="x"),
             {**copy.deepcopy(base), "owner": "user"}),
        edit("comments", lambda h: (h.update(comment="it's the status"),
                                    col(h, "state").update(comment="now"))),
        edit("column renamed", lambda h: col(h, "details").update(name="info")),
        edit("trigger renamed", rename_trigger, with_trigger),
    ]


FUNCTION: dict[str, Any] = {
    "def": "CREATE OR REPLACE FUNCTION public.is_pro(uid uuid)\n RETURNS boolean\n LANGUAGE sql\n"
           " STABLE SECURITY DEFINER\n SET search_path TO ''\nAS $function$ select true "
           "$function$\n",
    "body": " select true ", "security_definer": True, "volatility": "s",
    "config": ['search_path=""'], "owner": "postgres", "kind": "f",
    "grants": ["authenticated", "service_role"],
    "executors": ["authenticated", "service_role"],
    "strict": False, "leakproof": False, "parallel": "u", "cost": 100.0, "rows": 0.0,
    "comment": None,
}


def _function_cases() -> list[dict[str, Any]]:
    def edit(title: str, **change: Any) -> dict[str, Any]:
        have = {**copy.deepcopy(FUNCTION), **change}
        have["def"] = FUNCTION["def"] + " "  # the deparsed text always changes with them
        return {"title": title, "have": have}

    return [
        {"title": "identical", "have": copy.deepcopy(FUNCTION)},
        edit("body", body=" select false "),
        edit("security invoker", security_definer=False),
        edit("search_path reset", config=None),
        edit("volatile", volatility="v"),
        edit("owner", owner="app_owner"),
        edit("execute granted to anon and PUBLIC",
             executors=["PUBLIC", "anon", "authenticated", "service_role"]),
        edit("only the definition (the language) differs"),
        edit("strict, leakproof, parallel, cost, rows", strict=True, leakproof=True,
             parallel="s", cost=1000.0, rows=0.0),
        edit("comment", comment="paid plans"),
    ]


# An integer sequence: a bigint's maximum is beyond what a JavaScript number holds exactly.
SEQUENCE: dict[str, Any] = {
    "owner": "postgres", "type": "integer", "identity": False, "increment": 1,
    "start": 1000, "min": 1, "max": 2147483647, "cache": 1, "cycle": False,
    "owned_by": "public.invoices.number",
    "grants": {"anon": ["SELECT", "UPDATE", "USAGE"],
               "authenticated": ["SELECT", "UPDATE", "USAGE"], "reporting": ["USAGE"]},
}
SCHEMA: dict[str, Any] = {"owner": "postgres", "comment": None,
          "grants": {"service_role": ["USAGE"], "reporting": ["USAGE"]}}
MANAGED = {
    "policies": [{"name": "avatars are public", "command": "r", "permissive": True,
                  "roles": ["public"], "using": "(bucket_id = 'avatars'::text)",
                  "check": None}],
    "triggers": [{"name": "on_auth_user_created", "enabled": "O", "def": (
        "CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE "
        "FUNCTION handle_new_user()")}],
}
TYPE = {"kind": "e", "labels": ["free", "pro", "team"], "base": None, "owner": "postgres"}
PUBLICATIONS = {"supabase_realtime": ["public.profiles"]}
MEMBERS = {"supabase_realtime public.profiles": {
    "attnames": ["id", "username", "plan"], "rowfilter": None}}
DEFAULTS = {"anon": ["SELECT", "UPDATE", "USAGE"], "authenticated": ["SELECT"],
            "service_role": ["SELECT"]}


def _kind_cases() -> list[dict[str, Any]]:
    """One list for the judge-level kinds: each case names the function both ports have and
    its arguments (compare.py's keyword names)."""
    def case(kind: str, title: str, **args: Any) -> dict[str, Any]:
        return {"kind": kind, "title": title, "args": args}

    def seq(title: str, roles: list[str] | None = None, **change: Any) -> dict[str, Any]:
        want = copy.deepcopy(SEQUENCE)
        want.update(change.pop("want", {}))
        return case("sequence", title, name="public.invoice_number", want=want,
                    have={**copy.deepcopy(want), **change}, roles=roles or [])

    def nsp(title: str, name: str = "billing", mine: bool = True,
            roles: list[str] | None = None, **change: Any) -> dict[str, Any]:
        return case("schema", title, name=name, want=copy.deepcopy(SCHEMA),
                    have={**copy.deepcopy(SCHEMA), **change}, owner=mine, roles=roles or [])

    def managed(title: str, change: Any) -> dict[str, Any]:
        have = copy.deepcopy(MANAGED)
        change(have)
        return case("managed_table", title, name="storage.objects", want=MANAGED, have=have)

    def defaults(title: str, **change: Any) -> dict[str, Any]:
        return case("default_privileges", title, schema=change.pop("schema", "public"),
                    objtype=change.pop("objtype", "r"), want=DEFAULTS,
                    have={**copy.deepcopy(DEFAULTS), **change})

    extension = {"schema": "extensions", "version": "1.6"}
    identity = {**copy.deepcopy(SEQUENCE), "identity": True, "owned_by": "billing.ledger.id"}
    return [
        seq("identical"),
        seq("increment, cache, max, cycle, type", increment=10, cache=20, max=99999,
            cycle=True, type="bigint"),
        seq("owned by none", owned_by=None),
        seq("owner", owner="app_owner"),
        seq("grant revoked from anon; the project's role granted more", roles=["reporting"],
            grants={"authenticated": ["SELECT", "UPDATE", "USAGE"],
                    "reporting": ["SELECT", "USAGE"]}),
        case("sequence", "identity sequence: owner and OWNED BY are the column's; a grant to "
             "the project's role", name="billing.ledger_id_seq", want=identity,
             have={**copy.deepcopy(identity), "owner": "app_owner", "owned_by": None,
                   "grants": {**identity["grants"], "PUBLIC": ["USAGE"]}},
             roles=["reporting"]),
        case("sequence", "excused by the default privileges", name="public.invoice_number",
             want=SEQUENCE, have={**copy.deepcopy(SEQUENCE), "grants": {
                 "authenticated": ["SELECT", "UPDATE", "USAGE"], "reporting": ["USAGE"],
                 "service_role": ["USAGE"]}},
             excused={"may_lack": {"anon": ["SELECT", "UPDATE", "USAGE"]},
                      "may_have": {"service_role": ["USAGE"]}}),
        nsp("identical"),
        nsp("owner and comment", owner="app_owner", comment="money"),
        nsp("public: only its grants", name="public", mine=False, owner="x", comment="y"),
        nsp("usage revoked from the project's role, create to anon",
            grants={"service_role": ["USAGE"], "anon": ["CREATE"]}),
        nsp("public: the owner is the platform's; the project's role judged", name="public",
            mine=False, roles=["reporting", "analyst"], owner="pg_database_owner",
            grants={**SCHEMA["grants"], "analyst": ["CREATE"]}),
        case("extension", "identical", name="pg_trgm", want=extension, have=extension),
        case("extension", "dropped (CASCADE)", name="pg_trgm", want=extension, have=None),
        case("extension", "moved, updated", name="pg_trgm", want=extension,
             have={"schema": "public", "version": "1.5"}),
        managed("identical", lambda h: None),
        managed("trigger dropped", lambda h: h.update(triggers=[])),
        managed("trigger disabled", lambda h: h["triggers"][0].update(enabled="D")),
        managed("a platform trigger beside it; a policy made by hand", lambda h: (
            h["triggers"].append({"name": "platform", "enabled": "O", "def": "CREATE TRIGGER "
                                  "platform AFTER INSERT ON storage.objects FOR EACH ROW "
                                  "EXECUTE FUNCTION storage.x()"}),
            h["policies"].append({**h["policies"][0], "name": "anyone", "using": "true"}))),
        managed("policy widened", lambda h: h["policies"][0].update(using="true")),
        managed("policy renamed", lambda h: h["policies"][0].update(name="avatars")),
        case("managed_table", "on a table the target has no trigger or policy on",
             name="auth.users", want=MANAGED, have=None),
        case("publications", "identical", tables=["public.profiles", "public.invoices"],
             want=PUBLICATIONS, have=PUBLICATIONS),
        case("publications", "removed; another added; a table not the project's ignored",
             tables=["public.profiles", "public.invoices"], want=PUBLICATIONS,
             have={"supabase_realtime": ["public.invoices", "realtime.messages"]}),
        case("publications", "the publication itself missing: the platform's",
             tables=["public.profiles"], want=PUBLICATIONS, have={}),
        case("publication_members", "columns and row filter",
             tables=["public.profiles"], want=MEMBERS, same_columns=["public.profiles"],
             have={"supabase_realtime public.profiles": {
                 "attnames": ["id", "username"], "rowfilter": "(username IS NOT NULL)"}}),
        case("publication_members", "columns of a table whose columns changed: said there",
             tables=["public.profiles"], want=MEMBERS, same_columns=[],
             have={"supabase_realtime public.profiles": {
                 "attnames": ["id", "username"], "rowfilter": None}}),
        case("type", "identical", name="public.plan", want=TYPE, have=TYPE),
        case("type", "owner", name="public.plan", want=TYPE,
             have={**TYPE, "owner": "app_owner"}),
        case("type", "value renamed and owner", name="public.plan", want=TYPE,
             have={**TYPE, "owner": "app_owner", "labels": ["free", "pro", "teams"]}),
        case("type", "a value added", name="public.plan", want=TYPE,
             have={**TYPE, "labels": ["free", "pro", "team", "enterprise"]}),
        case("type", "domain base", name="public.cents",
             want={"kind": "d", "labels": None, "base": "bigint", "owner": "postgres"},
             have={"kind": "d", "labels": None, "base": "integer", "owner": "postgres"}),
        defaults("identical"),
        defaults("select revoked from authenticated on tables", authenticated=[]),
        defaults("execute granted to PUBLIC on functions (global)", schema=None,
                 objtype="f", PUBLIC=["EXECUTE"]),
        defaults("sequences: usage revoked from anon", objtype="S", anon=["SELECT"]),
        case("relation", "a grant to the project's role; excused default privileges",
             name=NAME, want=None, have=None, roles=["reporting"],
             excused={"may_lack": {"anon": ["TRUNCATE"]}, "may_have": {}}),
        case("function", "EXECUTE to the project's role; excused", name="public.is_pro(uid uuid)",
             want=FUNCTION, have={**copy.deepcopy(FUNCTION),
                                  "executors": ["anon", "reporting", "service_role"]},
             roles=["reporting"], excused={"may_lack": {"authenticated": ["EXECUTE"]},
                                           "may_have": {}}),
        case("project_roles", "every grantee but the API roles, PUBLIC and the platform's",
             doc={"relations": {},  # the bundle's table, filled in by main()
                  "sequences": {"public.s": {**SEQUENCE, "grants": {
                      "pg_read_all_data": ["SELECT"]}}},
                  "schema_info": {"billing": {**SCHEMA, "grants": {
                      "analyst": ["USAGE"], "supabase_admin": ["USAGE"]}}},
                  "functions": {"public.f()": {**FUNCTION, "executors": ["PUBLIC", "etl"]}}}),
    ]


def answer(kind: str, args: dict[str, Any]) -> list[list[Any]]:
    """What compare.py (or judge/drift.py) answers to a kind case, as findings: the case's
    JSON read by the catalog model, as the inspect query's answer is."""
    from types import SimpleNamespace

    from toolkit.judge import drift as judge_drift

    a = {"roles": [], **copy.deepcopy(args)}
    ex = a.pop("excused", None)
    excuse = compare.Excuse({r: set(p) for r, p in ex["may_lack"].items()},
                            {r: set(p) for r, p in ex["may_have"].items()}) if ex else None
    model: dict[str, Any] = {"sequence": Sequence, "schema": Schema, "extension": Extension,
                             "managed_table": ManagedTable, "type": Type,
                             "relation": Relation, "function": Function}
    if kind in model:
        for side in ("want", "have"):
            a[side] = None if a[side] is None else model[kind].from_json(a[side])
    if kind == "project_roles":
        doc = a["doc"]
        cat = SimpleNamespace(**{key: {n: cls.from_json(v) for n, v in doc[key].items()}
                                 for key, cls in (("relations", Relation),
                                                  ("sequences", Sequence),
                                                  ("schema_info", Schema),
                                                  ("functions", Function))})
        return [[r] for r in sorted(compare.project_roles(cast(Any, cat)))]
    if kind == "sequence":
        diffs = compare.sequence(a["name"], a["want"], a["have"], excuse, a["roles"])
    elif kind == "schema":
        diffs = compare.schema(a["name"], a["want"], a["have"], mine=a["owner"],
                               roles=a["roles"])
    elif kind == "extension":
        diffs = compare.extension(a["name"], a["want"], a["have"])
    elif kind == "managed_table":
        diffs = compare.managed_table(a["name"], a["want"], a["have"])
    elif kind == "publications":
        per = compare.publications(set(a["tables"]),
                                   {p: tuple(t) for p, t in a["want"].items()},
                                   {p: tuple(t) for p, t in a["have"].items()})
        diffs = [d for t in sorted(per) for d in per[t]]
    elif kind == "publication_members":
        per = compare.publication_members(
            set(a["tables"]), {k: PublicationMember.from_json(v) for k, v in a["want"].items()},
            {k: PublicationMember.from_json(v) for k, v in a["have"].items()},
            set(a["same_columns"]))
        diffs = [d for t in sorted(per) for d in per[t]]
    elif kind == "type":
        diffs = compare.type_(a["name"], a["want"], a["have"])
    elif kind == "default_privileges":
        diffs = judge_drift.default_privileges(
            a["schema"], a["objtype"], {r: set(p) for r, p in a["want"].items()},
            {r: set(p) for r, p in a["have"].items()})
    elif kind == "relation":
        diffs = compare.relation(a["name"], a["want"], a["have"], excuse, a["roles"])
    elif kind == "function":
        diffs = compare.function(a["name"], a["want"], a["have"], excuse, a["roles"])
    else:
        raise ValueError(kind)
    return findings(diffs)


def main() -> int:
    bundle = read_bundle(ROOT / BUNDLE)
    assert bundle is not None, "run make bundle first"
    base = bundle["expected"]["relations"][NAME]
    doc = json.loads(CASES.read_text(encoding="utf-8"))
    old = {c["title"]: c for c in doc["cases"]}
    cases = []
    for c in old.values():
        if c["title"] == "indexes: renamed is the same, extra unique":
            c["title"] = "indexes: renamed, extra unique"
        cases.append({"title": c["title"], "want": c["want"], "have": c["have"]})
    known = {c["title"] for c in cases}
    cases += [c for c in _new_cases(base) if c["title"] not in known]
    for c in cases:
        diffs = compare.relation(NAME, *relation(c, base))
        c["messages"] = sorted(d.message for d in diffs)
        c["findings"] = findings(diffs)
    name = "public.is_pro(uid uuid)"
    functions = []
    for c in _function_cases():
        diffs = compare.function(name, Function.from_json(FUNCTION), function(c["have"]))
        functions.append({**c, "findings": findings(diffs)})
    kinds = _kind_cases()
    for c in kinds:
        if c["kind"] == "relation":  # the bundle's table, its grants changed by hand
            want = copy.deepcopy(base)
            have = copy.deepcopy(base)
            have["grants"] = {**have["grants"], "reporting": ["SELECT"]}
            have["grants"]["anon"] = [p for p in have["grants"].get("anon", [])
                                      if p != "TRUNCATE"]
            next(col for col in have["columns"] if col["name"] == "state")["grants"] = {
                "reporting": ["UPDATE"]}
            c["args"].update(want=want, have=have)
        if c["kind"] == "project_roles":
            rel = copy.deepcopy(base)
            rel["grants"] = {"anon": ["SELECT"], "postgres": ["SELECT"]}
            rel["columns"][0]["grants"] = {"reporting": ["SELECT"]}
            c["args"]["doc"]["relations"] = {NAME: rel}
        c["findings"] = answer(c["kind"], c["args"])
    out = {
        "note": "Cases both toolkit/judge/compare.py (tests/workflow/test_edge_bundle.py) and "
                "compare.ts (unit.test.ts) must answer alike; messages sorted; findings are "
                "[message, object, property, expected, actual, fix_sql]. Regenerated by "
                "scripts/compare_cases.py from the bundle's public.agent_status.",
        "name": NAME, "base": base, "keywords": keywords(), "cases": cases,
        "function": {"name": name, "want": FUNCTION, "cases": functions},
        "kinds": kinds,
    }
    CASES.write_text(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    print(f"wrote {CASES.relative_to(ROOT)}: {len(cases)} relation, {len(functions)} "
          f"function and {len(kinds)} other cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
