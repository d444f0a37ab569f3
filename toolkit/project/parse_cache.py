"""The parse of the migration files, cached as JSON per (file contents, toolkit, pglast), so a
repeated command imports no parser (about 0.2 s of CPU for the agent tables)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

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


def _whole(doc: object, files: int) -> list[FileAnalysis] | None:
    """A whole list's cached analyses, or None when it is not one of `files` this toolkit
    wrote."""
    if not isinstance(doc, list) or len(doc) != files:
        return None
    try:
        return [FileAnalysis.from_json(d) for d in doc]
    except (TypeError, KeyError):
        return None  # an older layout: parse again


def _longest_cached(chain: list[str]) -> tuple[int, list[Any], list[FileAnalysis], set[str]]:
    """The longest proper prefix whose whole list is cached, with what its last file left
    created: (files in it, their documents, their analyses, created), or nothing. A prefix's
    whole-list key is its last file's chain key (_keys)."""
    for n in range(len(chain) - 1, 0, -1):
        doc = cache.load("analysis", chain[n - 1] + "-all")
        if doc is None:
            continue
        last = cache.load("analysis", chain[n - 1])
        out = _whole(doc, n)
        if out is None or not isinstance(last, dict) or \
                not isinstance(last.get("created"), list):
            break
        return n, doc, out, set(last["created"])
    return 0, [], [], set()


def analyse(files: list[MigrationFile]) -> Analysis:
    """From the cache of the whole list; else from that of the longest list it extends (one
    file added to a long history: the history's list, then that file), file by file from the
    cache of each prefix after it, so a file added is the only one parsed or encoded."""
    key, chain = _keys(files)
    whole = _whole(cache.load("analysis", key), len(files))
    if whole is not None:
        return Analysis(whole)
    start, docs, out, created = _longest_cached(chain)
    docs = list(docs)
    for f, file_key in zip(files[start:], chain[start:], strict=True):
        one = cache.load("analysis", file_key)
        if isinstance(one, dict):
            try:
                made, analysed = set(one["created"]), FileAnalysis.from_json(one["analysis"])
                out.append(analysed)
                docs.append(one["analysis"])
                created = made
                continue
            except (TypeError, KeyError):
                pass  # an older layout: parse it again
        from toolkit.project.parse import analyse_file

        out.append(analyse_file(f, created))
        docs.append(out[-1].to_json())
        cache.store("analysis", file_key, {"analysis": docs[-1], "created": sorted(created)})
    cache.store("analysis", key, docs)
    return Analysis(out)
