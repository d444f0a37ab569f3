"""A table a DO block creates is created by the migrations, not a table they need (a shape
seen in public Supabase projects: `do $$ begin if not exists (…) then create table …`)."""

from __future__ import annotations

from pathlib import Path

from toolkit.project.migrations import discover
from toolkit.project.parse_cache import analyse

DO_BLOCK = """do $$
begin
  if not exists (select 1 from pg_tables where schemaname = 'public'
                 and tablename = 'schedule_blocks') then
    create table public.schedule_blocks (id uuid primary key, title text);
  end if;
end
$$;
alter table public.schedule_blocks add column if not exists notes text;
"""


def _analyse(tmp_path: Path, sql: str) -> list[str]:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20260101000000_blocks.sql").write_text(sql)
    return [r.name for r in analyse(discover(folder).files).references if r.strong]


def test_a_table_created_in_a_do_block_is_no_precondition(tmp_path: Path) -> None:
    assert "public.schedule_blocks" not in _analyse(tmp_path, DO_BLOCK)


def test_a_table_only_altered_is_still_one(tmp_path: Path) -> None:
    altered = DO_BLOCK.split("$$;\n", 1)[1]
    assert _analyse(tmp_path, altered) == ["public.schedule_blocks"]


def test_what_a_do_block_executes_from_a_string_is_not_read(tmp_path: Path) -> None:
    dynamic = ("do $$ begin execute 'create table public.schedule_blocks (id int)'; end $$;\n"
               "alter table public.schedule_blocks add column notes text;\n")
    assert _analyse(tmp_path, dynamic) == ["public.schedule_blocks"]
