"""What pglast is good at: splitting a migration file, classifying its statements for plan's
warnings, and naming what it needs from outside. It does not model the schema: PostgreSQL does
that, on the shadow database (toolkit.oracle.replay).

The result is plain data (toolkit.project.model), cached as JSON per file content, so a
repeated command imports no parser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pglast
import pglast.ast
from pglast.enums import ConstrType, ObjectType

from toolkit.db.sqlfiles import load_sql, without_header
from toolkit.errors import MigrationFileError
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import (
    CreatedObject,
    FileAnalysis,
    LockNote,
    Note,
    Reference,
    Statement,
    short,
)
from toolkit.words import node_name

# pglast types every AST attribute as Optional; the parser guarantees what we read, so the
# node classes are used as plain (Any-typed) pattern classes.
ast: Any = pglast.ast

# Functions that come from an extension: calling one makes the extension a precondition.
EXTENSION_FUNCTIONS = {
    "uuid_generate_v1": "uuid-ossp", "uuid_generate_v1mc": "uuid-ossp",
    "uuid_generate_v3": "uuid-ossp", "uuid_generate_v4": "uuid-ossp",
    "uuid_generate_v5": "uuid-ossp", "uuid_nil": "uuid-ossp",
}

_ACTIONS = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null",
            "d": "set default"}

# Subcommands that do not rewrite or lock the table for long, and lose no data.
_HARMLESS_AT = {"EnableRowSecurity", "ForceRowSecurity", "ChangeOwner", "ReplicaIdentity",
                "ValidateConstraint", "SetStatistics"}


# ALTER TABLE subcommands PostgreSQL accepts on a sequence or view as well as on a table.
_ANY_RELATION = {"ChangeOwner", "SetRelOptions", "ResetRelOptions", "GenericOptions"}
_SERIALS = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}


def at_words(subtype: Any) -> str:
    """ALTER TABLE subcommands in the words people write them ("ADD COLUMN")."""
    return node_name(str(subtype.name))


def _strings(nodes: Any) -> list[str]:
    return [n.sval for n in nodes or () if isinstance(n, ast.String)]


def qualified(rv: Any) -> str:
    """schema.name; unqualified names land in public (the first schema of Supabase's path)."""
    return f"{rv.schemaname or 'public'}.{rv.relname}"



def _walk(node: Any) -> Iterator[Any]:
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for slot in node.__slots__:
            yield from _walk(getattr(node, slot, None))


def _do_block_statements(node: Any) -> list[Any]:
    """The plain SQL statements of a PL/pgSQL DO block (not what it EXECUTEs from strings), so
    a table a block creates (often behind its own IF NOT EXISTS test) counts as created by the
    migrations rather than as a table they need. PostgreSQL's own PL/pgSQL parser finds them."""
    options = {o.defname: o.arg for o in node.args or ()}
    language = getattr(options.get("language"), "sval", "plpgsql")
    body = getattr(options.get("as"), "sval", None)
    if language != "plpgsql" or not body:
        return []
    if "$toolkit_do$" in body:
        return []
    try:
        tree = pglast.parse_plpgsql(
            without_header(load_sql("plpgsql_do_wrapper.sql")).strip().replace("{body}", body))
    except pglast.parser.ParseError:
        return []  # the shadow replay says what is wrong with it
    out: list[Any] = []
    for query in _execsql_queries(tree):
        try:
            out += [raw.stmt for raw in pglast.parse_sql(query)]
        except pglast.parser.ParseError:
            continue
    return out


def _execsql_queries(tree: Any) -> Iterator[str]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "PLpgSQL_stmt_execsql":
                query = value.get("sqlstmt", {}).get("PLpgSQL_expr", {}).get("query")
                if isinstance(query, str):
                    yield query
            else:
                yield from _execsql_queries(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _execsql_queries(item)


def _type_name(tn: Any) -> str:
    names = _strings(tn.names)
    return ".".join(n for n in names if n != "pg_catalog")


_OFF = {"off", "of", "false", "fals", "fal", "fa", "f", "no", "n", "0"}


def _const_text(node: Any) -> str | None:
    val = getattr(node, "val", None) if isinstance(node, ast.A_Const) else None
    if isinstance(val, ast.String):
        return str(val.sval).strip().lower()
    if isinstance(val, ast.Integer):
        return str(val.ival)
    if isinstance(val, ast.Boolean):
        return "true" if val.boolval else "false"
    return None


def _turns_off_standard_strings(node: Any) -> bool:
    """SET/ALTER ... SET standard_conforming_strings = off, or set_config() of it to anything
    but on: the server would then split and read the following text differently from pglast."""
    if isinstance(node, ast.VariableSetStmt):
        return (node.name or "").lower() == "standard_conforming_strings" and any(
            _const_text(a) in _OFF for a in node.args or ())
    if isinstance(node, ast.FuncCall) and _strings(node.funcname)[-1:] == ["set_config"]:
        args = list(node.args or ())
        return (len(args) >= 2 and _const_text(args[0]) == "standard_conforming_strings"
                and _const_text(args[1]) not in ("on", "true", "yes", "1"))
    return False


class _Analyser:
    def __init__(self, file: MigrationFile, created_before: set[str]) -> None:
        self.f = file
        self.out = FileAnalysis(version=file.version, name=file.name, path=str(file.path),
                                digest=file.digest, no_transaction=file.no_transaction)
        self.created = created_before  # relations created by earlier files, and this one

    def line(self, offset: int) -> int:
        return self.f.position(offset)[0]

    def run(self) -> FileAnalysis:
        sql = self.f.sql
        try:
            raw = pglast.parse_sql(sql)
        except pglast.parser.ParseError as exc:
            message, offset = exc.args[0], exc.args[1] if len(exc.args) > 1 else 0
            line, col = self.f.position(max(0, int(offset)))
            message = str(message).removeprefix("syntax error at ").strip()
            raise MigrationFileError(
                f"{self.f.path}:{line}:{col}: syntax error at {message}",
                path=str(self.f.path), line=line, column=col,
            ) from None
        from toolkit.project.statements import split

        self.out.recorded = list(split(sql))
        for rs in raw:
            loc = rs.stmt_location or 0
            text = sql[loc: loc + rs.stmt_len] if rs.stmt_len else sql[loc:]
            text = text.strip().rstrip(";").strip()
            stmt = Statement(text=text, offset=loc, kind=type(rs.stmt).__name__,
                             end=loc + (rs.stmt_len or len(sql) - loc))
            self.out.statements.append(stmt)
            self.statement(rs.stmt, stmt)
            for n in _walk(rs.stmt):
                if _turns_off_standard_strings(n):
                    line, col = self.f.position(self.f.first_word(loc))
                    raise MigrationFileError(
                        f"{self.f.path}:{line}:{col}: refusing {self.f.path.name}: it sets "
                        "standard_conforming_strings off, after which the server reads "
                        "backslashes in '...' strings as escapes while toolkit's parser does "
                        "not, so the statements the server runs are not the ones checked; use "
                        "E'...' strings for escapes instead", path=str(self.f.path),
                        line=line, column=col)
                if isinstance(n, ast.FuncCall):
                    fname = _strings(n.funcname)[-1]
                    ext = EXTENSION_FUNCTIONS.get(fname)
                    if ext and ext not in self.out.extension_functions:
                        self.out.extension_functions.append(ext)
        self.transaction_shape()
        return self.out

    def transaction_shape(self) -> None:
        """A file wrapped whole in its own BEGIN ... COMMIT runs as our one transaction (its
        body between the two); any other transaction control cannot share our transaction."""
        stmts = self.out.statements
        control = [i for i, s in enumerate(stmts) if s.kind == "TransactionStmt"]
        if not control:
            return
        first, last = stmts[0].text.split()[0].lower(), stmts[-1].text.split()[0].lower()
        if (control == [0, len(stmts) - 1] and len(stmts) >= 2
                and first in ("begin", "start") and last in ("commit", "end")):
            self.out.wrapped = True
            return
        opened = None  # the file's own block still open after its last statement
        for i in control:
            word = stmts[i].text.split()[0].lower()
            if word in ("begin", "start"):
                opened = i
            elif word in ("commit", "end", "rollback", "abort"):
                opened = None
        if opened is not None:
            self.out.open_transaction = self.line(stmts[opened].offset)
            return
        # psql and `supabase db push` run such a file as written, its BEGIN ... COMMIT blocks
        # included: so does apply, statement by statement, instead of refusing it.
        self.out.own_transaction = True
        word = stmts[control[0]].text.split()[0].upper()
        self.out.warnings.append(Note(
            self.line(stmts[control[0]].offset),
            f"the file controls its own transaction ({word}): it runs statement by statement, "
            "its own BEGIN ... COMMIT blocks as written, as psql and supabase db push run it"))

    def ref(self, rv: Any, *, columns: list[str] | None = None,
            types: list[str | None] | None = None, strong: bool = True) -> str:
        name = qualified(rv)
        if name not in self.created:
            for r in self.out.references:
                if r.name == name and (r.columns == (columns or []) or not columns):
                    return name
            self.out.references.append(Reference(name=name, columns=columns or [],
                                                 types=types or [], strong=strong))
        return name

    def create(self, kind: str, name: str, text: str) -> None:
        """One object the file creates: its kind and (tables, views) its schema.name for the
        code, the line for people."""
        self.out.created.append(CreatedObject(kind, name, text))

    def touch(self, stmt: Statement, name: str) -> None:
        if name not in stmt.touches:
            stmt.touches.append(name)

    def lock(self, stmt: Statement, relation: str, what: str) -> None:
        self.out.locks.append(LockNote(relation=relation, line=self.line(stmt.offset),
                                       message=what, new=relation in self.created))

    def warn(self, stmt: Statement, message: str) -> None:
        self.out.warnings.append(Note(self.line(stmt.offset), message))

    def statement(self, node: Any, stmt: Statement) -> None:
        match node:
            case ast.CreateStmt():
                self.create_table(node, stmt)
            case ast.DoStmt():
                for inner in _do_block_statements(node):
                    if isinstance(inner, ast.CreateStmt):
                        self.create_table(inner, stmt, conditional=True)
            case ast.CreateTableAsStmt():
                name = qualified(node.into.rel)
                self.created.add(name)
                self.touch(stmt, name)
                if node.objtype == ObjectType.OBJECT_MATVIEW:
                    self.create("materialized view", name, f"materialized view {short(name)}")
                else:
                    self.create("table", name, f"table {short(name)}")
            case ast.CreateSeqStmt():
                # A dump creates each sequence, then sets its owner with ALTER TABLE: the name
                # is the files' own relation, never a table to look for on the target.
                name = qualified(node.sequence)
                self.created.add(name)
                self.create("sequence", name, f"sequence {short(name)}")
            case ast.ViewStmt():
                name = qualified(node.view)
                self.out.created_at.setdefault(name, self.line(stmt.offset))
                self.created.add(name)
                self.touch(stmt, name)
                self.create("view", name, f"view {short(name)}")
                self.select_refs(node.query, stmt)
            case ast.IndexStmt():
                table = self.ref(node.relation)
                self.touch(stmt, table)
                cols = ", ".join(e.name or "(expression)" for e in node.indexParams or ())
                unique = "unique " if node.unique else ""
                self.create("index", "", f"{unique}index {node.idxname or '(unnamed)'} on "
                            f"{short(table)} ({cols})")
                if node.concurrent:
                    self.out.non_transactional.append(
                        Note(self.line(stmt.offset), "CREATE INDEX CONCURRENTLY"))
                else:
                    self.lock(stmt, table, "CREATE INDEX blocks writes to it while it builds")
            case ast.AlterTableStmt():
                self.alter_table(node, stmt)
            case ast.RenameStmt():
                self.rename(node, stmt)
            case ast.CreatePolicyStmt():
                table = self.ref(node.table)
                self.touch(stmt, table)
                self.create("policy", "", f'policy "{node.policy_name}" on {short(table)}')
            case ast.AlterPolicyStmt():
                self.touch(stmt, self.ref(node.table))
            case ast.CreateTrigStmt():
                table = self.ref(node.relation)
                self.touch(stmt, table)
                self.create("trigger", "", f'trigger "{node.trigname}" on {short(table)}')
                self.lock(stmt, table, "CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock")
            case ast.CreateFunctionStmt():
                fname = ".".join(_strings(node.funcname))
                word = "procedure" if node.is_procedure else "function"
                self.create(word, "", f"{word} {fname}")
                sets = [d for d in node.options or () if isinstance(d, ast.DefElem)
                        and d.defname == "set" and getattr(d.arg, "name", None) == "search_path"]
                if not sets:
                    self.warn(stmt, f"function {fname} has no SET search_path (Supabase "
                              "advisor function_search_path_mutable)")
            case ast.CreateExtensionStmt():
                self.out.extensions.append(node.extname)
                self.create("extension", "", f"extension {node.extname}")
            case ast.CreateSchemaStmt():
                self.create("schema", "", f"schema {node.schemaname}")
            case ast.CreateEnumStmt():
                self.create("type", "", f"type {'.'.join(_strings(node.typeName))}")
            case ast.CompositeTypeStmt():
                self.create("type", "", f"type {short(qualified(node.typevar))}")
            case ast.CreateDomainStmt():
                self.create("domain", "", f"domain {'.'.join(_strings(node.domainname))}")
            case ast.AlterEnumStmt() if node.newVal:
                self.create(
                    "enum value", "",
                    f"value '{node.newVal}' in type {'.'.join(_strings(node.typeName))}")
            case ast.VacuumStmt() | ast.CreatedbStmt() | ast.AlterSystemStmt():
                word = {"VacuumStmt": "VACUUM", "CreatedbStmt": "CREATE DATABASE",
                        "AlterSystemStmt": "ALTER SYSTEM"}[type(node).__name__]
                self.out.non_transactional.append(Note(self.line(stmt.offset), word))
            case ast.ReindexStmt() if any(getattr(p, "defname", "") == "concurrently"
                                          for p in node.params or ()):
                self.out.non_transactional.append(
                    Note(self.line(stmt.offset), "REINDEX CONCURRENTLY"))
            case ast.DropStmt():
                what = node.removeType.name.removeprefix("OBJECT_").replace("_", " ")
                if node.concurrent:
                    self.out.non_transactional.append(
                        Note(self.line(stmt.offset), "DROP INDEX CONCURRENTLY"))
                if node.removeType in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_VIEW):
                    for obj in node.objects or ():
                        names = _strings(obj)
                        if names:
                            self.touch(stmt, ".".join(names[-2:]) if len(names) > 1
                                       else f"public.{names[0]}")
                self.warn(stmt, f"destructive: DROP {what.upper()}")
            case ast.TruncateStmt():
                self.warn(stmt, "destructive: TRUNCATE")
            case ast.InsertStmt():
                self.touch(stmt, self.ref(node.relation, strong=False))
                self.select_refs(node.selectStmt, stmt)
            case ast.DeleteStmt() | ast.UpdateStmt():
                self.touch(stmt, self.ref(node.relation, strong=False))
                self.warn(stmt, "writes existing data: "
                          + ("DELETE" if isinstance(node, ast.DeleteStmt) else "UPDATE"))
            case _:
                pass

    def select_refs(self, query: Any, stmt: Statement) -> None:
        """Relations a view reads (not CTE names): weak references, copied as stand-ins when
        the target has them, never a precondition of their own."""
        ctes = {c.ctename for n in _walk(query) if isinstance(n, ast.WithClause)
                for c in n.ctes or ()}
        for n in _walk(query):
            if isinstance(n, ast.RangeVar) and not (n.schemaname is None and n.relname in ctes):
                self.ref(n, strong=False)

    def create_table(self, node: Any, stmt: Statement, *, conditional: bool = False) -> None:
        """conditional: inside a DO block, usually behind its own IF NOT EXISTS test."""
        name = qualified(node.relation)
        self.touch(stmt, name)
        self.out.created_at.setdefault(name, self.line(stmt.offset))
        if name in self.created and not node.if_not_exists:
            self.warn(stmt, f"table {short(name)} is created twice")
        self.created.add(name)
        self.create("table", name, f"table {short(name)}")
        if not node.if_not_exists and not conditional:
            self.warn(stmt, f"CREATE TABLE {short(name)} without IF NOT EXISTS")
        for parent in node.inhRelations or ():
            self.ref(parent)
        types: dict[str, str] = {}
        for elt in node.tableElts or ():
            if isinstance(elt, ast.ColumnDef):
                types[elt.colname] = _type_name(elt.typeName)
                self.implicit_sequence(name, elt)
                for con in elt.constraints or ():
                    self.constraint(name, con, [elt.colname], types, stmt)
            elif isinstance(elt, ast.Constraint):
                self.constraint(name, elt, _strings(elt.keys), types, stmt)
            elif isinstance(elt, ast.TableLikeClause):
                self.ref(elt.relation)

    def implicit_sequence(self, table: str, col: Any) -> None:
        """A serial or identity column makes a sequence, named as PostgreSQL names it, which
        later statements (a dump's ALTER TABLE ... OWNER TO) may name."""
        serial = _type_name(col.typeName) in _SERIALS
        identity = any(c.contype == ConstrType.CONSTR_IDENTITY for c in col.constraints or ())
        if serial or identity:
            schema, _, rel = table.partition(".")
            self.created.add(f"{schema}.{rel}_{col.colname}_seq")

    def constraint(self, table: str, con: Any, cols: list[str], types: dict[str, str],
                   stmt: Statement) -> None:
        if con.contype != ConstrType.CONSTR_FOREIGN:
            return
        fk_cols = _strings(con.fk_attrs) or cols
        ref_cols = _strings(con.pk_attrs)
        target = qualified(con.pktable)
        action = _ACTIONS.get(con.fk_del_action, "no action")
        self.create("foreign key", "",
                    f"foreign key {short(table)}({', '.join(fk_cols)}) -> "
                    f"{short(target)}({', '.join(ref_cols) or 'primary key'}) on delete {action}")
        if target == table:
            return
        self.ref(con.pktable, columns=ref_cols, types=[types.get(c) for c in fk_cols])
        self.lock(stmt, target, "a foreign key to it takes a SHARE ROW EXCLUSIVE lock on it "
                  "while the transaction runs (bounded by lock_timeout)")

    def alter_table(self, node: Any, stmt: Statement) -> None:
        if node.objtype not in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_FOREIGN_TABLE):
            return
        # ALTER TABLE ... OWNER TO (and the like) is accepted on any relation, a sequence or a
        # view included: naming one the files do not create is no proof a table must exist.
        any_kind = all(cmd.subtype.name.removeprefix("AT_") in _ANY_RELATION
                       for cmd in node.cmds or ())
        table = self.ref(node.relation, strong=not any_kind)
        if not any_kind or table in self.created:
            self.touch(stmt, table)
        types: dict[str, str] = {}
        for cmd in node.cmds or ():
            sub = cmd.subtype
            words = at_words(sub)
            name = sub.name.removeprefix("AT_")
            outside = table not in self.created
            if outside and name == "AddColumn" and isinstance(cmd.def_, ast.ColumnDef):
                self.out.added_columns.append(f"{table}\t{cmd.def_.colname}")
            elif outside and name == "DropColumn" and cmd.name:
                self.out.dropped_columns.append(f"{table}\t{cmd.name}")
            elif outside and name == "AddConstraint" and getattr(cmd.def_, "conname", None):
                self.out.added_constraints.append(f"{table}\t{cmd.def_.conname}")
            if name == "AddColumn" and isinstance(cmd.def_, ast.ColumnDef):
                types[cmd.def_.colname] = _type_name(cmd.def_.typeName)
                self.create("column", "", f'column "{cmd.def_.colname}" on {short(table)}')
                for con in cmd.def_.constraints or ():
                    self.constraint(table, con, [cmd.def_.colname], types, stmt)
            elif name == "AddConstraint" and isinstance(cmd.def_, ast.Constraint):
                self.constraint(table, cmd.def_, _strings(cmd.def_.keys), types, stmt)
            elif name == "EnableRowSecurity":
                self.create("row level security", "", f"row level security on {short(table)}")
            if name in ("DropColumn", "DropConstraint", "AlterColumnType"):
                self.warn(stmt, f"destructive: ALTER TABLE {short(table)} {words}"
                          + (f" {cmd.name}" if cmd.name else ""))
            if name not in _HARMLESS_AT:
                self.lock(stmt, table, f"ALTER TABLE ... {words} takes an ACCESS EXCLUSIVE lock")

    def rename(self, node: Any, stmt: Statement) -> None:
        if node.renameType == ObjectType.OBJECT_TABLE and node.relation is not None:
            old = self.ref(node.relation)
            new = f"{node.relation.schemaname or 'public'}.{node.newname}"
            self.created.add(new)
            self.touch(stmt, old)
            self.touch(stmt, new)
            self.warn(stmt, f"renames table {short(old)} to {short(new)}: clients using the old "
                      "name break")
        elif node.relation is not None and node.renameType in (
                ObjectType.OBJECT_COLUMN, ObjectType.OBJECT_TABCONSTRAINT,
                ObjectType.OBJECT_POLICY, ObjectType.OBJECT_TRIGGER):
            table = self.ref(node.relation)
            self.touch(stmt, table)
            if node.renameType == ObjectType.OBJECT_COLUMN and table not in self.created:
                self.out.renamed_columns.append(f"{table}\t{node.subname}\t{node.newname}")
            if node.renameType == ObjectType.OBJECT_COLUMN:
                self.warn(stmt, f'renames column "{node.subname}" of {short(table)} to '
                          f'"{node.newname}": clients using the old name break')


def analyse_file(file: MigrationFile, created_before: set[str]) -> FileAnalysis:
    """One file; `created_before` grows by the relations it creates."""
    return _Analyser(file, created_before).run()
