"""Capture the catalog fixtures of the fast lane (tests/fast/fixtures/*.json).

Replays chosen histories of tests/projects/ on the embedded shadow, exactly as toolkit's oracle
does, and writes the catalog PostgreSQL reports after each file (state 0: only the stand-ins).
The fast tests then judge and compare these real catalogs in-process, with no server.

Rerun after a change to toolkit/db/sql/inspect.sql or to these projects:
    .venv/bin/python scripts/capture-catalogs.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fast" / "fixtures"
# The seed's own road (preconditions), auth-keyed profiles with RLS and policies, and views,
# functions and types: between them every kind of object the comparison knows.
PROJECTS = ("agent-road", "profiles-auth", "views-functions")


def capture(project: str) -> dict[str, object]:
    from toolkit.oracle.replay import expected
    from toolkit.oracle.standins import standins
    from toolkit.project.migrations import discover
    from toolkit.project.model import Analysis
    from toolkit.project.parse import analyse_file

    migrations = discover(ROOT / "tests" / "projects" / project / "supabase" / "migrations")
    created: set[str] = set()
    analysis = Analysis([analyse_file(f, created) for f in migrations.files])
    order = list(zip(migrations.files, analysis.files, strict=True))
    stand = standins(analysis, None)
    replay = expected(order, 0, stand, None, None, candidates=len(order))
    return {
        "project": project,
        "files": [f.path.name for f in migrations.files],
        "major": replay.major,
        "failures": [f.__dict__ for f in replay.failures],
        "states": [replay.states[i].to_json() for i in range(len(order) + 1)],
    }


def main() -> int:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    # A cache of its own: the replay must run, never come from what an earlier run left.
    with tempfile.TemporaryDirectory(prefix="toolkit-capture-") as cache_dir:
        os.environ["TOOLKIT_CACHE_DIR"] = cache_dir
        for project in PROJECTS:
            doc = capture(project)
            out = FIXTURES / f"{project}.json"
            out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"{out.relative_to(ROOT)}: {len(doc['files'])} files, "  # type: ignore[arg-type]
                  f"{out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
