"""`toolkit migration new | list | repair`: the Supabase CLI's migration commands, same names,
same files, same history table. Flags, prompts and exit codes only; the work is in
toolkit/commands/migration.py."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, NoReturn

import typer

from toolkit.cli.options import Connection, Json, MigrationsDir, connection_options
from toolkit.cli.run import _settings, confirmer, require_yes
from toolkit.errors import ExitCode

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _run(command: str, as_json: bool,
         body: Callable[[], tuple[str, dict[str, object]]]) -> NoReturn:
    """One line on stderr and the right exit code for any failure; never a traceback."""
    from toolkit.cli.run import leave_on_error

    with leave_on_error(command, as_json):
        text, data = body()
    print(jsonlib.dumps({"command": command, "ok": True, **data}, indent=2) if as_json else text)
    raise SystemExit(int(ExitCode.OK))


def _piped_sql() -> str:
    """What is piped or redirected into stdin, as `supabase migration new` reads it; nothing
    from a terminal or /dev/null (character devices), so an interactive run never waits."""
    import os
    import stat
    import sys

    try:
        if stat.S_ISCHR(os.fstat(sys.stdin.fileno()).st_mode):
            return ""
        return sys.stdin.read()
    except (OSError, ValueError, AttributeError):  # no stdin at all (closed, detached)
        return ""


@app.command(short_help="Write a new migration file (empty, or from stdin)")
def new(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. add_due_date")],
    rollback: Annotated[bool, typer.Option(
        "--rollback", help="Also write an empty supabase/rollbacks/<same file name>")] = False,
    migrations_dir: MigrationsDir = None, json: Json = False,
) -> None:
    """Write supabase/migrations/<UTC yyyymmddhhmmss>_<name>.sql and print its path: empty, or
    holding what is piped in (toolkit migration new add_index < add_index.sql), as the
    Supabase CLI does."""

    def body() -> tuple[str, dict[str, object]]:
        from toolkit.project.naming import new_migration

        settings = _settings(TOOLKIT_MIGRATIONS_DIR=migrations_dir)
        paths = new_migration(settings.migrations_dir, name, rollback=rollback,
                              sql=_piped_sql())
        return "\n".join(str(p) for p in paths), {"files": [str(p) for p in paths]}

    _run("migration new", json, body)


@app.command("list", short_help="Local and remote versions side by side")
@connection_options
def list_(conn: Connection, json: Json = False) -> None:
    """Local files and the remote history side by side, as `supabase migration list` shows
    them: a version in one column only is missing on the other side."""

    def body() -> tuple[str, dict[str, object]]:
        from toolkit.commands.migration import render_list, side_by_side
        from toolkit.db.connect import connect
        from toolkit.db.history import remote_versions
        from toolkit.project.naming import local_versions

        settings = conn.settings()
        local = list(local_versions(settings.migrations_dir))
        with connect(settings, autocommit=True) as db:
            remote = remote_versions(db)
        rows = side_by_side(local, remote)
        data: dict[str, object] = {"migrations": [
            {"local": r.local or None, "remote": r.remote or None, "time": r.time}
            for r in rows]}
        return render_list(rows), data

    _run("migration list", json, body)


class Status(StrEnum):
    applied = "applied"
    reverted = "reverted"


@app.command(short_help="Mark versions as applied or reverted in the history")
@connection_options
def repair(
    conn: Connection,
    versions: Annotated[list[str], typer.Argument(
        metavar="VERSION...", help="The migration versions, e.g. 20261126021500",
        show_default=False)],
    status: Annotated[Status, typer.Option(
        "--status", case_sensitive=False, help="applied: record the versions (from their local "
        "files) without running them; reverted: delete their history rows without undoing "
        "anything")],
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask for confirmation (required without a terminal)")] = False,
    json: Json = False,
) -> None:
    """Write or delete rows of supabase_migrations.schema_migrations, as `supabase migration
    repair` does: several versions at once, in one transaction; the migrations' SQL never runs.
    Asks on a terminal, needs --yes elsewhere."""

    def body() -> tuple[str, dict[str, object]]:
        from toolkit.commands.migration import repair as do_repair
        from toolkit.db.connect import connect

        settings = conn.settings()
        with connect(settings, autocommit=True) as db:
            done = do_repair(db, settings.migrations_dir, versions, status.value,
                             confirmer("migration repair", yes),
                             statement_timeout_ms=settings.statement_timeout_ms)
        return "\n".join(done), {"versions": versions, "status": status.value, "result": done}

    _run("migration repair", json, body)


@app.command(short_help="Replace the migrations up to a version by one file")
@connection_options
def squash(
    conn: Connection,
    version: Annotated[str | None, typer.Option(
        "--version", help="Squash up to this version (default: all the files)",
        show_default=False)] = None,
    linked: Annotated[bool, typer.Option(
        "--linked", help="Also baseline the migration history of the database (--db-url / "
        "SUPABASE_DB_URL): versions up to the squashed one deleted, that one recorded with "
        "its new statements")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Update the history without asking (with --linked; required "
        "without a terminal)")] = False,
    json: Json = False,
) -> None:
    """Replace the files up to --version by one that makes the same schema, as `supabase
    migration squash` does, without Docker: the newest of them keeps its name and holds the
    schema (pg-delta, installed on first use; Node.js 20+), the others are removed. Proven
    first: replayed alone on a fresh shadow it must give the schema the files made, else
    nothing changes and what still differs is listed (exit 1). As with the CLI, statements that
    write rows (INSERT, UPDATE, DELETE, COPY, SELECT cron.schedule(...), ...) are not carried
    over: each is named. With --linked, the database's history is baselined in one transaction
    (every version it applied must be among the files); asks on a terminal, needs --yes
    elsewhere."""
    from toolkit.delta.show import finish

    if linked:
        require_yes("migration squash", yes, json,
                    "with --linked it rewrites the database's history")

    def body() -> tuple[str, dict[str, object]]:
        from toolkit.delta import show
        from toolkit.delta.squash import run_squash

        return show.squash(run_squash(conn.settings(), version, linked=linked,
                                      confirm=confirmer("migration squash", yes)))

    finish("migration squash", json, body)
