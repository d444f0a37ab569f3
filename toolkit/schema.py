"""The schema model: what a table looks like, declared by SQL or found in the catalog.

Both sides are normalised to what PostgreSQL itself reports (format_type names, ON DELETE
words, index column lists), so drift is a comparison of values, never of SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as format_type() prints it: "timestamp with time zone", "numeric(14,6)"
    not_null: bool


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str  # bare name in public, or schema.name elsewhere
    ref_columns: tuple[str, ...]
    on_delete: str  # "cascade", "set null", "set default", "restrict", "no action"

    def describe(self) -> str:
        return f"({', '.join(self.columns)}) -> {self.ref_table}({', '.join(self.ref_columns)})"


@dataclass(frozen=True)
class Check:
    """A CHECK constraint by what it mentions: its columns and its literal values."""

    columns: frozenset[str]
    literals: frozenset[str]

    def describe(self) -> str:
        lits = ", ".join(sorted(self.literals))
        return f"check on ({', '.join(sorted(self.columns))})" + (f" [{lits}]" if lits else "")


@dataclass(frozen=True)
class Index:
    columns: tuple[str, ...]
    unique: bool

    def describe(self) -> str:
        return ("unique index" if self.unique else "index") + f" on ({', '.join(self.columns)})"


@dataclass
class Table:
    name: str
    schema: str = "public"
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    rls: bool = False
    policies: list[str] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def diff_tables(want: Table, have: Table) -> list[str]:
    """Each way `have` (the database) differs from `want` (the migrations), in plain words."""
    out: list[str] = []
    for col in want.columns.values():
        got = have.columns.get(col.name)
        if got is None:
            out.append(f'column "{col.name}" missing')
            continue
        if got.type != col.type:
            out.append(f'column "{col.name}" is {got.type}, expected {col.type}')
        if got.not_null != col.not_null:
            out.append(
                f'column "{col.name}" is ' + ("NOT NULL" if got.not_null else "nullable")
                + ", expected " + ("NOT NULL" if col.not_null else "nullable")
            )
    for name in have.columns.keys() - want.columns.keys():
        out.append(f'column "{name}" not in the migrations')
    if want.primary_key != have.primary_key:
        got_pk = ", ".join(have.primary_key) or "none"
        out.append(f"primary key is ({got_pk}), expected ({', '.join(want.primary_key)})")
    for fk in want.foreign_keys:
        match = [h for h in have.foreign_keys if h.columns == fk.columns]
        if not match:
            out.append(f"foreign key {fk.describe()} missing")
        elif not any((h.ref_table, h.ref_columns) == (fk.ref_table, fk.ref_columns)
                     for h in match):
            out.append(f"foreign key on ({', '.join(fk.columns)}) points at "
                       f"{match[0].ref_table}({', '.join(match[0].ref_columns)}), expected "
                       f"{fk.ref_table}({', '.join(fk.ref_columns)})")
        elif not any(h.on_delete == fk.on_delete for h in match):
            out.append(f"foreign key {fk.describe()} is ON DELETE {match[0].on_delete.upper()}, "
                       f"expected ON DELETE {fk.on_delete.upper()}")
    for check in want.checks:
        if check not in have.checks:
            out.append(f"{check.describe()} missing")
    for idx in want.indexes:
        if idx not in have.indexes:
            # A unique index also serves where a plain one on the same columns is declared.
            if not idx.unique and Index(idx.columns, True) in have.indexes:
                continue
            out.append(f"{idx.describe()} missing")
    if want.rls and not have.rls:
        out.append("row level security is disabled")
    for policy in want.policies:
        if policy not in have.policies:
            out.append(f'policy "{policy}" missing')
    return out
