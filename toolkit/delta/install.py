"""Find or install pg-delta (`@supabase/pg-delta`, pinned) for the current user.

Installed with npm on first use into the user's cache, as the local stack installs PostgREST:
one folder per version, so an upgrade of the pin never runs an older engine.
`python -m toolkit.delta.install` prints the path of its entry point (installing it first).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from toolkit import cache
from toolkit.errors import ConfigError

PACKAGE = "@supabase/pg-delta"
VERSION = "1.0.0-alpha.34"
NODE_MAJOR = 20  # pg-delta's engines field: Node.js >= 20
ENV_PREFIX = "TOOLKIT_PGDELTA_PREFIX"  # a folder holding node_modules/@supabase/pg-delta
_NODE_VERSION = re.compile(r"^v(\d+)\.")


@dataclass(frozen=True)
class Engine:
    node: str  # the node executable
    main: Path  # pg-delta's CLI entry point

    def argv(self, *args: str) -> list[str]:
        return [self.node, str(self.main), *args]


def prefix() -> Path:
    explicit = os.environ.get(ENV_PREFIX)
    if explicit:
        return Path(explicit)
    return cache.cache_dir() / "pg-delta" / VERSION


def main_in(folder: Path) -> Path:
    return folder / "node_modules" / "@supabase" / "pg-delta" / "dist" / "cli" / "main.js"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise ConfigError(f"diff needs Node.js {NODE_MAJOR} or newer for its engine "
                          f"({PACKAGE}): node is not on PATH; install Node.js (with npm)")
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30,
                             check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"cannot run {node} --version: {exc}") from None
    m = _NODE_VERSION.match(out)
    if m is None or int(m.group(1)) < NODE_MAJOR:
        raise ConfigError(f"diff needs Node.js {NODE_MAJOR} or newer for its engine "
                          f"({PACKAGE}); {node} is {out or 'of an unknown version'}")
    return node


def ensure_engine() -> Engine:
    """node (checked) and pg-delta's entry point, installed with `npm install` on first use."""
    node = _node()
    folder = prefix()
    main = main_in(folder)
    if main.exists():
        return Engine(node, main)
    npm = shutil.which("npm")
    if npm is None:
        raise ConfigError(f"{PACKAGE}@{VERSION} is not installed in {folder} and npm is not "
                          "on PATH to install it: install npm (it comes with Node.js)")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {folder} for {PACKAGE}: {exc.strerror}") from None
    # Serialise concurrent first runs (parallel test sessions) on one install.
    with open(folder / ".toolkit-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not main.exists():
            try:
                proc = subprocess.run(
                    [npm, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock",
                     "--prefix", str(folder), f"{PACKAGE}@{VERSION}"],
                    capture_output=True, text=True, timeout=600, check=False)
            except subprocess.TimeoutExpired:
                raise ConfigError(f"npm install {PACKAGE}@{VERSION} did not finish in 600 s"
                                  ) from None
            if proc.returncode != 0 or not main.exists():
                lines = (proc.stderr or proc.stdout).strip().splitlines()
                raise ConfigError(f"npm install {PACKAGE}@{VERSION} failed: "
                                  f"{lines[-1] if lines else f'exit {proc.returncode}'}")
    return Engine(node, main)


def main() -> int:
    try:
        print(ensure_engine().main)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
