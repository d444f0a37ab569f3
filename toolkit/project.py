"""Where the project is: the folder holding `supabase/`, found as the Supabase CLI finds it.

Every command walks up from the current folder, so `toolkit check` run from
supabase/migrations/ reads the same files, `.env` and local stack as one run from the root.
"""

from __future__ import annotations

import os
from pathlib import Path


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` that holds a `supabase/` folder; else `start`."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "supabase").is_dir():
            return folder
    return here


def shown(path: Path) -> Path:
    """A path relative to the current folder when it is below it, for messages."""
    try:
        return Path(os.path.relpath(path)) if path.is_absolute() else path
    except ValueError:
        return path


def default_migrations_dir() -> Path:
    return shown(find_root() / "supabase" / "migrations")


def default_env_file() -> Path:
    return shown(find_root() / ".env")
