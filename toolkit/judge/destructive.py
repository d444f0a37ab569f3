"""What the pending migrations would destroy on the target: rows deleted or emptied, tables,
columns and schemas dropped, counted on the target as rollback counts them.

plan lists these losses and apply stops on them before any DDL: it runs them only when the user
says yes at a terminal, or passes --allow-destructive elsewhere. Only data that exists counts:
a DROP TABLE IF EXISTS of a table that is not there, or of one an earlier pending file creates,
loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit.db.sqlfiles import load_sql
from toolkit.judge.rollback_effects import Loss, count_losses, loss_present
from toolkit.project.load import Project
from toolkit.words import plural


@dataclass(frozen=True)
class Lost:
    """One statement of a pending file and what it would take from the target."""

    file: str  # the migration file's name
    line: int
    verb: str  # deletes | empties | drops
    loss: Loss
    count: int | None  # None: this role may not count it (it still asks: data may be there)
    filtered: bool = False  # a DELETE with a WHERE: at most `count` rows

    @property
    def text(self) -> str:
        if self.count is None:
            amount = "rows this role may not count"
        else:
            amount = plural(self.count, "row") if self.loss.column is None \
                else plural(self.count, "non-null value")
        if self.verb == "deletes":
            what = (f"deletes rows matching its WHERE from {self.loss.table_label} (it holds "
                    f"{amount})" if self.filtered
                    else f"deletes every row of {self.loss.table_label} ({amount})")
        elif self.verb == "empties":
            what = f"empties {self.loss.table_label} ({amount})"
        else:
            what = f"drops {self.loss.label} ({amount})"
        return f"{self.file}:{self.line} {what}"


def describe(lost: list[Lost]) -> str:
    """One line naming everything that would be lost."""
    return "; ".join(item.text for item in lost)


def _names(obj: Any) -> list[str]:
    return [n.sval for n in obj]


def _parsed(text: str) -> Any:
    import pglast

    try:
        parsed = pglast.parse_sql(text)
    except pglast.parser.ParseError:
        return None  # the analysis has named the broken file already
    return parsed[0].stmt if parsed else None


def _candidates(cur: Any, stmt: Any) -> list[tuple[str, Loss, bool]]:
    """(verb, loss, filtered) for each thing the statement would take, before counting."""
    kind = type(stmt).__name__

    def table(names: list[str]) -> Loss:
        return Loss(names[-2], names[-1]) if len(names) >= 2 else Loss("public", names[0])

    out: list[tuple[str, Loss, bool]] = []
    if kind == "DeleteStmt":
        rv = stmt.relation
        out.append(("deletes", Loss(rv.schemaname or "public", rv.relname),
                    stmt.whereClause is not None))
    elif kind == "TruncateStmt":
        out += [("empties", Loss(rv.schemaname or "public", rv.relname), False)
                for rv in stmt.relations or ()]
    elif kind == "DropStmt" and stmt.removeType is not None:
        removes = stmt.removeType.name
        if removes == "OBJECT_TABLE":
            out += [("drops", table(_names(obj)), False) for obj in stmt.objects or ()]
        elif removes == "OBJECT_SCHEMA" and stmt.behavior.name == "DROP_CASCADE":
            for obj in stmt.objects or ():
                schema = obj.sval if hasattr(obj, "sval") else _names(obj)[-1]
                cur.execute(load_sql("destructive_schema_tables.sql"), {"schema": schema})
                out += [("drops", Loss(schema, str(r[0])), False) for r in cur.fetchall()]
    elif kind == "AlterTableStmt" and stmt.relation is not None:
        rv = stmt.relation
        for cmd in stmt.cmds or ():
            if cmd.subtype.name == "AT_DropColumn" and cmd.name:
                out.append(("drops", Loss(rv.schemaname or "public", rv.relname, cmd.name),
                            False))
    return out


_KINDS = {"DeleteStmt", "TruncateStmt", "DropStmt", "AlterTableStmt"}


def find(conn: Any, project: Project, pending: list[str]) -> list[Lost]:
    """Every loss of data the pending files would cause on the target, in file order."""
    out: list[Lost] = []
    with conn.cursor() as cur:
        for f, a in project.pairs(pending):
            for stmt in a.statements:
                if stmt.kind not in _KINDS:
                    continue
                node = _parsed(stmt.text)
                if node is None:
                    continue
                for verb, loss, filtered in _candidates(cur, node):
                    if not loss_present(cur, loss):
                        continue
                    n = _count(conn, cur, loss)
                    if n != 0:
                        out.append(Lost(f.path.name, f.position(stmt.offset)[0], verb, loss, n,
                                        filtered))
    return out


def _count(conn: Any, cur: Any, loss: Loss) -> int | None:
    """Rows (or non-null values) that would be lost; None when this role may not read them.
    In a transaction (a savepoint inside plan's): a refused count must not end the caller's."""
    import psycopg

    try:
        with conn.transaction():
            return count_losses(cur, [loss])[loss]
    except psycopg.errors.InsufficientPrivilege:
        return None
