"""supabase/config.toml: read as the Supabase CLI writes it; flags and environment still win."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_toolkit
from toolkit.errors import ConfigError
from toolkit.project.config import load_config
from toolkit.settings import load_settings


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)
    (tmp_path / "supabase" / "config.toml").write_text(config)
    return tmp_path


def test_api_schemas_default_and_what_wins(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, 'project_id = "shop"\n[api]\nschemas = ["public", "shop"]\n'
                    "[db]\nmajor_version = 17\n[db.migrations]\nschema_paths = "
                    '["./schemas/*.sql"]\n')
    monkeypatch.chdir(root / "supabase" / "migrations")  # found by walking up
    settings = load_settings({}, environ={}, env_file=None)
    assert settings.api_schemas == ("public", "shop")
    assert settings.config.project_id == "shop" and settings.config.major_version == 17
    assert settings.config.schema_paths == ("./schemas/*.sql",)
    assert load_settings({}, environ={"TOOLKIT_API_SCHEMAS": "api"},
                         env_file=None).api_schemas == ("api",)
    assert load_settings({"TOOLKIT_API_SCHEMAS": "x"}, environ={"TOOLKIT_API_SCHEMAS": "api"},
                         env_file=None).api_schemas == ("x",)


def test_seed_paths_in_order_globs_sorted(tmp_path: Path) -> None:
    root = _project(tmp_path, '[db.seed]\nsql_paths = ["./first.sql", "./seeds/*.sql"]\n')
    supabase = root / "supabase"
    (supabase / "seeds").mkdir()
    for name in ("b.sql", "a.sql"):
        (supabase / "seeds" / name).write_text("select 1;\n")
    (supabase / "first.sql").write_text("select 1;\n")
    assert load_config(supabase).seed_files(supabase) == [
        supabase / "first.sql", supabase / "seeds" / "a.sql", supabase / "seeds" / "b.sql"]
    off = _project(tmp_path / "off", "[db.seed]\nenabled = false\n")
    assert load_config(off / "supabase").seed_files(off / "supabase") == []


def test_wrong_types_are_one_line(tmp_path: Path) -> None:
    root = _project(tmp_path, '[api]\nschemas = "public"\n')
    with pytest.raises(ConfigError, match=r"\[api\] schemas must be a list of strings"):
        load_config(root / "supabase")


def test_malformed_config_is_one_line_exit_2(tmp_path: Path) -> None:
    root = _project(tmp_path, "[api\nschemas = [\"public\"]\n")
    result = run_toolkit("plan", cwd=root)
    assert result.code == 2
    assert result.stderr.count("\n") == 1
    assert "config.toml is not valid TOML" in result.stderr and "line 1" in result.stderr


def test_major_version_differs_from_the_shadow(tmp_path: Path) -> None:
    root = _project(tmp_path, "[db]\nmajor_version = 99\n")
    (root / "supabase" / "migrations" / "20260101000000_t.sql").write_text(
        "create table if not exists public.t (id bigint primary key);\n")
    result = run_toolkit("plan", "--json", cwd=root)
    assert result.code == 0, result.output
    assert any("major_version = 99" in p["message"] for p in result.json["problems"])
