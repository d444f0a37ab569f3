"""pg-delta's plan and render between two PostgreSQL databases: the statements that turn the
source into the desired one, each with what pg-delta says it risks.

Supabase's profile (`--profile supabase`) leaves the platform's schemas, roles and extensions
out, as `supabase db diff` does. Column and table renames are never guessed: pg-delta's
candidates are written as drop + create and named, so the caller can warn.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.delta.install import Engine, ensure_engine
from toolkit.delta.url import node_url
from toolkit.errors import ConfigError, ToolkitError

PROFILE = "supabase"
TIMEOUT_S = 600
MARK = "-- toolkit: destructive:"  # the comment above each statement that loses data


class EngineError(ToolkitError):
    """pg-delta could not make or render a plan."""


@dataclass(frozen=True)
class Action:
    sql: str
    verb: str  # create | drop | alter | ...
    loses_data: bool  # pg-delta's dataLoss = destructive
    rewrites: bool  # pg-delta's rewriteRisk: the table is rewritten (a column type change)
    destroys: tuple[str, ...] = ()  # what it removes, as "table public.t", "column public.t.c"

    @property
    def destructive(self) -> bool:
        return self.loses_data or self.rewrites

    @property
    def why(self) -> str | None:
        """What the mark says, None when the statement risks nothing."""
        if self.loses_data:
            gone = [d for d in self.destroys if d.split(" ", 1)[0] in ("table", "column",
                                                                      "schema", "sequence",
                                                                      "materialized_view")]
            what = ", ".join(gone[:3] or self.destroys[:1]) or "data"
            return f"loses data (drops {what})"
        if self.rewrites:
            return "rewrites the table (a column type change: its rows are converted, " \
                "under an exclusive lock, and values that do not convert fail)"
        return None


@dataclass
class Delta:
    """What turns the source into the desired database."""

    sql: str  # the file's text, each destructive statement marked; "" when nothing differs
    actions: list[Action]
    renames: list[str] = field(default_factory=list)  # candidates written as drop + create
    transactional: bool = True  # False: some statement cannot run in a transaction
    seconds: float = 0.0  # plan + render

    @property
    def empty(self) -> bool:
        return not self.actions

    @property
    def destructive(self) -> list[Action]:
        return [a for a in self.actions if a.destructive]

    def as_json(self) -> dict[str, Any]:
        return {"sql": self.sql, "statements": [
            {"sql": a.sql, "verb": a.verb, "destructive": a.destructive,
             "loses_data": a.loses_data, "rewrites": a.rewrites, "why": a.why}
            for a in self.actions], "renames": self.renames,
            "transactional": self.transactional, "seconds": round(self.seconds, 3)}


def _id(ref: dict[str, Any]) -> str:
    kind = str(ref.get("kind", "?"))
    parts = [str(ref[k]) for k in ("schema", "table", "name") if ref.get(k)]
    if kind == "acl":
        return "privileges on " + _id(ref.get("target") or {})
    return f"{kind} {'.'.join(parts)}".strip()


def changes_type(sql: str) -> bool:
    """An ALTER TABLE that changes a column's type: pg-delta's rewriteRisk also flags adds
    that PostgreSQL makes without a rewrite, so the parser says which statements are these."""
    import pglast

    try:
        stmts = pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return False
    for raw in stmts:
        node: Any = raw.stmt
        if type(node).__name__ == "AlterTableStmt":
            for cmd in node.cmds or ():
                if cmd.subtype.name == "AT_AlterColumnType":
                    return True
    return False


def _action(raw: dict[str, Any]) -> Action:
    sql = str(raw["sql"])
    return Action(sql=sql, verb=str(raw.get("verb", "")),
                  loses_data=raw.get("dataLoss") == "destructive",
                  rewrites=bool(raw.get("rewriteRisk")) and changes_type(sql),
                  destroys=tuple(_id(d) for d in raw.get("destroys") or ()))


def _rename(raw: dict[str, Any]) -> str:
    return f"{_id(raw.get('from') or {})} -> {_id(raw.get('to') or {})}"


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("Error")]
    return (errors or lines or ["no output"])[-1]


def _run(engine: Engine, args: list[str], env: dict[str, str], what: str
         ) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(engine.argv(*args), capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False, env={**os.environ, **env})
    except subprocess.TimeoutExpired:
        raise EngineError(f"pg-delta {what} did not finish in {TIMEOUT_S} s") from None
    except OSError as exc:
        raise ConfigError(f"cannot run {engine.node}: {exc.strerror}") from None


def marked(sql: str, actions: list[Action]) -> str:
    """The rendered text with the mark above each destructive statement (found in order)."""
    out, at = [], 0
    for a in actions:
        i = sql.find(a.sql, at)
        if i < 0:
            continue
        if a.why is not None:
            line_start = sql.rfind("\n", 0, i) + 1
            out.append(sql[at:line_start] + f"{MARK} {a.why}\n" + sql[line_start:i])
        else:
            out.append(sql[at:i])
        out.append(a.sql)
        at = i + len(a.sql)
    out.append(sql[at:])
    return "".join(out)


def plan(source: str, desired: str, *, secrets: tuple[str, ...] = (),
         preconditions: list[str] | None = None) -> Delta:
    """The statements that make `source` (a conninfo or URL) what `desired` is. With
    `preconditions` (schema.name of tables the migrations use but never create), toolkit's
    profile instead of Supabase's: those tables are left out, policies on storage.objects
    kept (toolkit.delta.profile)."""
    engine = ensure_engine()
    profile = PROFILE
    if preconditions is not None:
        from toolkit.delta.profile import project_profile

        profile = str(project_profile(engine.node, engine.main, preconditions))
    started = time.perf_counter()
    src_url, src_env = node_url(source)
    dst_url, dst_env = node_url(desired)
    if src_env and dst_env and src_env != dst_env:
        # One PGPASSWORD for both: the shadow side has none, so this only happens when both
        # sides are databases with passwords of their own.
        raise ConfigError("pg-delta reads one password: the two databases must share it")
    env = {**dst_env, **src_env}
    with tempfile.TemporaryDirectory(prefix="toolkit-delta-") as tmp:
        plan_path = Path(tmp) / "plan.json"
        proc = _run(engine, ["plan", "--source", src_url, "--desired", dst_url,
                             "--profile", profile, "--renames", "prompt",
                             "--out", str(plan_path)], env, "plan")
        if proc.returncode != 0 or not plan_path.exists():
            raise EngineError(f"pg-delta plan failed: {_scrub(_last_line(proc.stderr), secrets)}")
        doc = json.loads(plan_path.read_text(encoding="utf-8"))
        actions = [_action(a) for a in doc.get("actions") or ()]
        renames = [_rename(r) for r in doc.get("renameCandidates") or ()]
        if not actions:
            return Delta("", [], renames, True, time.perf_counter() - started)
        out = Path(tmp) / "migration.sql"
        proc = _run(engine, ["render", "--plan", str(plan_path), "--out", str(out),
                             "--allow-drops"], env, "render")
        if proc.returncode != 0:
            raise EngineError(f"pg-delta render failed: "
                              f"{_scrub(_last_line(proc.stderr), secrets)}")
        summary = json.loads(proc.stdout.strip().splitlines()[-1])
        files = summary.get("files") or []
        parts = [Path(f["path"]).read_text(encoding="utf-8") for f in files]
        transactional = all(f.get("transactional", True) for f in files)
    text = "\n".join(p.strip("\n") + "\n" for p in parts)
    return Delta(marked(text, actions), actions, renames, transactional,
                 time.perf_counter() - started)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    from toolkit.redact import redact

    return redact(text, [s for s in secrets if s])
