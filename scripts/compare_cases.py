"""Regenerate supabase/functions/migration-guide/compare.cases.json: the cases both
toolkit/judge/compare.py (tests/workflow/test_edge_bundle.py) and the Edge Function's compare.ts
(unit.test.ts) must answer alike. Each case's `have` is the bundle's public.agent_status (or
the case's own `want`) changed by one edit; the answers are compare.py's.

    .venv/bin/python scripts/compare_cases.py
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.db.model import Function, Relation  # noqa: E402
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
    out = {
        "note": "Cases both toolkit/judge/compare.py (tests/workflow/test_edge_bundle.py) and "
                "compare.ts (unit.test.ts) must answer alike; messages sorted; findings are "
                "[message, object, property, expected, actual, fix_sql]. Regenerated by "
                "scripts/compare_cases.py from the bundle's public.agent_status.",
        "name": NAME, "base": base, "keywords": keywords(), "cases": cases,
        "function": {"name": name, "want": FUNCTION, "cases": functions},
    }
    CASES.write_text(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    print(f"wrote {CASES.relative_to(ROOT)}: {len(cases)} relation and {len(functions)} "
          "function cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
