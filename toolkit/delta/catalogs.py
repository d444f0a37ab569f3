"""One whole catalog against another with toolkit's own comparison (toolkit.judge.compare): every
relation, function, type, sequence, schema, extension, publication and Supabase-table policy
or trigger either side has. Both sides are shadows read by the same inspect query, so no
difference is excused: equal means equal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolkit.judge import compare
from toolkit.project.model import managed

Compare = Callable[[str, dict[str, Any], dict[str, Any]], list[compare.Difference]]


def _schema(name: str, want: dict[str, Any], have: dict[str, Any]) -> list[compare.Difference]:
    return compare.schema(name, want, have, owner=True)


def _extension(name: str, want: dict[str, Any], have: dict[str, Any]
               ) -> list[compare.Difference]:
    return compare.extension(name, want, have)


_SECTIONS: tuple[tuple[str, str, Compare], ...] = (
    ("schema_info", "schema", _schema),
    ("extension_info", "extension", _extension),
    ("types", "type", compare.type_),
    ("sequences", "sequence", compare.sequence),
    ("relations", "relation", compare.relation),
    ("functions", "function", compare.function),
)


def _missing(kind: str, name: str, message: str) -> compare.Difference:
    return compare.Difference(message, object=f"{kind} {name}", property="exists")


def line(d: compare.Difference) -> str:
    """One difference as one line."""
    return f"{d.object}: {d.message}"


def differences(want: dict[str, Any], have: dict[str, Any]) -> list[compare.Difference]:
    """Each way `have` differs from `want` (each with the statement that puts it back when
    one does); [] when they are alike."""
    out: list[compare.Difference] = []
    for section, kind, cmp in _SECTIONS:
        wanted, got = want.get(section) or {}, have.get(section) or {}
        for name in sorted(set(wanted) | set(got)):
            if managed(name) and section != "schema_info":
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
    tables = set(want.get("relations") or {}) | set(have.get("relations") or {})
    for _table, diffs in sorted(compare.publications(
            tables, want.get("publications") or {}, have.get("publications") or {}).items()):
        out += diffs
    for table in sorted(set(want.get("managed_tables") or {}) |
                        set(have.get("managed_tables") or {})):
        out += list(compare.managed_table(
            table, (want.get("managed_tables") or {}).get(table),
            (have.get("managed_tables") or {}).get(table)))
    out += _default_privileges(want.get("default_acl") or [], have.get("default_acl") or [])
    return out


def _default_privileges(want: list[dict[str, Any]], have: list[dict[str, Any]]
                        ) -> list[compare.Difference]:
    """ALTER DEFAULT PRIVILEGES, entry by entry (schema, object type; the ACL names the role
    whose defaults they are)."""
    def index(entries: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
        return {(str(e.get("schema") or ""), str(e["objtype"])): sorted(e.get("acl") or [])
                for e in entries}

    wanted, got = index(want), index(have)
    return [compare.Difference(
        f"are {', '.join(got.get(k) or []) or 'none'}, expected "
        f"{', '.join(wanted.get(k) or []) or 'none'}",
        object=f"default privileges{' in schema ' + k[0] if k[0] else ''} on objects of type "
        f"{k[1]}", property="default privileges")
        for k in sorted(wanted.keys() | got.keys()) if wanted.get(k) != got.get(k)]
