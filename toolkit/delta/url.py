"""A connection for node-postgres (pg-delta's driver): a postgres:// URL without the password,
which goes in PGPASSWORD (never on a command line others can read in the process list)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

# libpq parameters node-postgres reads from a URL's query; the others have no meaning to it.
_QUERY = ("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "options")


def node_url(conninfo: str) -> tuple[str, dict[str, str]]:
    """(URL, environment) for a libpq conninfo or URL."""
    from psycopg.conninfo import conninfo_to_dict

    d = {k: str(v) for k, v in conninfo_to_dict(conninfo).items() if v is not None}
    host = d.get("host", "localhost").split(",")[0]
    port = d.get("port", "5432").split(",")[0]
    query = {k: d[k] for k in _QUERY if k in d}
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
