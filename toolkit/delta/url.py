"""A connection for node-postgres (pg-delta's driver): a postgres:// URL without the password,
which goes in PGPASSWORD (never on a command line others can read in the process list)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from toolkit.settings import Settings

# libpq parameters node-postgres reads from a URL's query; the others have no meaning to it.
_QUERY = ("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "options")


def node_url(conninfo: str) -> tuple[str, dict[str, str]]:
    """(URL, environment) for a libpq conninfo or URL."""
    from psycopg.conninfo import conninfo_to_dict

    d = {k: str(v) for k, v in conninfo_to_dict(conninfo).items() if v is not None}
    host = d.get("host", "localhost").split(",")[0]
    port = d.get("port", "5432").split(",")[0]
    query = {k: d[k] for k in _QUERY if k in d}
    if "sslmode" in query:  # libpq's meaning of sslmode (require: encrypt, do not verify)
        query["uselibpqcompat"] = "true"
    if host.startswith("/"):  # a unix socket: the URL's host names none, the query does
        authority, query["host"] = "localhost", host
    else:
        authority = f"[{host}]" if ":" in host else quote(host, safe="")
    user = quote(d.get("user", "postgres"), safe="")
    url = f"postgresql://{user}@{authority}:{port}/{quote(d.get('dbname', 'postgres'), safe='')}"
    if query:
        url += "?" + urlencode(query)
    env = {"PGPASSWORD": d["password"]} if d.get("password") else {}
    return url, env


def target_url(settings: Settings) -> str:
    """The target's connection string with the TLS toolkit's own connections use (hosted
    Supabase requires it), for pg-delta's driver."""
    from psycopg.conninfo import make_conninfo

    from toolkit.db.connect import connect_kwargs

    tls = {k: v for k, v in connect_kwargs(settings).items() if k == "sslmode"}
    return make_conninfo(settings.require_db(), **tls)
