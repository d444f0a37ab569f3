"""Progress and colour on a terminal (a real pseudo-terminal), none of either when piped,
with --json or with NO_COLOR."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import OUTPUT_LOG, run_toolkit

SLOW = "20270101000000_slow.sql"
ESC = "\x1b["


def _on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run toolkit with stdin, stdout and stderr on one pty; return its code and all output."""
    leader, follower = pty.openpty()
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_", "NO_COLOR"))}
    base.update({"TERM": "xterm", **env})
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", *args], cwd=cwd, env=base,
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    code = proc.wait(timeout=120)
    text = seen.decode(errors="replace")
    with OUTPUT_LOG.open("a", encoding="utf-8") as log:  # for the secret scan
        log.write(f"$ toolkit {' '.join(args)} (pty)\n{text}\n")
    return code, text


def _slow_project(project: Path) -> None:
    (project / "supabase" / "migrations" / SLOW).write_text("select pg_sleep(2);\n")


def test_terminal_shows_progress_and_colour(db: str, project: Path) -> None:
    _slow_project(project)
    code, text = _on_a_terminal(["apply"], {"SUPABASE_DB_URL": db}, project)
    assert code == 0, text
    assert f"applying {SLOW}: select pg_sleep(2)" in text  # the file and its statement
    assert re.search(r"pg_sleep\(2\)  \d+\.\ds", text)  # elapsed, redrawn in place
    assert "\r\x1b[K" in text
    assert f"{ESC}32mpresent" in text  # ok in green in the table
    assert "applying 20261126021500_agent_tables.sql" not in text  # fast: no line


def test_piped_json_and_no_color_show_neither(db: str, project: Path) -> None:
    _slow_project(project)
    piped = run_toolkit("apply", env={"SUPABASE_DB_URL": db}, cwd=project)
    assert piped.code in (0, 1), piped.output
    assert "Applied 20270101000000_slow" in piped.stdout
    assert "applying" not in piped.output and ESC not in piped.output
    # Rolled back by hand so the slow file is pending again for the terminal runs.
    again = run_toolkit("migration", "repair", "20270101000000", "--status", "reverted",
                        "--yes", "--db-url", db, cwd=project)
    assert again.code == 0, again.output
    code, text = _on_a_terminal(["apply", "--json"], {"SUPABASE_DB_URL": db}, project)
    assert code in (0, 1) and '"applied"' in text
    assert "applying" not in text and ESC not in text
    run_toolkit("migration", "repair", "20270101000000", "--status", "reverted", "--yes",
                "--db-url", db, cwd=project)
    code, text = _on_a_terminal(["apply"], {"SUPABASE_DB_URL": db, "NO_COLOR": "1"}, project)
    assert code in (0, 1) and "Applied 20270101000000_slow" in text
    assert "applying" not in text and ESC not in text
