"""The oracle: replay the migration files on a Supabase-shaped shadow database and read what
PostgreSQL made of them, with the same inspect query as the target.

The files run in the order the target will see them: those already applied there first (file
name order), then the pending ones. The catalog is read at that boundary ("before": what the
target should look like now) and at the end ("after": what it should look like once apply has
run). A file that fails on the shadow is replayed statement by statement, so one missing
extension makes only the tables it touches unknown, never the whole verdict.

The result is cached as JSON per (files, order, stand-ins, default privileges, shadow server,
toolkit version): a repeated command starts no server.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from toolkit import cache
from toolkit.analysis_model import FileAnalysis, Statement
from toolkit.catalog import SEARCH_PATH, Catalog, inspect
from toolkit.migrations import MigrationFile
from toolkit.sqlfiles import load_sql
from toolkit.standins import StandIns, default_acl_sql

# Server packages that provide extensions people create in Supabase migrations.
EXTENSION_PACKAGES = {
    "vector": "postgresql-{major}-pgvector", "postgis": "postgresql-{major}-postgis-3",
    "pg_cron": "postgresql-{major}-cron", "http": "postgresql-{major}-http",
    "pgjwt": "postgresql-{major}-pgjwt", "pg_hashids": "postgresql-{major}-hashids",
    "plv8": "postgresql-{major}-plv8", "pgtap": "postgresql-{major}-pgtap",
    "pg_partman": "postgresql-{major}-partman", "hypopg": "postgresql-{major}-hypopg",
    "rum": "postgresql-{major}-rum", "timescaledb": "timescaledb-2-postgresql-{major}",
}
_MISSING_EXTENSION = {"58P01", "0A000", "42704"}  # no control file / not available


@dataclass
class Failure:
    """A statement that failed on the shadow."""

    file: str
    line: int
    col: int
    sqlstate: str
    message: str
    touches: list[str]
    extension: str | None = None  # the extension the shadow lacks, when that is the cause


@dataclass
class Replay:
    before: dict[str, Any]  # catalog at the applied/pending boundary
    after: dict[str, Any]  # catalog after every file
    major: int
    origin: str
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    hosted_acl: list[dict[str, Any]] | None = None  # the shadow's default privileges, unmirrored

    @property
    def unknown(self) -> set[str]:
        """Relations the shadow could not judge."""
        return {t for f in self.failures for t in f.touches}

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc.pop("cached")
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Replay:
        doc = dict(doc)
        doc["failures"] = [Failure(**f) for f in doc["failures"]]
        return cls(**doc, cached=True)


def replay_key(order: list[MigrationFile], boundary: int, stand: StandIns,
               target_acl: Any, server: str) -> str:
    h = hashlib.sha256(f"shadow\0{cache.toolkit_version()}\0{server}\0{boundary}".encode())
    # What the catalog documents hold: a changed inspect query is a new replay.
    h.update(load_sql("inspect.sql").encode())
    for f in order:
        h.update(f"\0{f.path.name}\0{f.digest}".encode())
    h.update(stand.sql.encode())
    h.update(json.dumps(target_acl, sort_keys=True).encode())
    return h.hexdigest()[:32]



def _position(f: MigrationFile, stmt: Statement | None, exc: Any) -> tuple[int, int]:
    position = getattr(getattr(exc, "diag", None), "statement_position", None)
    base = stmt.offset if stmt is not None else 0
    if position:
        return f.position(base + int(position) - 1)
    return f.position(base)


def _extension_of(stmt: Statement, exc: Any) -> str | None:
    if stmt.kind != "CreateExtensionStmt" or getattr(exc, "sqlstate", "") not in \
            _MISSING_EXTENSION:
        return None
    words = stmt.text.replace('"', " ").split()
    lowered = [w.lower() for w in words]
    i = lowered.index("extension") + 1
    if lowered[i:i + 3] == ["if", "not", "exists"]:
        i += 3
    return words[i] if i < len(words) else None


def _replay_sql(name: str) -> str:
    """A replay statement with Supabase's search path filled in (a constant, not a value)."""
    from psycopg import sql

    return sql.SQL(load_sql(name)).format(search_path=sql.SQL(SEARCH_PATH)).as_string(None)


def _run_file(conn: Any, f: MigrationFile, a: FileAnalysis, failures: list[Failure]) -> None:
    """The whole file in one round trip; on failure, statement by statement (each in its own
    transaction), so everything that can be judged is and each failure is named."""
    import psycopg

    setup = _replay_sql("shadow_replay_setup.sql")
    # A file with statements that cannot run in a transaction runs statement by statement,
    # directive or not: apply refuses it without the directive, the shadow still judges it.
    autocommit = a.no_transaction or bool(a.non_transactional)
    if not autocommit:
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute((setup + "\n" + a.runnable(f.sql)).encode())
            return
        except psycopg.Error:
            pass
    statements = [s for s in a.statements if s.kind != "TransactionStmt"]
    with conn.cursor() as cur:
        for stmt in statements:
            try:
                if autocommit:
                    cur.execute(_replay_sql("shadow_replay_session.sql").encode())
                    cur.execute(stmt.text.encode())
                else:
                    with conn.transaction():
                        cur.execute(setup.encode())
                        cur.execute(stmt.text.encode())
            except psycopg.Error as exc:
                line, col = _position(f, stmt, exc)
                first = (getattr(exc.diag, "message_primary", None) or str(exc)).splitlines()[0]
                failures.append(Failure(
                    file=f.path.name, line=line, col=col, sqlstate=exc.sqlstate or "",
                    message=first, touches=list(stmt.touches),
                    extension=_extension_of(stmt, exc)))
            finally:
                if autocommit:
                    cur.execute(load_sql("shadow_replay_session_end.sql"))


def replay(conn: Any, order: list[tuple[MigrationFile, FileAnalysis]], boundary: int,
           stand: StandIns, target_acl: list[dict[str, Any]] | None, major: int,
           origin: str) -> Replay:
    """Run stand-ins and files on a fresh shadow database (`conn`: autocommit, superuser).
    Without a target, the shadow keeps hosted Supabase's default privileges."""
    started = time.perf_counter()
    # Hosted Supabase's default privileges, before the target's are mirrored: drift judges a
    # target whose defaults were changed by hand against these.
    hosted_acl = None
    if target_acl is not None:
        hosted_acl = inspect(conn).doc["default_acl"]
        acl = default_acl_sql(hosted_acl, target_acl)
        if acl:
            conn.execute(acl.encode())
    if stand.sql:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(_replay_sql("shadow_replay_setup.sql").encode())
            cur.execute(stand.sql.encode())
    failures: list[Failure] = []
    before: dict[str, Any] | None = None
    for i, (f, a) in enumerate(order):
        if i == boundary:
            before = inspect(conn).doc
        _run_file(conn, f, a, failures)
    after = inspect(conn).doc
    return Replay(before=before if before is not None else after, after=after, major=major,
                  origin=origin, failures=failures, seconds=time.perf_counter() - started,
                  hosted_acl=hosted_acl)


def expected(order: list[tuple[MigrationFile, FileAnalysis]], boundary: int, stand: StandIns,
             target: Catalog | None, shadow_url: str | None,
             connect_timeout_s: int = 10) -> Replay:
    """The cached replay, or a new one on a shadow server started (or borrowed) for it."""
    target_acl = target.doc["default_acl"] if target is not None else None
    prefer = target.major if target is not None else None
    from toolkit.redact import mask_url

    server = f"url:{mask_url(shadow_url)}" if shadow_url else f"embedded:{prefer}"
    key = replay_key([f for f, _ in order], boundary, stand, target_acl, server)
    doc = cache.load("shadow", key)
    if isinstance(doc, dict):
        try:
            return Replay.from_json(doc)
        except (TypeError, KeyError):
            pass
    import psycopg

    from toolkit.shadow_server import shadow_database

    with shadow_database(shadow_url, prefer_major=prefer,
                         connect_timeout_s=connect_timeout_s) as sh, \
            psycopg.connect(sh.conninfo, autocommit=True) as conn:
        conn.prepare_threshold = None
        result = replay(conn, order, boundary, stand, target_acl, sh.major, sh.origin)
    cache.store("shadow", key, result.to_json())
    return result


def package_hint(extension: str, major: int) -> str:
    pkg = EXTENSION_PACKAGES.get(extension)
    return pkg.format(major=major) if pkg else f"the package that ships {extension} for " \
        f"PostgreSQL {major}"
