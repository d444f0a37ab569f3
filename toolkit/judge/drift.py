"""Drift beyond the project's tables, views, functions and types: sequences, schemas,
extensions, publication membership, the migrations' triggers and policies on Supabase's own
tables (auth.users, storage.objects), and default privileges as their own kind.

Default privileges decide what a new table is granted, so a table's grants depend on the
defaults in force when it was made, which no catalog records. The shadow replays under the
target's defaults (toolkit.oracle.standins mirrors them); where those differ from hosted Supabase's,
the privileges in the difference are excused on every object (neither having nor lacking them
is a table's drift), and the change of defaults is one finding of its own, never a fix that
revokes what a table's grants (and its policies) rely on.
"""

from __future__ import annotations

from dataclasses import replace

from toolkit.db.catalog import Catalog
from toolkit.db.model import DefaultAcl
from toolkit.judge import compare
from toolkit.judge.findings import finding
from toolkit.oracle.replay import Replay
from toolkit.oracle.standins import DEFAULT_ACL_OBJECTS
from toolkit.output.report import Finding, ObjectResult, Report
from toolkit.project.model import Analysis, managed, short

Excused = dict[tuple[str | None, str], compare.Excuse]


def _acl_index(acl: tuple[DefaultAcl, ...] | None) -> dict[tuple[str | None, str],
                                                           dict[str, set[str]]]:
    return {(e.schema, e.objtype): {r: set(p) for r, p in e.grants.items()} for e in acl or ()}


def excused(replay: Replay, target: Catalog) -> Excused:
    """Per (schema, object type): what hosted Supabase's defaults and the target's disagree
    on, by direction."""
    if replay.hosted_acl is None:
        return {}
    hosted, mine = _acl_index(replay.hosted_acl), _acl_index(target.default_acl)
    out: Excused = {}
    for key in hosted.keys() | mine.keys():
        h, m = hosted.get(key, {}), mine.get(key, {})
        ex = compare.Excuse()
        for role in h.keys() | m.keys():
            if m.get(role, set()) - h.get(role, set()):
                ex.may_lack[role] = m.get(role, set()) - h.get(role, set())
            if h.get(role, set()) - m.get(role, set()):
                ex.may_have[role] = h.get(role, set()) - m.get(role, set())
        if ex.may_lack or ex.may_have:
            out[key] = ex
    return out


def excuse(ex: Excused, name: str, objtype: str) -> compare.Excuse:
    """What is excused on an object of `objtype` named schema.name: its schema's defaults and
    the global ones."""
    out = compare.Excuse()
    for key in ((None, objtype), (name.split(".", 1)[0], objtype)):
        got = ex.get(key)
        if got is None:
            continue
        for mine, theirs in ((out.may_lack, got.may_lack), (out.may_have, got.may_have)):
            for role, privs in theirs.items():
                mine.setdefault(role, set()).update(privs)
    return out


def publication_drift(before: Catalog, target: Catalog, ours: set[str]
                      ) -> dict[str, list[compare.Difference]]:
    out = compare.publications(ours, before.publications, target.publications)

    def columns(cat: Catalog, name: str) -> list[str] | None:
        rel = cat.relations.get(name)
        return rel.column_names() if rel else None

    alike = {n for n in ours if columns(before, n) == columns(target, n)}
    members = compare.publication_members(ours, before.publication_members,
                                          target.publication_members, alike)
    for table, diffs in members.items():
        out.setdefault(table, []).extend(diffs)
    return out


def _report(report: Report, kind: str, name: str, diffs: list[compare.Difference],
            missing: bool = False) -> None:
    state = "missing" if missing else "drifted" if diffs else "present"
    report.objects.append(ObjectResult(kind, short(name), state,  # type: ignore[arg-type]
                                       "; ".join(d.message for d in diffs)))
    for d in diffs:
        report.problems.append(finding("warning", f"{kind} {short(name)}", d))


def others(report: Report, analysis: Analysis, replay: Replay, target: Catalog,
           before: Catalog, ours: set[str], ex: Excused, roles: frozenset[str]) -> None:
    have = target
    _sequences(report, before, have, ex, roles)
    _schemas(report, before, have, ours, roles)
    _extensions(report, analysis, before, have)
    _managed_tables(report, before, have)
    _default_privileges(report, analysis, replay, target, before, ours)


def _sequences(report: Report, before: Catalog, have: Catalog, ex: Excused,
               roles: frozenset[str]) -> None:
    for name, want in sorted(before.sequences.items()):
        if managed(name):
            continue
        got = have.sequences.get(name)
        if got is None and want.identity:
            continue  # its column is no identity any more: said as the column
        if got is None:
            _report(report, "sequence", name, [compare.Difference(
                "missing", object=f"sequence {name}", property="exists", expected="yes",
                actual="no")], missing=True)
            continue
        diffs = compare.sequence(name, want, got, excuse(ex, name, "S"), roles)
        if diffs:
            _report(report, "sequence", name, diffs)


def _schemas(report: Report, before: Catalog, have: Catalog, ours: set[str],
             roles: frozenset[str]) -> None:
    for name, want in sorted(before.schema_info.items()):
        got = have.schema_info.get(name)
        mine = name != "public"
        if got is None:
            if any(t.startswith(f"{name}.") for t in ours):
                continue  # its tables are missing too: said there
            _report(report, "schema", name, [compare.Difference(
                "missing", object=f"schema {name}", property="exists", expected="yes",
                actual="no")], missing=True)
            continue
        if not mine:
            # public is the platform's: only what the API roles, PUBLIC and the project's own
            # roles may do in it.
            keep = {*compare.API_ROLES, "PUBLIC", *roles}
            want = replace(want, grants={r: p for r, p in want.grants.items() if r in keep})
            got = replace(got, grants={r: p for r, p in got.grants.items() if r in keep})
        diffs = compare.schema(name, want, got, mine=mine, roles=roles)
        if diffs:
            _report(report, "schema", name, diffs)


def _extensions(report: Report, analysis: Analysis, before: Catalog, have: Catalog) -> None:
    created = {e for f in analysis.files for e in f.extensions}
    for name in sorted(created):
        want = before.extension_info.get(name)
        if want is None:
            continue  # the shadow could not create it: said as a shadow limit
        got = have.extension_info.get(name)
        diffs = compare.extension(name, want, got)
        # The shadow installs its server's default version, which need not be the platform's:
        # a version apart is said, never drift.
        for d in [d for d in diffs if d.property == "version"]:
            diffs.remove(d)
            report.problems.append(Finding(
                "notice", f"extension {name}: {d.message} (the shadow server's default)",
                kind="drift", object=d.object, property=d.property, expected=d.expected,
                actual=d.actual))
        if diffs:
            _report(report, "extension", name, diffs, missing=got is None)


def _managed_tables(report: Report, before: Catalog, have: Catalog) -> None:
    wanted, got = before.managed_tables, have.managed_tables
    for name in sorted(wanted.keys() | got.keys()):
        for d in compare.managed_table(name, wanted.get(name), got.get(name)):
            kind, _, what = d.object.partition(" ")
            report.objects.append(ObjectResult(
                kind, what, "missing" if d.property == "exists" else "drifted", d.message))
            report.problems.append(finding("warning", name, d))


def _default_privileges(report: Report, analysis: Analysis, replay: Replay, target: Catalog,
                        before: Catalog, ours: set[str]) -> None:
    """The target's default privileges against hosted Supabase's (or, when the migrations
    alter default privileges, against the shadow's after them). Drift when the project's own
    objects show they were made under other defaults than the target has now; otherwise it is
    how the project is set up (Supabase's 'expose new tables' off), said as a notice."""
    if replay.hosted_acl is None:
        return
    alters = any(s.kind == "AlterDefaultPrivilegesStmt" for f in analysis.files
                 for s in f.statements)
    expected = _acl_index(before.default_acl if alters else replay.hosted_acl)
    actual = _acl_index(target.default_acl)
    for key in sorted(expected.keys() | actual.keys(), key=lambda k: (k[0] or "", k[1])):
        schema, objtype = key
        w, h = expected.get(key, {}), actual.get(key, {})
        diffs = default_privileges(schema, objtype, w, h)
        if not diffs:
            continue
        where = f" in schema {schema}" if schema else ""
        what = DEFAULT_ACL_OBJECTS.get(objtype, objtype)
        later = _made_under_other_defaults(target, before, schema, objtype, w, h, ours)
        for d in diffs:
            if later:
                report.problems.append(finding("warning", "default privileges", d))
            else:
                report.problems.append(Finding(
                    "notice", f"default privileges: {d.message} (the target's setting: new "
                    "objects are granted as it says)", kind="default-privileges",
                    object=d.object, property=d.property, expected=d.expected,
                    actual=d.actual))
        if later:
            report.objects.append(ObjectResult(
                "default privileges", f"{what}{where}", "drifted",
                "; ".join(d.message.split(" (")[0] for d in diffs)))


def default_privileges(schema: str | None, objtype: str, want: dict[str, set[str]],
                       have: dict[str, set[str]]) -> list[compare.Difference]:
    """What postgres's default privileges (in `schema`, or global) on objects of `objtype`
    give each role, the expected against the target's: one difference per role and
    direction, with the ALTER DEFAULT PRIVILEGES that puts it back."""
    where = f" in schema {schema}" if schema else ""
    what = DEFAULT_ACL_OBJECTS.get(objtype, objtype)
    obj = f"default privileges for role postgres{where} on {what}"
    diffs = compare.acl(obj, {r: sorted(p) for r, p in want.items()},
                        {r: sorted(p) for r, p in have.items()}, _default_fix(schema, what))
    return [compare.Difference(
        f"{d.message.split(' (')[0]} on new {what}{where} (tables the migrations made keep "
        f"their grants; {d.fix_sql} puts the default back)", None, "default-privileges",
        d.object, d.property, d.expected, d.actual, d.fix_sql) for d in diffs]


def _default_fix(schema: str | None, what: str) -> compare.FixMaker:
    def fix(privs: list[str], role: str, revoke: bool) -> str:
        prefix = "alter default privileges for role postgres" + (
            f" in schema {compare.ident(schema)}" if schema else "")
        return f"{prefix} {compare.grant_fix(what, role, privs, revoke)}"
    return fix


def _grants_of(objtype: str, cat: Catalog) -> dict[str, dict[str, set[str]]]:
    """Per object of that type, per role, its privileges."""
    if objtype == "r":
        return {n: {r: set(p) for r, p in rel.grants.items()}
                for n, rel in cat.relations.items()}
    if objtype == "S":
        return {n: {r: set(p) for r, p in seq.grants.items()}
                for n, seq in cat.sequences.items()}
    if objtype == "f":
        return {n: {r: {"EXECUTE"} for r in fn.executors} for n, fn in cat.functions.items()}
    return {}


def _made_under_other_defaults(target: Catalog, before: Catalog, schema: str | None,
                               objtype: str, w: dict[str, set[str]], h: dict[str, set[str]],
                               ours: set[str]) -> bool:
    """True when one of the project's objects holds a privilege the expected defaults give
    and the target's do not, beyond what the shadow (replayed under the target's defaults)
    gave it, or lacks one the target's give that the shadow gave it: it was made before the
    defaults changed. Grants the migrations make explicitly are on both sides alike."""
    have, want = _grants_of(objtype, target), _grants_of(objtype, before)
    for name, shadow_grants in want.items():
        if managed(name) or (schema is not None and not name.startswith(f"{schema}.")):
            continue
        if objtype == "r" and name not in ours:
            continue
        target_grants = have.get(name)
        if target_grants is None:
            continue
        for role in w.keys() | h.keys():
            gone = w.get(role, set()) - h.get(role, set())
            added = h.get(role, set()) - w.get(role, set())
            has = target_grants.get(role, set())
            shadow = shadow_grants.get(role, set())
            if (has - shadow) & gone or (shadow - has) & added:
                return True
    return False
