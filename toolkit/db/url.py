"""Why a database URL will not work, in one line that says how to fix it.

libpq reads the first `@` as the end of the password and `#`, `?`, `/` as the end of the
host part, so an unescaped special character in the password turns into a baffling "unknown
host" or "malformed". We find the password by the last `@` before the host, as a person reads
it, and show the percent-encoded form without ever printing the password.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from toolkit.redact import MASK

# What each character must be written as inside the password of a URL.
_ENCODE = {"@": "%40", "#": "%23", "?": "%3F", "/": "%2F", ":": "%3A", "[": "%5B", "]": "%5D",
           "%": "%25"}
_PLACEHOLDER = re.compile(r"\[?YOUR[-_ ]PASSWORD\]?", re.IGNORECASE)
_POOLER = re.compile(r"\.pooler\.supabase\.com$")
_DIRECT = re.compile(r"^db\.([a-z0-9]+)\.supabase\.co$")


def password_forms(url: str) -> list[str]:
    """The password of a URL or a libpq key=value string, in every form it may be printed in:
    as written (percent-encoded, quoted) and as libpq reads it. Read by psycopg's own conninfo
    parser, so quoting and escapes are libpq's."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    forms: list[str] = []
    try:
        password = conninfo_to_dict(url).get("password")
    except ProgrammingError:
        return forms
    if not password:
        return forms
    forms.append(str(password))
    if "://" in url:
        raw = _userinfo_and_rest(url)
        if raw is not None and ":" in raw[0]:
            forms.append(raw[0].split(":", 1)[1])  # percent-encoded, as in the URL
    else:
        escaped = str(password).replace("\\", "\\\\").replace("'", "\\'")
        forms += [escaped, f"'{escaped}'"]  # as written between libpq's quotes
    return [f for i, f in enumerate(forms) if f and f not in forms[:i]]


def origin_name(source: str | None) -> str:
    """Where the URL came from, as the user would look for it."""
    return {"flag": "--db-url", "env": "SUPABASE_DB_URL",
            ".env": "SUPABASE_DB_URL in .env"}.get(source or "", "SUPABASE_DB_URL")


def _userinfo_and_rest(url: str) -> tuple[str, str] | None:
    """('user:password', 'host:port/db?query') split at the last '@' that precedes a host."""
    rest = url.split("://", 1)[1]
    at = rest.rfind("@")
    if at < 0:
        return None
    return rest[:at], rest[at + 1:]


def _shape(user: str, rest: str, scheme: str) -> str:
    """The URL's shape with the password masked, as every message shows it."""
    return f"{scheme}://{user}:{MASK}@{rest}"


def explain(url: str, origin: str) -> str | None:
    """The one line for a URL that will not work as meant, or None when it looks right."""
    if "://" not in url:
        return None
    scheme = url.split("://", 1)[0]
    split = _userinfo_and_rest(url)
    if split is None:
        return None
    userinfo, rest = split
    user, _, password = userinfo.partition(":")
    if _PLACEHOLDER.search(password) or _PLACEHOLDER.search(user):
        return (f"{origin} still holds the dashboard's [YOUR-PASSWORD] placeholder: replace it, "
                "brackets included, with the database password (Project Settings > Database; "
                "reset it there if unknown), percent-encoding @ # ? / as %40 %23 %3F %2F")
    bad = sorted({c for c in password if c in "@#?/[]"}, key="@#?/[]".index)
    if bad or any(c in user for c in "#?/"):
        chars = " ".join(bad) or "#?/"
        codes = ", ".join(f"{c} as {_ENCODE[c]}" for c in bad)
        return (f"the password in {origin} contains {chars}, which the URL reads as the end of "
                f"the password or host: percent-encode it in the password ({codes}), as in "
                f"{_shape(user.split('#')[0], rest, scheme)}")
    return _pooler_problem(url, origin, user)


def _pooler_problem(url: str, origin: str, user: str) -> str | None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return None
    if _POOLER.search(host):
        if user and "." not in user:
            return (f"{origin} points at the Supabase pooler ({host}) with user {user!r}: the "
                    f"pooler needs user {user}.<project-ref> (copy the URL from Project Settings "
                    "> Database > Connection string)")
        if port not in (None, 5432, 6543):
            return (f"{origin} points at the Supabase pooler ({host}) on port {port}: use 5432 "
                    "for session mode (what toolkit needs for migrations) or 6543 for "
                    "transaction mode")
        if port == 5432 and "pgbouncer=true" in parts.query:
            return (f"{origin} asks for transaction mode (pgbouncer=true) on port 5432, which is "
                    "session mode: use port 6543 for transaction mode, or drop pgbouncer=true")
    elif _DIRECT.match(host) and port == 6543:
        ref = _DIRECT.match(host)
        assert ref is not None
        return (f"{origin} uses port 6543 on the direct host {host}: the direct connection "
                "listens on 5432; for transaction mode use the pooler, "
                f"aws-0-<region>.pooler.supabase.com:6543 with user postgres.{ref.group(1)}")
    return None
