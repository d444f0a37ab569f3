"""HS256 JWTs in a few lines: the local stack only needs to sign, so no dependency for it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

ISSUER = "supabase-local"
TEN_YEARS = 10 * 365 * 24 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(claims: dict[str, Any], secret: str) -> str:
    """Return a compact HS256 JWT for `claims`."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def role_key(role: str, secret: str, *, now: int | None = None) -> str:
    """A Supabase-style API key: a long-lived JWT whose `role` claim PostgREST switches to."""
    iat = int(time.time()) if now is None else now
    return sign({"iss": ISSUER, "role": role, "iat": iat, "exp": iat + TEN_YEARS}, secret)
