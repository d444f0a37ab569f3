"""The stack's persistent state (ports, secrets, PIDs) in `<state>/state.json`, mode 0600."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.local import jwt
from toolkit.local.errors import LocalStackError
from toolkit.local.paths import Paths

STATE_VERSION = 1


@dataclass(frozen=True)
class LocalStack:
    """A running (or last-known) local Supabase-shaped project. Secrets stay out of repr."""

    state_dir: Path
    db_host: str
    db_port: int
    db_password: str = field(repr=False)
    api_port: int
    postgrest_port: int
    jwt_secret: str = field(repr=False)
    anon_key: str = field(repr=False)
    service_role_key: str = field(repr=False)
    publishable_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    authenticator_password: str = field(default="", repr=False)

    def db_url(self, dbname: str = "postgres") -> str:
        """URL for role `postgres` (not a superuser, as on hosted Supabase)."""
        return f"postgresql://postgres:{self.db_password}@{self.db_host}:{self.db_port}/{dbname}"

    def admin_url(self, dbname: str = "postgres") -> str:
        """Cluster superuser over the unix socket (trusted there only), for test set-up."""
        run = Paths.of(self.state_dir).run
        return f"postgresql://supabase_admin@/{dbname}?host={run}&port={self.db_port}"

    def authenticator_url(self, dbname: str = "postgres") -> str:
        """What PostgREST logs in as."""
        return (
            f"postgresql://authenticator:{self.authenticator_password}"
            f"@{self.db_host}:{self.db_port}/{dbname}"
        )

    @property
    def api_url(self) -> str:
        return f"http://{self.db_host}:{self.api_port}"

    def api_keys(self) -> dict[str, str]:
        """Every apikey the gateway accepts, mapped to the JWT it forwards."""
        return {
            self.anon_key: self.anon_key,
            self.service_role_key: self.service_role_key,
            self.publishable_key: self.anon_key,
            self.secret_key: self.service_role_key,
        }

    def env(self) -> dict[str, str]:
        return {
            "SUPABASE_URL": self.api_url,
            "SUPABASE_ANON_KEY": self.anon_key,
            "SUPABASE_SERVICE_ROLE_KEY": self.service_role_key,
            "SUPABASE_DB_URL": self.db_url(),
        }


@dataclass
class State:
    """Mutable on-disk record; `stack()` gives the frozen public view."""

    db_port: int
    api_port: int
    postgrest_port: int
    db_password: str
    authenticator_password: str
    jwt_secret: str
    anon_key: str
    service_role_key: str
    publishable_key: str
    secret_key: str
    bootstrapped: bool = False
    # name -> {"pid": int, "marker": str}; marker must appear in /proc/<pid>/cmdline.
    pids: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = STATE_VERSION

    @classmethod
    def new(cls, db_port: int, api_port: int, postgrest_port: int) -> State:
        secret = secrets.token_urlsafe(48)
        return cls(
            db_port=db_port,
            api_port=api_port,
            postgrest_port=postgrest_port,
            db_password=secrets.token_urlsafe(24),
            authenticator_password=secrets.token_urlsafe(24),
            jwt_secret=secret,
            anon_key=jwt.role_key("anon", secret),
            service_role_key=jwt.role_key("service_role", secret),
            publishable_key="sb_publishable_" + secrets.token_urlsafe(24),
            secret_key="sb_secret_" + secrets.token_urlsafe(24),
        )

    def stack(self, state_dir: Path) -> LocalStack:
        return LocalStack(
            state_dir=Paths.of(state_dir).root,
            db_host="127.0.0.1",
            db_port=self.db_port,
            db_password=self.db_password,
            api_port=self.api_port,
            postgrest_port=self.postgrest_port,
            jwt_secret=self.jwt_secret,
            anon_key=self.anon_key,
            service_role_key=self.service_role_key,
            publishable_key=self.publishable_key,
            secret_key=self.secret_key,
            authenticator_password=self.authenticator_password,
        )


def read_state(paths: Paths) -> State | None:
    try:
        raw = json.loads(paths.state_file.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise LocalStackError(f"cannot read {paths.state_file}: {exc}") from None
    known = State.__dataclass_fields__
    return State(**{k: v for k, v in raw.items() if k in known})


def write_state(paths: Paths, state: State) -> None:
    """Atomic replace, created 0600 from the start (it holds the service key)."""
    tmp = paths.state_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(asdict(state), fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, paths.state_file)


def write_secret_file(path: Path, text: str) -> None:
    """Write a config that holds secrets, readable by its owner only."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
