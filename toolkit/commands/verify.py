"""`toolkit verify`: the REST view of every table (beside the database view when there is a
database URL), then the seed's functional test when the migrations declare the agent tables.

The functional test inserts a profile for an existing agent (a temporary one when none is
free) and shows that a profile for an agent that does not exist is refused by the foreign key.
It runs in one database transaction that is always rolled back, so it leaves nothing behind,
even when interrupted: the server rolls back a transaction whose client went away.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any

from toolkit.assess import observe
from toolkit.db.sqlfiles import load_sql
from toolkit.db.target import describe_target
from toolkit.errors import ConfigError
from toolkit.output.report import PreconditionResult, Report
from toolkit.settings import Settings

# A value for each type a temporary agent may need, cast by the server.
_SAMPLE = {"boolean": "false", "jsonb": "{}",
           "json": "{}", "timestamp with time zone": "now", "date": "today"}


def _sample(type_name: str) -> str:
    if type_name == "uuid":
        return str(uuid.uuid4())
    if type_name.startswith(("character", "text", "citext")):
        return "toolkit-verify"
    if type_name in ("integer", "bigint", "smallint", "numeric", "real", "double precision"):
        return "0"
    return _SAMPLE.get(type_name, "toolkit-verify")


_KNOWN = ("uuid", "character", "text", "citext", "integer", "bigint", "smallint", "numeric",
          "real", "double precision", "boolean", "json", "jsonb", "timestamp", "date")


class AgentNotMade(Exception):
    """No temporary agent could be made: agents requires a value toolkit cannot make up."""


def _unfillable(exc: Any, cols: list[dict[str, str]]) -> str:
    """Why the temporary agent failed, naming the column when it can be told."""
    sqlstate = getattr(exc, "sqlstate", None) or "?"
    named = getattr(exc.diag, "column_name", None)
    odd = [c for c in cols if c["name"] == named] or \
        [c for c in cols if not c["type"].startswith(_KNOWN)]
    if odd:
        what = ", ".join(f"agents.{c['name']} ({c['type']})" for c in odd)
        return (f"could not fill {what}: NOT NULL without a default, and toolkit has no value "
                f"for that type [{sqlstate}]; add an agent row (or a default) and run verify "
                "again")
    first = getattr(exc.diag, "message_primary", None) or str(exc)
    return f"could not make a temporary agent: {first} [{sqlstate}]"


def _temporary_agent(cur: Any) -> str:
    """An agent made inside the transaction, filling only what agents requires."""
    import psycopg
    from psycopg import sql

    cur.execute(load_sql("verify_agent.sql"))
    cols = [c for c in cur.fetchone()[0] if c["name"] != "id"]
    names = sql.SQL(", ").join(sql.Identifier(c["name"]) for c in cols)
    values = sql.SQL(", ").join(
        sql.SQL("{}::{}").format(sql.Literal(_sample(c["type"])), sql.SQL(c["type"]))
        for c in cols)
    query = (sql.SQL(load_sql("verify_agent_insert.sql")).format(names=names, values=values)
             if cols else load_sql("verify_agent_insert_defaults.sql"))
    try:
        cur.execute(query)
    except psycopg.Error as exc:
        raise AgentNotMade(_unfillable(exc, cols)) from None
    agent_id: str = cur.fetchone()[0]
    cur.execute(load_sql("verify_agent_profile.sql"), [agent_id])
    return agent_id


def functional_test(conn: Any, settings: Settings) -> list[PreconditionResult]:
    """Three round trips on an autocommit connection, all inside one explicit transaction
    that ends in ROLLBACK whatever happens (and that the server rolls back if we vanish)."""
    import psycopg
    from psycopg import sql

    results: list[PreconditionResult] = []
    opening = sql.SQL(load_sql("verify_insert.sql")).format(
        lock_timeout=sql.Literal(f"{settings.lock_timeout_ms}ms"),
        statement_timeout=sql.Literal(f"{settings.statement_timeout_ms}ms"))
    try:
        with conn.cursor() as cur:
            cur.execute(opening)
            while cur.nextset():
                pass
            how = "an existing agent"
            if cur.fetchone() is None:
                try:
                    _temporary_agent(cur)
                except AgentNotMade as exc:
                    return [PreconditionResult("insert agent_profiles", False, str(exc))]
                how = "a temporary agent"
            results.append(PreconditionResult(
                "insert agent_profiles", True, f"inserted a profile for {how} (rolled back)"))
            try:
                cur.execute(load_sql("verify_foreign_key.sql"))
                results.append(PreconditionResult(
                    "foreign key", False,
                    "a profile for an agent that does not exist was accepted"))
            except psycopg.errors.ForeignKeyViolation:
                results.append(PreconditionResult(
                    "foreign key", True,
                    "a profile for an agent that does not exist was refused (23503)"))
    except psycopg.Error as exc:
        # A database error is a failed check with its SQLSTATE, not a crash.
        first = getattr(exc.diag, "message_primary", None) or str(exc)
        step = "foreign key" if results else "insert agent_profiles"
        results.append(PreconditionResult(step, False, f"{first} [{exc.sqlstate or '?'}]"))
    finally:
        # Roll back on every path; a connection that broke has nothing left to roll back.
        with contextlib.suppress(psycopg.Error):
            conn.execute(load_sql("verify_rollback.sql"))
    return results


def run_verify(settings: Settings) -> Report:
    if not settings.rest_configured:
        raise ConfigError("verify needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (or "
                          "--supabase-url and --service-role-key)")
    report = Report("verify", target=describe_target(settings))
    seen = observe(settings, report, keep_connection=True)
    connecting = seen.connecting
    if connecting is None:  # first: without the database, what it holds is unknown too
        report.notes.append("functional test skipped: it needs SUPABASE_DB_URL (the test "
                            "inserts into agent_profiles and rolls back)")
        return report
    after = seen.oracle.replay.after.relations
    if "public.agent_profiles" not in after or "public.agents" not in seen.oracle.stand.copied:
        connecting.abandon()
        report.notes.append("functional test skipped: the migrations do not declare the agent "
                            "tables (agent_profiles referencing agents), which it exercises")
        return report
    profiles = report.table("agent_profiles")
    if profiles is None or profiles.database in ("missing", "unknown"):
        connecting.abandon()
        report.notes.append("functional test skipped: agent_profiles not in the database "
                            f"({profiles.database if profiles else 'not declared'})")
        return report
    start = time.perf_counter()
    with connecting.result() as conn:
        report.functional = functional_test(conn, settings)
    report.timings["functional"] = (time.perf_counter() - start) * 1000
    return report
