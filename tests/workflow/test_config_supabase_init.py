"""supabase/config.toml as the real Supabase CLI's `supabase init` writes it (needs the npm CLI
that `make test-deps` installs, hence not in the service-free fast lane)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.safety.test_supabase_cli import CLI
from toolkit.project.config import load_config


def test_reads_the_file_supabase_init_writes(tmp_path: Path) -> None:
    if not CLI.exists():
        pytest.fail("the Supabase CLI is not installed: make test-deps installs it")
    made = subprocess.run([str(CLI), "init", "--agent", "no"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, input="n\nn\n",
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "SUPABASE_TELEMETRY_DISABLED": "1"})
    assert made.returncode == 0, made.stdout + made.stderr
    config = load_config(tmp_path / "supabase")
    assert config.project_id == tmp_path.name
    assert config.api_schemas is not None and "public" in config.api_schemas
    assert config.major_version in (15, 17)
    assert config.seed_files(tmp_path / "supabase") == []  # seed.sql not written yet
    (tmp_path / "supabase" / "seed.sql").write_text("select 1;\n")
    assert config.seed_files(tmp_path / "supabase") == [tmp_path / "supabase" / "seed.sql"]
