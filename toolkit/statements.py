"""A migration file's statements, split and compared as the Supabase CLI stores them.

pglast is imported inside the functions: comparing against a history row that matches to the
letter (the usual case) needs no parser at all.
"""

from __future__ import annotations

from functools import cache


@cache
def split(sql: str) -> tuple[str, ...]:
    """Each statement without its trailing semicolon, as `supabase db push` records them."""
    import pglast

    return tuple(s.strip() for s in pglast.split(sql, with_parser=False) if s.strip())


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
