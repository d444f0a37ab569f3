"""Settings: flags, then environment variables, then `.env`; validated, secrets known.

Built in exactly one place (the CLI's root callback) and passed to the core as plain values.
An empty variable counts as missing and is named, since an undefined GitHub secret expands to "".
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from toolkit.envnames import (
    DEFAULT_API_SCHEMAS,
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_STATEMENT_TIMEOUT_MS,
    ENV_API_SCHEMAS,
    ENV_CONNECT_TIMEOUT,
    ENV_DB_URL,
    ENV_LOCK_TIMEOUT,
    ENV_MIGRATIONS,
    ENV_SERVICE_KEY,
    ENV_SHADOW_DB_URL,
    ENV_STATEMENT_TIMEOUT,
    ENV_URL,
)
from toolkit.errors import ConfigError
from toolkit.project.config import ProjectConfig, load_config
from toolkit.project.root import default_migrations_dir, find_root
from toolkit.redact import mask_url
from toolkit.rest.keys import (
    jwt_claims,
    require_one_line,
    require_same_project,
    require_service_key,
    strip_bearer,
)

LOOPBACK = {"localhost", "127.0.0.1", "::1", ""}
# PostgreSQL's own time units for timeouts (ms, s, min, h); a bare number is seconds.
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|min|h)?$")
_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, None: 1000}
# PostgreSQL rounds a timeout below 1 ms to 0, which means "no timeout"; above a day a
# timeout is a typo, and past 2^31-1 ms the server rejects it inside the migration's
# transaction, where the error would blame the user's file.
MIN_DURATION_MS = 1
MAX_DURATION_MS = 24 * 3_600_000


@dataclass(frozen=True)
class Settings:
    db_url: str | None = None
    supabase_url: str | None = None
    service_key: str | None = None
    migrations_dir: Path = Path("supabase/migrations")
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS
    connect_timeout_s: int = DEFAULT_CONNECT_TIMEOUT_S
    sources: dict[str, str] = field(default_factory=dict)  # setting -> where it came from
    shadow_db_url: str | None = None  # None: an embedded throwaway PostgreSQL
    api_schemas: tuple[str, ...] = DEFAULT_API_SCHEMAS  # the schemas the REST API exposes
    config: ProjectConfig = field(default_factory=ProjectConfig)  # supabase/config.toml

    @property
    def rest_configured(self) -> bool:
        return bool(self.supabase_url and self.service_key)

    @property
    def secrets(self) -> list[str]:
        """Every secret value we were given, for redaction and GitHub masks."""
        from toolkit.db.url import password_forms

        out: list[str] = []
        for url in (self.db_url, self.shadow_db_url):
            if url:
                password = _url_password(url) if "://" in url else None
                forms = password_forms(url) + ([password, unquote(password)] if password
                                               else [])
                out += [f for i, f in enumerate(forms) if f not in out and f not in forms[:i]]
        if self.service_key:
            out.append(self.service_key)
        return out

    def shown_db_url(self) -> str:
        return mask_url(self.db_url) if self.db_url else "(not set)"

    def require_db(self) -> str:
        if not self.db_url:
            raise ConfigError(
                f"no database URL: set {ENV_DB_URL} or pass --db-url "
                "(Supabase dashboard: Project Settings > Database > Connection string)"
                + self._empty_hint(ENV_DB_URL)
            )
        return self.db_url

    def _empty_hint(self, name: str) -> str:
        return f"; {name} is set but empty" if self.sources.get(name) == "empty" else ""


def _url_password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        if parts.password:
            return parts.password
        query = parse_qs(parts.query)
        return query.get("password", [None])[0]
    except ValueError:
        return None


def _read_env_file(path: Path) -> dict[str, str | None]:
    """KEY=value lines, as python-dotenv reads them; a file it cannot read is named, with why
    (its bytes are never echoed: they may be secrets)."""
    from dotenv import dotenv_values

    try:
        return dict(dotenv_values(path, encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"env file {path} is not UTF-8 text (byte {exc.start + 1} cannot be "
                          "read): point --env-file at a .env file of KEY=value lines") from None
    except OSError as exc:
        raise ConfigError(f"cannot read env file {path}: {exc.strerror}") from None


def parse_duration_ms(value: str | int | float, what: str) -> int:
    """'4s', '4000ms', '1min', '1h' or a bare number of seconds, as whole milliseconds; a
    ConfigError (exit 2, one line) for anything else, under 1 ms or over a day."""
    hint = "use e.g. 4s, 500ms, 2min or 1h (units ms, s, min, h)"
    if isinstance(value, bool):
        raise ConfigError(f"{what} {value!r} is not a duration: {hint}")
    if isinstance(value, int | float):
        ms = float(value) * 1000
    else:
        m = _DURATION.match(value.strip())
        if not m:
            raise ConfigError(f"{what} {value!r} is not a duration: {hint}")
        ms = float(m.group(1)) * _UNIT_MS[m.group(2)]
    if not ms >= MIN_DURATION_MS:  # also catches NaN
        raise ConfigError(f"{what} {value!r} is under 1 ms, which PostgreSQL treats as no "
                          f"timeout at all: {hint}")
    if ms > MAX_DURATION_MS:
        raise ConfigError(f"{what} {value!r} is over the maximum of 24h: {hint}")
    return round(ms)


def validate_db_url(url: str, origin: str = "database URL") -> None:
    """Catch the malformed URLs before psycopg does, with a line that says what to fix and
    names where the URL came from (--db-url, SUPABASE_DB_URL or .env)."""
    from toolkit.db.url import explain

    problem = explain(url, origin)
    if problem:
        raise ConfigError(problem)
    if "://" not in url:
        if "=" in url:  # a libpq key=value conninfo string, read by psycopg as libpq reads it
            _check_conninfo(url, origin)
            return
        raise ConfigError("database URL must look like postgresql:// then user, password, host, "
                          "port and database: copy it from Project Settings > Database > "
                          "Connection string")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        reason = ("port out of range (1-65535)" if "range" in str(exc)
                  else f"malformed ({_url_reason(exc)})")
        raise ConfigError(f"{origin} {mask_url(url)!r} is {reason}") from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(
            f"database URL scheme {parts.scheme!r} is not postgresql://: use the Postgres "
            "connection string, not the API URL"
        )
    if not parts.hostname and "host=" not in parts.query:
        raise ConfigError(f"database URL {mask_url(url)!r} has no host")
    if port == 0:
        raise ConfigError("database URL port out of range (1-65535)")


def _check_conninfo(dsn: str, origin: str) -> None:
    """libpq's reading of a key=value string; its own message may quote the string, so only
    the kind of fault is said."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        conninfo_to_dict(dsn)
    except ProgrammingError as exc:
        reason = "an unterminated quoted value" if "unterminated" in str(exc) else \
            "a word without key=value"
        raise ConfigError(f"{origin} is a key=value connection string libpq cannot read "
                          f"({reason}): write values with spaces or quotes as 'like this', "
                          "escaping ' and \\ inside as \\' and \\\\") from None


def _url_reason(exc: ValueError) -> str:
    text = str(exc)
    if "Port could not be cast" in text:
        return "the port is not a number"
    if "IPv" in text:
        return "brackets [] belong only around an IPv6 address"
    return text


def validate_api_url(url: str) -> None:
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on an out-of-range port
    except ValueError:
        raise ConfigError(f"{ENV_URL} {url!r} has a port out of range (1-65535)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{ENV_URL} {url!r} is not an http(s) URL: use https://<project-ref>.supabase.co"
        )


def normalise_api_url(url: str) -> str:
    """The project URL without a trailing / or /rest/v1 (probes add /rest/v1 themselves)."""
    url = url.rstrip("/")
    if url.endswith("/rest/v1"):
        url = url[: -len("/rest/v1")].rstrip("/")
    return url


def _check_key_matches_url(key: str, url: str) -> None:
    claims = jwt_claims(key)
    host = urlsplit(url).hostname or ""
    if not claims or not host.endswith(".supabase.co"):
        return
    ref = claims.get("ref")
    if isinstance(ref, str) and ref and host.split(".", 1)[0] != ref:
        raise ConfigError(
            f"{ENV_SERVICE_KEY} belongs to project {ref!r}, not to {host}: use this project's key"
        )


def load_settings(
    flags: Mapping[str, str | None],
    *,
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
) -> Settings:
    """Resolve every setting from flags, then the environment, then `.env`.

    `flags` maps env-var names to flag values (None when the flag was not given).
    """
    env = os.environ if environ is None else environ
    dotenv: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        dotenv = _read_env_file(env_file)
    sources: dict[str, str] = {}

    def get(name: str) -> str | None:
        for where, table in (("flag", flags), ("env", env), (".env", dotenv)):
            value = table.get(name)
            if value is None:
                continue
            if value.strip() == "":
                sources.setdefault(name, "empty")
                continue
            sources[name] = where
            return value.strip()
        return None

    db_url = get(ENV_DB_URL)
    if db_url:
        from toolkit.db.url import origin_name

        validate_db_url(db_url, origin_name(sources.get(ENV_DB_URL)))
    url = get(ENV_URL)
    key = get(ENV_SERVICE_KEY)
    if key:
        key = strip_bearer(key)
        require_one_line(key)
    if url and not key:
        raise ConfigError(
            f"{ENV_URL} is set but {ENV_SERVICE_KEY} is "
            + ("empty" if sources.get(ENV_SERVICE_KEY) == "empty" else "not")
            + ": REST checks need both (or neither)"
        )
    if key and not url:
        raise ConfigError(
            f"{ENV_SERVICE_KEY} is set but {ENV_URL} is "
            + ("empty" if sources.get(ENV_URL) == "empty" else "not")
            + ": REST checks need both (or neither)"
        )
    if url and key:
        validate_api_url(url)
        url = normalise_api_url(url)
        require_service_key(key)
        _check_key_matches_url(key, url)
        require_same_project(db_url, url)

    lock = get(ENV_LOCK_TIMEOUT)
    statement = get(ENV_STATEMENT_TIMEOUT)
    connect = get(ENV_CONNECT_TIMEOUT)
    migrations = get(ENV_MIGRATIONS)
    connect_ms = (parse_duration_ms(connect, "connect timeout") if connect
                  else DEFAULT_CONNECT_TIMEOUT_S * 1000)
    shadow = get(ENV_SHADOW_DB_URL)
    if shadow:
        validate_db_url(shadow)
    schemas = get(ENV_API_SCHEMAS)
    config = project_config()
    if schemas is None and config.api_schemas:
        sources[ENV_API_SCHEMAS] = "config.toml"
        schemas = ",".join(config.api_schemas)
    return Settings(
        db_url=db_url,
        supabase_url=url,
        service_key=key,
        migrations_dir=Path(migrations) if migrations else default_migrations_dir(),
        lock_timeout_ms=(
            parse_duration_ms(lock, "lock timeout") if lock else DEFAULT_LOCK_TIMEOUT_MS
        ),
        statement_timeout_ms=(
            parse_duration_ms(statement, "statement timeout") if statement
            else DEFAULT_STATEMENT_TIMEOUT_MS
        ),
        connect_timeout_s=max(1, round(connect_ms / 1000)),
        sources=sources,
        shadow_db_url=shadow,
        api_schemas=tuple(s.strip() for s in schemas.split(",") if s.strip())
        if schemas else DEFAULT_API_SCHEMAS,
        config=config,
    )


def project_config() -> ProjectConfig:
    """supabase/config.toml of the project this run is in (found by walking up), if any."""
    supabase_dir = find_root() / "supabase"
    return load_config(supabase_dir) if supabase_dir.is_dir() else ProjectConfig()
