"""The history table the Supabase CLI keeps, supabase_migrations.schema_migrations: the
versions it records, the order it sorts them in, and the advisory lock every toolkit run that
writes it holds. Read and written as the CLI does, so `supabase migration list` and
`toolkit migration list` always agree.
"""

from __future__ import annotations

from typing import Any

from toolkit.errors import ConnectError


def remote_versions(conn: Any) -> list[str]:
    from toolkit.db.sqlfiles import load_sql

    state = conn.execute(load_sql("history_exists.sql")).fetchone()[0]
    if state == "hidden":
        raise ConnectError("this role may not read supabase_migrations.schema_migrations: "
                           "use the postgres role's connection string")
    if state == "absent":
        return []
    return [str(r[0]) for r in conn.execute(load_sql("history_versions.sql")).fetchall()]


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
