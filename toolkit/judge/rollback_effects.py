"""What a rollback file would destroy, and what its migration created, read with pglast.

A rollback file may hold any SQL. Before it runs, toolkit needs to know which statements drop
data (DROP TABLE, ALTER TABLE ... DROP COLUMN) so it can count what would be lost, and which
tables and columns the migration itself created, so a rollback never drops anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.db.sqlfiles import load_sql
from toolkit.errors import MigrationFileError, Refused


@dataclass(frozen=True, order=True)
class Loss:
    """A table (column None) or one column that the rollback drops."""

    schema: str
    table: str
    column: str | None = None

    @property
    def label(self) -> str:
        name = self.table if self.schema == "public" else f"{self.schema}.{self.table}"
        return f"column {name}.{self.column}" if self.column else f"table {name}"

    @property
    def table_label(self) -> str:
        return self.table if self.schema == "public" else f"{self.schema}.{self.table}"


@dataclass
class Created:
    """The tables a migration creates and the columns it adds (schema, table[, column])."""

    tables: set[tuple[str, str]] = field(default_factory=set)
    columns: set[tuple[str, str, str]] = field(default_factory=set)


def _parse(path: Path, text: str) -> Any:
    import pglast

    try:
        return pglast.parse_sql(text)
    except pglast.parser.ParseError as exc:
        # pglast's message already reads "syntax error at or near ...": no second prefix.
        raise MigrationFileError(f"{path}: {exc.args[0]}", path=str(path)) from None


def _relation(rv: Any) -> tuple[str, str]:
    return (rv.schemaname or "public", rv.relname)


def is_empty(path: Path, text: str) -> bool:
    """No statement at all (an empty file, or comments only): nothing would be undone."""
    return not _parse(path, text)


def losses(path: Path, text: str) -> list[Loss]:
    """Every table and column the file drops (DROP TABLE, DROP COLUMN; TRUNCATE empties
    a table, so it counts as its rows), in file order; refuses non-transactional SQL
    and CASCADE."""
    from pglast import ast

    out: list[Loss] = []
    for raw in _parse(path, text):
        stmt = raw.stmt
        if isinstance(stmt, ast.TransactionStmt):
            raise MigrationFileError(f"{path}: BEGIN/COMMIT does not belong in a rollback file: "
                                     "toolkit runs it in one transaction with the history "
                                     "row's deletion", path=str(path))
        if getattr(stmt, "concurrent", False):
            raise MigrationFileError(f"{path}: CONCURRENTLY cannot run inside a transaction: "
                                     "leave it out of the rollback file", path=str(path))
        if getattr(stmt, "behavior", None) is not None and stmt.behavior.name == "DROP_CASCADE":
            # CASCADE drops whatever depends on the object: a user's view, another table's
            # foreign key. None of that is the migration's, so it is never toolkit's to drop.
            raise Refused(f"{path}: CASCADE would also drop objects that depend on it, which "
                          "the migration did not create: drop the migration's own objects by "
                          "name, in order")
        if isinstance(stmt, ast.TruncateStmt):
            out += [Loss(*_relation(rv)) for rv in stmt.relations or ()]
        elif isinstance(stmt, ast.DropStmt) and stmt.removeType is not None \
                and stmt.removeType.name == "OBJECT_TABLE":
            for obj in stmt.objects or ():
                names = [n.sval for n in obj]
                schema, table = (names[-2], names[-1]) if len(names) >= 2 else ("public",
                                                                                 names[0])
                out.append(Loss(schema, table))
        elif isinstance(stmt, ast.AlterTableStmt) and stmt.relation is not None:
            schema, table = _relation(stmt.relation)
            for cmd in stmt.cmds or ():
                if cmd.subtype.name == "AT_DropColumn":
                    out.append(Loss(schema, table, cmd.name))
    return out


def created(path: Path, text: str) -> Created:
    """The tables the migration creates and the columns it adds with ADD COLUMN."""
    from pglast import ast

    out = Created()
    for raw in _parse(path, text):
        stmt = raw.stmt
        if isinstance(stmt, ast.CreateStmt):
            out.tables.add(_relation(stmt.relation))
        elif isinstance(stmt, ast.AlterTableStmt) and stmt.relation is not None:
            schema, table = _relation(stmt.relation)
            for cmd in stmt.cmds or ():
                if cmd.subtype.name == "AT_AddColumn" and cmd.def_ is not None:
                    out.columns.add((schema, table, cmd.def_.colname))
    return out


def foreign(drops: list[Loss], own: Created) -> list[Loss]:
    """The drops that touch something the migration did not create (agents, always)."""

    def ours(loss: Loss) -> bool:
        if (loss.schema, loss.table) == ("public", "agents"):
            return False
        if (loss.schema, loss.table) in own.tables:
            return True
        return loss.column is not None and (loss.schema, loss.table, loss.column) in own.columns

    return [loss for loss in drops if not ours(loss)]


# -- how much of it the target holds (read inside the caller's transaction) --------------------

def loss_present(cur: Any, loss: Loss) -> bool:
    cur.execute(load_sql("rollback_loss_present.sql"),
                {"schema": loss.schema, "table": loss.table, "column": loss.column})
    return bool(cur.fetchone()[0])


def count_losses(cur: Any, present: list[Loss]) -> dict[Loss, int]:
    from psycopg import sql

    out: dict[Loss, int] = {}
    for loss in present:
        table = sql.Identifier(loss.schema, loss.table)
        if loss.column is None:
            query = sql.SQL(load_sql("rollback_count_rows.sql")).format(table=table)
        else:
            query = sql.SQL(load_sql("rollback_count_values.sql")).format(
                table=table, column=sql.Identifier(loss.column))
        cur.execute(query)
        out[loss] = int(cur.fetchone()[0])
    return out
