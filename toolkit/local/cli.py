"""`toolkit local ...`: a thin CLI over toolkit.local (flags, output, exit codes only).

Exit codes: 0 ok; 1 `status`: stack not running, `reset`: a migration or the seed failed;
2 user error (one line on stderr); 3 `env`, `reset`: no running stack (start it first).
Secrets are printed by `env` only, which exists to print them.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from toolkit.errors import ExitCode
from toolkit.local.paths import ENV_STATE_DIR, default_state_dir

if TYPE_CHECKING:
    from toolkit.local.state import LocalStack

app = typer.Typer(
    help="A Supabase-shaped project on this machine, without Docker: PostgreSQL 15, "
    "PostgREST 12 and an apikey gateway, as plain processes. start, stop, status, reset, env.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

StateDir = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        envvar=ENV_STATE_DIR,
        help="Where the stack keeps its data, config and logs [default: .toolkit/local].",
        show_default=False,
    ),
]


def _fail(message: str, code: int = ExitCode.USAGE) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _running_stack(state_dir: Path) -> LocalStack:
    """The stack, running: printing the keys or resetting a stopped one would leave the user
    pointing at ports nobody listens on. Not running is an unmet precondition: exit 3."""
    from toolkit.local import load
    from toolkit.local import status as stack_status

    with _user_errors():
        stack = load(state_dir)
        running = stack is not None and stack_status(state_dir).running
    if stack is None:
        _fail(f"no local stack in {state_dir}: run `toolkit local start` first", 3)
    if not running:
        _fail(f"the local stack in {state_dir} is not running (stopped, or a part of it "
              "died): run `toolkit local start`", 3)
    return stack


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn expected failures into one line on stderr and their exit code, never a traceback
    (toolkit.errors.failure: the mapping toolkit's own commands use)."""
    from toolkit.errors import ServerError, failure

    try:
        yield
    except (ServerError, OSError) as exc:
        _fail(*failure(exc))
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):
            _fail(*failure(exc))
        raise


def _dir(state_dir: Path | None) -> Path:
    """One stack per project: the default state dir is under the project root (the folder
    holding supabase/, found by walking up), whichever subfolder the command runs in."""
    if state_dir is not None:
        return state_dir
    from toolkit.project.root import find_root, readable_path

    default = default_state_dir()
    return default if default.is_absolute() else readable_path(find_root() / default)


@app.command(short_help="Start the stack (a running one is kept)")
def start(
    state_dir: StateDir = None,
    write_env: Annotated[
        bool,
        typer.Option(
            "--write-env",
            help="Also write SUPABASE_* into a .env file (replacing those keys, keeping others).",
        ),
    ] = False,
    env_file: Annotated[
        Path | None,
        typer.Option("--env-file", help="The file for --write-env (implies it) [default: .env]."),
    ] = None,
) -> None:
    """Start the stack (idempotent: a running stack is returned as is, a half-started one fixed)."""
    from toolkit.local import start as start_stack
    from toolkit.project.root import default_env_file

    target = env_file if env_file is not None else (default_env_file() if write_env else None)
    began = time.monotonic()
    with _user_errors():
        stack = start_stack(_dir(state_dir), write_env=target)
    typer.echo(f"local stack running in {stack.state_dir} ({time.monotonic() - began:.1f}s)")
    typer.echo(f"  API       {stack.api_url}  (REST at {stack.api_url}/rest/v1)")
    typer.echo(f"  Database  postgresql://postgres:***@{stack.db_host}:{stack.db_port}/postgres")
    if target is not None:
        typer.echo(f"  wrote SUPABASE_* to {target}")
    else:
        typer.echo("  keys: `toolkit local env` prints them")


@app.command(short_help="Stop what this stack started")
def stop(state_dir: StateDir = None) -> None:
    """Stop the processes this stack started (nothing else)."""
    from toolkit.local import stop as stop_stack

    with _user_errors():
        stopped = stop_stack(_dir(state_dir))
    typer.echo("stopped" if stopped else "nothing was running")


@app.command(short_help="Which parts run, on which ports")
def status(
    state_dir: StateDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show which parts run and on which ports (exit 1 when the stack is not running)."""
    from toolkit.local import status as stack_status

    with _user_errors():
        st = stack_status(_dir(state_dir))
    if as_json:
        typer.echo(json.dumps(st.to_json(), indent=2))
    elif not st.parts:
        typer.echo(f"no local stack in {st.state_dir} (run `toolkit local start`)")
    else:
        typer.echo(f"state dir  {st.state_dir}")
        typer.echo(f"API        {st.api_url}")
        typer.echo(f"{'PART':<22} {'STATE':<9} {'PID':>7} {'PORT':>6}")
        for part in st.parts:
            state = "running" if part.running else "stopped"
            pid = str(part.pid) if part.pid else "-"
            typer.echo(f"{part.name:<22} {state:<9} {pid:>7} {part.port or '-':>6}")
    if not st.running:
        raise typer.Exit(1)


@app.command(short_help="Recreate the database, migrate, seed")
def reset(
    state_dir: StateDir = None,
    migrations_dir: Annotated[
        Path | None,
        typer.Option(
            "--migrations-dir",
            envvar="TOOLKIT_MIGRATIONS_DIR",
            help="The migrations to re-apply [default: supabase/migrations]; the seed "
            "([db.seed] sql_paths of supabase/config.toml, default seed.sql) is read from its "
            "parent folder.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Recreate the stack's database, re-apply the migrations, then run the seed files
    ([db.seed] sql_paths of supabase/config.toml; default supabase/seed.sql), as `supabase db
    reset` does. Exits with apply's code when the migrations do not apply (1 failed, 3
    precondition unmet), 1 when a seed file fails, 3 when the stack is not running."""
    from toolkit.local.reset import recreate_database, reload_api_schema, run_seed, seed_files

    with _user_errors():
        from toolkit.project.root import default_migrations_dir

        folder = migrations_dir if migrations_dir is not None else default_migrations_dir()
        seeds = seed_files(folder)
    stack = _running_stack(_dir(state_dir))
    with _user_errors():
        recreate_database(stack)
    typer.echo("recreated database postgres from the Supabase-shaped template")
    code = _apply_migrations(stack, folder)
    if code != 0:
        raise typer.Exit(code)  # apply's own code: 1 failed, 2 settings, 3 precondition
    for seed in seeds:
        import psycopg

        try:
            run_seed(stack, seed)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()
            typer.echo(f"error: {seed} failed, nothing of it was kept: "
                       + (first[0] if first else type(exc).__name__), err=True)
            raise typer.Exit(1) from None
        typer.echo(f"seeded from {seed}")
    with _user_errors():
        reload_api_schema(stack)


def _apply_migrations(stack: LocalStack, folder: Path) -> int:
    """The migrations, through `toolkit apply`'s own code path (settings, core, output)."""
    from toolkit.commands.apply import run_apply
    from toolkit.errors import ToolkitError, failure
    from toolkit.output.write import emit
    from toolkit.settings import load_settings

    settings = None
    try:
        settings = load_settings(
            {
                "SUPABASE_DB_URL": stack.db_url(),
                "SUPABASE_URL": stack.api_url,
                "SUPABASE_SERVICE_ROLE_KEY": stack.service_role_key,
                "TOOLKIT_MIGRATIONS_DIR": str(folder),
            },
            env_file=None,
        )
        # No REST check here: PostgREST is reconnecting to the database just recreated.
        report = run_apply(settings, verify=False)
    except ToolkitError as exc:
        line, code = failure(exc)
        typer.echo(f"error: {line}", err=True)
        return int(code)
    emit(report, as_json=False, fmt="text", settings=settings)
    from toolkit.judge.outcome import verdict

    return verdict(report).code


class EnvFormat(StrEnum):
    shell = "shell"
    dotenv = "dotenv"


@app.command(short_help="Print the SUPABASE_* variables for the shell")
def env(
    state_dir: StateDir = None,
    fmt: Annotated[
        EnvFormat, typer.Option("--format", help="shell: `export K=V` lines; dotenv: `K=V`.")
    ] = EnvFormat.shell,
) -> None:
    """Print SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL.

    Use as: eval "$(toolkit local env)"."""
    from toolkit.local.envfile import render

    stack = _running_stack(_dir(state_dir))
    sys.stdout.write(render(stack.env(), export=fmt is EnvFormat.shell))


def main() -> None:  # pragma: no cover - convenience: python -m toolkit.local.cli
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
