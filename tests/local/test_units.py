"""Small pure parts: JWT signing, .env merging, key mapping."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from pathlib import Path

from toolkit.local import jwt
from toolkit.local.envfile import merge, render
from toolkit.local.state import State


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_jwt_is_hs256_signed_with_the_secret() -> None:
    token = jwt.role_key("anon", "s3cret", now=1000)
    header, payload, signature = token.split(".")
    assert json.loads(_b64decode(header)) == {"alg": "HS256", "typ": "JWT"}
    claims = json.loads(_b64decode(payload))
    assert claims["role"] == "anon"
    assert claims["iss"] == "supabase-local"
    assert claims["exp"] - claims["iat"] >= 5 * 365 * 24 * 3600
    expected = hmac.new(b"s3cret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert _b64decode(signature) == expected


def test_new_state_has_random_secrets_and_four_keys() -> None:
    a, b = State.new(1, 2, 3), State.new(1, 2, 3)
    assert a.jwt_secret != b.jwt_secret
    assert a.publishable_key.startswith("sb_publishable_")
    assert a.secret_key.startswith("sb_secret_")
    keys = a.stack(Path("/x")).api_keys()
    assert keys[a.publishable_key] == a.anon_key
    assert keys[a.secret_key] == a.service_role_key
    assert len(keys) == 4


def test_stack_repr_hides_secrets() -> None:
    state = State.new(1, 2, 3)
    text = repr(state.stack(Path("/x")))
    for secret in (state.db_password, state.jwt_secret, state.service_role_key, state.secret_key):
        assert secret not in text


def test_env_merge_replaces_our_keys_and_keeps_others(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("FOO=1\nexport SUPABASE_URL=old\n# note\nSUPABASE_URL=dup\n")
    merge(target, {"SUPABASE_URL": "http://x", "SUPABASE_ANON_KEY": "k"})
    assert target.read_text() == "FOO=1\nSUPABASE_URL=http://x\n# note\nSUPABASE_ANON_KEY=k\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_render_shell_quotes() -> None:
    assert render({"A": "x y"}, export=True) == "export A='x y'\n"
    assert render({"A": "plain"}, export=False) == "A=plain\n"
