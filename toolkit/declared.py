"""What the migration files declare, parsed with PostgreSQL's own grammar (pglast).

This is the single source of truth for `check`, `plan` and drift: the tables each file creates
with their columns, keys, checks, indexes, RLS and policies; the other objects it creates; what
it needs that no migration creates (the preconditions); and the statements that are unsafe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pglast
import pglast.ast
from pglast.enums import AlterTableType, ConstrType, ObjectType

from toolkit.declared_model import Declared, FileAnalysis, Requirement, Statement
from toolkit.errors import MigrationFileError
from toolkit.migrations import MigrationFile
from toolkit.schema import Check, Column, ForeignKey, Index, Table
from toolkit.words import node_name

__all__ = ["Declared", "FileAnalysis", "Requirement", "Statement", "analyse", "ast"]

# pglast types every AST attribute as Optional; the parser guarantees what we read, so the
# node classes are used as plain (Any-typed) pattern classes.
ast: Any = pglast.ast

# Functions that come from an extension, so calling one makes the extension a precondition.
EXTENSION_FUNCTIONS = {
    "uuid_generate_v1": "uuid-ossp",
    "uuid_generate_v1mc": "uuid-ossp",
    "uuid_generate_v3": "uuid-ossp",
    "uuid_generate_v4": "uuid-ossp",
    "uuid_generate_v5": "uuid-ossp",
    "uuid_nil": "uuid-ossp",
}

_TYPE_NAMES = {
    "int2": "smallint", "int4": "integer", "int8": "bigint", "bool": "boolean",
    "float4": "real", "float8": "double precision", "varchar": "character varying",
    "bpchar": "character", "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone", "timetz": "time with time zone",
    "time": "time without time zone", "varbit": "bit varying",
    "int": "integer", "smallserial": "smallint", "serial": "integer", "bigserial": "bigint",
}

_ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null",
              "d": "set default"}


def _name(rv: ast.RangeVar) -> str:
    """Bare name for public (or unqualified) objects, schema.name for others."""
    schema = rv.schemaname or "public"
    return rv.relname if schema == "public" else f"{schema}.{rv.relname}"


def _strings(nodes: Any) -> list[str]:
    return [n.sval for n in nodes or () if isinstance(n, ast.String)]


def type_name(tn: ast.TypeName) -> str:
    """A parsed type as format_type() would print it."""
    names = _strings(tn.names)
    base = names[-1]
    out = _TYPE_NAMES.get(base, base)
    mods = [m.val.ival for m in tn.typmods or () if isinstance(m, ast.A_Const)
            and isinstance(m.val, ast.Integer)]
    if mods:
        if out.startswith(("timestamp", "time ")):
            word, _, rest = out.partition(" ")
            out = f"{word}({mods[0]}) {rest}"
        else:
            out = f"{out}({','.join(str(m) for m in mods)})"
    if tn.arrayBounds:
        out += "[]" * len(tn.arrayBounds)
    return out


def _walk(node: Any) -> Iterator[Any]:
    """Every AST node below `node`, depth first."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for slot in node.__slots__:
            yield from _walk(getattr(node, slot, None))


def _check(expr: Any) -> Check:
    cols: set[str] = set()
    lits: set[str] = set()
    for n in _walk(expr):
        if isinstance(n, ast.ColumnRef):
            names = _strings(n.fields)
            if names:
                cols.add(names[-1])
        elif isinstance(n, ast.A_Const) and isinstance(n.val, ast.String):
            lits.add(n.val.sval)
    return Check(frozenset(cols), frozenset(lits))


class _Analyser:
    def __init__(self, file: MigrationFile, created_before: set[str]) -> None:
        self.out = FileAnalysis(file=file)
        self.known = created_before  # tables created by earlier files

    def run(self) -> FileAnalysis:
        sql = self.out.file.sql
        try:
            raw = pglast.parse_sql(sql)
        except pglast.parser.ParseError as exc:
            message, offset = exc.args[0], exc.args[1] if len(exc.args) > 1 else 0
            line, col = self.out.file.position(max(0, int(offset)))  # 0-based
            raise MigrationFileError(
                f"{self.out.file.path}:{line}:{col}: "
                + (message if message.startswith("syntax error") else f"syntax error: {message}"),
                path=str(self.out.file.path), line=line, column=col,
            ) from None
        from toolkit.statements import split

        self.out.recorded = split(sql)
        for rs in raw:
            loc = rs.stmt_location or 0
            text = sql[loc: loc + rs.stmt_len] if rs.stmt_len else sql[loc:]
            text = text.strip().rstrip(";").strip()
            self.out.statements.append(Statement(text, loc, type(rs.stmt).__name__))
            self.statement(rs.stmt, loc)
            for n in _walk(rs.stmt):
                if isinstance(n, ast.FuncCall):
                    fname = _strings(n.funcname)[-1]
                    if fname in EXTENSION_FUNCTIONS:
                        self.require(Requirement("extension", EXTENSION_FUNCTIONS[fname]))
        return self.out

    def require(self, req: Requirement) -> None:
        if req not in self.out.requirements:
            self.out.requirements.append(req)

    def existing(self, name: str) -> bool:
        """True for a table that neither this file nor an earlier one creates."""
        return name not in self.out.tables and name not in self.known

    def statement(self, stmt: Any, loc: int) -> None:
        where = self.out.where(loc)
        match stmt:
            case ast.CreateStmt():
                self.create_table(stmt, loc)
            case ast.IndexStmt():
                self.create_index(stmt, where)
            case ast.AlterTableStmt():
                self.alter_table(stmt, where)
            case ast.CreatePolicyStmt():
                table = _name(stmt.table)
                if table in self.out.tables:
                    self.out.tables[table].policies.append(stmt.policy_name)
                self.out.creates.append(f'policy "{stmt.policy_name}" on {table}')
            case ast.CreateFunctionStmt():
                fname = ".".join(_strings(stmt.funcname))
                self.out.creates.append(f"function {fname}")
                opts = {d.defname for d in stmt.options or () if isinstance(d, ast.DefElem)}
                sets = [d for d in stmt.options or () if isinstance(d, ast.DefElem)
                        and d.defname == "set" and getattr(d.arg, "name", None) == "search_path"]
                if "set" not in opts or not sets:
                    self.out.warnings.append(
                        f"{where}: function {fname} has no SET search_path "
                        "(Supabase advisor function_search_path_mutable)"
                    )
            case ast.CreateTrigStmt():
                self.out.creates.append(f'trigger "{stmt.trigname}" on {_name(stmt.relation)}')
            case ast.CreateExtensionStmt():
                self.out.extensions.add(stmt.extname)
                self.out.creates.append(f"extension {stmt.extname}")
            case ast.CreateSchemaStmt():
                self.out.creates.append(f"schema {stmt.schemaname}")
            case ast.ViewStmt():
                self.out.creates.append(f"view {_name(stmt.view)}")
            case ast.TransactionStmt():
                self.out.non_transactional.append(
                    f"{where}: the file controls its own transaction ({stmt.kind.name.lower()})"
                )
            case ast.VacuumStmt() | ast.CreatedbStmt() | ast.AlterSystemStmt():
                self.out.non_transactional.append(
                    f"{where}: {node_name(type(stmt).__name__)} cannot run inside a transaction"
                )
            case ast.ReindexStmt() if any(getattr(p, "defname", "") == "concurrently"
                                          for p in stmt.params or ()):
                self.out.non_transactional.append(f"{where}: REINDEX CONCURRENTLY")
            case ast.DropStmt():
                what = stmt.removeType.name.replace("OBJECT_", "").lower()
                self.out.warnings.append(f"{where}: destructive: DROP {what.upper()}")
            case ast.TruncateStmt():
                self.out.warnings.append(f"{where}: destructive: TRUNCATE")
            case ast.DeleteStmt() | ast.UpdateStmt():
                verb = "DELETE" if isinstance(stmt, ast.DeleteStmt) else "UPDATE"
                self.out.warnings.append(f"{where}: writes existing data: {verb}")
            case ast.GrantStmt():
                pass  # grants on the new tables are part of creating them
            case _:
                pass

    def create_table(self, stmt: ast.CreateStmt, loc: int) -> None:
        name = _name(stmt.relation)
        where = self.out.where(loc)
        if name in self.out.tables or name in self.known:
            self.out.warnings.append(f"{where}: table {name} is created twice")
        table = Table(name=stmt.relation.relname, schema=stmt.relation.schemaname or "public")
        self.out.tables[name] = table
        self.out.creates.append(f"table {name}")
        if not stmt.if_not_exists:
            self.out.warnings.append(f"{where}: CREATE TABLE {name} without IF NOT EXISTS")
        for elt in stmt.tableElts or ():
            if isinstance(elt, ast.ColumnDef):
                col_type = type_name(elt.typeName)
                not_null = bool(elt.is_not_null)
                for con in elt.constraints or ():
                    if con.contype in (ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY):
                        not_null = True
                    self.constraint(table, con, (elt.colname,), {elt.colname: col_type}, where)
                table.columns[elt.colname] = Column(elt.colname, col_type, not_null)
            elif isinstance(elt, ast.Constraint):
                cols = {c.name: c.type for c in table.columns.values()}
                self.constraint(table, elt, tuple(_strings(elt.keys)), cols, where)
        for pk in table.primary_key:  # a table-level PRIMARY KEY makes its columns NOT NULL
            if pk in table.columns:
                c = table.columns[pk]
                table.columns[pk] = Column(c.name, c.type, True)

    def constraint(self, table: Table, con: ast.Constraint, cols: tuple[str, ...],
                   types: dict[str, str], where: str) -> None:
        ct = con.contype
        if ct == ConstrType.CONSTR_PRIMARY:
            table.primary_key = tuple(_strings(con.keys)) or cols
        elif ct == ConstrType.CONSTR_UNIQUE:
            table.indexes.append(Index(tuple(_strings(con.keys)) or cols, True))
        elif ct == ConstrType.CONSTR_CHECK:
            table.checks.append(_check(con.raw_expr))
        elif ct == ConstrType.CONSTR_FOREIGN:
            fk_cols = tuple(_strings(con.fk_attrs)) or cols
            ref = _name(con.pktable)
            ref_cols = tuple(_strings(con.pk_attrs)) or ("id",)
            fk = ForeignKey(fk_cols, ref, ref_cols, _ON_DELETE.get(con.fk_del_action, "no action"))
            table.foreign_keys.append(fk)
            self.out.creates.append(
                f"foreign key {table.name}{fk.describe()} on delete {fk.on_delete}"
            )
            if self.existing(ref) and ref != table.name:
                req = Requirement("table", ref, ref_cols[0], types.get(fk_cols[0]))
                if req in self.out.requirements:
                    return  # one lock warning per referenced table is enough
                self.require(req)
                self.out.warnings.append(
                    f"{where}: referencing existing table {ref} takes a SHARE ROW EXCLUSIVE "
                    f"lock on it while the transaction runs (bounded by lock_timeout)"
                )

    def create_index(self, stmt: ast.IndexStmt, where: str) -> None:
        table = _name(stmt.relation)
        cols = tuple(e.name or "(expression)" for e in stmt.indexParams or ())
        name = stmt.idxname or "(unnamed)"
        self.out.creates.append(f"index {name} on {table} ({', '.join(cols)})")
        if stmt.concurrent:
            self.out.non_transactional.append(f"{where}: CREATE INDEX CONCURRENTLY")
        if table in self.out.tables:
            self.out.tables[table].indexes.append(Index(cols, bool(stmt.unique)))
        elif self.existing(table) and not stmt.concurrent:
            self.out.warnings.append(
                f"{where}: index on existing table {table} blocks writes to it while it builds"
            )

    def alter_table(self, stmt: ast.AlterTableStmt, where: str) -> None:
        table = _name(stmt.relation)
        if stmt.objtype != ObjectType.OBJECT_TABLE:
            return
        new = table in self.out.tables
        for cmd in stmt.cmds or ():
            sub = cmd.subtype
            if sub == AlterTableType.AT_EnableRowSecurity:
                if new:
                    self.out.tables[table].rls = True
                self.out.creates.append(f"row level security on {table}")
                continue
            if new and sub == AlterTableType.AT_AddConstraint:
                t = self.out.tables[table]
                cols = {c.name: c.type for c in t.columns.values()}
                self.constraint(t, cmd.def_, tuple(_strings(cmd.def_.keys)), cols, where)
                continue
            if sub in (AlterTableType.AT_DropColumn, AlterTableType.AT_DropConstraint):
                self.out.warnings.append(
                    f"{where}: destructive: ALTER TABLE {table} {node_name(sub.name)}")
            elif not new:
                self.out.warnings.append(
                    f"{where}: ALTER TABLE on existing table {table} ({node_name(sub.name)}) "
                    "takes an ACCESS EXCLUSIVE lock"
                )


def analyse(files: list[MigrationFile]) -> Declared:
    """Parse every file in order; a syntax error names the file, line and column."""
    out: list[FileAnalysis] = []
    known: set[str] = set()
    for f in files:
        analysis = _Analyser(f, known).run()
        known |= set(analysis.tables)
        out.append(analysis)
    return Declared(out)
