"""Keep secrets out of everything toolkit prints: URLs, keys, JWTs, error text from libraries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

MASK = "***"

# Anything shaped like a JWT, an opaque Supabase key, or a password in a URL or conninfo string.
_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+"),
    re.compile(r"sb_(?:secret|publishable)_[A-Za-z0-9_-]+"),
    re.compile(r"(?<=://)([^:/@\s]+):([^@\s]+)@"),
    # libpq's quoting: a value in single quotes, with \' and \\ escaped inside.
    re.compile(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S+)"),
)


def mask_conninfo(dsn: str) -> str:
    """A libpq key=value string with its password replaced, read as libpq reads it."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(dsn)
    except ProgrammingError:
        return redact(dsn)
    if "password" in params:
        params["password"] = MASK
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None})


def mask_url(url: str) -> str:
    """A connection URL (or libpq key=value string) with its password replaced, for display."""
    if "://" not in url and "=" in url:
        return mask_conninfo(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}:{MASK}@{netloc[1]}"))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every known secret and anything that looks like one."""
    for secret in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _PATTERNS[0].sub(MASK, text)
    text = _PATTERNS[1].sub(MASK, text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}:{MASK}@", text)
    return _PATTERNS[3].sub(lambda m: f"{m.group(1)}{MASK}", text)
