"""The README promises that every statement toolkit sends lives in a .sql file (toolkit/db/sql/,
toolkit/local/sql/, toolkit/shape/). These tests read toolkit's own source with `ast`
and fail when SQL text comes back into an execute() call or a psycopg sql.SQL() template."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TOOLKIT = Path(__file__).resolve().parents[2] / "toolkit"
SQL_DIRS = [TOOLKIT / "db" / "sql", TOOLKIT / "local" / "sql", TOOLKIT / "shape"]

# The first word of a statement toolkit could send.
KEYWORD = re.compile(
    r"^\s*(select|insert|update|delete|create|drop|alter|set|reset|begin|commit|rollback|"
    r"savepoint|notify|listen|checkpoint|grant|revoke|lock|truncate|with|do|show|analyze|"
    r"vacuum|comment)\b",
    re.IGNORECASE)

# Only glue may stay in Python: fragments that join or cast what a .sql template composes.
GLUE = {", ", "{}::{}", "array[{}]::text[]"}

# f-strings that start like a statement but are not a fixed statement toolkit sends; (file
# under toolkit/, text prefix) -> why it stays in Python. Nothing in an execute() or sql.SQL()
# argument is ever allowed.
ALLOWED = {
    # Findings and fix suggestions shown to the user, never sent.
    ("project/parse.py", "CREATE TABLE"): "a finding's wording",
    ("project/parse.py", "ALTER TABLE"): "a finding's wording",
    ("judge/compare.py", ""): "drift wording and grant/revoke fixes the user is told to run",
    ("commands/rollback.py", "rollback blocked"): "an error message",
    # Generated per run from the target's catalog (one stand-in per missing type, table or
    # schema, names quoted by ident()/qualified()): there is no fixed statement to move.
    ("oracle/standins.py", ""): "stand-in DDL generated from the catalog",
}


def _strings(node: ast.AST) -> list[str]:
    """Every literal text inside an expression (plain strings and f-string parts)."""
    out: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.append(sub.value)
    return out


def _is_call_to(node: ast.Call, name: str) -> bool:
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == name) or \
        (isinstance(func, ast.Name) and func.id == name)


def inline_sql(source: str, path: str = "") -> list[tuple[int, str]]:
    """(line, text) of SQL written in Python: a string literal starting with a statement
    keyword inside an execute() argument, any sql.SQL() template that is not glue, and any
    f-string starting with a statement keyword that ALLOWED does not name for `path`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        if _is_call_to(node, "execute"):
            # Only the query argument: parameters may well hold words like "set".
            for text in _strings(node.args[0]) if node.args else []:
                if KEYWORD.match(text):
                    found.append((node.lineno, text))
        elif _is_call_to(node, "SQL") and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                    and arg.value not in GLUE:
                found.append((node.lineno, arg.value))
            elif isinstance(arg, ast.JoinedStr):
                found.append((node.lineno, ast.unparse(arg)))
    for node in ast.walk(ast.parse(source)):
        # An f-string that starts a statement ends up sent, whatever variable carries it.
        if isinstance(node, ast.JoinedStr) and node.values \
                and isinstance(node.values[0], ast.Constant) \
                and KEYWORD.match(str(node.values[0].value)) \
                and not _allowed(path, str(node.values[0].value)):
            found.append((node.lineno, str(node.values[0].value)))
    return found


def _allowed(path: str, text: str) -> bool:
    return any(path == f and text.startswith(prefix) for f, prefix in ALLOWED)


def test_no_statement_is_written_in_python() -> None:
    offenders = [
        f"{path.relative_to(TOOLKIT.parent)}:{line}: {text!r}"
        for path in sorted(TOOLKIT.rglob("*.py"))
        for line, text in inline_sql(path.read_text(encoding="utf-8"),
                                     path.relative_to(TOOLKIT).as_posix())
    ]
    assert not offenders, "move these statements into a .sql file:\n" + "\n".join(offenders)


@pytest.mark.parametrize("snippet", [
    'cur.execute("reset role")',
    'conn.execute(f"set local search_path = {path}; set local role postgres;")',
    'cur.execute("insert into t (a) " "values (%s)", [1])',
    'conn.execute(sql.SQL("drop database {}").format(sql.Identifier(n)))',
    'q = sql.SQL(f"alter database {name}")',
    'setup = f"set local search_path = {SEARCH_PATH}; set local role postgres;"',
    'return f"begin read only; {head}{query}; commit"',
])
def test_the_check_sees_inline_sql(snippet: str) -> None:
    # The check itself must be able to fail, or the test above proves nothing.
    assert inline_sql(snippet)


@pytest.mark.parametrize("snippet", [
    'cur.execute(load_sql("verify_rollback.sql"))',
    'cur.execute(stmt.text.encode())',
    'conn.execute(load_sql("history_repair_reverted.sql"), {"version": "set"})',
    'sql.SQL(", ").join(sql.Identifier(c) for c in cols)',
])
def test_the_check_lets_loaded_sql_pass(snippet: str) -> None:
    assert inline_sql(snippet) == []


def test_every_sql_file_says_what_it_is_for() -> None:
    files = [p for d in SQL_DIRS for p in sorted(d.glob("*.sql"))]
    assert files
    missing = [str(p.relative_to(TOOLKIT.parent)) for p in files
               if not p.read_text(encoding="utf-8").startswith("-- ")]
    assert not missing, "start these with a one-line comment saying what they are for:\n" \
        + "\n".join(missing)
