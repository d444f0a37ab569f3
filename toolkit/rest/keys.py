"""What a key and two URLs say before any request is sent: whose key it is, and
which project each URL points at. No signature is checked: the role claim is only read, so a
wrong key is named at once instead of answering as twelve "forbidden" tables, or as OK when
RLS hides the rows from the anon role."""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote, urlsplit

from toolkit.envnames import ENV_DB_URL, ENV_SERVICE_KEY, ENV_URL
from toolkit.errors import ConfigError

SECRET_PREFIX = "sb_secret_"
PUBLISHABLE_PREFIX = "sb_publishable_"
API_DOMAIN = ".supabase.co"
_FIX = "copy the service_role key (or an sb_secret_ key) from Project Settings > API"


def strip_bearer(value: str) -> str:
    """A value copied from an Authorization header: 'Bearer eyJ...' is the key 'eyJ...'."""
    if value[:7].lower() == "bearer ":
        return value[7:].strip()
    return value


def require_one_line(key: str, name: str = ENV_SERVICE_KEY) -> None:
    """A key travels in HTTP headers: one line of printable ASCII. Say what is wrong with it
    and where, never the key itself (an error from the HTTP library would quote it)."""
    for i, c in enumerate(key):
        if c in "\r\n":
            what = "a line break"
        elif not c.isascii():
            what = "a character that is not ASCII"
        elif not c.isprintable() or c.isspace():
            what = "a space or control character"
        else:
            continue
        raise ConfigError(f"{name} contains {what} at character {i + 1} of {len(key)}, which "
                          f"no HTTP header can carry: copy the key again, as one line "
                          f"({_FIX})")


def jwt_claims(token: str) -> dict[str, object] | None:
    """The unverified payload of a JWT (to read `role` and `ref`), or None if not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def describe_key(key: str) -> str | None:
    """None for a service key; otherwise what the key is, in words for the error line."""
    if key.startswith(SECRET_PREFIX) and len(key) > len(SECRET_PREFIX):
        return None
    if key.startswith(PUBLISHABLE_PREFIX):
        return "the publishable key (sb_publishable_...)"
    claims = jwt_claims(key)
    if claims is None:
        raise ConfigError(f"{ENV_SERVICE_KEY} is neither a JWT nor an sb_secret_ key: {_FIX}")
    role = claims.get("role")
    if role == "service_role":
        return None
    if role == "anon":
        return "the anon key"
    if role == "authenticated":
        return "a signed-in user's JWT (role authenticated)"
    if not isinstance(role, str) or not role:
        return "a JWT without a role claim"
    return f"a JWT for role {role!r}"


def require_service_key(key: str) -> None:
    """Refuse anything but service_role / sb_secret_: other roles see RLS-filtered or
    forbidden tables, which would pass for a verdict about the schema."""
    what = describe_key(key)
    if what is not None:
        raise ConfigError(f"{ENV_SERVICE_KEY} holds {what}, not the service_role key: {_FIX}")


def api_project_ref(api_url: str) -> str | None:
    host = urlsplit(api_url).hostname or ""
    if host.endswith(API_DOMAIN) and host.count(".") == 2:
        return host.split(".", 1)[0]
    return None


def db_project_ref(db_url: str) -> str | None:
    """db.<ref>.supabase.co (direct), or the pooler's user postgres.<ref>."""
    if "://" not in db_url:
        return None
    try:
        parts = urlsplit(db_url)
        host, user = parts.hostname or "", unquote(parts.username or "")
    except ValueError:
        return None
    if host.startswith("db.") and host.endswith(API_DOMAIN) and host.count(".") == 3:
        return host.split(".")[1]
    if user.startswith("postgres.") and len(user) > len("postgres."):
        return user.split(".", 1)[1]
    return None


def require_same_project(db_url: str | None, api_url: str | None) -> None:
    """A database of one project with the API of another looks like a stale schema cache."""
    if not db_url or not api_url:
        return
    db_ref, api_ref = db_project_ref(db_url), api_project_ref(api_url)
    if db_ref and api_ref and db_ref != api_ref:
        raise ConfigError(
            f"{ENV_DB_URL} is project {db_ref!r} but {ENV_URL} is project {api_ref!r}: take both "
            "from the same project (Project Settings > Database, and > API)")
