"""`toolkit migration squash`: the migrations up to a version replaced by one file that makes
the same schema, as `supabase migration squash` does, without Docker.

The squashed file takes the newest squashed file's place (its version and name); the files
before it are removed. What it holds is pg-delta's plan from an empty Supabase-shaped shadow to
one where the files ran, and it is proven before anything changes: replayed alone on a fresh
shadow it must give that schema with no difference (toolkit's comparison). Like the CLI, only
the schema is kept: statements that write rows (INSERT, UPDATE, DELETE, COPY, and SELECTs or
CALLs run for what they do, such as cron.schedule or vault.create_secret) are lost, and each is
named. With `--linked`, the target's history is baselined as the CLI does: every version up to
the squashed one deleted, that one recorded with its new statements, in one transaction.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ConfigError, Declined, Refused
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import FileAnalysis
from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.db.catalog import Catalog

# Statements run for the rows they write or the calls they make: a schema does not keep them.
DATA_KINDS = {"InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE",
              "MergeStmt": "MERGE", "CopyStmt": "COPY", "TruncateStmt": "TRUNCATE",
              "SelectStmt": "SELECT", "CallStmt": "CALL"}
_VERSION = re.compile(r"^\d+$")
PLATFORM = ("-- Extensions Supabase's platform provides (pg-delta leaves them out), as the "
            "squashed files created them:\n")


@dataclass
class Squashed:
    version: str = ""  # the file that now holds the squashed schema
    path: Path | None = None
    removed: list[Path] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # data statements not carried over
    rollbacks: list[Path] = field(default_factory=list)  # rollback files that no longer match
    history: str = ""  # what was done to the target's history
    statements: int = 0
    reordered: list[str] = field(default_factory=list)  # tables whose column order changed
    proof_seconds: float = 0.0
    note: str = ""  # nothing to do, and why
    warnings: list[str] = field(default_factory=list)


def _range(files: list[MigrationFile], version: str | None) -> list[MigrationFile]:
    if version is None:
        return list(files)
    if not _VERSION.match(version):
        raise ConfigError(f"--version {version!r} is not a migration version (digits only)")
    at = [i for i, f in enumerate(files) if f.version == version]
    if not at:
        raise ConfigError(f"no local migration file has version {version}")
    return files[:at[0] + 1]


def lost_data(pairs: list[tuple[MigrationFile, FileAnalysis]]) -> list[str]:
    """file:line and the statement's first words, for every statement a schema does not keep."""
    out = []
    for f, a in pairs:
        for s in a.statements:
            word = DATA_KINDS.get(s.kind)
            if word is None:
                continue
            line, _ = f.position(f.first_word(s.offset))
            first = " ".join(s.text.split())
            out.append(f"{f.path.name}:{line}: {first[:70]}{' …' if len(first) > 70 else ''}")
    return out


_CREATED_EXTENSION = re.compile(r'^CREATE EXTENSION (?:IF NOT EXISTS )?"?([^"\s;]+)"?',
                                re.IGNORECASE | re.MULTILINE)


def _extension_name(text: str) -> str:
    m = _CREATED_EXTENSION.match(" ".join(text.split()))
    return m.group(1).lower() if m else ""


def platform_extensions(pairs: list[tuple[MigrationFile, FileAnalysis]], sql: str,
                        desired: Catalog) -> list[str]:
    """The files' own CREATE EXTENSION statements for extensions the desired schema has and
    pg-delta's Supabase profile leaves to the platform (pg_stat_statements, pg_graphql, …:
    hosted projects have them already, a local stack may not)."""
    made = {m.group(1).lower() for m in _CREATED_EXTENSION.finditer(sql)}
    kept = set(desired.extension_info)
    out: dict[str, str] = {}
    for _, a in pairs:
        for st in a.statements:
            name = _extension_name(st.text) if st.kind == "CreateExtensionStmt" else ""
            if name and name in kept and name not in made:
                out.setdefault(name, st.text)
    return list(out.values())


def _stale_rollbacks(migrations_dir: Path, squashed: list[MigrationFile]) -> list[Path]:
    folder = migrations_dir.parent / "rollbacks"
    return [folder / f.path.name for f in squashed if (folder / f.path.name).is_file()]


def _target_check(settings: Settings, squashed: list[MigrationFile]) -> list[str]:
    """The target's recorded versions, once it has applied every squashed file: a baseline
    records the new file as applied, which is true only where all of them ran."""
    from toolkit.db.connect import connect
    from toolkit.db.history import remote_versions, version_order

    with connect(settings, autocommit=True) as conn:
        read = remote_versions(conn)
    missing = [f.version for f in squashed if f.version not in read]
    if missing:
        raise Refused(f"the target has not applied {', '.join(missing[:5])}"
                      f"{' …' if len(missing) > 5 else ''}: recording the squashed file as "
                      "applied there would claim what never ran; apply first (toolkit apply), "
                      "or squash without --linked")
    return sorted(read, key=version_order)


def run_squash(settings: Settings, version: str | None, *, linked: bool,
               confirm: Callable[[str], bool]) -> Squashed:
    from toolkit.delta import engine
    from toolkit.delta.proof import Proof, amended, prove, reordered
    from toolkit.delta.pull import NotProven, header
    from toolkit.delta.sides import filled
    from toolkit.oracle.standins import standins
    from toolkit.project.migrations import discover
    from toolkit.project.parse_cache import analyse
    from toolkit.project.statements import split

    out = Squashed()
    migrations = discover(settings.migrations_dir)
    out.warnings += migrations.warnings
    squashed = _range(migrations.files, version)
    if not squashed:
        out.note = f"no migration files in {settings.migrations_dir}: nothing to squash"
        return out
    last = squashed[-1]
    out.version = last.version
    if len(squashed) == 1:
        out.note = f"{last.path.name} is already the earliest migration: nothing to squash"
        return out
    if linked and not settings.db_url:
        raise ConfigError("--linked needs the target database: set SUPABASE_DB_URL "
                          "(or --db-url)")
    read = _target_check(settings, squashed) if linked else []
    analysis = analyse(migrations.files)
    by_version = analysis.by_version()
    pairs = [(f, by_version[f.version]) for f in squashed]
    out.lost = lost_data(pairs)
    target = None
    if linked:
        from toolkit.db.catalog import inspect
        from toolkit.db.connect import connect

        with connect(settings, autocommit=True) as conn:
            target = inspect(conn)
    stand = standins(analysis, target)
    left_out = [*stand.copied, *stand.made]
    with filled(settings, [], stand) as empty, filled(settings, pairs, stand) as full:
        failed = [f"{f.file}:{f.line}:{f.col}: {f.message}" for f in full.replay.failures]
        if failed:
            raise Refused("the files do not replay on the shadow database, so what they make "
                          f"is not known: {failed[0]}"
                          + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""))
        desired = full.catalog
        delta = engine.plan(empty.conninfo, full.conninfo, preconditions=left_out)
    sql = header("migration squash") + delta.sql
    platform = platform_extensions(pairs, delta.sql, desired)
    if platform:
        sql = (header("migration squash") + PLATFORM + "".join(f"{t};\n" for t in platform)
               + "\n" + delta.sql)
    def proven(text: str) -> Proof:
        new = MigrationFile(last.version, last.name, last.path, text)
        return prove(settings, [], (new, analyse([new]).by_version()[last.version]),
                     desired, stand)

    started = time.perf_counter()
    proof = proven(sql)
    fixed = amended(sql, proof)
    if fixed is not None:
        sql, proof = fixed, proven(fixed)
    out.proof_seconds = time.perf_counter() - started
    if not proof.ok:
        lines = proof.failures + proof.lines
        raise NotProven(f"the squashed file does not give the schema of the files it replaces "
                        f"({len(lines)} difference(s) remain): nothing changed", lines, sql)
    out.reordered = reordered(desired, proof.after)
    statements = list(split(sql))
    out.statements = len(statements)
    out.removed = [f.path for f in squashed[:-1]]
    out.rollbacks = _stale_rollbacks(settings.migrations_dir, squashed)

    def write() -> None:
        _replace(last.path, sql)
        for path in out.removed:
            path.unlink(missing_ok=True)

    if not linked:
        write()
        out.path = last.path
        out.history = ("no database's history changed (without --linked): a database that "
                       "applied these files still lists the removed versions; there, run "
                       "toolkit migration repair --status reverted "
                       + " ".join(f.version for f in squashed[:-1]))
        return out
    if not confirm(f"Squash {len(squashed)} files into {last.path.name} and update the "
                   "target's migration history table (versions up to "
                   f"{last.version} replaced by it)?"):
        raise Declined()
    from toolkit.db.connect import connect
    from toolkit.delta.record import baseline

    with connect(settings, autocommit=True) as conn:
        baseline(conn, last.version, last.name, statements, read=read,
                 local={f.version for f in migrations.files},
                 statement_timeout_ms=settings.statement_timeout_ms, before_write=write)
    out.path = last.path
    out.history = (f"the target's history baselined to {last.version}: "
                   f"{len(squashed) - 1} version(s) before it removed, {last.version} "
                   "recorded with the squashed statements")
    return out


def _replace(path: Path, sql: str) -> None:
    """The file's new text, or its old one: never half of either."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(sql)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
