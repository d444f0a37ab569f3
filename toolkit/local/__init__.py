"""`toolkit local`: a Supabase-shaped project on this machine without Docker.

PostgreSQL 15 (as Supabase shapes it), PostgREST 12.0.2 and a small apikey gateway, all as
plain processes whose state lives in one directory.
"""

from toolkit.local.api import ApiHandle, serve_api
from toolkit.local.bootstrap import TEMPLATE, create_database, drop_database
from toolkit.local.errors import LocalStackError
from toolkit.local.paths import default_state_dir
from toolkit.local.postgrest_bin import ensure_postgrest
from toolkit.local.stack import PartStatus, StackStatus, load, start, status, stop
from toolkit.local.state import LocalStack

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
]
