"""The options every command shares, each with its environment variable: one definition, so
`toolkit COMMAND --help` says the same thing everywhere, and one decorator that gives every
command that talks to a database the same connection settings."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import typer

from toolkit import envnames as env

if TYPE_CHECKING:
    from toolkit.settings import Settings

DbUrl = Annotated[str | None, typer.Option(
    "--db-url", help=f"Postgres connection string [env {env.ENV_DB_URL}]", show_default=False)]
ApiUrl = Annotated[str | None, typer.Option(
    "--supabase-url", help=f"Project URL, https://<ref>.supabase.co [env {env.ENV_URL}]",
    show_default=False)]
ServiceKey = Annotated[str | None, typer.Option(
    "--service-role-key", help=f"service_role or sb_secret_ key [env {env.ENV_SERVICE_KEY}]",
    show_default=False)]
MigrationsDir = Annotated[str | None, typer.Option(
    "--migrations-dir", help=f"Folder of <version>_<name>.sql files [env {env.ENV_MIGRATIONS}; "
    "default supabase/migrations]", show_default=False)]
ConnectTimeout = Annotated[str | None, typer.Option(
    "--connect-timeout", help=f"Give up connecting after this long, e.g. 10s [env "
    f"{env.ENV_CONNECT_TIMEOUT}; default {env.DEFAULT_CONNECT_TIMEOUT_S}s]", show_default=False)]
LockTimeout = Annotated[str | None, typer.Option(
    "--lock-timeout", help=f"Give up waiting for a table lock after this long [env "
    f"{env.ENV_LOCK_TIMEOUT}; default {env.DEFAULT_LOCK_TIMEOUT_MS // 1000}s]", show_default=False)]
StatementTimeout = Annotated[str | None, typer.Option(
    "--statement-timeout", help=f"Cancel a statement after this long [env "
    f"{env.ENV_STATEMENT_TIMEOUT}; default {env.DEFAULT_STATEMENT_TIMEOUT_MS // 1000}s]",
    show_default=False)]
ShadowUrl = Annotated[str | None, typer.Option(
    "--shadow-db-url", help="A server where toolkit may create a scratch database to replay the "
    f"migrations on [env {env.ENV_SHADOW_DB_URL}; default: a throwaway PostgreSQL from the server "
    "binaries on this machine]", show_default=False)]
ApiSchemas = Annotated[str | None, typer.Option(
    "--api-schemas", help="Comma-separated schemas the REST API exposes, probed over REST "
    f"[env {env.ENV_API_SCHEMAS}; default: [api] schemas of supabase/config.toml, else public]",
    show_default=False)]
EnvFile = Annotated[Path, typer.Option(
    "--env-file", help="Read settings not given by flag or environment from this file")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout")]


class OutputFormat(StrEnum):
    auto = "auto"
    text = "text"
    json = "json"
    github = "github"


Format = Annotated[OutputFormat, typer.Option(
    "--format", case_sensitive=False,
    help="auto: github when GITHUB_ACTIONS=true, else text")]

# parameter name -> (its option, the setting it fills). The same for every command.
_CONNECTION: dict[str, tuple[Any, str]] = {
    "db_url": (DbUrl, env.ENV_DB_URL),
    "supabase_url": (ApiUrl, env.ENV_URL),
    "service_role_key": (ServiceKey, env.ENV_SERVICE_KEY),
    "migrations_dir": (MigrationsDir, env.ENV_MIGRATIONS),
    "connect_timeout": (ConnectTimeout, env.ENV_CONNECT_TIMEOUT),
    "lock_timeout": (LockTimeout, env.ENV_LOCK_TIMEOUT),
    "statement_timeout": (StatementTimeout, env.ENV_STATEMENT_TIMEOUT),
    "shadow_db_url": (ShadowUrl, env.ENV_SHADOW_DB_URL),
    "api_schemas": (ApiSchemas, env.ENV_API_SCHEMAS),
}


@dataclass(frozen=True)
class Connection:
    """The shared settings as given on the command line (None: not given)."""

    flags: dict[str, str | None]
    env_file: Path

    def settings(self) -> Settings:
        from toolkit.cli.run import _settings

        return _settings(**self.flags, env_file=str(self.env_file))


F = TypeVar("F", bound=Callable[..., None])


def connection_options(func: F) -> F:
    """Give a command the shared connection options (after its own) and pass them to it as
    one `conn: Connection`, so no command can forget one of them."""
    hints = get_type_hints(func, include_extras=True)
    own = [p.replace(annotation=hints.get(p.name, p.annotation))
           for p in inspect.signature(func).parameters.values() if p.name != "conn"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                annotation=option)
              for name, (option, _) in _CONNECTION.items()]
    shared.append(inspect.Parameter("env_file", inspect.Parameter.KEYWORD_ONLY,
                                    default=Path(".env"), annotation=EnvFile))

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> None:
        flags = {env: kwargs.pop(name) for name, (_, env) in _CONNECTION.items()}
        func(conn=Connection(flags, kwargs.pop("env_file")), **kwargs)

    params = own + shared
    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper  # type: ignore[return-value]
