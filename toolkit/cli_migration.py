"""`toolkit migration new | list | repair`: the Supabase CLI's migration commands, same names,
same files, same history table. Flags, prompts and exit codes only; the work is in history.py."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from toolkit.cli_options import ConnectTimeout, DbUrl, EnvFile, Json, MigrationsDir
from toolkit.cli_run import _settings, confirmer
from toolkit.errors import ExitCode

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _run(command: str, as_json: bool,
         body: Callable[[], tuple[str, dict[str, object]]]) -> NoReturn:
    """One line on stderr and the right exit code for any failure; never a traceback."""
    from toolkit.cli_run import leave_on_error

    with leave_on_error(command, as_json):
        text, data = body()
    print(jsonlib.dumps({"command": command, "ok": True, **data}, indent=2) if as_json else text)
    raise SystemExit(int(ExitCode.OK))


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. add_due_date")],
    rollback: Annotated[bool, typer.Option(
        "--rollback", help="Also write an empty supabase/rollbacks/<same file name>")] = False,
    migrations_dir: MigrationsDir = None, json: Json = False,
) -> None:
    """Write an empty supabase/migrations/<UTC yyyymmddhhmmss>_<name>.sql and print its path."""

    def body() -> tuple[str, dict[str, object]]:
        from toolkit.history import new_migration

        settings = _settings(TOOLKIT_MIGRATIONS_DIR=migrations_dir)
        paths = new_migration(settings.migrations_dir, name, rollback=rollback)
        return "\n".join(str(p) for p in paths), {"files": [str(p) for p in paths]}

    _run("migration new", json, body)


@app.command("list")
def list_(
    db_url: DbUrl = None, migrations_dir: MigrationsDir = None,
    connect_timeout: ConnectTimeout = None, env_file: EnvFile = Path(".env"), json: Json = False,
) -> None:
    """Local files and the remote history side by side, as `supabase migration list` shows
    them: a version in one column only is missing on the other side."""

    def body() -> tuple[str, dict[str, object]]:
        from toolkit.db import connect
        from toolkit.history import local_versions, remote_versions, render_list, side_by_side

        settings = _settings(SUPABASE_DB_URL=db_url, TOOLKIT_MIGRATIONS_DIR=migrations_dir,
                             TOOLKIT_CONNECT_TIMEOUT=connect_timeout, env_file=str(env_file))
        local = list(local_versions(settings.migrations_dir))
        with connect(settings, autocommit=True) as conn:
            remote = remote_versions(conn)
        rows = side_by_side(local, remote)
        data: dict[str, object] = {"migrations": [
            {"local": r.local or None, "remote": r.remote or None, "time": r.time}
            for r in rows]}
        return render_list(rows), data

    _run("migration list", json, body)


@app.command()
def repair(
    version: Annotated[str, typer.Argument(help="The migration version, e.g. 20261126021500")],
    status: Annotated[str, typer.Option(
        "--status", help="applied: record the version (from its local file) without running "
        "it; reverted: delete its history row without undoing anything")],
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask for confirmation (required without a terminal)")] = False,
    db_url: DbUrl = None, migrations_dir: MigrationsDir = None,
    connect_timeout: ConnectTimeout = None, env_file: EnvFile = Path(".env"), json: Json = False,
) -> None:
    """Write or delete one row of supabase_migrations.schema_migrations, as `supabase migration
    repair` does; the migration's SQL never runs. Asks on a terminal, needs --yes elsewhere."""

    def body() -> tuple[str, dict[str, object]]:
        from toolkit.db import connect
        from toolkit.history import repair as do_repair

        settings = _settings(SUPABASE_DB_URL=db_url, TOOLKIT_MIGRATIONS_DIR=migrations_dir,
                             TOOLKIT_CONNECT_TIMEOUT=connect_timeout, env_file=str(env_file))
        with connect(settings, autocommit=True) as conn:
            done = do_repair(conn, settings.migrations_dir, version, status,
                             confirmer("migration repair", yes),
                             statement_timeout_ms=settings.statement_timeout_ms)
        return done, {"version": version, "status": status, "result": done}

    _run("migration repair", json, body)

