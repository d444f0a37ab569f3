"""A migration file's statements, split and compared as the Supabase CLI stores them.

pglast is imported inside the functions: comparing against a history row that matches to the
letter (the usual case) needs no parser at all.
"""

from __future__ import annotations

from functools import cache

_COMMENTS = ("SQL_COMMENT", "C_COMMENT")


@cache
def split(sql: str) -> tuple[str, ...]:
    """Each statement without its trailing semicolon, as `supabase db push` records them: the
    CLI cuts the file at every top-level semicolon and keeps each non-blank chunk, so comments
    after the last semicolon are one more statement of their own."""
    import pglast

    out = tuple(s.strip() for s in pglast.split(sql, with_parser=False) if s.strip())
    tail = _comment_tail(sql)
    return (*out, tail) if tail else out


def _comment_tail(sql: str) -> str:
    """The comments after the file's last semicolon (or the whole file, when it is nothing but
    comments), as the CLI keeps them; "" when there are none or real SQL follows."""
    from pglast.parser import scan

    tokens = scan(sql)
    last = max((i for i, t in enumerate(tokens) if t.name == "ASCII_59"), default=-1)
    after = tokens[last + 1:]
    if not after or any(t.name not in _COMMENTS for t in after):
        return ""
    start = tokens[last].end + 1 if last >= 0 else 0
    return sql[start:].strip()


def _fingerprint(statements: list[str] | tuple[str, ...]) -> str:
    """The statements deparsed from their parse tree: blind to whitespace, comments and
    keyword case, but not to a changed name, type or constant."""
    import pglast
    from pglast.stream import RawStream

    try:
        return str(RawStream()(";\n".join(statements)))
    except pglast.parser.ParseError:
        return " ".join(" ".join(statements).split())


def same_statements(ours: tuple[str, ...], recorded: list[str]) -> bool:
    """Our split of a file against a history row's statements (ours, or the CLI's)."""
    if tuple(recorded) == ours:  # the common case, and no deparse needed
        return True
    return _fingerprint(ours) == _fingerprint(recorded)
