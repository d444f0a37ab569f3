"""Where the project is: the folder holding `supabase/`, found as the Supabase CLI finds it.

Every command walks up from the current folder, so `toolkit check` run from
supabase/migrations/ reads the same files, `.env` and local stack as one run from the root.
"""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.errors import ConfigError


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` that holds a `supabase/` folder; else `start`."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "supabase").is_dir():
            return folder
    return here


def readable_path(path: Path) -> Path:
    """Relative to the current folder when strictly below it (the usual run from the root
    reads supabase/migrations), else absolute, so messages name a path that works."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel == "." or rel.startswith("..") else Path(rel)


def project_root(start: Path | None = None) -> Path:
    """The project root, or one line saying there is none: the same rule, message and exit
    code (2) for every command that reads the project."""
    root = find_root(start)
    if not (root / "supabase").is_dir():
        raise ConfigError(
            f"no Supabase project here: no supabase/ folder in {root} or any folder above it "
            "(run toolkit inside the project, create one with `supabase init`, or pass "
            "--migrations-dir)")
    return root


def default_migrations_dir() -> Path:
    return readable_path(project_root() / "supabase" / "migrations")


def default_env_file() -> Path:
    return readable_path(find_root() / ".env")
