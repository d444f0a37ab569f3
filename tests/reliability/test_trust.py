"""Secrets and trust on odd inputs: keys that cannot go in a header, a libpq key=value DSN with
a quoted password, GitHub masks outside a runner, --json on usage errors, files toolkit cannot
read or write. Each: one clear line, the right exit code, no secret printed. Real stack."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from tests.conftest import SESSION_SECRETS, admin, run_toolkit
from tests.reliability.helpers import one_line_error
from toolkit.local import ApiHandle, LocalStack

TAIL = secrets.token_hex(6)
BROKEN_KEY = f"sb_secret_{TAIL}first\nsecond{TAIL}"
ACCENT_KEY = f"sb_secret_cl{TAIL}é{TAIL}"
SESSION_SECRETS.update({BROKEN_KEY, *BROKEN_KEY.splitlines(), ACCENT_KEY})


@pytest.mark.parametrize("key", [BROKEN_KEY, ACCENT_KEY], ids=["line-break", "accent"])
@pytest.mark.parametrize("command", ["verify", "check"])
def test_a_key_no_header_can_carry(api: ApiHandle, command: str, key: str) -> None:
    result = run_toolkit(command, env={"SUPABASE_URL": api.api_url,
                                       "SUPABASE_SERVICE_ROLE_KEY": key})
    assert result.code == 2, result.output
    line = one_line_error(result.stderr)
    assert "SUPABASE_SERVICE_ROLE_KEY contains" in line and "copy the key again" in line
    for part in (TAIL, "first", "second"):
        assert part not in result.output


def test_a_quoted_password_in_a_key_value_dsn(stack: LocalStack, db: str) -> None:
    password = f"p@ss w'rd \\ {secrets.token_hex(6)}"
    escaped = password.replace("\\", "\\\\").replace("'", "\\'")
    role = f"dsn_{secrets.token_hex(4)}"
    forms = {password, escaped, password[:-4], escaped[:12]}  # whole, as written, most of it
    SESSION_SECRETS.update(f for f in forms if len(f) >= 6)
    parts = conninfo_to_dict(db)
    dsn = (f"host={parts['host']} port={parts['port']} dbname={parts['dbname']} user={role} "
           f"password='{escaped}' sslmode=disable")
    with admin(stack, db) as conn:
        conn.execute(sql.SQL("create role {} login password {} in role postgres").format(
            sql.Identifier(role), sql.Literal(password)))
    try:
        text = run_toolkit("check", env={"SUPABASE_DB_URL": dsn})
        runner = run_toolkit("check", "--format", "github",
                             env={"SUPABASE_DB_URL": dsn, "GITHUB_ACTIONS": "true"})
    finally:
        with admin(stack, db) as conn:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
    assert text.code == 1, text.output  # it connected: the tables are missing, not the login
    assert "password=***" in text.stdout.splitlines()[0], text.stdout[:300]
    masks = [line.removeprefix("::add-mask::") for line in runner.stdout.splitlines()
             if line.startswith("::add-mask::")]
    assert password in masks, masks
    for output in (text.output,
                   "\n".join(line for line in runner.output.splitlines()
                             if not line.startswith("::add-mask::"))):
        for form in forms:
            assert form not in output, form


def test_github_format_outside_a_runner_prints_no_mask(db: str) -> None:
    result = run_toolkit("check", "--format", "github", env={"SUPABASE_DB_URL": db})
    assert "::add-mask::" not in result.output
    assert "::error" in result.output or "::warning" in result.output or \
        "::notice" in result.output  # still GitHub's format: only the masks are left out


def test_json_usage_errors_are_json(db: str) -> None:
    for args in (["check", "--json", "--no-such-flag"],
                 ["migration", "repair", "--json"],
                 ["check", "--format", "json", "--connect-timeout", "soon"]):
        result = run_toolkit(*args, env={"SUPABASE_DB_URL": db})
        assert result.code == 2, result.output
        doc = json.loads(result.stdout)
        assert doc["ok"] is False and doc["exit_code"] == 2 and doc["error"], doc
        assert one_line_error(result.stderr).endswith(doc["error"])


def test_a_binary_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "binary.env"
    env_file.write_bytes(b"SUPABASE_DB_URL=\xff\xfe\x00\x81" + secrets.token_bytes(64))
    result = run_toolkit("check", "--env-file", str(env_file))
    assert result.code == 2, result.output
    line = one_line_error(result.stderr)
    assert "is not UTF-8 text" in line and "unexpected" not in line


def test_a_migration_name_too_long_for_a_file(tmp_path: Path) -> None:
    result = run_toolkit("migration", "new", "--migrations-dir", str(tmp_path), "a" * 300)
    assert result.code == 2, result.output
    line = one_line_error(result.stderr)
    assert "300 bytes long" in line and "keep it to 236" in line
    assert list(tmp_path.iterdir()) == []
    ok = run_toolkit("migration", "new", "--migrations-dir", str(tmp_path), "a" * 236)
    assert ok.code == 0, ok.output
