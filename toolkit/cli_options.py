"""The options every command shares, each with its environment variable: one definition, so
`toolkit COMMAND --help` says the same thing everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.envnames import (
    ENV_CONNECT_TIMEOUT,
    ENV_DB_URL,
    ENV_LOCK_TIMEOUT,
    ENV_MIGRATIONS,
    ENV_SERVICE_KEY,
    ENV_URL,
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
