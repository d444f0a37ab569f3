"""Judging a catalog against what the migrations declare: preconditions, tables, history."""

from __future__ import annotations

from toolkit.catalog import Catalog
from toolkit.declared_model import Declared, Requirement
from toolkit.migrations import MigrationSet
from toolkit.report import PreconditionResult, Report, TableResult
from toolkit.schema import Index, diff_tables


def table_names(declared: Declared) -> list[str]:
    """The tables `check` reports: those the migrations reference first, then those they create."""
    pre = [r.name for r in declared.preconditions if r.kind == "table"]
    return pre + [n for n in declared.tables if n not in pre]


def precondition(req: Requirement, catalog: Catalog) -> PreconditionResult:
    if req.kind == "extension":
        schema = catalog.extensions.get(req.name)
        if schema:
            return PreconditionResult(req.name, True, f"installed in schema {schema}")
        how = (f'run: create extension if not exists "{req.name}" with schema extensions; '
               "or toolkit apply --enable-extensions")
        if req.name == "uuid-ossp" and not catalog.uuid_ossp_available:
            how = "the server does not ship it (install PostgreSQL's contrib package)"
        return PreconditionResult(req.name, False, f"not installed: {how}")
    table = catalog.tables.get(req.name)
    if table is None:
        return PreconditionResult(
            req.name, False,
            f"table public.{req.name} does not exist: the migrations reference it but do not "
            "create it; create it first",
        )
    column = req.column or "id"
    col = table.columns.get(column)
    if col is None:
        return PreconditionResult(req.name, False, f"{req.name} has no column {column!r}")
    if req.column_type and col.type != req.column_type:
        return PreconditionResult(
            req.name, False,
            f"{req.name}.{column} is {col.type}, but the migrations reference it from a "
            f"{req.column_type} column: a foreign key needs matching types",
        )
    if table.primary_key == (column,):
        how = "primary key"
    elif Index((column,), True) in table.indexes:
        how = "unique"
    else:
        return PreconditionResult(
            req.name, False,
            f"{req.name}.{column} is neither a primary key nor unique, so nothing can reference it",
        )
    return PreconditionResult(req.name, True, f"{req.name}.{column} is {col.type}, {how}")


def pending_versions(migrations: MigrationSet, catalog: Catalog) -> list[str]:
    applied = catalog.applied_versions
    return [f.version for f in migrations.files if f.version not in applied]


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def remote_only_versions(migrations: MigrationSet, catalog: Catalog) -> list[str]:
    local = migrations.by_version()
    return [r.version for r in catalog.history or () if r.version not in local]


def remote_only_message(versions: list[str]) -> str:
    """Worded as `supabase db push` words it, with the same repair command."""
    listed = " ".join(versions)
    return ("Remote migration versions not found in local migrations directory: "
            f"{listed}. Make sure your local git repo is up-to-date. If the error persists, "
            "try repairing the migration history table: supabase migration repair --status "
            f"reverted {listed} --remote=<db-url>")


def fill(report: Report, declared: Declared, migrations: MigrationSet, catalog: Catalog) -> None:
    """Preconditions, the database view of every table, pending files and history problems."""
    report.preconditions = [precondition(r, catalog) for r in declared.preconditions]
    creators = {name: a.file.version for a in declared.files for name in a.tables}
    wanted = declared.tables
    by_name = {t.name: t for t in report.tables}
    for name in table_names(declared):
        result = by_name.get(name) or TableResult(name=name, created_by=creators.get(name))
        result.created_by = creators.get(name)
        have = catalog.tables.get(name)
        if have is None:
            result.database = "missing"
            result.detail = ("referenced by the migrations, must exist before them"
                             if name not in wanted else f"created by {creators[name]}")
        elif name not in wanted:
            result.database = "present"
            result.detail = "exists; referenced, never created, by the migrations"
        else:
            result.differences = diff_tables(wanted[name], have)
            result.database = "drifted" if result.differences else "present"
            result.detail = "; ".join(result.differences) if result.differences else (
                f"{_n(len(have.columns), 'column')}, {_n(len(have.foreign_keys), 'foreign key')}"
                f", {_n(len(have.indexes), 'index', 'indexes')}, "
                f"RLS {'on' if have.rls else 'off'}")
        if name not in by_name:
            report.tables.append(result)
            by_name[name] = result
    for t in report.tables:
        for diff in t.differences:
            report.warn(f"{t.name}: {diff}")
    history(report, declared, migrations, catalog)


def history(report: Report, declared: Declared, migrations: MigrationSet,
            catalog: Catalog) -> None:
    if not catalog.history_readable:
        report.notes.append(
            f"role {catalog.user} may not read supabase_migrations.schema_migrations: "
            "pending migrations are unknown"
        )
        return
    report.pending = pending_versions(migrations, catalog)
    local = migrations.by_version()
    rows = catalog.history or []
    remote_only = remote_only_versions(migrations, catalog)
    if remote_only:
        report.warn(remote_only_message(remote_only))
    newest = max((int(r.version) for r in rows if r.version.isdigit()), default=0)
    for version in report.pending:
        if int(version) < newest:
            report.warn(
                f"{local[version].path.name} is older than the newest applied migration "
                f"({newest}); supabase db push would need --include-all"
            )
    from toolkit.statements import same_statements

    recorded = {a.file.version: a.recorded for a in declared.files}
    for row in rows:
        f = local.get(row.version)
        if (f is not None and row.statements is not None
                and not same_statements(recorded[f.version], row.statements)):
            report.warn(
                f"{f.path.name} changed after it was applied: its statements differ from the "
                "history row (write a new migration instead of editing an applied one)",
                file=str(f.path),
            )
