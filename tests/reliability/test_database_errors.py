"""A database error the core does not expect is one line with its SQLSTATE and a deliberate
exit code, never 'unexpected X' or a traceback."""

from __future__ import annotations

from tests.conftest import admin, run_toolkit
from toolkit.local import LocalStack


def test_a_database_error_is_one_line_with_its_sqlstate(stack: LocalStack, db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", "--no-verify", env=env).code == 0
    # The history table held under an exclusive lock by another session, and a statement
    # timeout shorter than the lock timeout: the server cancels the read (57014), and toolkit
    # says which of the user's limits ended it, in one line, exit 1.
    env["TOOLKIT_STATEMENT_TIMEOUT"] = "300ms"
    with admin(stack, db) as conn, conn.transaction():
        conn.execute("lock table supabase_migrations.schema_migrations in access exclusive mode")
        results = {c: run_toolkit(c, env=env) for c in ("check", "plan")}
    for command, result in results.items():
        lines = [line for line in result.stderr.strip().splitlines() if line]
        assert len(lines) == 1 and "Traceback" not in result.stderr, (command, result.stderr)
        assert lines[0].startswith("toolkit: error: reading the database's catalog: ran past "
                                   "--statement-timeout 300 ms and was cancelled after 0."), \
            (command, lines[0])
        assert result.code == 1, (command, result.output)
