"""Held-out drift measure: 83 single hand edits of the kinds people make in the SQL editor,
11 no-ops and the default-privilege changes, on the Supabase-shaped project in
tests/drift/project, each on a fresh clone of that project applied once. A hand edit counts as
named when `toolkit check --json` exits 1 with a finding on the right object and property;
every suggested fix (fix_sql) must restore a clean check and never revoke what the
migrations grant. A no-op or a default-privilege change must leave every table and object
present (a default-privilege change is said as its own kind only).

    .venv/bin/python bench/drift_holdout.py              # its own throwaway stack
    .venv/bin/python bench/drift_holdout.py --state-dir DIR --only ID,ID -v

The edits differ from tests/drift/test_mutations.py's (other objects, other spellings of the
same change): that file is what toolkit was built against, this one measures it.
Prints one line per miss and the counts; exits 1 when fewer than --target edits are named or
a no-op, a default-privilege change or a fix fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.local import (  # noqa: E402
    LocalStack,
    create_database,
    drop_database,
    start,
    throwaway_state_dir,
)

PROJECT = ROOT / "tests" / "drift" / "project"
# Roles a hand edit hands objects to; cluster-wide, so made once.
ROLES = ("holdout_owner",)


@dataclass(frozen=True)
class Edit:
    id: str
    sql: str
    object: str  # the finding's object ...
    property: str  # ... and property
    restores: bool = True  # the suggested SQL alone makes check clean again


def e(id: str, sql: str, obj: str, prop: str, restores: bool = True) -> Edit:
    return Edit(id, sql, obj, prop, restores)


INV, PRO, LED = "table public.invoices", "table public.profiles", "table billing.ledger"
IS_PRO, HNU = "function public.is_pro(uid uuid)", "function public.handle_new_user()"
SEQ = "sequence public.invoice_number"
RT = "publication supabase_realtime"

EDITS: list[Edit] = [
    # views: security_invoker and friends
    e("view-invoker-reset", "alter view pro_profiles reset (security_invoker)",
      "view public.pro_profiles", "option security_invoker"),
    e("view-barrier", "alter view pro_profiles set (security_barrier = true)",
      "view public.pro_profiles", "option security_barrier"),
    e("view-check-option", "alter view pro_profiles set (check_option = local)",
      "view public.pro_profiles", "option check_option"),
    e("view-select-anon-revoked", "revoke select on pro_profiles from anon",
      "view public.pro_profiles", "privileges of anon"),
    e("view-owner", "alter view pro_profiles owner to holdout_owner",
      "view public.pro_profiles", "owner"),
    # grants to PUBLIC
    e("public-insert-profiles", "grant insert on profiles to public", PRO,
      "privileges of PUBLIC"),
    e("public-all-ledger", "grant all on billing.ledger to public", LED,
      "privileges of PUBLIC"),
    e("public-execute-is-pro", "grant execute on function is_pro(uuid) to public", IS_PRO,
      "privileges of PUBLIC"),
    e("public-sequence-usage", "grant usage on sequence invoice_number to public", SEQ,
      "privileges of PUBLIC"),
    e("public-schema-billing", "grant usage on schema billing to public", "schema billing",
      "privileges of PUBLIC"),
    e("public-select-agent-logs", "grant select on agent_logs to public",
      "table public.agent_logs", "privileges of PUBLIC"),
    e("public-view-select", "grant select on pro_profiles to public",
      "view public.pro_profiles", "privileges of PUBLIC"),
    # column grants
    e("column-anon-amount", "grant select (amount) on invoices to anon",
      "column public.invoices.amount", "privileges of anon"),
    e("column-anon-id-revoked", "revoke select (id) on invoices from anon",
      "column public.invoices.id", "privileges of anon"),
    e("column-auth-insert", "grant insert (title) on invoices to authenticated",
      "column public.invoices.title", "privileges of authenticated"),
    e("column-public-references", "grant references (owner_id) on invoices to public",
      "column public.invoices.owner_id", "privileges of PUBLIC"),
    e("column-ledger-cents", "grant update (cents) on billing.ledger to anon",
      "column billing.ledger.cents", "privileges of anon"),
    # schema usage
    e("schema-billing-authenticated", "grant usage on schema billing to authenticated",
      "schema billing", "privileges of authenticated"),
    e("schema-billing-create", "grant create on schema billing to service_role",
      "schema billing", "privileges of service_role"),
    e("schema-public-authenticated-revoked",
      "revoke usage on schema public from authenticated", "schema public",
      "privileges of authenticated"),
    e("schema-public-create-anon", "grant create on schema public to anon", "schema public",
      "privileges of anon"),
    e("schema-billing-all-revoked", "revoke all on schema billing from service_role",
      "schema billing", "privileges of service_role"),
    # sequence grants
    e("sequence-select-anon-revoked", "revoke select on sequence invoice_number from anon",
      SEQ, "privileges of anon"),
    e("sequence-usage-authenticated-revoked",
      "revoke usage on sequence invoice_number from authenticated", SEQ,
      "privileges of authenticated"),
    e("identity-sequence-granted",
      "grant usage on sequence billing.ledger_id_seq to authenticated",
      "sequence billing.ledger_id_seq", "privileges of authenticated"),
    # owners
    e("owner-profiles", "alter table profiles owner to holdout_owner", PRO, "owner"),
    e("owner-ledger", "alter table billing.ledger owner to holdout_owner", LED, "owner"),
    e("owner-type", "alter type plan owner to holdout_owner", "type public.plan", "owner"),
    e("owner-agent-tasks", "alter table agent_tasks owner to holdout_owner",
      "table public.agent_tasks", "owner"),
    e("owner-function", "alter function handle_new_user() owner to holdout_owner", HNU,
      "owner"),
    # the migrations' objects on Supabase's tables
    e("auth-trigger-dropped-if-exists",
      "drop trigger if exists on_auth_user_created on auth.users",
      'trigger "on_auth_user_created" on auth.users', "exists", restores=False),
    e("auth-trigger-replica", "alter table auth.users enable replica trigger "
      "on_auth_user_created", 'trigger "on_auth_user_created" on auth.users', "enabled"),
    e("storage-own-avatar-dropped", 'drop policy "own avatar" on storage.objects',
      'policy "own avatar" on storage.objects', "exists", restores=False),
    e("storage-policy-widened", 'alter policy "avatars are public" on storage.objects '
      "using (true)", 'policy "avatars are public" on storage.objects', "definition",
      restores=False),
    e("storage-policy-roles", 'alter policy "own avatar" on storage.objects to public',
      'policy "own avatar" on storage.objects', "definition", restores=False),
    # names a later migration depends on
    e("index-trgm-renamed", "alter index invoices_title_trgm_idx rename to invoices_trgm",
      "index public.invoices_title_trgm_idx", "name"),
    e("index-agent-renamed", "alter index agent_tasks_agent_id_idx rename to tasks_agent",
      "index public.agent_tasks_agent_id_idx", "name"),
    e("pkey-renamed", "alter table invoices rename constraint invoices_pkey to invoices_pk",
      "constraint invoices_pkey on public.invoices", "name"),
    e("fkey-renamed", "alter table invoices rename constraint invoices_owner_id_fkey "
      "to invoices_owner_fk", "constraint invoices_owner_id_fkey on public.invoices", "name"),
    e("unique-renamed", "alter table profiles rename constraint profiles_username_key "
      "to profiles_username_uq", "constraint profiles_username_key on public.profiles",
      "name"),
    e("check-renamed", "alter table invoices rename constraint invoices_amount_check "
      "to amount_positive", "constraint invoices_amount_check on public.invoices", "name"),
    # table and column properties
    e("collation-c-dropped", "alter table profiles alter column bio type text",
      "column public.profiles.bio", "collation"),
    e("collation-added", 'alter table invoices alter column title type text collate "C"',
      "column public.invoices.title", "collation"),
    e("replica-nothing", "alter table profiles replica identity nothing", PRO,
      "replica identity"),
    e("replica-index", "alter table billing.ledger replica identity using index "
      "ledger_pkey", LED, "replica identity"),
    e("unlogged-ledger", "alter table billing.ledger set unlogged", LED, "persistence"),
    e("sequence-minvalue", "alter sequence invoice_number minvalue 100", SEQ, "min"),
    e("owned-by-other-column", "alter sequence invoice_number owned by invoices.id", SEQ,
      "owned by"),
    e("increment-negative", "alter sequence invoice_number increment by -1", SEQ,
      "increment"),
    e("sequence-cache", "alter sequence invoice_number cache 20", SEQ, "cache"),
    e("sequence-maxvalue", "alter sequence invoice_number maxvalue 99999", SEQ, "max"),
    e("sequence-cycle", "alter sequence invoice_number cycle", SEQ, "cycle"),
    e("sequence-type", "alter sequence invoice_number as integer", SEQ, "type"),
    e("extension-to-extensions-less", "alter extension pg_trgm set schema billing",
      "extension pg_trgm", "schema", restores=False),
    # realtime
    e("realtime-invoices-added", "alter publication supabase_realtime add table "
      "agent_status", "table public.agent_status", RT),
    e("realtime-set", "alter publication supabase_realtime set table invoices",
      PRO, RT, restores=False),
    e("realtime-row-filter", "alter publication supabase_realtime set table "
      "profiles where (username is not null)", PRO, f"{RT} row filter", restores=False),
    # functions
    e("function-body-hnu", "create or replace function public.handle_new_user() returns "
      "trigger language plpgsql security definer set search_path = '' as $$ begin "
      "insert into public.profiles (id, username) values (new.id, new.email); return new; "
      "end; $$", HNU, "body", restores=False),
    e("function-invoker-hnu", "alter function handle_new_user() security invoker", HNU,
      "security"),
    e("function-search-path-public", "alter function is_pro(uuid) set search_path = public",
      IS_PRO, "search_path"),
    e("function-search-path-hnu", "alter function handle_new_user() set search_path = "
      "public, extensions", HNU, "search_path"),
    e("function-immutable", "alter function is_pro(uuid) immutable", IS_PRO, "volatility"),
    e("function-execute-authenticated-revoked",
      "revoke execute on function is_pro(uuid) from authenticated", IS_PRO,
      "privileges of authenticated"),
    e("function-execute-anon-hnu", "revoke execute on function handle_new_user() "
      "from anon", HNU, "privileges of anon"),
    e("function-leakproof", "alter function is_pro(uuid) leakproof", IS_PRO, "leakproof"),
    e("function-rows-set", "alter function is_pro(uuid) set work_mem = '64MB'", IS_PRO,
      "work_mem"),
    # extension dropped with CASCADE (the trigram index goes with it)
    e("extension-drop-cascade-trgm", "drop extension if exists pg_trgm cascade",
      "extension pg_trgm", "exists", restores=False),
    # RLS, policies, triggers on the project's own tables
    e("rls-off-profiles", "alter table profiles disable row level security", PRO,
      "row level security"),
    e("rls-forced-ledger", "alter table billing.ledger force row level security", LED,
      "row level security forced"),
    e("policy-own-profile-dropped", 'drop policy "own profile" on profiles',
      'policy "own profile" on public.profiles', "exists", restores=False),
    e("policy-roles-widened", 'alter policy "profiles are public" on profiles to public',
      'policy "profiles are public" on public.profiles', "definition", restores=False),
    e("policy-added", "create policy anyone on invoices for all using (true)",
      'policy "anyone" on public.invoices', "exists", restores=False),
    # columns, defaults, constraints, indexes, enums
    e("default-dropped-plan", "alter table profiles alter column plan drop default",
      "column public.profiles.plan", "default"),
    e("not-null-set", "alter table profiles alter column username set not null",
      "column public.profiles.username", "not null"),
    e("fk-dropped", "alter table invoices drop constraint invoices_reviewer_id_fkey",
      "constraint invoices_reviewer_id_fkey on public.invoices", "exists", restores=False),
    e("check-dropped", "alter table profiles drop constraint username_length",
      "constraint username_length on public.profiles", "exists", restores=False),
    e("index-dropped", "drop index invoices_open_idx", "index public.invoices_open_idx",
      "exists", restores=False),
    e("column-type", "alter table agent_logs alter column level type varchar(16)",
      "column public.agent_logs.level", "type", restores=False),
    e("enum-value-added", "alter type plan add value 'enterprise'", "type public.plan",
      "values", restores=False),
    e("identity-changed", "alter table billing.ledger alter column id set generated always",
      "column billing.ledger.id", "identity", restores=False),
    e("table-grant-anon-revoked", "revoke truncate on agent_logs from anon",
      "table public.agent_logs", "privileges of anon"),
    e("table-grant-service-role-added", "grant select on billing.ledger to service_role",
      LED, "privileges of service_role"),
    e("trigger-disabled-always", "alter table auth.users disable trigger all",
      'trigger "on_auth_user_created" on auth.users', "enabled"),
]

# Things people run that change nothing the migrations declare: each must leave check clean.
NO_OPS = [
    "analyze profiles",
    "vacuum (analyze) billing.ledger",
    "reindex index invoices_title_trgm_idx",
    "cluster invoices using invoices_pkey",
    "alter table invoices alter column title set statistics 200; "
    "alter table invoices alter column title set statistics -1",
    'drop policy "own avatar" on storage.objects; create policy "own avatar" on '
    "storage.objects for insert to authenticated with check (bucket_id = 'avatars' and "
    "(select auth.uid())::text = (storage.foldername(name))[1])",
    "create or replace function public.is_pro(uid uuid) returns boolean language sql stable "
    "security definer set search_path = '' as $$ select exists (select 1 from "
    "public.profiles where id = uid and plan <> 'free') $$",
    "grant usage on schema billing to service_role",
    "alter sequence invoice_number increment by 1",
    "insert into storage.buckets (id, name, public) values ('docs', 'docs', false)",
    "select setval('public.invoice_number', 5000)",
]

# Default privileges changed: what new objects get, no existing object's drift.
DEFAULT_PRIVILEGES = [
    "alter default privileges for role postgres in schema public revoke select on tables "
    "from authenticated",
    "alter default privileges for role postgres in schema public revoke usage on sequences "
    "from anon",
    "alter default privileges for role postgres in schema public revoke execute on "
    "functions from authenticated",
]


@dataclass
class Outcome:
    id: str
    named: bool = False
    fixed: bool | None = None  # None: no fix expected
    weakens: list[str] | None = None
    detail: str = ""
    seconds: float = 0.0


def run_check(url: str, cache: Path) -> tuple[int, Any, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_"))}
    env.update(SUPABASE_DB_URL=url, TOOLKIT_CACHE_DIR=str(cache), PYTHONUNBUFFERED="1")
    proc = subprocess.run([sys.executable, "-m", "toolkit", "check", "--json"], env=env,
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        doc = None
    return proc.returncode, doc, proc.stdout + proc.stderr


def drift(doc: Any) -> list[dict[str, Any]]:
    return [p for p in doc["problems"] if p["level"] != "notice" and p.get("object")]


def weakening(found: list[dict[str, Any]]) -> list[str]:
    """Fixes that revoke a privilege the migrations' side holds."""
    out = []
    for p in found:
        sql = p.get("fix_sql") or ""
        if not sql.lower().startswith("revoke") or not p["property"].startswith("privileges"):
            continue
        expected = set(filter(None, (p.get("expected") or "").split(", ")))
        revoked = {w.strip().split(" ")[0].upper()
                   for w in sql[len("revoke "):].split(" on ", 1)[0].split(",")}
        if revoked & expected:
            out.append(sql)
    return out


class Lab:
    def __init__(self, stack: LocalStack, cache: Path) -> None:
        self.stack, self.cache = stack, cache
        self.template = f"holdout_{uuid.uuid4().hex[:10]}"

    def admin(self, db: str) -> psycopg.Connection[Any]:
        return psycopg.connect(self.stack.admin_url(db), autocommit=True)

    def prepare(self) -> None:
        url = create_database(self.stack, self.template)
        with self.admin(self.template) as conn:
            for role in ROLES:
                if conn.execute("select from pg_roles where rolname = %s",
                                (role,)).fetchone() is None:
                    conn.execute(f"create role {role}")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SUPABASE_", "TOOLKIT_", "GITHUB_"))}
        env.update(SUPABASE_DB_URL=url, TOOLKIT_CACHE_DIR=str(self.cache))
        proc = subprocess.run([sys.executable, "-m", "toolkit", "apply"], env=env,
                              cwd=PROJECT, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise SystemExit(f"apply failed:\n{proc.stdout}{proc.stderr}")
        code, _doc, out = run_check(url, self.cache)
        if code != 0:
            raise SystemExit(f"the applied project is not clean:\n{out}")

    def close(self) -> None:
        drop_database(self.stack, self.template)

    def clone(self, sql: str) -> tuple[str, str]:
        name = f"h_{uuid.uuid4().hex[:12]}"
        url = create_database(self.stack, name, self.template)
        with self.admin(name) as conn:
            for statement in [sql] if "$$" in sql else sql.split("; "):
                conn.execute(statement)
        return name, url

    def edit(self, edit: Edit) -> Outcome:
        t0 = time.monotonic()
        out = Outcome(edit.id)
        try:
            name, url = self.clone(edit.sql)
        except psycopg.Error as exc:
            out.detail = f"the edit failed: {exc}"
            return out
        try:
            code, doc, text = run_check(url, self.cache)
            if doc is None:
                out.detail = f"no JSON (exit {code}): {text[-300:]}"
                return out
            found = drift(doc)
            hit = [p for p in found if p["object"] == edit.object
                   and p["property"] == edit.property and p["expected"] != p["actual"]]
            out.named = bool(hit) and code == 1
            if not out.named:
                out.detail = f"exit {code}; found " + "; ".join(
                    f"{p['object']} / {p['property']}" for p in found[:6])
            out.weakens = weakening(found)
            fixes = [p["fix_sql"] for p in found if p.get("fix_sql")]
            if edit.restores:
                out.fixed = False
                if fixes and all(p.get("fix_tried") for p in found if p.get("fix_sql")):
                    with self.admin(name) as conn:
                        for fix in fixes:
                            conn.execute(fix)
                    again, doc2, _ = run_check(url, self.cache)
                    out.fixed = again == 0
                    if not out.fixed:
                        out.detail += f" | after {fixes}: " + "; ".join(
                            f"{p['object']} / {p['property']}" for p in drift(doc2 or {
                                "problems": []})[:4])
                else:
                    out.detail += f" | fixes {fixes} not all tried"
            return out
        finally:
            drop_database(self.stack, name)
            out.seconds = time.monotonic() - t0

    def quiet(self, id: str, sql: str, default_privileges: bool = False) -> Outcome:
        t0 = time.monotonic()
        out = Outcome(id)
        try:
            name, url = self.clone(sql)
        except psycopg.Error as exc:
            out.detail = f"the edit failed: {exc}"
            return out
        try:
            code, doc, text = run_check(url, self.cache)
            if doc is None:
                out.detail = f"no JSON (exit {code}): {text[-300:]}"
                return out
            tables = [t["name"] for t in doc["tables"] if t["database"] != "present"]
            objects = [f"{o['kind']} {o['name']}" for o in doc["objects"]
                       if o["database"] != "present" and o["kind"] != "default privileges"]
            found = drift(doc)
            if default_privileges:
                other = [p for p in found if p.get("kind") != "default-privileges"]
                out.named = not tables and not objects and not other
                out.weakens = [p["fix_sql"] for p in found
                               if not (p.get("fix_sql") or "").startswith(
                                   "alter default privileges")]
                out.named = out.named and not out.weakens
            else:
                out.named = code == 0 and not found and not tables and not objects
            if not out.named:
                out.detail = f"exit {code}; {tables} {objects} " + "; ".join(
                    f"{p['object']} / {p['property']}" for p in found[:6])
            return out
        finally:
            drop_database(self.stack, name)
            out.seconds = time.monotonic() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-dir", type=Path, help="reuse this running local stack")
    parser.add_argument("--only", help="comma-separated edit ids")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--target", type=int, default=80)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    assert len(EDITS) == 83 and len({x.id for x in EDITS}) == 83, len(EDITS)
    assert len(NO_OPS) == 11
    if args.state_dir:
        from toolkit.local import load

        stack = load(args.state_dir)
        if stack is None:
            raise SystemExit(f"no stack in {args.state_dir}")
        return measure(stack, args.state_dir / "cache", args)
    with throwaway_state_dir("toolkit-holdout-") as state_dir:
        return measure(start(state_dir), state_dir / "cache", args)


@dataclass
class Summary:
    edits: list[Outcome]
    no_ops: list[Outcome]
    default_privileges: list[Outcome]
    seconds: float

    @property
    def named(self) -> int:
        return sum(r.named for r in self.edits)

    @property
    def fixes(self) -> tuple[int, int]:
        """(restored a clean check, fixes expected)"""
        want = [r for r in self.edits if r.fixed is not None]
        return sum(bool(r.fixed) for r in want), len(want)

    @property
    def weakening(self) -> int:
        return sum(bool(r.weakens) for r in self.edits)

    def line(self) -> str:
        fixed, want = self.fixes
        return (f"named {self.named}/{len(self.edits)}; fixes restore a clean check "
                f"{fixed}/{want}; fixes weakening a migration grant {self.weakening}; no-ops "
                f"silent {sum(r.named for r in self.no_ops)}/{len(self.no_ops)}; "
                f"default-privilege changes only their own finding "
                f"{sum(r.named for r in self.default_privileges)}/"
                f"{len(self.default_privileges)}; {self.seconds:.0f} s")

    def ok(self, target: int) -> bool:
        fixed, want = self.fixes
        return (self.named >= min(target, len(self.edits)) and fixed == want
                and not self.weakening
                and all(r.named for r in self.no_ops + self.default_privileges))


def run(stack: LocalStack, cache: Path, edits: list[Edit], jobs: int = 2,
        quiet: bool = True) -> Summary:
    """Every edit (and, with `quiet`, the no-ops and default-privilege changes) on its own
    clone of the project applied once."""
    lab = Lab(stack, cache)
    t0 = time.monotonic()
    lab.prepare()
    try:
        with ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(lab.edit, edits))
            no_ops = list(pool.map(lambda i: lab.quiet(f"no-op {i + 1}", NO_OPS[i]),
                                   range(len(NO_OPS) if quiet else 0)))
            dp = list(pool.map(lambda i: lab.quiet(f"default privileges {i + 1}",
                                                   DEFAULT_PRIVILEGES[i], True),
                               range(len(DEFAULT_PRIVILEGES) if quiet else 0)))
    finally:
        lab.close()
    return Summary(results, no_ops, dp, time.monotonic() - t0)


def problems(summary: Summary, verbose: bool = False) -> list[str]:
    """A line per miss, failed fix or loud no-op (per outcome with `verbose`)."""
    out = []
    for r in summary.edits:
        bad = not r.named or r.fixed is False or r.weakens
        if bad or verbose:
            flag = "ok " if not bad else "MISS" if not r.named else "FIX "
            out.append(f"{flag} {r.id}: {r.detail} {r.weakens or ''}".rstrip())
    for r in summary.no_ops + summary.default_privileges:
        if not r.named or verbose:
            out.append(f"{'ok ' if r.named else 'LOUD'} {r.id}: {r.detail}".rstrip())
    return out


def measure(stack: LocalStack, cache: Path, args: argparse.Namespace) -> int:
    only = set(args.only.split(",")) if args.only else None
    edits = [x for x in EDITS if only is None or x.id in only]
    summary = run(stack, cache, edits, args.jobs, quiet=only is None)
    for line in problems(summary, args.verbose):
        print(line)
    print(summary.line())
    return 0 if summary.ok(args.target) else 1


if __name__ == "__main__":
    sys.exit(main())
