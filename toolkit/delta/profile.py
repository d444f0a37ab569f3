"""pg-delta's profile for a project's own changes: Supabase's (its schemas, roles and platform
extensions left out) plus the objects projects put in those schemas that pg-delta's own profile
drops, the RLS policies on storage.objects and realtime.messages (pg-delta keeps triggers on
auth.users already); and without the tables the migrations use but never create (toolkit's
stand-ins, such as the seed's `agents`): the shadow holds only their structure, so what else
they carry is the project's starting point, not a change to capture.

The profile is made by the installed engine from its own policy (supabase_profile.mjs), never
copied into toolkit, and kept beside the engine: one file per engine and script version.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from toolkit.errors import ConfigError

SCRIPT = "supabase_profile.mjs"


def _script() -> str:
    return resources.files("toolkit.delta").joinpath(SCRIPT).read_text(encoding="utf-8")


def project_profile(node: str, main: Path, preconditions: list[str]) -> Path:
    """The profile file for `pgdelta --profile`, made on first use from the engine at `main`
    (its dist/cli/main.js), leaving out the tables in `preconditions` (schema.name)."""
    script = _script()
    index = main.parent.parent / "index.js"
    left_out = json.dumps(sorted(preconditions))
    digest = hashlib.sha256(f"{script}\0{index}\0{left_out}".encode()).hexdigest()[:16]
    folder = main.parents[5]  # the engine's install folder, which holds node_modules
    path = folder / f"toolkit-profile-{digest}.json"
    if path.exists():
        return path
    with tempfile.TemporaryDirectory(prefix="toolkit-profile-") as tmp:
        runner = Path(tmp) / SCRIPT
        runner.write_text(script, encoding="utf-8")
        try:
            proc = subprocess.run([node, str(runner), str(index), left_out], capture_output=True,
                                  text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"cannot make pg-delta's profile with {node}: {exc}") from None
    if proc.returncode != 0 or not proc.stdout.startswith("{"):
        lines = proc.stderr.strip().splitlines()
        raise ConfigError("cannot make pg-delta's profile: "
                          + (lines[-1] if lines else f"exit {proc.returncode}"))
    fd, tmp_path = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(proc.stdout)
    os.replace(tmp_path, path)  # atomic: a concurrent run reads the whole file or none
    return path
