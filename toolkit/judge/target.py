"""Judging a target against the oracle: preconditions, every relation the migrations create
(present, missing, drifted, pending or unknown), their views, functions and types, and the
migration history. Fills the report; the verdict is toolkit.judge.outcome's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from toolkit.db.catalog import Catalog
from toolkit.db.history import version_order
from toolkit.db.model import Function, Relation, Type
from toolkit.judge import compare
from toolkit.judge.findings import finding
from toolkit.judge.mode import mode_of
from toolkit.oracle.replay import Failure, Replay, package_hint
from toolkit.oracle.standins import StandIns
from toolkit.output.report import (
    ObjectResult,
    PreconditionResult,
    Report,
    TableResult,
)
from toolkit.project.migrations import MigrationFile, MigrationSet
from toolkit.project.model import Analysis, Reference, managed, short
from toolkit.shape import managed as supabase_managed
from toolkit.words import plural

TABLE_KINDS = ("r", "p", "f")
_O = TypeVar("_O", Function, Type)
# A statement failing on the shadow with these names something the shadow lacks (a relation,
# type, function or schema the migrations never create): the target may have it.
SHADOW_LACKS = {"42P01", "42704", "42883", "3F000"}
# Permission errors the shape vouches for: the extensions Supabase lets postgres create, the
# settings only a superuser may change. Any other 42501 (an object of Supabase's own that the
# shape models roughly) is a limit of the shadow, never a claim about the target.
VOUCHED_PERMISSION = re.compile(
    r'^(permission denied to create extension |permission denied to set parameter "[^".]+"$)')


_MISSING_RELATION = re.compile(r'relation "([^"]+)" does not exist')


def _target_lacks_too(fail: Failure, target: Catalog | None) -> bool:
    """A relation the shadow lacks (named inside a function body, say, where the parser does
    not look for stand-ins) that the target lacks as well: the target would fail the same way."""
    found = _MISSING_RELATION.search(fail.message) if fail.sqlstate == "42P01" else None
    if target is None or found is None:
        return False
    name = found.group(1) if "." in found.group(1) else f"public.{found.group(1)}"
    # The catalog reads only the project's schemas: of Supabase's it cannot say.
    return not managed(name) and name not in target.relations \
        and name not in target.sequences


def shadow_vouches(sqlstate: str, message: str) -> bool:
    """Would this failure on the shadow happen on the target too? Only when the shape models
    its cause: not for what the shadow lacks, nor for a permission it cannot vouch for."""
    if sqlstate in SHADOW_LACKS:
        return False
    return sqlstate != "42501" or bool(VOUCHED_PERMISSION.match(message))




# -- preconditions ---------------------------------------------------------------------------

def _reference(ref: Reference, target: Catalog) -> PreconditionResult:
    name = short(ref.name)
    rel = target.relations.get(ref.name)
    if rel is None:
        return PreconditionResult(
            name, False, f"table {ref.name} does not exist: the migrations reference it but do "
            "not create it; create it first (or add a migration that does)")
    if not ref.columns:
        return PreconditionResult(name, True, f"{name} exists")
    cols = {c.name: c for c in rel.columns}
    for column, want in zip(ref.columns, ref.types, strict=False):
        col = cols.get(column)
        if col is None:
            return PreconditionResult(name, False, f"{name} has no column {column!r}")
        if want and col.type != want and col.type != want.replace("int8", "bigint"):
            return PreconditionResult(
                name, False,
                f"{name}.{column} is {col.type}, but the migrations reference it from a "
                f"{want} column: a foreign key needs matching types. To proceed, declare the "
                f"referencing columns {col.type} in the pending migration, or add a unique "
                f"{want} column to {name} and reference that")
    wanted = tuple(ref.columns)
    keys = [k for k in rel.constraints if k.type in ("p", "u")]
    match = next((k for k in keys if k.columns == wanted), None)
    indexes = [i for i in rel.indexes if i.unique and i.columns == wanted]
    if match is None and not indexes:
        return PreconditionResult(
            name, False, f"{name}.{', '.join(ref.columns)} is neither a primary key nor unique, "
            f"so nothing can reference it: add a unique constraint on it first")
    how = "primary key" if match is not None and match.type == "p" else "unique"
    types = ", ".join(cols[c].type for c in ref.columns)
    return PreconditionResult(name, True, f"{name}.{', '.join(ref.columns)} is {types}, {how}")


def preconditions(report: Report, analysis: Analysis, target: Catalog) -> None:
    for ref in analysis.references:
        if ref.strong and not managed(ref.name):
            report.preconditions.append(_reference(ref, target))
    for ext in analysis.extensions_needed:
        schema = target.extensions.get(ext)
        if schema:
            report.preconditions.append(PreconditionResult(ext, True,
                                                           f"installed in schema {schema}"))
            if schema == "public":
                report.warn(f'{ext} is installed in schema public: Supabase\'s advisors flag '
                            f'this (extension_in_public, WARN); move it with: alter extension '
                            f'"{ext}" set schema extensions', kind="advisor")
            continue
        how = (f'run: create extension if not exists "{ext}" with schema extensions; '
               "or toolkit apply --enable-extensions")
        if ext == "uuid-ossp" and not target.uuid_ossp_available:
            how = "the server does not ship it (install PostgreSQL's contrib package)"
        report.preconditions.append(PreconditionResult(ext, False, f"not installed: {how}"))


# -- history ---------------------------------------------------------------------------------

def pending_versions(migrations: MigrationSet, target: Catalog) -> list[str]:
    applied = target.applied_versions
    return [f.version for f in migrations.files if f.version not in applied]


def remote_only_versions(migrations: MigrationSet, target: Catalog) -> list[str]:
    local = migrations.by_version()
    return [r.version for r in target.history or () if r.version not in local]


def remote_only_message(versions: list[str]) -> str:
    """Worded as `supabase db push` words it, with the same repair command."""
    listed = " ".join(versions)
    return ("Remote migration versions not found in local migrations directory: "
            f"{listed}. Make sure your local git repo is up-to-date. If the error persists, "
            "try repairing the migration history table: supabase migration repair --status "
            f"reverted {listed} --db-url <db-url> (Supabase CLI 3: --remote=<db-url>)")


def out_of_order(migrations: MigrationSet, target: Catalog,
                 pending: list[str]) -> tuple[str, list[MigrationFile]]:
    """The newest applied version and the pending files older than it, which `supabase db
    push` refuses unless --include-all ("Found local migration files to be inserted before the
    last migration on remote database")."""
    rows = target.history or ()
    newest = max((r.version for r in rows), default="", key=version_order)
    local = migrations.by_version()
    return newest, [local[v] for v in pending
                    if rows and local[v].path.name < f"{newest}_"]


def history(report: Report, analysis: Analysis, migrations: MigrationSet,
            target: Catalog, *, include_all: bool = False) -> None:
    mode = mode_of(report.command)
    if not target.history_readable:
        message = (f"role {target.user} may not read supabase_migrations.schema_migrations: "
                   "pending migrations are unknown (use the postgres role)")
        if mode.answers_pending:  # a plan of "nothing pending" would be a guess
            report.error(message, kind="history")
        else:  # check still judges every table against the whole replay
            report.warn(message, kind="history")
        return
    report.pending = pending_versions(migrations, target)
    remote_only = remote_only_versions(migrations, target)
    if remote_only:
        # One judgement for every command, as `supabase db push` fails on it: a history the
        # local files do not explain is never ok (apply refuses it before any DDL).
        if mode.writes:
            report.error("refusing to apply: " + remote_only_message(remote_only),
                         kind="refused")
        else:
            report.error(remote_only_message(remote_only), kind="history")
    newest, early = out_of_order(migrations, target, report.pending)
    for old in early:
        where = (f"{old.path.name} is older than the newest applied migration ({newest}): a "
                 "local migration file to be inserted before the last migration on the database")
        if include_all:
            report.notes.append(f"{where}; included by --include-all")
        elif mode.before_apply:
            report.warn(f"{where}; apply refuses it without --include-all, as supabase db push "
                        "does", kind="history", file=str(old.path))
        else:
            report.warn(f"{where}; toolkit apply and supabase db push need --include-all",
                        kind="history", file=str(old.path))
    for f in changed_after_applied(analysis, migrations, target):
        report.warn(f"{f.path.name} changed after it was applied: its statements differ "
                    "from the history row (write a new migration instead of editing an "
                    "applied one)", kind="history", file=str(f.path))


def changed_after_applied(analysis: Analysis, migrations: MigrationSet,
                          target: Catalog) -> list[MigrationFile]:
    """Local files whose statements differ from their history row (ours or the CLI's)."""
    from toolkit.project.statements import same_statements

    local = migrations.by_version()
    recorded = {a.version: a.recorded for a in analysis.files}
    out = []
    for row in target.history or []:
        f = local.get(row.version)
        if (f is not None and row.statements is not None
                and not same_statements(tuple(recorded[f.version]), row.statements)):
            out.append(f)
    return out


# -- relations -------------------------------------------------------------------------------

def creators_of(analysis: Analysis) -> tuple[dict[str, str], list[str]]:
    """Which version first creates each table or view, in the order they are created."""
    first: dict[str, str] = {}
    order: list[str] = []
    for f in analysis.files:
        for c in f.created:
            if c.kind in ("table", "view", "materialized view"):
                first.setdefault(c.name, f.version)
                if c.name not in order:
                    order.append(c.name)
    return first, order


def shadow_failures(report: Report, replay: Replay, pending: set[str],
                    migrations: MigrationSet, target: Catalog | None = None) -> None:
    """Say what the shadow could not run, one line per cause. What it lacks (an extension, or
    something the migrations never create) makes what it touches unknown; any other failure in
    a pending file would fail on the target too: apply refuses it."""
    by_name = {f.path.name: f for f in migrations.files}
    # What follows from an earlier failure is counted on it, never listed before it.
    follows = [sum(1 for g in replay.failures if g.caused_by == i)
               for i in range(len(replay.failures))]
    roots = [f for f in replay.failures if f.caused_by is None]
    caused = {id(f): _caused(n) for f, n in zip(replay.failures, follows, strict=True)}
    missing = [f for f in roots if f.extension]
    def vouched(f: Failure) -> bool:
        return shadow_vouches(f.sqlstate, f.message) or _target_lacks_too(f, target)

    lacking = [f for f in roots if not f.extension and not vouched(f)]
    standing = [f for f in roots if not f.extension and f not in lacking
                and supabase_managed.stand_in_limit(f.message, replay.stood_in)]
    for fail in missing + lacking + standing:
        f = by_name.get(fail.file)
        where = f"{f.path if f else fail.file}:{fail.line}:{fail.col}"
        touched = list(fail.touches)
        touched += [t for g in replay.failures if g.caused_by is not None
                    and replay.failures[g.caused_by] is fail for t in g.touches
                    if t not in touched]
        if fail.extension:
            # What fails after it for want of what it defines is the same cause.
            if fail is missing[0]:
                touched += [t for g in lacking for t in g.touches if t not in touched]
            what = f"lacks extension {fail.extension}{_extension_hint(fail.extension, replay)}"
        elif fail in standing:
            what = (f"stands in for extension "
                    f"{supabase_managed.stand_in_limit(fail.message, replay.stood_in)}, and "
                    f"the stand-in could not run it: {fail.message} [{fail.sqlstate}]")
        elif missing:
            continue
        elif fail.sqlstate == "42501":
            what = (f"could not run it: {fail.message} [{fail.sqlstate}] (a permission the "
                    "shadow cannot vouch for on hosted Supabase; the target may allow it)")
        else:
            what = (f"could not run it: {fail.message} [{fail.sqlstate}] (the shadow has only "
                    "what the migrations create, Supabase's own schemas, and the tables they "
                    "name in DDL; the target may have more)")
        names = ", ".join(dict.fromkeys(map(short, touched)))
        report.warn(f"{where}: the shadow database (PostgreSQL {replay.major}) {what}; "
                    + (f"{names} cannot be judged" if names else "the rest is judged")
                    + caused[id(fail)],
                    kind="shadow-limit", file=fail.file, line=fail.line, col=fail.col,
                    sqlstate=fail.sqlstate)
    for fail in roots:
        if fail.extension or not vouched(fail) or \
                supabase_managed.stand_in_limit(fail.message, replay.stood_in):
            continue
        f = by_name.get(fail.file)
        where = f"{f.path if f else fail.file}:{fail.line}:{fail.col}"
        if f is not None and f.version in pending:
            report.error(f"{where}: {fail.message} [{fail.sqlstate}] (found by replaying the "
                         "migrations on the shadow database; it would fail on the target too)"
                         f"{caused[id(fail)]}",
                         kind="shadow", file=str(f.path), line=fail.line, col=fail.col,
                         sqlstate=fail.sqlstate)
        else:
            report.warn(f"{where}: replaying this applied migration on the shadow database "
                        f"failed: {fail.message} [{fail.sqlstate}]; "
                        f"{', '.join(map(short, fail.touches)) or 'what it touches'} cannot "
                        f"be judged{caused[id(fail)]}", kind="shadow-applied", file=fail.file,
                        line=fail.line, col=fail.col, sqlstate=fail.sqlstate)


def _caused(n: int) -> str:
    return f" (and {plural(n, 'error')} caused by it)" if n else ""


def _extension_hint(extension: str, replay: Replay) -> str:
    """How to get an extension the shadow lacks: a package, or, for one that exists only on
    Supabase's image, a shadow that is a Supabase database."""
    if extension in supabase_managed.IMAGE_ONLY:
        return (", which exists only on Supabase's image: point TOOLKIT_SHADOW_DB_URL at a "
                "Supabase database (supabase start) to judge what it touches")
    return (f": install {package_hint(extension, replay.major)} or point "
            "TOOLKIT_SHADOW_DB_URL at a server that has it")


def project_names(replay: Replay, stand: StandIns) -> set[str]:
    outside = set(stand.copied) | set(stand.made)
    names = set(replay.after.relations) | set(replay.before.relations)
    return {n for n in names if n not in outside and not managed(n)}


def relations(report: Report, analysis: Analysis, replay: Replay, stand: StandIns,
              target: Catalog | None, *, before: Catalog, after: Catalog,
              counted: set[str] | None = None, api_schemas: tuple[str, ...] = ("public",)
              ) -> None:
    """A row for each table the migrations create (and each strong stand-in first), an object
    line for each view, function and type. `counted`: the only relations this command's verdict
    rests on (apply: those its files touched); None: all."""
    creators, order = creators_of(analysis)
    files = analysis.by_version()
    rank = {n: i for i, n in enumerate(order)}
    ours = project_names(replay, stand)
    unknown = replay.unknown
    refs = [r.name for r in analysis.references if r.strong and not managed(r.name)]
    for name in refs:
        have = target.relations.get(name) if target is not None else None
        if have is not None and have.kind not in TABLE_KINDS:
            continue  # a view the files use: its precondition says so; it is no table to probe
        t = TableResult(name=short(name), exposed=name.split(".")[0] in api_schemas)
        if target is None:
            t.db_judged = False
            t.detail = "referenced by the migrations, must exist before them"
        elif have is None:
            t.database = "missing"
            t.detail = "referenced by the migrations, must exist before them"
        else:
            t.database = "present"
            t.detail = "exists; referenced, never created, by the migrations"
        report.tables.append(t)
    b_rel, a_rel = before.relations, after.relations
    from toolkit.judge import drift as judge_drift

    excused = judge_drift.excused(replay, target) if target is not None else {}
    roles = compare.project_roles(before)
    pubs = (judge_drift.publication_drift(before, target, ours) if target is not None
            else {})
    # What the shadow could not make still gets a row: unknown, never left out.
    outside = set(stand.copied) | set(stand.made)
    ours |= {n for n in unknown if n not in outside and not managed(n)}
    for name in sorted(ours, key=lambda n: (rank.get(n, len(rank)), n)):
        want_after, want_before = a_rel.get(name), b_rel.get(name)
        known = want_after or want_before
        kind = known.kind if known is not None else "r"
        have = target.relations.get(name) if target is not None else None
        ex = judge_drift.excuse(excused, name, "r")
        if kind not in TABLE_KINDS:
            _view(report, name, want_before, want_after, have, target, unknown, ex, roles)
            continue
        t = TableResult(name=short(name), created_by=creators.get(name),
                        exposed=name.split(".")[0] in api_schemas)
        maker = files.get(t.created_by or "")
        if maker is not None:
            t.file, t.line = maker.path, maker.created_at.get(name)
        if counted is not None and name not in counted:
            t.counts = False
        report.tables.append(t)
        if name in unknown:
            t.database = "unknown"
            t.detail = "not judged: the shadow database could not replay what creates it"
            continue
        if target is None:
            t.db_judged = False
            t.detail = "no database URL: not compared"
            continue
        if want_before is None and want_after is not None:
            _created_by_pending(t, name, want_after, have, ex, roles)
        elif want_before is not None and want_after is None:
            if have is None:
                t.database = "present"  # dropped by a pending file, already gone: nothing to do
                t.detail = "dropped by a pending migration"
            else:
                t.database = "pending"
                t.pending_changes = ["dropped by a pending migration"]
                t.detail = "dropped by a pending migration"
        else:
            assert want_before is not None and want_after is not None
            _applied(t, name, want_before, want_after, have, ex, pubs.get(name, []), roles)
        for diff in t.drift:
            report.problems.append(finding("warning", t.name, diff, t.name))
    _objects(report, before, after, target, ours, excused, roles)
    if target is not None:
        judge_drift.others(report, analysis, replay, target, before, ours, excused, roles)


def _set_drift(t: TableResult, diffs: list[compare.Difference]) -> None:
    t.drift = diffs
    t.differences = [d.message for d in diffs]


def _created_by_pending(t: TableResult, name: str, want: Relation,
                        have: Relation | None, ex: compare.Excuse, roles: frozenset[str]
                        ) -> None:
    if have is None:
        t.database = "missing"
        t.detail = f"created by {t.created_by} (pending)" if t.created_by else "pending"
        return
    t.existed = True
    _set_drift(t, compare.relation(name, want, have, ex, roles))
    if t.differences:
        t.database = "drifted"
        t.detail = ("exists already, so the pending CREATE ... IF NOT EXISTS would skip it; "
                    "it differs: " + "; ".join(t.differences))
    else:
        t.database = "present"
        t.detail = "exists already and matches what the pending migration creates"


def _applied(t: TableResult, name: str, want_before: Relation,
             want_after: Relation, have: Relation | None,
             ex: compare.Excuse, pubs: list[compare.Difference], roles: frozenset[str]
             ) -> None:
    if have is None:
        t.database = "missing"
        t.detail = f"created by {t.created_by}, which is applied, but not in the database"
        return
    _set_drift(t, compare.relation(name, want_before, have, ex, roles) + pubs)
    t.pending_changes = [d.message for d in compare.relation(name, want_after, want_before)]
    if t.differences:
        t.database = "drifted"
        t.detail = "; ".join(t.differences)
    elif t.pending_changes:
        t.database = "pending"
        t.detail = "a pending migration changes it: " + "; ".join(t.pending_changes)
    else:
        t.database = "present"
        cols = len(have.columns)
        fks = sum(1 for k in have.constraints if k.type == "f")
        # The catalog lists constraint-backed indexes under their constraint; a primary key or
        # unique constraint is an index all the same (it may be what covers a foreign key).
        indexes = len(have.indexes) + sum(1 for k in have.constraints
                                          if k.type in ("p", "u", "x"))
        t.detail = (f"{plural(cols, 'column')}, {plural(fks, 'foreign key')}, "
                    f"{plural(indexes, 'index')}, "
                    f"RLS {'on' if have.rls else 'off'}")


def _view(report: Report, name: str, want_before: Relation | None,
          want_after: Relation | None, have: Relation | None,
          target: Catalog | None, unknown: set[str], ex: compare.Excuse,
          roles: frozenset[str]) -> None:
    want = want_before or want_after
    assert want is not None
    kind = "materialized view" if want.kind == "m" else "view"
    if name in unknown or target is None:
        report.objects.append(ObjectResult(kind, short(name), "unknown"))
        return
    if have is None:
        state = "missing"
        detail = "created by a pending migration" if want_before is None else \
            "not in the database"
        report.objects.append(ObjectResult(kind, short(name), state, detail))  # type: ignore[arg-type]
        if want_before is not None:
            report.warn(f"{kind} {short(name)} missing", kind="drift", table=short(name),
                        object=f"{kind} {name}", property="exists", expected="yes",
                        actual="no")
        return
    diffs = compare.relation(name, want, have, ex, roles)
    report.objects.append(ObjectResult(kind, short(name), "drifted" if diffs else "present",
                                       "; ".join(d.message for d in diffs)))
    for d in diffs:
        report.problems.append(finding("warning", f"{kind} {short(name)}", d, short(name)))


def _objects(report: Report, before: Catalog, after: Catalog,
             target: Catalog | None, ours: set[str],
             excused: dict[tuple[str | None, str], compare.Excuse], roles: frozenset[str]
             ) -> None:
    """Functions and types the migrations create, as present / missing / differs."""
    if target is None:
        return
    from toolkit.judge.drift import excuse

    def functions(name: str, want: Function, have: Function) -> list[compare.Difference]:
        return compare.function(name, want, have, excuse(excused, name, "f"), roles)

    _section(report, "function", before.functions, after.functions, target.functions,
             functions)
    _section(report, "type", before.types, after.types, target.types, compare.type_)


def _section(report: Report, kind: str, before: Mapping[str, _O], after: Mapping[str, _O],
             have: Mapping[str, _O], cmp: Callable[[str, _O, _O], list[compare.Difference]]
             ) -> None:
    for name in sorted(set(before) | set(after)):
        if managed(name):
            continue
        want = before.get(name)
        if want is None:
            state = "pending" if name not in have else "present"
            report.objects.append(ObjectResult(kind, short(name), state,  # type: ignore[arg-type]
                                               "created by a pending migration"))
            continue
        got = have.get(name)
        if got is None:
            report.objects.append(ObjectResult(kind, short(name), "missing",
                                               "not in the database"))
            report.warn(f"{kind} {short(name)} missing", kind="drift",
                        object=f"{kind} {name}", property="exists", expected="yes",
                        actual="no")
            continue
        diffs = cmp(name, want, got)
        report.objects.append(ObjectResult(kind, short(name),
                                           "drifted" if diffs else "present",
                                           "; ".join(d.message for d in diffs)))
        for d in diffs:
            report.problems.append(finding("warning", f"{kind} {short(name)}", d))
