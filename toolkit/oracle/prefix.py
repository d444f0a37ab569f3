"""Files applied by hand: which of the pending files a target holds already, with no history
row (pasted into the SQL editor, run with psql).

The pending files are a candidate when the target has a table or view one of them creates and
nothing a file before it creates is missing. The shadow reads its catalog after each candidate
file (toolkit.oracle.replay); the target holds the first j of them when it matches the state after j
files exactly, in every relation, function and type the files made, and each of those j files
visibly changed that state (a file that changes no catalog, such as one that only writes rows,
cannot be told applied and is never taken as such). Apply then records the history rows of
those j files without running them ("adopts" them) and applies the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from toolkit.db.catalog import Catalog
from toolkit.db.model import Function, Relation, Type
from toolkit.judge import compare
from toolkit.output.report import Report
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import FileAnalysis, managed, short

_RELATIONS = ("table", "view", "materialized view")


def candidates(pending: list[tuple[MigrationFile, FileAnalysis]], target: Catalog) -> int:
    """How many leading pending files might be in the target already: up to the first that
    creates a relation the target lacks; none unless one of them creates one it has."""
    count, evidence = 0, False
    for _f, a in pending:
        made = [c.name for c in a.created if c.kind in _RELATIONS]
        if any(n not in target.relations for n in made):
            break
        evidence = evidence or bool(made)
        count += 1
    return count if evidence else 0


# What a file can make that prefix matching compares: the project's relations, functions and
# types, each by name.
_Section = Mapping[str, Relation] | Mapping[str, Function] | Mapping[str, Type]
_SECTIONS = ("relations", "functions", "types")


def _section(cat: Catalog, section: str) -> _Section:
    out: _Section = cat.relations if section == "relations" else \
        cat.functions if section == "functions" else cat.types
    return out


def _ours(cat: Catalog, section: str, outside: set[str]) -> dict[str, object]:
    return {n: v for n, v in _section(cat, section).items()
            if n not in outside and not managed(n)}


def _differs(name: str, want: object, have: object) -> bool:
    if isinstance(want, Relation) and isinstance(have, Relation):
        return bool(compare.relation(name, want, have))
    if isinstance(want, Function) and isinstance(have, Function):
        return bool(compare.function(name, want, have))
    if isinstance(want, Type) and isinstance(have, Type):
        return bool(compare.type_(name, want, have))
    return True


def _matches(want: Catalog, base: Catalog, target: Catalog, outside: set[str]) -> bool:
    """The target holds what the files after `base` made of it, as they made it: what they
    created or changed is there and equal, what they dropped is gone. What they left alone is
    the ordinary judge's to compare."""
    for section in _SECTIONS:
        have_all = _section(target, section)
        now, then = _ours(want, section, outside), _ours(base, section, outside)
        for name, obj in now.items():
            if then.get(name) == obj:
                continue
            have = have_all.get(name)
            if have is None or _differs(name, obj, have):
                return False
        if any(name in have_all for name in then if name not in now):
            return False
    return True


def _changed(a: Catalog, b: Catalog, outside: set[str]) -> bool:
    return any(_ours(a, s, outside) != _ours(b, s, outside) for s in _SECTIONS)


def held(states: list[Catalog], target: Catalog, outside: Iterable[str],
         unknown: set[str]) -> int:
    """`states[j]`: the shadow after the boundary and j more files. The largest j the target
    matches (0: none), each of the j files having changed the state; never past a file whose
    relations the shadow could not judge."""
    skip = set(outside)
    best = 0
    for j in range(1, len(states)):
        if not _changed(states[j - 1], states[j], skip):
            break
        if unknown & set(_ours(states[j], "relations", skip)):
            break
        if _matches(states[j], states[0], target, skip):
            best = j
    return best


def explain(report: Report, adopted: list[tuple[MigrationFile, FileAnalysis]],
            rest: list[tuple[MigrationFile, FileAnalysis]]) -> None:
    """Say which files the database holds without a history row, and how apply records them."""
    report.adopt = [f.version for f, _ in adopted]
    one = len(adopted) == 1
    names = ", ".join(f.path.name for f, _ in adopted)
    then = (", then applies " + ", ".join(f.path.name for f, _ in rest)) if rest else ""
    how = "recording" if report.command == "apply" else "apply records"
    report.notes.append(
        f"{names}: the database holds what {'it makes' if one else 'they make'} already, with "
        "no history row (applied by hand, e.g. in the SQL editor or with psql): "
        f"{how} {'its history row' if one else 'their history rows'} without running the SQL "
        f"(adopt){then}")
    rows = "the history row records it" if report.command == "apply" else \
        "apply records the history row"
    for f, a in adopted:
        for c in a.created:
            if c.kind in _RELATIONS:
                report.notes.append(f"{short(c.name)} exists already and matches what "
                                    f"{f.version} creates: adopted ({rows})")
