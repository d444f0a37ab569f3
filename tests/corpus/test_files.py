"""The corpus itself, without toolkit: each fixture says what it claims to say, and its files
apply with psql on a fresh database of the local stack (so they are valid wherever `auth` and
`storage` have Supabase's shape)."""

from __future__ import annotations

import pytest

from tests.corpus.projects import (
    BOM,
    FILE_NAME,
    NO_TRANSACTION,
    PROJECTS,
    first_line,
    migration_files,
    migrations_dir,
    psql_apply,
    runs_outside_transaction,
    version,
)
from toolkit.local import LocalStack


@pytest.mark.parametrize("project", PROJECTS)
def test_every_file_is_a_migration_the_cli_takes(project: str) -> None:
    names = sorted(f.name for f in migrations_dir(project).iterdir())
    assert names, project
    assert all(FILE_NAME.match(name) for name in names), names
    # 14-digit versions everywhere except the project about ordering.
    if project != "file-order":
        assert {len(version(f)) for f in migration_files(project)} == {14}


def test_file_order_needs_name_order() -> None:
    files = migration_files("file-order")
    by_number = sorted(files, key=lambda f: int(version(f)))
    assert [f.name for f in files] == ["20240108234540_y.sql", "20240130_x.sql"]
    assert by_number == files[::-1]
    assert "public.notes" in files[1].read_text() and "create table public.notes" in \
        files[0].read_text()


def test_bom_and_crlf_survive() -> None:
    first = migration_files("bom-crlf")[0].read_bytes()
    assert first.startswith(BOM)
    lines = first.split(b"\n")[:-1]
    assert lines and all(line.endswith(b"\r") for line in lines)


def test_own_transaction_files_wrap_themselves() -> None:
    for path in migration_files("own-transaction"):
        statements = [s.strip().lower() for s in path.read_text().split(";") if s.strip()]
        body = [s for s in statements if not s.startswith("--")]
        assert body[-1] == "commit", path.name
        assert any(s.endswith("begin") for s in statements[:2]), path.name


def test_no_transaction_directive_is_the_first_line() -> None:
    flagged = [f for f in migration_files("no-transaction") if runs_outside_transaction(f)]
    assert [f.name for f in flagged] == ["20241002000000_messages_index.sql"]
    assert first_line(flagged[0]) == NO_TRANSACTION
    assert "create index concurrently" in flagged[0].read_text()


@pytest.mark.parametrize("project", PROJECTS)
def test_files_apply_with_psql(project: str, stack: LocalStack, psql_db: str) -> None:
    psql_apply(stack.db_url(psql_db), migration_files(project))
