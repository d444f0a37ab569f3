"""What pull and migration squash print: a few lines for people, one JSON object for machines,
and the differences that kept a file from being written."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from toolkit.delta.pull import NotProven, Pulled
from toolkit.delta.squash import Squashed
from toolkit.words import plural

Body = Callable[[], tuple[str, dict[str, Any]]]


def finish(command: str, as_json: bool, body: Body) -> NoReturn:
    """Run `body`; print its text or JSON and exit 0, or one line and the error's exit code;
    a file that failed its proof lists what still differs (exit 1)."""
    from toolkit.cli.run import leave_on_error
    from toolkit.output.write import emit_error

    with leave_on_error(command, as_json):
        try:
            text, data = body()
        except NotProven as exc:
            if not as_json:
                print("\n".join([exc.heading,
                                 *(f"  {d}" for d in exc.differences),
                                 f"FAILED: {exc} (exit 1)"]))
                sys.stdout.flush()
            emit_error(str(exc), code=1, as_json=False, settings=None, command=command)
            if as_json:
                print(json.dumps({"command": command, "ok": False, "status": "failed",
                                  "exit_code": 1, "error": str(exc),
                                  "differences": exc.differences, "sql": exc.sql}, indent=2))
            raise SystemExit(1) from None
    print(json.dumps({"command": command, "ok": True, **data}, indent=2) if as_json else text)
    raise SystemExit(0)


def _seconds(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}


def pull(p: Pulled) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {
        "changed": p.changed, "file": str(p.path) if p.path else None,
        "version": p.version or None, "statements": p.statements,
        "destructive": p.destructive, "renames": p.renames, "recorded": p.recorded,
        "warnings": p.warnings, "seconds": _seconds(p.timings)}
    lines = [f"warning: {w}" for w in p.warnings]
    if not p.changed:
        lines.append("No schema changes found: the target is what the migrations make "
                     "(exit 0)")
        return "\n".join(lines), data
    lines += [f"warning: pg-delta saw a rename it does not guess ({r}): written as drop and "
              "create, which loses the data on any other database" for r in p.renames]
    lines += [f"warning: loses data where it runs: {first_line(s)}" for s in p.destructive]
    lines += [f"Wrote {p.path}: {plural(len(p.statements), 'statement')}",
              f"  proven: the migrations and this file, replayed on a fresh shadow, give the "
              f"target's schema ({p.proof_seconds:.1f} s)",
              f"  recorded {p.version} as applied in supabase_migrations.schema_migrations "
              "(its SQL was not run: the target has it already)",
              f"OK: pulled the target's changes into {p.path.name if p.path else ''} (exit 0)"]
    return "\n".join(lines), data


def first_line(sql: str) -> str:
    lines = [ln for ln in sql.strip().splitlines() if ln.strip() and not ln.startswith("--")]
    text = lines[0] if lines else sql.strip()
    return text if len(text) <= 100 else text[:99] + "…"


def squash(s: Squashed) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {
        "squashed": s.path is not None, "file": str(s.path) if s.path else None,
        "version": s.version or None, "removed": [str(p) for p in s.removed],
        "statements": s.statements, "data_statements_lost": s.lost,
        "stale_rollbacks": [str(p) for p in s.rollbacks], "reordered_columns": s.reordered,
        "history": s.history or None,
        "warnings": s.warnings, "note": s.note or None}
    lines = [f"warning: {w}" for w in s.warnings]
    if s.path is None:
        lines.append(f"{s.note} (exit 0)")
        return "\n".join(lines), data
    if s.lost:
        lines.append(f"warning: {plural(len(s.lost), 'data statement')} not carried over (as "
                     "supabase migration squash, the squashed file holds the schema only): add "
                     "them back in a new migration")
        lines += [f"  {line}" for line in s.lost]
    lines += [f"warning: the squashed file makes the columns of {t} in another order: the "
              "schema is the same by name, but SELECT * and an INSERT without a column list "
              "see the new order (pg-delta writes columns that need other objects last)"
              for t in s.reordered]
    lines += [f"warning: {p} was the rollback of a squashed file and no longer matches "
              f"{s.path.name if s.path else ''}" for p in s.rollbacks]
    lines += [f"Squashed {plural(len(s.removed) + 1, 'file')} into {s.path}: "
              f"{plural(s.statements, 'statement')}; removed "
              + ", ".join(p.name for p in s.removed),
              f"  proven: replayed alone on a fresh shadow, it gives the schema of the files it "
              f"replaces ({s.proof_seconds:.1f} s)",
              f"  {s.history}",
              f"OK: squashed into {s.path.name} (exit 0)"]
    return "\n".join(lines), data
