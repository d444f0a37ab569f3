"""The oracle: replay the migration files on a Supabase-shaped shadow database and read what
PostgreSQL made of them, with the same inspect query as the target.

The files run in the order the target will see them: those already applied there first (file
name order), then the pending ones. The catalog is read at each boundary asked for: the
applied/pending one ("before": what the target should look like now), the end ("after": what
it should look like once apply has run), and, when the target may hold files applied by hand,
after each of those candidate files. A file that fails on the shadow is replayed statement by
statement, so one missing extension makes only the tables it touches unknown, never the whole
verdict.

Each catalog read is cached as JSON per prefix: the files up to that boundary (names, contents,
order), stand-ins, default privileges, shadow server and toolkit version. So plan, apply and the
check after it share one replay: apply moves the boundary to the end, whose state the replay
before it read already, and a repeated command starts no server.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from toolkit import cache, shape
from toolkit.db.catalog import SEARCH_PATH, Catalog, inspect
from toolkit.db.model import DefaultAcl, default_acl, default_acl_json
from toolkit.db.sqlfiles import load_sql
from toolkit.db.waits import DEFAULT_LIMITS, Limits, Opener, give_up, watched
from toolkit.envnames import DEFAULT_CONNECT_TIMEOUT_S
from toolkit.errors import ToolkitError
from toolkit.oracle.standins import StandIns, default_acl_sql
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import FileAnalysis, Statement
from toolkit.shape import managed

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
# Something named does not exist: after an earlier failure on the same relation, that failure's
# consequence (the table it did not create has no index either), not a cause of its own.
_CONSEQUENCE = {"42P01", "42704", "42883", "3F000", "42703"}


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
    caused_by: int | None = None  # index of the earlier failure this one follows from


@dataclass
class Replay:
    before: Catalog  # catalog at the applied/pending boundary
    after: Catalog  # catalog after every file
    major: int
    origin: str
    failures: list[Failure] = field(default_factory=list)
    stood_in: list[str] = field(default_factory=list)  # extensions the shadow stood in for
    seconds: float = 0.0
    cached: bool = False
    # The catalog after the first i files of the order, for each boundary i that was read.
    states: dict[int, Catalog] = field(default_factory=dict)
    replayed: int = 0  # files this run replayed (the rest came from a snapshot or the cache)
    # The shadow's default privileges before the target's were mirrored (hosted Supabase's):
    # drift judges a target whose defaults were changed by hand against these.
    hosted_acl: tuple[DefaultAcl, ...] | None = None

    @property
    def unknown(self) -> set[str]:
        """Relations the shadow could not judge."""
        return {t for f in self.failures for t in f.touches}


# How a cached state is stored (the catalog as Catalog.to_json spells it): a new layout, new keys.
STATE_LAYOUT = 2


def prefix_keys(order: list[MigrationFile], stand: StandIns,
                target_acl: tuple[DefaultAcl, ...] | None, server: str) -> list[str]:
    """The cache key of the state after the first i files, for every i from 0 to len(order):
    one hash grown file by file, so every prefix costs one step."""
    acl = None if target_acl is None else default_acl_json(target_acl)
    key = cache.Key("shadow-state", str(STATE_LAYOUT), server, stand.sql, repr(stand.managed),
                    shape.digest(),  # a replay on an older shape is never reused
                    json.dumps(acl, sort_keys=True),
                    load_sql("inspect.sql"))  # what a state holds: a new query, new states
    return [key.hex()] + [key.add(f.path.name, f.digest).hex() for f in order]


@dataclass(frozen=True)
class _State:
    """One cached state: the catalog after a prefix, and what the replay up to it said."""

    catalog: Catalog
    major: int
    origin: str
    seconds: float
    failures: list[Failure]
    stood_in: list[str]
    hosted_acl: tuple[DefaultAcl, ...] | None

    @classmethod
    def from_json(cls, doc: Any) -> _State:
        hosted = doc.get("hosted_acl")
        return cls(Catalog.from_json(doc["catalog"]), int(doc["major"]), str(doc["origin"]),
                   float(doc["seconds"]), [Failure(**f) for f in doc["failures"]],
                   list(doc.get("stood_in", [])),
                   None if hosted is None else default_acl(hosted))


def _cached_states(keys: list[str], wanted: list[int],
                   decoded: dict[int, _State] | None = None) -> dict[int, _State] | None:
    """The cached states at `wanted`, or None unless every one is cached. Every document is
    read before any is decoded, the last first: after a file is added the end's state is the
    one missing, and a 900-table catalog costs a tenth of a second to decode for nothing.
    `decoded`: the states this run decoded already, reused and added to (a resume point
    looks up the boundary's state the first lookup decoded)."""
    memo: dict[int, _State] = {} if decoded is None else decoded
    docs: dict[int, Any] = {}
    for i in sorted(wanted, reverse=True):
        if i in memo:
            continue
        doc = cache.load("shadow-state", keys[i])
        if doc is None:
            return None
        docs[i] = doc
    for i, doc in docs.items():
        try:
            memo[i] = _State.from_json(doc)
        except (AttributeError, TypeError, KeyError, ValueError):
            return None  # not a state this toolkit wrote: computed again
    return {i: memo[i] for i in wanted}


def _from_cache(docs: dict[int, _State], boundary: int, end: int) -> Replay:
    last = docs[end]
    return Replay(before=docs[boundary].catalog, after=last.catalog, major=last.major,
                  origin=last.origin, failures=list(last.failures),
                  stood_in=list(last.stood_in), seconds=last.seconds, cached=True,
                  states={i: d.catalog for i, d in docs.items()}, hosted_acl=last.hosted_acl)


# Candidate states (files applied by hand) beyond this many are not cached: each is a whole
# catalog, and a long hand-applied history is a one-off that a replay per command can afford.
CACHED_CANDIDATES = 20


def _store_states(keys: list[str], order: list[MigrationFile], result: Replay,
                  keep: set[int]) -> None:
    for i, catalog in result.states.items():
        if i not in keep:
            continue
        names = {f.path.name for f in order[:i]}
        hosted = result.hosted_acl
        cache.store("shadow-state", keys[i], {
            "catalog": catalog.to_json(), "major": result.major, "origin": result.origin,
            "seconds": round(result.seconds, 3), "stood_in": result.stood_in,
            "hosted_acl": None if hosted is None else default_acl_json(hosted),
            "failures": [asdict(f) for f in result.failures if f.file in names]})


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


def link_causes(failures: list[Failure]) -> None:
    """Mark each failure that follows from an earlier one (a missing relation that an earlier
    failed statement was to create or change; else, for a statement that names no relation we
    track, such as COMMENT ON, the first failure of its file) with that earlier failure's
    root."""
    for i, fail in enumerate(failures):
        if fail.sqlstate not in _CONSEQUENCE:
            continue
        for j, earlier in enumerate(failures[:i]):
            if (set(fail.touches) & set(earlier.touches) if fail.touches
                    else earlier.file == fail.file):
                fail.caused_by = earlier.caused_by if earlier.caused_by is not None else j
                break


def _replay_sql(name: str) -> str:
    """A replay statement with Supabase's search path filled in (a constant, not a value)."""
    from psycopg import sql

    return sql.SQL(load_sql(name)).format(search_path=sql.SQL(SEARCH_PATH)).as_string(None)


def _run_file(conn: Any, f: MigrationFile, a: FileAnalysis, failures: list[Failure],
              limits: Limits = DEFAULT_LIMITS, opener: Opener | None = None) -> None:
    """The whole file in one round trip; on failure, statement by statement (each in its own
    transaction), so everything that can be judged is and each failure is named. Each round
    trip runs within the user's timeouts, enforced from outside: a file that runs past them
    stops the replay (WaitTimeout) rather than being judged as failing."""
    import psycopg

    what = f"replaying {f.path.name} on the shadow database"
    setup = _replay_sql("shadow_replay_setup.sql")
    # A file with statements that cannot run in a transaction runs statement by statement,
    # directive or not: apply refuses it without the directive, the shadow still judges it.
    autocommit = a.by_statement or bool(a.non_transactional)
    if not autocommit:
        with watched(conn, limits, what, opener=opener) as watch:
            try:
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute((setup + "\n" + a.runnable(f.sql)).encode())
                return
            except psycopg.Error as exc:
                timeout = give_up(watch, exc)
                if timeout is not None:
                    raise timeout from None
    statements = [s for s in a.statements if s.kind != "TransactionStmt"]
    with conn.cursor() as cur:
        for stmt in statements:
            try:
                with watched(conn, limits, what, opener=opener) as watch:
                    try:
                        if autocommit:
                            cur.execute(_replay_sql("shadow_replay_session.sql").encode())
                            cur.execute(stmt.text.encode())
                        else:
                            with conn.transaction():
                                cur.execute(setup.encode())
                                cur.execute(stmt.text.encode())
                    except psycopg.Error as exc:
                        timeout = give_up(watch, exc)
                        if timeout is not None:
                            raise timeout from None
                        raise
            except ToolkitError:
                raise
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


def replay(conn: Any, order: list[tuple[MigrationFile, FileAnalysis]], boundaries: set[int],
           stand: StandIns, target_acl: tuple[DefaultAcl, ...] | None, major: int,
           origin: str, limits: Limits = DEFAULT_LIMITS, opener: Opener | None = None, *,
           start: int = 0, failures: list[Failure] | None = None,
           stood_in: list[str] | None = None,
           hosted_acl: tuple[DefaultAcl, ...] | None = None) -> Replay:
    """Run stand-ins and files on a fresh shadow database (`conn`: autocommit, superuser), and
    read the catalog after the first i files for each i in `boundaries` (and at the end).
    Without a target, the shadow keeps hosted Supabase's default privileges. `start` > 0: the
    database holds the first `start` files already (a snapshot; `failures` are theirs)."""
    started = time.perf_counter()
    if start == 0 and target_acl is not None:
        hosted_acl = inspect(conn).default_acl
        acl = default_acl_sql(hosted_acl, target_acl)
        if acl:
            conn.execute(acl.encode())
    # A snapshot (start > 0) holds the stand-ins already; `stood_in` says which.
    stood_in = managed.install(conn, stand.managed) if start == 0 else list(stood_in or [])
    if start == 0 and stand.sql:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(_replay_sql("shadow_replay_setup.sql").encode())
            cur.execute(stand.sql.encode())
    failures = list(failures or [])
    states: dict[int, Catalog] = {}
    for i, (f, a) in enumerate(order):
        if i < start:
            continue
        if i in boundaries:
            states[i] = _read_catalog(conn, files_run=i - start)
        _run_file(conn, f, a, failures, limits, opener)
    states[len(order)] = _read_catalog(conn, files_run=len(order) - start)
    failures = [f for f in failures if not managed.made_before(f.sqlstate, f.message, stood_in)]
    link_causes(failures)
    first = min(b for b in boundaries | {len(order)} if b >= start)
    return Replay(before=states[first], after=states[len(order)],
                  major=major, origin=origin, failures=failures, stood_in=stood_in,
                  seconds=time.perf_counter() - started, states=states,
                  replayed=len(order) - start, hosted_acl=hosted_acl)


def _resume_point(keys: list[str], wanted: list[int], prefer: int | None,
                  decoded: dict[int, _State] | None = None
                  ) -> tuple[int, Any, dict[int, _State]]:
    """The longest replayed prefix kept as an embedded snapshot whose failures are cached, and
    every wanted state before it cached: (files in it, its snapshot, those states). `decoded`:
    as for _cached_states."""
    from toolkit.oracle.embedded import snapshots

    kept = snapshots(prefer)
    for i in range(len(keys) - 1, 0, -1):
        path = kept.get(keys[i])
        if path is None:
            continue
        docs = _cached_states(keys, sorted({i, *(b for b in wanted if b < i)}), decoded)
        if docs is not None:
            return i, path, docs
    return 0, None, {}


def _read_catalog(conn: Any, *, files_run: int) -> Catalog:
    """The shadow's catalog, read after fresh planner statistics once files have run (a fresh
    database has its template's: at 300 files the read takes seconds without them)."""
    if files_run:
        conn.execute(load_sql("shadow_analyze.sql").encode())
    return inspect(conn)


def expected(order: list[tuple[MigrationFile, FileAnalysis]], boundary: int, stand: StandIns,
             target: Catalog | None, shadow_url: str | None,
             connect_timeout_s: int = DEFAULT_CONNECT_TIMEOUT_S, limits: Limits = DEFAULT_LIMITS,
             candidates: int = 0) -> Replay:
    """The states after the first `boundary` files (before) and after all (after), plus one
    after each of the `candidates` files that follow the boundary: from the per-prefix cache
    when every one is there, else from one replay on a shadow server started (or borrowed).
    The embedded shadow keeps the end of each replay as a snapshot: a later replay of the same
    files and more starts there and runs only the files after it."""
    target_acl = target.default_acl if target is not None else None
    prefer = target.major if target is not None else None
    from toolkit.redact import mask_url

    server = f"url:{mask_url(shadow_url)}" if shadow_url else f"embedded:{prefer}"
    files = [f for f, _ in order]
    keys = prefix_keys(files, stand, target_acl, server)
    end = len(order)
    wanted = sorted({*range(boundary, min(boundary + candidates, end) + 1), end})
    decoded: dict[int, _State] = {}
    docs = _cached_states(keys, wanted, decoded)
    hit = _from_cache(docs, boundary, end) if docs is not None else None
    if hit is not None:
        return hit
    start, snapshot, earlier = (0, None, {}) if shadow_url else \
        _resume_point(keys, wanted, prefer, decoded)
    done = list(earlier[start].failures) if start else []
    stood = list(earlier[start].stood_in) if start else []
    hosted = earlier[start].hosted_acl if start else None
    from toolkit.db.connect import conninfo_opener
    from toolkit.oracle.servers import connect_shadow, shadow_database

    with shadow_database(shadow_url, prefer_major=prefer, connect_timeout_s=connect_timeout_s,
                         resume=snapshot) as sh:
        if snapshot is not None and not sh.resumed:  # another run took it: from the start
            start, done, earlier, stood = 0, [], {}, []
        with connect_shadow(sh.conninfo, connect_timeout_s, limits) as conn:
            # The states cached already (the resumed prefix's end, the boundaries before it)
            # are not read again: at 900 tables a read costs the better part of a second,
            # more on a server just started, whose caches are cold.
            result = replay(conn, order, set(wanted) - set(earlier), stand, target_acl,
                            sh.major, sh.origin, limits,
                            conninfo_opener(sh.conninfo, connect_timeout_s),
                            start=start, failures=done, stood_in=stood, hosted_acl=hosted)
        if sh.keep is not None:
            sh.keep(keys[end])
    result.states.update({i: d.catalog for i, d in earlier.items() if i in wanted})
    result.before = result.states[boundary]
    keep = set(wanted) if len(wanted) <= CACHED_CANDIDATES + 2 else {boundary, end}
    _store_states(keys, files, result, keep - set(earlier))  # those came from the cache
    return result


def package_hint(extension: str, major: int) -> str:
    pkg = EXTENSION_PACKAGES.get(extension)
    return pkg.format(major=major) if pkg else f"the package that ships {extension} for " \
        f"PostgreSQL {major}"
