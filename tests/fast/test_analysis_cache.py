"""The parse cache never hands one checkout's file paths to another checkout of the same files,
and a file added to a cached list is the only one parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.project.migrations import MigrationFile, discover
from toolkit.project.model import FileAnalysis
from toolkit.project.parse_cache import analyse

FILE = "20260101000000_t.sql"


def test_two_checkouts_of_the_same_files_keep_their_own_paths(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(cache))
    folders = []
    for checkout in ("one", "two"):
        folder = tmp_path / checkout / "migrations"
        folder.mkdir(parents=True)
        (folder / FILE).write_text("create table public.t (id int primary key);\n")
        folders.append(folder)
    for folder in folders:  # the second is analysed from a warm cache
        analysis = analyse(discover(folder).files)
        (file,) = analysis.files
        assert file.path == str(folder / FILE)


def test_a_file_added_to_a_cached_list_is_the_only_one_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list it extends comes from that list's cache; the analysis is a cold parse's."""
    from toolkit.project import parse

    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20260101000000_a.sql").write_text("create table public.a (id int primary key);\n")
    (folder / "20260102000000_b.sql").write_text(
        "create table public.b (id int primary key, a_id int references public.a (id));\n")
    analyse(discover(folder).files)
    (folder / "20260103000000_c.sql").write_text(
        "alter table public.a add column note text;\ncreate index on public.b (a_id);\n")
    parsed: list[str] = []
    real = parse.analyse_file

    def counted(f: MigrationFile, created: set[str]) -> FileAnalysis:
        parsed.append(f.path.name)
        return real(f, created)

    monkeypatch.setattr(parse, "analyse_file", counted)
    files = discover(folder).files
    warm = analyse(files)
    assert parsed == ["20260103000000_c.sql"]
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cold"))
    assert warm.files == analyse(files).files
    assert len(parsed) == 4  # the cold parse: every file
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))
    assert analyse(files).files == warm.files  # the whole list, cached as it grew
    assert len(parsed) == 4
