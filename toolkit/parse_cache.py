"""A cache of what the migration files declare, so a repeated `check` skips pglast.

Parsing builds a Python object for every node of every statement (about 0.2 s of CPU for the
agent tables, plus pglast's import); the result depends only on the files' bytes, toolkit's
version and pglast's. It is kept in the user's cache folder ($TOOLKIT_CACHE_DIR, else
$XDG_CACHE_HOME/toolkit, else ~/.cache/toolkit); any failure to read or write it just means
parsing again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from toolkit.declared_model import Declared
from toolkit.migrations import MigrationFile


def cache_dir() -> Path:
    explicit = os.environ.get("TOOLKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "toolkit"


def _key(files: list[MigrationFile]) -> str:
    versions = []
    for dist in ("toolkit", "pglast"):
        try:
            versions.append(version(dist))
        except PackageNotFoundError:
            versions.append("?")
    h = hashlib.sha256("\0".join(versions).encode())
    for f in files:
        h.update(f"\0{f.version}\0{f.name}\0{f.digest}".encode())
    return h.hexdigest()[:32]


def analyse_cached(files: list[MigrationFile]) -> Declared:
    if os.environ.get("TOOLKIT_NO_CACHE"):
        return _parse(files)
    path = cache_dir() / f"declared-{_key(files)}.pickle"
    try:
        with path.open("rb") as fh:
            declared = pickle.load(fh)
        if isinstance(declared, Declared) and len(declared.files) == len(files):
            for analysis, f in zip(declared.files, files, strict=True):
                analysis.file = f  # same bytes; the path may differ from when it was cached
            return declared
    except Exception:
        pass
    declared = _parse(files)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            pickle.dump(declared, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except OSError:
        pass
    return declared


def _parse(files: list[MigrationFile]) -> Declared:
    from toolkit.declared import analyse  # pglast, imported only when the cache misses

    return analyse(files)
