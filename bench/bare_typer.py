"""The floor for a typer CLI: the same commands and options as toolkit, bodies that do nothing.

`python bench/bare_typer.py --help` costs the interpreter, typer and nothing of toolkit's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="toolkit", help="Deploy toolkit for Supabase projects (bare typer floor).",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
)
local = typer.Typer(help="A local Supabase-shaped project.", no_args_is_help=True)
app.add_typer(local, name="local")

Opt = Annotated[str | None, typer.Option(help="a connection option", show_default=False)]
EnvFile = Annotated[Path, typer.Option("--env-file", help="Read settings from this file")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout")]
Format = Annotated[str, typer.Option("--format", help="auto, text, json or github")]
StateDir = Annotated[Path | None, typer.Option("--state-dir", help="state dir")]


def _version(value: bool) -> None:
    if value:
        print("toolkit 0.1.0")
        raise typer.Exit()


@app.callback()
def root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit")] = False
         ) -> None:
    """Deploy toolkit for Supabase projects."""


@app.command()
def check(db_url: Opt = None, supabase_url: Opt = None, service_role_key: Opt = None,
          migrations_dir: Opt = None, connect_timeout: Opt = None,
          env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto") -> None:
    """Is the database ready and complete?"""


@app.command()
def apply(db_url: Opt = None, supabase_url: Opt = None, service_role_key: Opt = None,
          migrations_dir: Opt = None, connect_timeout: Opt = None, lock_timeout: Opt = None,
          statement_timeout: Opt = None,
          enable_extensions: Annotated[bool, typer.Option("--enable-extensions")] = False,
          verify: Annotated[bool, typer.Option("--verify/--no-verify")] = True,
          dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
          env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto") -> None:
    """Apply the pending migration files."""


@app.command()
def verify(db_url: Opt = None, supabase_url: Opt = None, service_role_key: Opt = None,
           migrations_dir: Opt = None, connect_timeout: Opt = None,
           env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto") -> None:
    """The REST view and the functional test."""


@app.command()
def plan(db_url: Opt = None, migrations_dir: Opt = None, connect_timeout: Opt = None,
         env_file: EnvFile = Path(".env"), json: Json = False, format: Format = "auto") -> None:
    """What apply would do."""


@local.command()
def start(state_dir: StateDir = None,
          write_env: Annotated[bool, typer.Option("--write-env")] = False) -> None:
    """Start the stack."""


@local.command()
def stop(state_dir: StateDir = None) -> None:
    """Stop the stack."""


@local.command()
def status(state_dir: StateDir = None,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show what runs."""


@local.command()
def env(state_dir: StateDir = None) -> None:
    """Print the SUPABASE_* variables."""


if __name__ == "__main__":
    app()
