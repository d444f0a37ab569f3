"""Connection strings explained: each common mistake gets one line naming its source and fix."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import SESSION_SECRETS, admin, run_toolkit
from toolkit.local import LocalStack

HOST = "127.0.0.1:5432/postgres"
POOLER = "aws-0-eu-west-1.pooler.supabase.com"
CASES = [
    # (password or user@host part, needle in the message)
    (f"postgresql://postgres:Zq9@Wk1@{HOST}", "contains @", "@ as %40"),
    (f"postgresql://postgres:Zq9#Wk2@{HOST}", "contains #", "# as %23"),
    (f"postgresql://postgres:Zq9?Wk3@{HOST}", "contains ?", "? as %3F"),
    (f"postgresql://postgres:Zq9/Wk4@{HOST}", "contains /", "/ as %2F"),
    ("postgresql://postgres:[YOUR-PASSWORD]@db.abcdefgh.supabase.co:5432/postgres",
     "[YOUR-PASSWORD] placeholder", "replace it"),
    (f"postgresql://postgres:Zq9Wk5@{POOLER}:6543/postgres", "with user 'postgres'",
     "postgres.<project-ref>"),
    (f"postgresql://postgres.abcdefgh:Zq9Wk6@{POOLER}:5433/postgres", "on port 5433",
     "5432 for session mode"),
    (f"postgresql://postgres.abcdefgh:Zq9Wk7@{POOLER}:5432/postgres?pgbouncer=true",
     "pgbouncer=true", "use port 6543"),
    ("postgresql://postgres:Zq9Wk8@db.abcdefgh.supabase.co:6543/postgres", "port 6543",
     "user postgres.abcdefgh"),
]
SESSION_SECRETS.update(f"Zq9{c}Wk{i}" for i, c in enumerate("@#?/", 1))
SESSION_SECRETS.update(f"Zq9Wk{i}" for i in range(5, 9))


@pytest.mark.parametrize(("url", "what", "fix"), CASES)
def test_flag_named(url: str, what: str, fix: str) -> None:
    result = run_toolkit("check", "--db-url", url)
    assert result.code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert what in result.stderr and fix in result.stderr
    assert "--db-url" in result.stderr
    assert "Zq9" not in result.output  # the password itself never shows
    assert "Traceback" not in result.output


def test_environment_and_dotenv_named(tmp_path: Path) -> None:
    url = CASES[0][0]
    from_env = run_toolkit("plan", env={"SUPABASE_DB_URL": url})
    assert from_env.code == 2
    assert "password in SUPABASE_DB_URL contains @" in from_env.stderr
    assert "--db-url" not in from_env.stderr
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)
    (tmp_path / ".env").write_text(f"SUPABASE_DB_URL={url}\n")
    from_file = run_toolkit("check", cwd=tmp_path / "supabase" / "migrations")
    assert from_file.code == 2
    assert "password in SUPABASE_DB_URL in .env contains @" in from_file.stderr
    # The encoded form is what the message tells the user to write; it then works as a URL.
    assert "postgres:***@127.0.0.1:5432/postgres" in from_file.stderr


def test_postgres_scheme_connects(db: str) -> None:
    """postgres:// (what some dashboards and libraries print) works like postgresql://."""
    assert db.startswith("postgresql://")
    result = run_toolkit("check", "--json", "--db-url", "postgres://" + db.split("://", 1)[1])
    assert result.code in (0, 1), result.output
    assert result.json["target"]["database"].startswith("postgres://")
    assert all(t["database"] in ("present", "missing") for t in result.json["tables"])


def test_the_encoded_password_the_message_asks_for_connects(stack: LocalStack, db: str) -> None:
    role, password = f"w2_{uuid.uuid4().hex[:8]}", "Zq9@Wk#9"
    SESSION_SECRETS.add(password)
    with admin(stack, db) as conn:
        conn.execute(f"create role {role} login superuser password '{password}'")
    try:
        rest = db.split("@", 1)[1]
        raw = run_toolkit("check", "--db-url", f"postgresql://{role}:{password}@{rest}")
        assert raw.code == 2 and "contains @ #" in raw.stderr
        encoded = f"postgresql://{role}:{quote(password, safe='')}@{rest}"
        fixed = run_toolkit("check", "--json", "--db-url", encoded)
        assert fixed.code in (0, 1), fixed.output
        assert fixed.json["preconditions"][0]["ok"]
        assert password not in fixed.output and quote(password, safe="") not in fixed.output
    finally:
        with admin(stack, db) as conn:
            conn.execute(f"drop role {role}")
