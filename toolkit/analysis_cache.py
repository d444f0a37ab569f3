"""The parse of the migration files, cached as JSON per (file contents, toolkit, pglast), so a
repeated command imports no parser (about 0.2 s of CPU for the agent tables)."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version

from toolkit import cache
from toolkit.analysis_model import Analysis, FileAnalysis
from toolkit.migrations import MigrationFile

# Bumped when FileAnalysis gains a field, so an older cache of the same version is not read.
LAYOUT = 2


def _key(files: list[MigrationFile]) -> str:
    try:
        parser = version("pglast")
    except PackageNotFoundError:
        parser = "?"
    h = hashlib.sha256(f"analysis\0{LAYOUT}\0{cache.toolkit_version()}\0{parser}".encode())
    for f in files:
        h.update(f"\0{f.path.name}\0{f.digest}".encode())
    return h.hexdigest()[:32]


def analyse(files: list[MigrationFile]) -> Analysis:
    key = _key(files)
    doc = cache.load("analysis", key)
    if isinstance(doc, list) and len(doc) == len(files):
        try:
            return Analysis([FileAnalysis.from_json(d) for d in doc])
        except (TypeError, KeyError):
            pass  # an older layout: parse again
    from toolkit.analysis import analyse_file

    created: set[str] = set()
    out = [analyse_file(f, created) for f in files]
    cache.store("analysis", key, [a.to_json() for a in out])
    return Analysis(out)
