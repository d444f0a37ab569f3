"""The parse cache never hands one checkout's file paths to another checkout of the same files."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.project.migrations import discover
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
