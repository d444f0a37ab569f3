"""A typed difference (toolkit.judge.compare) as the report's finding: where it is, how bad,
and every field a renderer or the fix SQL reads, so none of them parses the message back."""

from __future__ import annotations

from toolkit.judge import compare
from toolkit.output.report import Finding


def finding(level: str, where: str, diff: compare.Difference,
            table: str | None = None) -> Finding:
    """A report finding from a typed difference: renderers read its fields."""
    return Finding(level, f"{where}: {diff.message}", kind=diff.kind,  # type: ignore[arg-type]
                   table=table, column=diff.column, object=diff.object,
                   property=diff.property, expected=diff.expected, actual=diff.actual,
                   fix_sql=diff.fix_sql, fix_setup=diff.fix_setup)
