"""`toolkit migration new | list | repair`: the Supabase CLI's migration commands, over the
history table (toolkit.db.history).

Files are named as `supabase migration new` names them (<UTC yyyymmddhhmmss>_<name>.sql); the
history is written as the CLI writes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit.db.history import LOCK_KEY, remote_versions
from toolkit.envnames import DEFAULT_STATEMENT_TIMEOUT_MS
from toolkit.errors import ConfigError, Declined
from toolkit.project.migrations import FILE_NAME
from toolkit.project.naming import local_versions

_VERSION = re.compile(r"^\d+$")
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
           confirm: Callable[[str], bool],
           statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS) -> list[str]:
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
