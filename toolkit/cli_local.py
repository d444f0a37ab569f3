"""`toolkit local ...`: a thin CLI over toolkit.local (flags, output, exit codes only).

Exit codes: 0 ok; 1 `status`: stack not running; 2 user error (one line on stderr).
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
from typing import Annotated, NoReturn

import typer

from toolkit.local.paths import ENV_STATE_DIR, default_state_dir

app = typer.Typer(
    help="A Supabase-shaped project on this machine, without Docker: PostgreSQL 15, "
    "PostgREST 12 and an apikey gateway, as plain processes.",
    no_args_is_help=True,
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


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn expected failures into one line on stderr and exit 2, never a traceback."""
    from toolkit.local.errors import LocalStackError

    try:
        yield
    except LocalStackError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.Error):
            # First line only: the rest can carry context we do not want on a terminal.
            first = str(exc).strip().splitlines()
            _fail("database error: " + (first[0] if first else type(exc).__name__))
        raise


def _dir(state_dir: Path | None) -> Path:
    """One stack per project: the default state dir is under the project root (the folder
    holding supabase/, found by walking up), whichever subfolder the command runs in."""
    if state_dir is not None:
        return state_dir
    from toolkit.project import find_root, shown

    default = default_state_dir()
    return default if default.is_absolute() else shown(find_root() / default)


@app.command()
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
    from toolkit.project import default_env_file

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


@app.command()
def stop(state_dir: StateDir = None) -> None:
    """Stop the processes this stack started (nothing else)."""
    from toolkit.local import stop as stop_stack

    with _user_errors():
        stopped = stop_stack(_dir(state_dir))
    typer.echo("stopped" if stopped else "nothing was running")


@app.command()
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


class EnvFormat(StrEnum):
    shell = "shell"
    dotenv = "dotenv"


@app.command()
def env(
    state_dir: StateDir = None,
    fmt: Annotated[
        EnvFormat, typer.Option("--format", help="shell: `export K=V` lines; dotenv: `K=V`.")
    ] = EnvFormat.shell,
) -> None:
    """Print SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL.

    Use as: eval "$(toolkit local env)"."""
    from toolkit.local import load
    from toolkit.local.envfile import render

    with _user_errors():
        stack = load(_dir(state_dir))
    if stack is None:
        _fail(f"no local stack in {_dir(state_dir)}; run `toolkit local start` first")
    sys.stdout.write(render(stack.env(), export=fmt is EnvFormat.shell))


def main() -> None:  # pragma: no cover - convenience: python -m toolkit.cli_local
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
