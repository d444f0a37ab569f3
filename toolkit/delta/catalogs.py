"""One whole catalog against another with toolkit's own comparison (toolkit.judge.compare): every
relation, function, type, sequence, schema, extension, publication and Supabase-table policy
or trigger either side has. Both sides are shadows read by the same inspect query, so no
difference is excused: equal means equal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from toolkit.db.catalog import Catalog
from toolkit.db.model import DefaultAcl, Extension, Schema
from toolkit.judge import compare
from toolkit.project.model import managed

_T = TypeVar("_T")


def _schema(name: str, want: Schema, have: Schema) -> list[compare.Difference]:
    return compare.schema(name, want, have, mine=True)


def _extension(name: str, want: Extension, have: Extension) -> list[compare.Difference]:
    return compare.extension(name, want, have)


def _missing(kind: str, name: str, message: str) -> compare.Difference:
    return compare.Difference(message, object=f"{kind} {name}", property="exists")


def line(d: compare.Difference) -> str:
    """One difference as one line."""
    return f"{d.object}: {d.message}"


def _section(kind: str, wanted: Mapping[str, _T], got: Mapping[str, _T],
             cmp: Callable[[str, _T, _T], list[compare.Difference]], *,
             schemas: bool = False) -> list[compare.Difference]:
    out: list[compare.Difference] = []
    for name in sorted(set(wanted) | set(got)):
        if managed(name) and not schemas:
            continue
        if name not in got:
            out.append(_missing(kind, name, "missing"))
        elif name not in wanted:
            out.append(_missing(kind, name, f"not wanted (the other side has no such "
                                            f"{kind})"))
        else:
            out += [d if d.object else compare.Difference(
                d.message, d.column, d.kind, f"{kind} {name}", d.property, d.expected,
                d.actual, d.fix_sql, d.fix_setup)
                for d in cmp(name, wanted[name], got[name])]
    return out


def differences(want: Catalog, have: Catalog) -> list[compare.Difference]:
    """Each way `have` differs from `want` (each with the statement that puts it back when
    one does); [] when they are alike."""
    out = _section("schema", want.schema_info, have.schema_info, _schema, schemas=True)
    out += _section("extension", want.extension_info, have.extension_info, _extension)
    out += _section("type", want.types, have.types, compare.type_)
    out += _section("sequence", want.sequences, have.sequences, compare.sequence)
    out += _section("relation", want.relations, have.relations, compare.relation)
    out += _section("function", want.functions, have.functions, compare.function)
    tables = set(want.relations) | set(have.relations)
    for _table, diffs in sorted(compare.publications(
            tables, want.publications, have.publications).items()):
        out += diffs
    for table in sorted(set(want.managed_tables) | set(have.managed_tables)):
        out += compare.managed_table(table, want.managed_tables.get(table),
                                     have.managed_tables.get(table))
    out += _default_privileges(want.default_acl, have.default_acl)
    return out


def _default_privileges(want: tuple[DefaultAcl, ...], have: tuple[DefaultAcl, ...]
                        ) -> list[compare.Difference]:
    """ALTER DEFAULT PRIVILEGES, entry by entry (schema, object type; the ACL names the role
    whose defaults they are)."""
    def index(entries: tuple[DefaultAcl, ...]) -> dict[tuple[str, str], list[str]]:
        return {(e.schema or "", e.objtype): sorted(e.acl or ()) for e in entries}

    wanted, got = index(want), index(have)
    return [compare.Difference(
        f"are {', '.join(got.get(k) or []) or 'none'}, expected "
        f"{', '.join(wanted.get(k) or []) or 'none'}",
        object=f"default privileges{' in schema ' + k[0] if k[0] else ''} on objects of type "
        f"{k[1]}", property="default privileges")
        for k in sorted(wanted.keys() | got.keys()) if wanted.get(k) != got.get(k)]
