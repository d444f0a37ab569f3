"""What the migrations declare, parsed from the real file: the single source of truth."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MIGRATIONS, NEW_TABLES
from toolkit.declared import Requirement, analyse
from toolkit.migrations import discover
from toolkit.schema import Column, ForeignKey, Index


def test_the_eleven_tables_and_the_preconditions() -> None:
    declared = analyse(discover(MIGRATIONS).files)
    assert list(declared.tables) == NEW_TABLES
    assert declared.preconditions == [Requirement("table", "agents", "id", "uuid"),
                                      Requirement("extension", "uuid-ossp")]
    tasks = declared.tables["agent_tasks"]
    assert tasks.columns["created_at"] == Column("created_at", "timestamp with time zone", True)
    assert tasks.primary_key == ("id",)
    assert ForeignKey(("agent_id",), "agents", ("id",), "cascade") in tasks.foreign_keys
    assert Index(("agent_id",), False) in tasks.indexes
    assert declared.tables["agent_analytics"].columns["cost_usd"].type == "numeric(14,6)"
    assert all(t.rls for t in declared.tables.values())


def test_every_foreign_key_is_indexed_in_the_file() -> None:
    for table in analyse(discover(MIGRATIONS).files).tables.values():
        for fk in table.foreign_keys:
            assert any(i.columns[: len(fk.columns)] == fk.columns for i in table.indexes), \
                (table.name, fk)


def test_a_table_created_by_an_earlier_file_is_not_a_precondition(tmp_path: Path) -> None:
    (tmp_path / "1_a.sql").write_text("create table if not exists public.t (id uuid primary key);")
    (tmp_path / "2_b.sql").write_text(
        "create table if not exists public.u (id uuid primary key, t_id uuid references t (id));")
    declared = analyse(discover(tmp_path).files)
    assert declared.preconditions == []
    assert [a.file.version for a in declared.files] == ["1", "2"]
