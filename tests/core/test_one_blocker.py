"""One blocker named: when a statement fails, what fails after it for want of what it was to
make is counted on it ("and 5 errors caused by it"), never listed as causes of their own."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import run_toolkit
from toolkit.postgres.cluster import pg_bin

FILE = ("create table public.broken (id int primary key, n int default 'abc'::int);\n"
        "create index broken_n_idx on public.broken (n);\n"
        "alter table public.broken enable row level security;\n"
        "create policy \"all\" on public.broken for select using (true);\n"
        "alter table public.broken add column m int;\n"
        "comment on table public.broken is 'never made';\n")


def test_failed_line_names_the_first_cause(db: str, tmp_path: Path) -> None:
    path = tmp_path / "20250101000000_broken.sql"
    path.write_text(FILE)
    psql = subprocess.run([str(pg_bin("psql")), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1",
                           "-f", str(path), db], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})
    assert psql.returncode != 0
    cause = psql.stderr.split("ERROR:", 1)[1].splitlines()[0].strip()  # psql's first error

    for command in ("plan", "apply"):
        result = run_toolkit(command, "--json", "--migrations-dir", str(tmp_path),
                             env={"SUPABASE_DB_URL": db})
        assert result.code == 1, result.output
        summary = result.json["summary"]
        assert summary.startswith("FAILED: "), summary
        assert "20250101000000_broken.sql:1:" in summary and cause in summary, summary
        assert "(and 5 errors caused by it)" in summary, summary
        shadow = [p for p in result.json["problems"] if p["kind"].startswith("shadow")]
        assert len(shadow) == 1, shadow  # the cause alone, nothing that follows from it
