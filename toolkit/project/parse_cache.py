"""The parse of the migration files, cached as JSON per (file contents, toolkit, pglast), so a
repeated command imports no parser (about 0.2 s of CPU for the agent tables)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from toolkit import cache
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import Analysis, FileAnalysis

# Bumped when FileAnalysis gains a field, so an older cache of the same version is not read.
LAYOUT = 3


def _parser() -> str:
    try:
        return version("pglast")
    except PackageNotFoundError:
        return "?"


def _keys(files: list[MigrationFile]) -> tuple[str, list[str]]:
    """The key of the whole list, and one per file that covers it and every file before it
    (a file's analysis depends on what the earlier files create). The file's full path is part
    of it: the analysis names the file in its messages and annotations, so two checkouts of
    the same files must not share one."""
    key = cache.Key("analysis", str(LAYOUT), _parser())
    chain = [key.add(str(f.path.resolve()), f.digest).hex() for f in files]
    return key.hex() + "-all", chain


def analyse(files: list[MigrationFile]) -> Analysis:
    """From the cache of the whole list; else file by file from the cache of each prefix, so
    a file added to a long history is the only one parsed."""
    key, chain = _keys(files)
    doc = cache.load("analysis", key)
    if isinstance(doc, list) and len(doc) == len(files):
        try:
            return Analysis([FileAnalysis.from_json(d) for d in doc])
        except (TypeError, KeyError):
            pass  # an older layout: parse again
    out: list[FileAnalysis] = []
    created: set[str] = set()
    for f, file_key in zip(files, chain, strict=True):
        one = cache.load("analysis", file_key)
        if isinstance(one, dict):
            try:
                made, analysed = set(one["created"]), FileAnalysis.from_json(one["analysis"])
                out.append(analysed)
                created = made
                continue
            except (TypeError, KeyError):
                pass  # an older layout: parse it again
        from toolkit.project.parse import analyse_file

        out.append(analyse_file(f, created))
        cache.store("analysis", file_key, {"analysis": out[-1].to_json(),
                                           "created": sorted(created)})
    cache.store("analysis", key, [a.to_json() for a in out])
    return Analysis(out)
