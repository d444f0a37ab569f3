"""`toolkit migration new | list | repair`: the Supabase CLI's migration commands.

Files are named as `supabase migration new` names them (<UTC yyyymmddhhmmss>_<name>.sql); the
history is the CLI's table, supabase_migrations.schema_migrations, written as the CLI writes it,
so `supabase migration list` and `toolkit migration list` always agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, ConnectError, Declined
from toolkit.project.migrations import FILE_NAME

_VERSION = re.compile(r"^\d+$")
_NAME_MAX = 255  # bytes in a file name, on every file system toolkit runs on


def local_versions(directory: Path) -> dict[str, Path]:
    """version -> file, for the files named as the CLI expects (others are ignored here)."""
    if not directory.is_dir():
        return {}
    out: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        m = FILE_NAME.match(path.name)
        if m and path.is_file():
            out.setdefault(m.group(1), path)
    return out


def new_migration(migrations_dir: Path, name: str, *, rollback: bool,
                  now: datetime | None = None, sql: str = "") -> list[Path]:
    """Write <timestamp>_<name>.sql holding `sql` (empty by default; the CLI writes what is
    piped to it) and, with `rollback`, an empty rollback file; return the paths."""
    if not name.strip():
        raise ConfigError("the migration needs a name, e.g. toolkit migration new add_due_date")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ConfigError(f"migration name {name!r} contains a path separator: give a plain "
                          "name such as add_due_date")
    version = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    longest = _NAME_MAX - len(f"{version}_.sql")
    if len(name.encode()) > longest:
        raise ConfigError(f"migration name is {len(name.encode())} bytes long: file names end "
                          f"at {_NAME_MAX} bytes, so keep it to {longest} (e.g. add_due_date)")
    if any(not c.isprintable() for c in name):
        raise ConfigError("the migration name contains a control character: give a plain name "
                          "such as add_due_date")
    existing = local_versions(migrations_dir)
    if version in existing:
        raise ConfigError(f"version {version} already exists ({existing[version].name}): wait "
                          "a second and run it again")
    filename = f"{version}_{name}.sql"
    paths = [migrations_dir / filename]
    if rollback:
        paths.append(migrations_dir.parent / "rollbacks" / filename)
    for path, text in zip(paths, (sql, ""), strict=False):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as out:  # "x": never overwrite a file
                out.write(text)
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    return paths


@dataclass(frozen=True)
class Row:
    local: str
    remote: str

    @property
    def time(self) -> str:
        """The version read as a UTC timestamp, as the CLI shows it; else the version itself."""
        version = self.local or self.remote
        try:
            return datetime.strptime(version, "%Y%m%d%H%M%S").strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return version


def remote_versions(conn: Any) -> list[str]:
    from toolkit.db.sqlfiles import load_sql

    state = conn.execute(load_sql("history_exists.sql")).fetchone()[0]
    if state == "hidden":
        raise ConnectError("this role may not read supabase_migrations.schema_migrations: "
                           "use the postgres role's connection string")
    if state == "absent":
        return []
    return [str(r[0]) for r in conn.execute(load_sql("history_versions.sql")).fetchall()]


def side_by_side(local: list[str], remote: list[str]) -> list[Row]:
    """Local and remote versions on one line when equal, each alone otherwise, in order."""
    versions = sorted(set(local) | set(remote), key=lambda v: (int(v), v))
    return [Row(v if v in local else "", v if v in remote else "") for v in versions]


def render_list(rows: list[Row]) -> str:
    """The CLI's layout: a Local | Remote | Time (UTC) table, each value in backticks."""
    cells = [("Local", "Remote", "Time (UTC)")]
    cells += [(f"`{r.local or ' '}`", f"`{r.remote or ' '}`", f"`{r.time}`") for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = ["  " + "|".join(f" {c.ljust(w)} " for c, w in zip(cell, widths, strict=True))
             for cell in cells]
    lines.insert(1, "  " + "|".join("-" * (w + 2) for w in widths))
    return "\n".join(lines)


def repair(conn: Any, migrations_dir: Path, versions: Sequence[str], status: str,
           confirm: Callable[[str], bool], statement_timeout_ms: int = 120_000) -> list[str]:
    """Insert (applied) or delete (reverted) the history rows of `versions`, as `supabase
    migration repair` does: every version checked first, one question, one transaction."""
    from toolkit.db.sqlfiles import load_sql

    if not versions:
        raise ConfigError("migration repair needs at least one version, e.g. "
                          "toolkit migration repair 20261126021500 --status reverted")
    for version in versions:
        if not _VERSION.match(version):
            raise ConfigError(f"version {version!r} is not a migration version (digits only)")
    if status not in ("applied", "reverted"):
        raise ConfigError(f"--status {status!r}: use applied or reverted")
    versions = list(dict.fromkeys(versions))
    local = local_versions(migrations_dir)
    missing = [v for v in versions if v not in local]
    if status == "applied" and missing:
        raise ConfigError(f"no local migration file has version {', '.join(missing)} in "
                          f"{migrations_dir}: applied needs the file, to record its name and "
                          "statements")
    what = versions[0] if len(versions) == 1 \
        else f"{len(versions)} migrations ({' '.join(versions)})"
    if not confirm(f"Mark {what} as {status} in supabase_migrations.schema_migrations "
                   "(no SQL of the migration runs)?"):
        raise Declined()
    done: list[str] = []
    with conn.transaction():
        # Decided under the lock: the history is read (and written) after it is held.
        conn.execute(load_sql("history_lock.sql"), {
            "statement_timeout": f"{statement_timeout_ms}ms", "lock_key": LOCK_KEY})
        recorded = set(remote_versions(conn)) if status == "reverted" else set()
        for version in versions:
            if status == "applied":
                from toolkit.project.statements import split

                path = local[version]
                m = FILE_NAME.match(path.name)
                assert m is not None
                conn.execute(load_sql("history_ensure.sql"))
                cur = conn.execute(load_sql("history_repair_applied.sql"), {
                    "version": version, "name": m.group(2),
                    "statements": list(split(path.read_text(encoding="utf-8")))})
                done.append(f"{version} " + ("recorded as applied" if cur.rowcount
                                             else "was already recorded as applied"))
            elif version not in recorded:
                done.append(f"{version} was not recorded: nothing to revert")
            else:
                conn.execute(load_sql("history_repair_reverted.sql"), {"version": version})
                done.append(f"{version} removed from the history (reverted)")
    return done


# pg_advisory_xact_lock key shared by every toolkit run that writes (apply, rollback, repair):
# the bytes of "toolkit" as a bigint.
LOCK_KEY = int.from_bytes(b"toolkit", "big")


def version_order(version: str) -> tuple[int, str]:
    """Versions in the order the Supabase CLI sorts them (a longer version is a later one)."""
    return (len(version), version)


def changed_under_lock(now: list[str], expected: set[str], local: set[str],
                       version: str) -> str | None:
    """What the history says once the advisory lock is held, against what this run read before
    it: None when this run may go on with `version`; else why it must stop. `expected` is what
    the run started from plus what it recorded (or found recorded) since; another run's change
    that this checkout cannot follow is a refusal, never a guess."""
    recorded = set(now)
    gone = sorted(expected - recorded, key=version_order)
    if gone:
        return (f"{', '.join(gone)} left the history while this run waited for the lock (a "
                "rollback or repair ran meanwhile): nothing more is applied; run toolkit plan "
                "again")
    new = recorded - expected - {version}
    foreign = sorted((v for v in new if v not in local), key=version_order)
    if foreign:
        return (f"another run recorded {', '.join(foreign)} while this one waited for the lock, "
                "and this checkout has no file for it: pull the migrations, then run apply "
                "again")
    newer = sorted((v for v in new if version_order(v) > version_order(version)), key=version_order)
    if newer:
        return (f"another run recorded {', '.join(newer)} while this one waited for the lock, "
                f"which is newer than {version}: applying {version} now would put it out of "
                "order (run toolkit plan again)")
    return None
