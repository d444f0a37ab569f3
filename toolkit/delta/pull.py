"""`toolkit pull`: what was changed by hand on the target (the dashboard, psql), as a migration.

The target is compared with what the migrations make (replayed on a shadow, stand-ins copied
from the target) by pg-delta, with Supabase's schemas left out but for what projects put there
(triggers on auth.users, policies on storage.objects). The file is proven before it is
written: the migrations and the new file, replayed on a fresh shadow, must give the target's
catalog with no difference (toolkit's comparison). Then it is written and recorded in the
target's history as applied, as `supabase db pull` offers to, so check finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ConfigError, Declined, Refused, ToolkitError
from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.db.catalog import Catalog

DEFAULT_NAME = "remote_schema"  # the name `supabase db pull` gives its file


class NotProven(ToolkitError):
    """The generated file does not give the desired schema: nothing was written."""

    def __init__(self, message: str, differences: list[str], sql: str = "",
                 heading: str = "Still different after the generated file (\"missing\": the "
                 "replay lacks what the desired schema has):") -> None:
        super().__init__(message)
        self.differences = differences
        self.sql = sql  # the file that was not written, for --json
        self.heading = heading

    @property
    def exit_code(self) -> Any:  # type: ignore[override]
        from toolkit.errors import ExitCode

        return ExitCode.INCOMPLETE


@dataclass
class Pulled:
    version: str = ""
    path: Path | None = None
    statements: list[str] = field(default_factory=list)  # the file's, as the history holds them
    destructive: list[str] = field(default_factory=list)  # what pg-delta says loses data
    renames: list[str] = field(default_factory=list)  # written as drop + create
    recorded: bool = False
    proof_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.path is not None


def _history_matches(local: list[str], applied: set[str]) -> None:
    """The target must have applied exactly the local files: the difference is then the hand
    changes alone (a pending file would come out as its own undoing)."""
    from toolkit.db.history import version_order

    pending = [v for v in local if v not in applied]
    remote = sorted((v for v in applied if v not in local), key=version_order)
    if pending:
        raise Refused(f"{len(pending)} local migration(s) are not applied on the target "
                      f"({', '.join(pending[:5])}{' …' if len(pending) > 5 else ''}): apply them "
                      "first (toolkit apply), then pull")
    if remote:
        raise Refused(f"the target's history has version(s) no local file has "
                      f"({', '.join(remote[:5])}{' …' if len(remote) > 5 else ''}): fetch those "
                      "files, or mark them reverted (toolkit migration repair --status "
                      "reverted), then pull")


def header(command: str) -> str:
    from toolkit.delta.install import PACKAGE, VERSION

    return (f"-- Written by toolkit {command} with {PACKAGE}@{VERSION}, and proven: the "
            "migrations before it and\n-- this file, replayed on a fresh shadow database, "
            "give the schema it was made from.\n\n")


def as_shadow_has(desired: Catalog, shadow: Catalog, names: list[str]) -> Catalog:
    """`desired` with the named relations (stand-ins) as the shadow holds them: the shadow
    copies only their structure, so the rest of what the target has on them is no change."""
    relations = dict(desired.relations)
    theirs = shadow.relations
    for name in names:
        if name in theirs:
            relations[name] = theirs[name]
        else:
            relations.pop(name, None)
    return replace(desired, relations=relations)


def run_pull(settings: Settings, name: str, confirm: Callable[[str], bool],
             now: datetime | None = None) -> Pulled:
    import time

    from toolkit.db.catalog import inspect
    from toolkit.db.connect import connect
    from toolkit.db.history import version_order
    from toolkit.delta import engine
    from toolkit.delta.catalogs import differences, line
    from toolkit.delta.proof import Proof, amended, prove
    from toolkit.delta.sides import filled
    from toolkit.delta.url import target_url
    from toolkit.oracle.standins import standins
    from toolkit.project.migrations import MigrationFile, discover
    from toolkit.project.naming import new_migration_name
    from toolkit.project.parse_cache import analyse
    from toolkit.project.statements import split

    if not settings.db_url:
        raise ConfigError("pull needs the target database: set SUPABASE_DB_URL (or --db-url)")
    out = Pulled()
    started = time.perf_counter()
    migrations = discover(settings.migrations_dir)
    out.warnings += migrations.warnings
    files = migrations.files
    analysis = analyse(files)
    with connect(settings, autocommit=True) as conn:
        target = inspect(conn)
    if not target.history_readable:
        raise ConfigError("this role may not read supabase_migrations.schema_migrations: use "
                          "the postgres role's connection string")
    read = sorted(target.applied_versions, key=version_order)
    _history_matches([f.version for f in files], set(read))
    out.timings["target"] = time.perf_counter() - started
    stand = standins(analysis, target)
    left_out = [*stand.copied, *stand.made]
    by_version = analysis.by_version()
    order = [(f, by_version[f.version]) for f in files]
    version = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    filename = new_migration_name(settings.migrations_dir, version, name)
    started = time.perf_counter()
    with filled(settings, order, stand, target.default_acl,
                prefer_major=target.major) as side:
        failed = [f"{f.file}:{f.line}:{f.col}: {f.message}" for f in side.replay.failures]
        if failed:
            raise Refused("the migrations do not replay on the shadow database, so what they "
                          f"make is not known: {failed[0]}"
                          + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""))
        desired = as_shadow_has(target, side.catalog, left_out)
        delta = engine.plan(side.conninfo, target_url(settings),
                            secrets=tuple(settings.secrets), preconditions=left_out)
        left = [] if not delta.empty else [line(d) for d in differences(desired, side.catalog)]
    out.timings["diff"] = time.perf_counter() - started
    if left:
        raise NotProven(f"pg-delta finds nothing to write, yet the target differs from what "
                        f"the migrations make ({len(left)} difference(s)): what its Supabase "
                        "profile leaves to the platform (objects owned by Supabase's roles) is "
                        "not pulled; nothing written", left,
                        heading="Where the target differs from what the migrations make "
                        "(\"missing\": the migrations lack what the target has):")
    if delta.empty:
        return out
    out.renames = list(delta.renames)
    out.destructive = [a.sql for a in delta.destructive]
    sql = header("pull") + delta.sql
    path = settings.migrations_dir / filename
    started = time.perf_counter()

    def proven(text: str) -> Proof:
        new = MigrationFile(version, name, path, text)
        return prove(settings, order, (new, analyse([*files, new]).by_version()[version]),
                     desired, stand, target)

    proof = proven(sql)
    fixed = amended(sql, proof)
    if fixed is not None:
        sql, proof = fixed, proven(fixed)
    out.proof_seconds = out.timings["proof"] = time.perf_counter() - started
    if not proof.ok:
        lines = proof.failures + proof.lines
        raise NotProven(f"the pulled file does not give the target's schema ({len(lines)} "
                        "difference(s) remain): nothing written", lines, sql)
    out.version, out.statements = version, list(split(sql))
    question = (f"Write {path} ({len(delta.actions)} change(s)) and record {version} as "
                "applied in the target's supabase_migrations.schema_migrations?")
    if not confirm(question):
        raise Declined()
    _write(path, sql)
    try:
        with connect(settings, autocommit=True) as conn:
            from toolkit.delta.record import record_applied

            record_applied(conn, version, name, out.statements, read=read,
                           local={f.version for f in files},
                           statement_timeout_ms=settings.statement_timeout_ms)
    except BaseException:
        path.unlink(missing_ok=True)  # ours, written a moment ago: never left unrecorded
        raise
    out.path, out.recorded = path, True
    return out


def _write(path: Path, sql: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as fh:  # "x": never overwrite a file
            fh.write(sql)
    except FileExistsError:
        raise ConfigError(f"{path} exists already: wait a second and run it again") from None
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
