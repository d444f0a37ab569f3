"""What the migrations declare, parsed from the real file: the single source of truth."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_the_parse_cache_gives_what_parsing_gives(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.parse_cache import analyse_cached, cache_dir

    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))
    files = discover(MIGRATIONS).files
    fresh = analyse(files)
    first = analyse_cached(files)  # a miss: parses and stores
    assert list(cache_dir().glob("declared-*.pickle"))
    second = analyse_cached(files)  # a hit: no parser
    for got in (first, second):
        assert got.tables == fresh.tables
        assert got.preconditions == fresh.preconditions
        assert [a.recorded for a in got.files] == [a.recorded for a in fresh.files]
        assert [a.warnings for a in got.files] == [a.warnings for a in fresh.files]
    # A copy of the folder elsewhere hits the same entry and reports its own paths.
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    for f in files:
        (copy / f.path.name).write_text(f.sql)
    moved = analyse_cached(discover(copy).files)
    assert moved.files[0].file.path == copy / files[0].path.name
    # A changed file is a different entry.
    (copy / files[0].path.name).write_text(files[0].sql + "\n-- changed\n")
    analyse_cached(discover(copy).files)
    assert len(list(cache_dir().glob("declared-*.pickle"))) == 2
