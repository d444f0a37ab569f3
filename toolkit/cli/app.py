"""The command line: flags, environment and exit codes. A thin layer over the core.

Every command takes the same connection options; each has an environment variable and falls
back to `.env`. Heavy libraries (psycopg, pglast, the REST client) are imported inside the
commands that need them, so `toolkit --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from toolkit.cli.options import Connection, Format, Json, OutputFormat, connection_options
from toolkit.cli.run import confirmer, require_yes, run, terminal_question

if TYPE_CHECKING:  # imported by the commands that use them, not by --help
    from toolkit.output.report import Report
    from toolkit.settings import Settings

EXIT_CODES = """Exit codes: 0 ok; 1 incomplete (tables missing, drifted or pending, an
unanswered API), or a migration failed or apply refused it; 2 usage, configuration or
connection error; 3 a precondition is unmet (rollback refused, no running local stack); 4 you
answered no at a prompt (nothing changed); 5 plan --detailed-exitcode: something is pending."""

# The order people meet them in: look, plan, change, prove, undo; then the helpers.
ORDER = ("check", "plan", "apply", "verify", "rollback", "diff", "pull", "migration",
         "local", "version")


class _Ordered(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


app = typer.Typer(
    name="toolkit",
    cls=_Ordered,
    help="Deploy toolkit for Supabase projects: check, plan, apply, verify and roll back the "
    "migrations in supabase/migrations/.\n\n" + EXIT_CODES,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

IncludeAll = Annotated[bool, typer.Option(
    "--include-all", help="Include pending files older than the newest applied migration "
    "(as supabase db push --include-all); without it apply refuses them")]


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


@app.command(short_help="Is the database ready and complete? (both views)")
@connection_options
def check(
    conn: Connection,
    fix_sql: Annotated[bool, typer.Option(
        "--fix-sql", help="Also print the statements that make the database match its applied "
        "migrations (from diff's engine, pg-delta; needs Node.js 20+). check never runs them "
        "and its exit code stays the same")] = False,
    json: Json = False, format: Format = OutputFormat.auto,
) -> None:
    """Is the database ready and complete? Preconditions (agents, uuid-ossp), every table the
    migrations create with its foreign keys, indexes and drift, pending files; through the
    database and, with SUPABASE_URL and a key, through the REST API, side by side."""

    def body(settings: Settings) -> Report:
        from toolkit.commands.check import run_check

        return run_check(settings, fix_sql=fix_sql)

    run("check", format, json, conn.settings, body)


@app.command(short_help="What apply would do, changing nothing")
@connection_options
def plan(
    conn: Connection,
    detailed_exitcode: Annotated[bool, typer.Option(
        "--detailed-exitcode", help="Exit 5 when something is pending (0: nothing pending)")
    ] = False,
    include_all: IncludeAll = False,
    json: Json = False, format: Format = OutputFormat.auto,
) -> None:
    """What apply would do: the pending files, the objects each creates, what it changes in
    existing tables, the preconditions they need, and warnings (locks on existing tables,
    destructive statements, anything that cannot run in a transaction, tables that exist
    already, files older than the newest applied one). Reads inside a READ ONLY transaction;
    writes nothing. Exit 0 when it could make a plan, pending or not (5 with
    --detailed-exitcode when something is pending)."""

    def body(settings: Settings) -> Report:
        from toolkit.commands.plan import run_plan

        return run_plan(settings, detailed_exitcode=detailed_exitcode, include_all=include_all)

    run("plan", format, json, conn.settings, body)


@app.command(short_help="Apply the pending migrations, each all or nothing")
@connection_options
def apply(
    conn: Connection,
    adopt_existing: Annotated[bool, typer.Option(
        "--adopt-existing", help="Apply although a table a pending file creates exists already "
        "and differs (IF NOT EXISTS skips it); the report lists what stays different")] = False,
    enable_extensions: Annotated[bool, typer.Option(
        "--enable-extensions", help='Create uuid-ossp in schema extensions if missing')] = False,
    include_all: IncludeAll = False,
    verify: Annotated[bool, typer.Option(
        "--verify/--no-verify", help="Probe the tables over REST after applying")] = True,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show the plan and change nothing (same as toolkit plan)")] = False,
    allow_destructive: Annotated[bool, typer.Option(
        "--allow-destructive", help="Run pending files that delete or drop data the database "
        "holds (DELETE, TRUNCATE, DROP TABLE/COLUMN/SCHEMA) without asking; without a "
        "terminal apply refuses them otherwise (exit 3)")] = False,
    json: Json = False, format: Format = OutputFormat.auto,
) -> None:
    """Apply the pending files of supabase/migrations/ in version order. Each file runs in one
    transaction with its history row (supabase_migrations.schema_migrations, shared with the
    Supabase CLI) under an advisory lock and SET LOCAL lock/statement timeouts: all or nothing.
    Refuses (exit 3) when agents or uuid-ossp is missing, and before a file that deletes or
    drops data the database holds unless confirmed at a terminal or --allow-destructive;
    refuses (exit 1) a pending file older than the newest applied migration unless
    --include-all."""

    def body(settings: Settings) -> Report:
        if dry_run:
            from toolkit.commands.plan import run_plan

            return run_plan(settings, include_all=include_all)
        from toolkit.commands.apply import run_apply

        return run_apply(settings, enable_extensions=enable_extensions, verify=verify,
                         adopt_existing=adopt_existing, include_all=include_all,
                         allow_destructive=allow_destructive, ask=terminal_question())

    run("apply", format, json, conn.settings, body)


@app.command(short_help="Probe every table over REST, then the functional test")
@connection_options
def verify(conn: Connection, json: Json = False, format: Format = OutputFormat.auto) -> None:
    """The REST view: every table in an exposed schema probed through the API (REST table
    probes, all at once), beside the database view, then the functional test: insert a profile
    for an existing agent and show that one for a missing agent is refused by the foreign key,
    in a transaction that is always rolled back (needs the database URL too). Exit 0 when all
    tables answer and the test passes."""

    def body(settings: Settings) -> Report:
        from toolkit.commands.verify import run_verify

        return run_verify(settings)

    run("verify", format, json, conn.settings, body)


@app.command(short_help="Undo the newest applied migration")
@connection_options
def rollback(
    conn: Connection,
    version_arg: Annotated[str | None, typer.Argument(
        metavar="[VERSION]", help="The migration to roll back; it must be the newest applied "
        "(default: the newest applied)", show_default=False)] = None,
    version: Annotated[str | None, typer.Option("--version", hidden=True)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Drop tables and columns even when they hold data")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Do not ask for confirmation (required without a terminal)")] = False,
    json: Json = False, format: Format = OutputFormat.auto,
) -> None:
    """Undo the newest applied migration with its rollback file (supabase/rollbacks/<same file
    name>, any SQL), in one transaction with its history row's deletion; one version at a
    time, newest first. What it would drop (tables' rows, columns' non-null values) is counted
    under the lock and refused unless --force. Never drops agents or anything the migration
    did not create; blocked by other objects (a view), exit 3 naming them. Asks on a terminal
    (answering no: nothing changed, exit 4), needs --yes elsewhere."""

    def body(settings: Settings) -> Report:
        from toolkit.commands.rollback import run_rollback

        return run_rollback(settings, version=version_arg or version, force=force,
                            confirm=confirmer("rollback", yes))

    run("rollback", format, json, conn.settings, body)


@app.command(short_help="Write the changes made on the database by hand as a migration")
@connection_options
def pull(
    conn: Connection,
    file: Annotated[str, typer.Option(
        "--file", "-f", metavar="NAME", help="The new file's name: supabase/migrations/<UTC "
        "yyyymmddhhmmss>_NAME.sql")] = "remote_schema",
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Write and record without asking (required without a terminal)")
    ] = False,
    json: Json = False,
) -> None:
    """What was changed on the database by hand (the dashboard, psql), as a migration, as
    `supabase db pull` makes it, without Docker: the database compared with what the
    migrations make on a shadow (pg-delta, installed on first use; Node.js 20+). Supabase's own
    schemas are left out, but for what projects put there (triggers on auth.users, policies on
    storage.objects). The file is proven before it is written: the migrations and the new file,
    replayed on a fresh shadow, must give the database's schema, else nothing is written and
    what still differs is listed (exit 1). Then it is written and recorded in the database's
    history as applied, so check finds nothing to do. Asks on a terminal, needs --yes
    elsewhere. Every migration must be applied first (exit 3 otherwise). "No schema changes
    found": exit 0, nothing written."""
    from toolkit.delta.show import finish

    require_yes("pull", yes, json, "it writes a file and the database's history")
    confirm = confirmer("pull", yes)

    def body() -> tuple[str, dict[str, Any]]:
        from toolkit.delta import show
        from toolkit.delta.pull import run_pull

        return show.pull(run_pull(conn.settings(), file, confirm))

    finish("pull", json, body)


@app.command(short_help="The declared schema (supabase/schemas) against the migrations")
@connection_options
def diff(
    conn: Connection,
    file: Annotated[str | None, typer.Option(
        "--file", "-f", metavar="NAME", help="Write the statements to supabase/migrations/"
        "<UTC yyyymmddhhmmss>_<NAME>.sql (only once they are proven)", show_default=False)
    ] = None,
    json: Json = False, format: Format = OutputFormat.auto,
) -> None:
    """The declared schema (the .sql files of supabase/schemas/, or [db.migrations]
    schema_paths of supabase/config.toml, in lexical order, as supabase db diff reads them)
    against what the migrations make, each replayed on its own shadow database; the
    statements between them come from pg-delta, Supabase's diff engine (installed on first
    use; needs Node.js 20+). Prints them, as supabase db diff does; with -f NAME writes them
    as a new migration. Before anything is written the statements are proven: the
    migrations and the new file replayed on a fresh shadow must make the declared schema
    exactly, else nothing is written and what still differs is listed. Statements that lose
    data (DROP, a column type change that rewrites the table) are marked with a
    `-- toolkit: destructive:` comment, and apply refuses them without --allow-destructive;
    a rename is never guessed (written as drop + add, with a warning). Needs no database URL.
    Exit 0: no schema changes, or the file written; 1: the migrations lack statements (without
    -f), the proof failed or a declared file fails; 2: usage, configuration, no Node.js."""
    from toolkit.delta.command import run_diff

    run_diff(conn.settings, file, format, json)


def _mount_local() -> None:
    from toolkit.local.cli import app as local_app

    app.add_typer(local_app, name="local",
                  short_help="A local Supabase-shaped stack, no Docker",
                  help="A local Supabase-shaped project (PostgreSQL + PostgREST + gateway), "
                  "no Docker: start, stop, status, reset, env.")


def _mount_migration() -> None:
    from toolkit.cli.migration import app as migration_app

    app.add_typer(migration_app, name="migration",
                  short_help="new, list, repair, squash: as the Supabase CLI has them",
                  help="Migration files and the history table, as the Supabase CLI has them: "
                  "new, list, repair, squash.")


_mount_local()
_mount_migration()
app.command("version", short_help="Print the version")(version_command)


def _wants_json(argv: list[str]) -> bool:
    from itertools import pairwise

    return "--json" in argv or "--format=json" in argv or any(
        pair == ("--format", "json") for pair in pairwise(argv))


def main() -> None:
    import sys

    argv = sys.argv[1:]
    if not _wants_json(argv):
        app()
        return
    # --json asked for: a usage error is a JSON error object too, not only click's text.
    from typer._click.exceptions import ClickException, UsageError

    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        from toolkit.output.write import emit_error

        command = " ".join(a for a in argv[:2] if not a.startswith("-")) or "toolkit"
        emit_error(exc.format_message(), code=2, as_json=True, settings=None, command=command)
        raise SystemExit(2) from None
    except ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    raise SystemExit(code if isinstance(code, int) else 0)
