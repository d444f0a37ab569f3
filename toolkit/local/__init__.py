"""`toolkit local`: a Supabase-shaped project on this machine without Docker.

PostgreSQL 15 (as Supabase shapes it), PostgREST 12.0.2 and a small apikey gateway, all as
plain processes whose state lives in one directory.

Names are re-exported lazily: `python -m toolkit.local.gateway` / `.postgrest_bin` and
`toolkit --help` must not pay for psycopg (or trip runpy's double-import warning).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolkit.local.api import ApiHandle, serve_api
    from toolkit.local.bootstrap import TEMPLATE, create_database, drop_database
    from toolkit.local.errors import LocalStackError
    from toolkit.local.paths import default_state_dir
    from toolkit.local.postgrest_bin import ensure_postgrest
    from toolkit.local.stack import (
        PartStatus,
        StackStatus,
        load,
        start,
        status,
        stop,
        throwaway_state_dir,
    )
    from toolkit.local.state import LocalStack

_EXPORTS = {
    "ApiHandle": "api",
    "serve_api": "api",
    "TEMPLATE": "bootstrap",
    "create_database": "bootstrap",
    "drop_database": "bootstrap",
    "LocalStackError": "errors",
    "default_state_dir": "paths",
    "ensure_postgrest": "postgrest_bin",
    "PartStatus": "stack",
    "StackStatus": "stack",
    "load": "stack",
    "start": "stack",
    "status": "stack",
    "stop": "stack",
    "throwaway_state_dir": "stack",
    "LocalStack": "state",
}

__all__ = [
    "TEMPLATE",
    "ApiHandle",
    "LocalStack",
    "LocalStackError",
    "PartStatus",
    "StackStatus",
    "create_database",
    "default_state_dir",
    "drop_database",
    "ensure_postgrest",
    "load",
    "serve_api",
    "start",
    "status",
    "stop",
    "throwaway_state_dir",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"toolkit.local.{module}"), name)
