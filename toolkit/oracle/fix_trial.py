"""Suggested fix SQL is tried before it is shown: on a fresh shadow database holding what the
target should hold now (stand-ins, the target's default privileges, the applied files), each
fix runs as postgres (as a person runs it in the SQL editor) inside a transaction that is
rolled back. The shadow already has the wanted state, so a fix that must first find the drift
(a rename back, a publication member put back, an extension moved back) is preceded by the
statement that reproduces the drift there (`fix_setup`, run as the shadow's superuser). A fix
that fails is not shown; the finding says why.

Only a check that found fixable drift pays for this (a second replay); a clean one starts
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.output.report import Report

if TYPE_CHECKING:
    from toolkit.db.catalog import Catalog
    from toolkit.oracle.expected import Oracle
    from toolkit.project.load import Project
    from toolkit.settings import Settings


def try_fixes(report: Report, project: Project, oracle: Oracle, target: Catalog,
              settings: Settings) -> None:
    todo = [p for p in report.problems if p.fix_sql]
    if not todo:
        return
    import psycopg

    from toolkit.db.waits import Limits, conninfo_opener
    from toolkit.errors import ToolkitError
    from toolkit.oracle.replay import _replay_sql, replay
    from toolkit.oracle.servers import connect_shadow, shadow_database

    order = project.pairs(oracle.applied)
    limits = Limits.of(settings)
    try:
        with shadow_database(settings.shadow_db_url, prefer_major=target.major,
                             connect_timeout_s=settings.connect_timeout_s) as sh, \
                connect_shadow(sh.conninfo, settings.connect_timeout_s, limits) as conn:
            replay(conn, order, {len(order)}, oracle.stand, target.default_acl,
                   sh.major, sh.origin, limits,
                   conninfo_opener(sh.conninfo, settings.connect_timeout_s))
            role = _replay_sql("shadow_replay_setup.sql")
            for p in todo:
                assert p.fix_sql is not None
                try:
                    with conn.transaction(force_rollback=True), conn.cursor() as cur:
                        if p.fix_setup:
                            cur.execute(p.fix_setup.encode())
                        cur.execute(role.encode())
                        cur.execute(p.fix_sql.encode())
                    p.fix_tried = True
                except psycopg.Error as exc:
                    first = (exc.diag.message_primary or str(exc)).splitlines()[0]
                    p.message += (f" (no single statement puts it back as postgres: "
                                  f"{p.fix_sql} fails on the shadow: {first})")
                    p.fix_sql = None
    except (ToolkitError, psycopg.Error) as exc:
        report.notes.append(f"the suggested SQL was not tried on a shadow database ({exc}): "
                            "read it before running it")
