"""The command line: flags, environment and exit codes. A thin layer over the core.

Every command takes the same connection options; each has an environment variable and falls
back to `.env`. Heavy libraries (psycopg, pglast, the Supabase client) are imported inside the
commands that need them, so `toolkit --help` stays fast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from toolkit.envnames import (
    ENV_CONNECT_TIMEOUT,
    ENV_DB_URL,
    ENV_LOCK_TIMEOUT,
    ENV_MIGRATIONS,
    ENV_SERVICE_KEY,
    ENV_STATEMENT_TIMEOUT,
    ENV_URL,
)
from toolkit.errors import ConfigError as UsageError
from toolkit.errors import Declined, ExitCode, MigrationFileError, ToolkitError

if TYPE_CHECKING:  # imported by the commands that use them, not by --help
    from toolkit.report import Report
    from toolkit.settings import Settings

EXIT_CODES = """Exit codes: 0 ok; 1 incomplete (tables missing, drifted or pending, an
unanswered API) or a migration failed; 2 usage, configuration or connection error; 3 a
precondition is unmet; 4 you answered no at a prompt (nothing changed); 5 plan
--detailed-exitcode: something is pending."""

app = typer.Typer(
    name="toolkit",
    help="Deploy toolkit for Supabase projects: check, plan, apply, verify and roll back the "
    "migrations in supabase/migrations/.\n\n" + EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbUrl = Annotated[str | None, typer.Option(
    "--db-url", help=f"Postgres connection string [env {ENV_DB_URL}]", show_default=False)]
ApiUrl = Annotated[str | None, typer.Option(
    "--supabase-url", help=f"Project URL, https://<ref>.supabase.co [env {ENV_URL}]",
    show_default=False)]
ServiceKey = Annotated[str | None, typer.Option(
    "--service-role-key", help=f"service_role or sb_secret_ key [env {ENV_SERVICE_KEY}]",
    show_default=False)]
MigrationsDir = Annotated[str | None, typer.Option(
    "--migrations-dir", help=f"Folder of <version>_<name>.sql files [env {ENV_MIGRATIONS}; "
    "default supabase/migrations]", show_default=False)]
ConnectTimeout = Annotated[str | None, typer.Option(
    "--connect-timeout", help=f"Give up connecting after this long, e.g. 10s [env "
    f"{ENV_CONNECT_TIMEOUT}; default 10s]", show_default=False)]
LockTimeout = Annotated[str | None, typer.Option(
    "--lock-timeout", help=f"Give up waiting for a table lock after this long [env "
    f"{ENV_LOCK_TIMEOUT}; default 4s]", show_default=False)]
ShadowUrl = Annotated[str | None, typer.Option(
    "--shadow-db-url", help="A server where toolkit may create a scratch database to replay the "
    "migrations on [env TOOLKIT_SHADOW_DB_URL; default: a throwaway PostgreSQL from the server "
    "binaries on this machine]", show_default=False)]
ApiSchemas = Annotated[str | None, typer.Option(
    "--api-schemas", help="Comma-separated schemas the REST API exposes, probed over REST "
    "[env TOOLKIT_API_SCHEMAS; default public]", show_default=False)]
EnvFile = Annotated[Path, typer.Option(
    "--env-file", help="Read settings not given by flag or environment from this file")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout")]
Format = Annotated[str, typer.Option(
    "--format", help="auto, text, json or github (auto: github when GITHUB_ACTIONS=true)")]


class Interrupted(KeyboardInterrupt):
    """SIGTERM, turned into an exception so open transactions roll back on the way out.

    A KeyboardInterrupt, so psycopg treats it as Ctrl-C: it cancels the running statement
    and waits for the server before the rollback, instead of leaving the backend busy.
    """


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Interrupted()


def _settings(**flags: str | None) -> Settings:
    from toolkit.root import default_env_file
    from toolkit.settings import load_settings

    env_file = flags.pop("env_file", None)
    # The default .env is the project root's, found by walking up like the Supabase CLI.
    path = Path(env_file) if env_file and env_file != ".env" else default_env_file()
    return load_settings(flags, env_file=path)


def _declined(exc: Declined, command: str, as_json: bool) -> NoReturn:
    """Answering no is not an error: say that nothing changed, exit 4."""
    import json

    sys.stderr.write(f"toolkit: {exc}\n")
    if as_json:
        print(json.dumps({"command": command, "ok": False, "status": "declined",
                          "exit_code": int(exc.exit_code), "error": None, "notes": [str(exc)]}))
    raise SystemExit(int(exc.exit_code))


def confirmer(command: str, yes: bool) -> Callable[[str], bool]:
    """Ask on a terminal; without one, --yes is required (never prompt a script)."""

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(f"{command} needs --yes when not run from a terminal")
        return typer.confirm(question, default=False, err=True)

    return confirm


@contextmanager
def leave_on_error(command: str, as_json: bool) -> Iterator[None]:
    """For commands without a report: any failure is one line and its exit code."""
    from toolkit.output import emit_error

    try:
        yield
    except Declined as exc:
        _declined(exc, command, as_json)
    except ToolkitError as exc:
        emit_error(str(exc), code=exc.exit_code, as_json=as_json, settings=None,
                   command=command)
        raise SystemExit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        emit_error("interrupted", code=ExitCode.INCOMPLETE, as_json=as_json, settings=None,
                   command=command)
        raise SystemExit(int(ExitCode.INCOMPLETE)) from None
    except Exception as exc:
        if os.environ.get("TOOLKIT_DEBUG"):
            raise
        emit_error(f"unexpected {type(exc).__name__}: {exc} (set TOOLKIT_DEBUG=1 for details)",
                   code=ExitCode.USAGE, as_json=as_json, settings=None, command=command)
        raise SystemExit(int(ExitCode.USAGE)) from None


def _empty_note(settings: Settings | None, message: str = "") -> str:
    """Name the variables that were set but empty (an undefined GitHub secret expands to "")."""
    if settings is None:
        return ""
    names = [name for name, where in settings.sources.items()
             if where == "empty" and f"{name} is set but empty" not in message]
    if not names:
        return ""
    return (f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} set but empty, so "
            "treated as not set (an undefined GitHub secret expands to an empty string)")


def _settle() -> None:
    """The outcome is decided: a late SIGINT/SIGTERM must not change the exit code. SIG_IGN, not
    a Python handler, since interpreter shutdown puts SIG_DFL back for handlers it installed."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _leave(code: int) -> NoReturn:
    """Exit without interpreter shutdown: a REST probe still waiting in its thread (the database
    refused at once) must not hold the exit for the connect timeout, and no late signal can
    land during shutdown. Everything worth keeping has been written and flushed by now."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


# SQLSTATEs that mean the run could not look (connection, login, privilege): exit 2 like any
# connection or configuration error; any other database error is a failed run: exit 1.
_SETUP_SQLSTATES = ("08", "28", "3D", "42501")


def _database_error(exc: Exception) -> tuple[str, ExitCode] | None:
    """A database error that escaped the core, as one line with its SQLSTATE (psycopg is not
    imported here: --help stays fast)."""
    if not type(exc).__module__.startswith("psycopg"):
        return None
    sqlstate = getattr(exc, "sqlstate", None) or ""
    diag = getattr(exc, "diag", None)
    first = (getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__)
    code = ExitCode.USAGE if not sqlstate or sqlstate.startswith(_SETUP_SQLSTATES) \
        else ExitCode.INCOMPLETE
    return f"database error [{sqlstate or 'no SQLSTATE'}]: {' '.join(first.split())}", code


def run(command: str, fmt: str, as_json: bool, make_settings: Callable[[], Settings],
        body: Callable[[Settings], Report]) -> NoReturn:
    """Run a command body and leave with its exit code; errors become one line, never a trace."""
    from toolkit.output import emit, emit_error, github_mode
    from toolkit.progress import configure

    as_json = as_json or fmt == "json"
    configure(as_json=as_json, github=github_mode(fmt))
    settings: Settings | None = None
    signal.signal(signal.SIGTERM, _on_sigterm)
    # An interrupt that lands between psycopg's calls makes it log "error ignored in rollback"
    # lines on the way out; the server rolls back the closed connection's transaction anyway,
    # and the one "interrupted" line below says so.
    quiet = logging.getLogger("psycopg")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    try:
        settings = make_settings()
        from toolkit.render_github import announce_masks

        announce_masks(settings, fmt, sys.stderr if as_json else sys.stdout)
        report = body(settings)
        if _empty_note(settings):
            report.warn(_empty_note(settings))
    except Declined as exc:
        _declined(exc, command, as_json)
    except ToolkitError as exc:
        _settle()
        location: dict[str, object] | None = None
        if isinstance(exc, MigrationFileError):
            location = {"file": exc.path, "line": exc.line, "col": exc.column}
        empty = _empty_note(settings, str(exc)) if isinstance(exc, UsageError) else ""
        emit_error(f"{exc}; {empty}" if empty else str(exc), code=exc.exit_code,
                   as_json=as_json, settings=settings, command=command, location=location,
                   fmt=fmt)
        _leave(int(exc.exit_code))
    except KeyboardInterrupt:  # SIGINT, or SIGTERM as Interrupted
        _settle()
        emit_error("interrupted: the transaction in progress was rolled back; files committed "
                   "before it stay applied (toolkit check shows what is)",
                   code=ExitCode.INCOMPLETE, as_json=as_json, settings=settings,
                   command=command, fmt=fmt)
        _leave(int(ExitCode.INCOMPLETE))
    except Exception as exc:
        _settle()
        if os.environ.get("TOOLKIT_DEBUG"):
            raise
        line, code = _database_error(exc) or (
            f"unexpected {type(exc).__name__}: {exc} (set TOOLKIT_DEBUG=1 for details)",
            ExitCode.USAGE)
        emit_error(line, code=code, as_json=as_json, settings=settings, command=command,
                   fmt=fmt)
        _leave(int(code))
    _settle()
    emit(report, as_json=as_json, fmt=fmt, settings=settings)
    from toolkit.verdict import verdict

    _leave(verdict(report).code)


def _version(value: bool) -> None:
    if value:
        import toolkit  # the version is read from the package metadata only here

        print(f"toolkit {toolkit.__version__}")
        raise typer.Exit()


def version_command() -> None:
    """Print the version (same as --version / -V)."""
    _version(True)


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit")] = False,
) -> None:
    """Deploy toolkit for Supabase projects."""


@app.command()
def check(
    db_url: DbUrl = None, supabase_url: ApiUrl = None, service_role_key: ServiceKey = None,
    migrations_dir: MigrationsDir = None, connect_timeout: ConnectTimeout = None,
    shadow_db_url: ShadowUrl = None, api_schemas: ApiSchemas = None,
    env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto",
) -> None:
    """Is the database ready and complete? Preconditions (agents, uuid-ossp), every table the
    migrations create with its foreign keys, indexes and drift, pending files; through the
    database and, with SUPABASE_URL and a key, through the REST API, side by side."""

    def body(settings: Settings) -> Report:
        from toolkit.check import run_check

        return run_check(settings)

    run("check", format, json, lambda: _settings(
        SUPABASE_DB_URL=db_url, SUPABASE_URL=supabase_url,
        SUPABASE_SERVICE_ROLE_KEY=service_role_key, TOOLKIT_MIGRATIONS_DIR=migrations_dir,
        TOOLKIT_CONNECT_TIMEOUT=connect_timeout, TOOLKIT_SHADOW_DB_URL=shadow_db_url,
        TOOLKIT_API_SCHEMAS=api_schemas, env_file=str(env_file)), body)


@app.command()
def apply(
    db_url: DbUrl = None, supabase_url: ApiUrl = None, service_role_key: ServiceKey = None,
    migrations_dir: MigrationsDir = None, connect_timeout: ConnectTimeout = None,
    lock_timeout: LockTimeout = None, shadow_db_url: ShadowUrl = None,
    api_schemas: ApiSchemas = None,
    adopt_existing: Annotated[bool, typer.Option(
        "--adopt-existing", help="Apply although a table a pending file creates exists already "
        "and differs (IF NOT EXISTS skips it); the report lists what stays different")] = False,
    statement_timeout: Annotated[str | None, typer.Option(
        "--statement-timeout", help=f"Cancel a statement after this long [env "
        f"{ENV_STATEMENT_TIMEOUT}; default 120s]", show_default=False)] = None,
    enable_extensions: Annotated[bool, typer.Option(
        "--enable-extensions", help='Create uuid-ossp in schema extensions if missing')] = False,
    verify: Annotated[bool, typer.Option(
        "--verify/--no-verify", help="Probe the tables over REST after applying")] = True,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show the plan and change nothing (same as toolkit plan)")] = False,
    env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto",
) -> None:
    """Apply the pending files of supabase/migrations/ in version order. Each file runs in one
    transaction with its history row (supabase_migrations.schema_migrations, shared with the
    Supabase CLI) under an advisory lock and SET LOCAL lock/statement timeouts: all or nothing.
    Refuses (exit 3) when agents or uuid-ossp is missing."""

    def body(settings: Settings) -> Report:
        if dry_run:
            from toolkit.plan import run_plan

            return run_plan(settings)
        from toolkit.apply import run_apply

        return run_apply(settings, enable_extensions=enable_extensions, verify=verify,
                         adopt_existing=adopt_existing)

    run("apply", format, json, lambda: _settings(
        SUPABASE_DB_URL=db_url, SUPABASE_URL=supabase_url,
        SUPABASE_SERVICE_ROLE_KEY=service_role_key, TOOLKIT_MIGRATIONS_DIR=migrations_dir,
        TOOLKIT_CONNECT_TIMEOUT=connect_timeout, TOOLKIT_LOCK_TIMEOUT=lock_timeout,
        TOOLKIT_STATEMENT_TIMEOUT=statement_timeout, TOOLKIT_SHADOW_DB_URL=shadow_db_url,
        TOOLKIT_API_SCHEMAS=api_schemas, env_file=str(env_file)), body)


@app.command()
def verify(
    db_url: DbUrl = None, supabase_url: ApiUrl = None, service_role_key: ServiceKey = None,
    migrations_dir: MigrationsDir = None, connect_timeout: ConnectTimeout = None,
    shadow_db_url: ShadowUrl = None, api_schemas: ApiSchemas = None,
    env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto",
) -> None:
    """The REST view: probe every table through the API (Supabase client, all at once), then
    the functional test: insert a profile for an existing agent and show that one for a
    missing agent is refused by the foreign key, in a transaction that is always rolled back
    (needs the database URL too). Exit 0 when all tables answer and the test passes."""

    def body(settings: Settings) -> Report:
        from toolkit.verify import run_verify

        return run_verify(settings)

    run("verify", format, json, lambda: _settings(
        SUPABASE_DB_URL=db_url, SUPABASE_URL=supabase_url,
        SUPABASE_SERVICE_ROLE_KEY=service_role_key, TOOLKIT_MIGRATIONS_DIR=migrations_dir,
        TOOLKIT_CONNECT_TIMEOUT=connect_timeout, TOOLKIT_SHADOW_DB_URL=shadow_db_url,
        TOOLKIT_API_SCHEMAS=api_schemas, env_file=str(env_file)), body)


@app.command()
def plan(
    db_url: DbUrl = None, migrations_dir: MigrationsDir = None,
    connect_timeout: ConnectTimeout = None, shadow_db_url: ShadowUrl = None,
    detailed_exitcode: Annotated[bool, typer.Option(
        "--detailed-exitcode", help="Exit 5 when something is pending (0: nothing pending)")
    ] = False,
    env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto",
) -> None:
    """What apply would do: the pending files, the objects each creates, what it changes in
    existing tables, the preconditions they need, and warnings (locks on existing tables,
    destructive statements, anything that cannot run in a transaction, tables that exist
    already). Reads inside a READ ONLY transaction; writes nothing. Exit 0 when it could make a
    plan, pending or not (5 with --detailed-exitcode when something is pending)."""

    def body(settings: Settings) -> Report:
        from toolkit.plan import run_plan

        return run_plan(settings, detailed_exitcode=detailed_exitcode)

    run("plan", format, json, lambda: _settings(
        SUPABASE_DB_URL=db_url, TOOLKIT_MIGRATIONS_DIR=migrations_dir,
        TOOLKIT_CONNECT_TIMEOUT=connect_timeout, TOOLKIT_SHADOW_DB_URL=shadow_db_url,
        env_file=str(env_file)), body)


@app.command()
def rollback(
    version_arg: Annotated[str | None, typer.Argument(
        metavar="[VERSION]", help="The migration to roll back; it must be the newest applied "
        "(default: the newest applied)", show_default=False)] = None,
    db_url: DbUrl = None, migrations_dir: MigrationsDir = None,
    connect_timeout: ConnectTimeout = None,
    lock_timeout: LockTimeout = None,
    version: Annotated[str | None, typer.Option("--version", hidden=True)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Drop tables and columns even when they hold data")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask for confirmation (required without a terminal)")] = False,
    env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto",
) -> None:
    """Undo the newest applied migration with its rollback file (supabase/rollbacks/<same file
    name>, any SQL), in one transaction with its history row's deletion; one version at a
    time, newest first. What it would drop (tables' rows, columns' non-null values) is counted
    under the lock and refused unless --force. Never drops agents or anything the migration
    did not create; blocked by other objects (a view), exit 3 naming them. Asks on a terminal
    (answering no: nothing changed, exit 4), needs --yes elsewhere."""

    def body(settings: Settings) -> Report:
        from toolkit.rollback import run_rollback

        return run_rollback(settings, version=version_arg or version, force=force,
                            confirm=confirmer("rollback", yes))

    run("rollback", format, json, lambda: _settings(
        SUPABASE_DB_URL=db_url, TOOLKIT_MIGRATIONS_DIR=migrations_dir,
        TOOLKIT_CONNECT_TIMEOUT=connect_timeout, TOOLKIT_LOCK_TIMEOUT=lock_timeout,
        env_file=str(env_file)), body)


def _mount_local() -> None:
    from toolkit.cli_local import app as local_app

    app.add_typer(local_app, name="local",
                  help="A local Supabase-shaped project (PostgreSQL + PostgREST + gateway), "
                  "no Docker: start, stop, status, env.")


def _mount_migration() -> None:
    from toolkit.cli_migration import app as migration_app

    app.add_typer(migration_app, name="migration",
                  help="Migration files and the history table, as the Supabase CLI has them: "
                  "new, list, repair.")


_mount_local()
_mount_migration()
app.command("version")(version_command)


def main() -> None:
    app()
