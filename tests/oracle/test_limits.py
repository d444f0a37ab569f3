"""A statement the shadow refuses for a reason its Supabase shape cannot vouch for is a named
limit of the shadow, never a claim that the target would fail: apply goes on to the target,
whose own answer is the truth."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import admin, run_toolkit
from toolkit.local import LocalStack

NOTES = ("create table public.notes (id bigint primary key, body text not null);\n"
         "alter table public.notes enable row level security;\n")


def _folder(tmp_path: Path, sql: str) -> str:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20250101000000_notes.sql").write_text(sql)
    return str(folder)


def test_a_permission_the_shape_cannot_vouch_for_is_a_limit(db: str, tmp_path: Path) -> None:
    # supautils may let hosted postgres create it; plain PostgreSQL wants a superuser.
    folder = _folder(tmp_path, NOTES + "create publication everything for all tables;\n")
    planned = run_toolkit("plan", "--json", "--migrations-dir", folder,
                          env={"SUPABASE_DB_URL": db})
    assert planned.code == 0, planned.output
    problems = planned.json["problems"]
    assert not [p for p in problems if p["kind"] == "shadow"], problems
    limits = [p["message"] for p in problems if p["kind"] == "shadow-limit"]
    assert len(limits) == 1, limits
    assert "could not run it: must be superuser to create FOR ALL TABLES publication [42501]" \
        in limits[0]
    assert "the target may allow it" in limits[0] and "the rest is judged" in limits[0]
    assert "would fail on the target" not in planned.output


def test_a_refusal_the_shape_vouches_for_stays_a_refusal(db: str, tmp_path: Path) -> None:
    # Hosted refuses this extension to postgres (not in supautils' list, not trusted).
    folder = _folder(tmp_path, NOTES + "create extension pageinspect;\n")
    applied = run_toolkit("apply", "--json", "--migrations-dir", folder,
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 1, applied.output
    errors = [p["message"] for p in applied.json["problems"] if p["kind"] == "shadow"]
    assert len(errors) == 1, applied.output
    assert 'permission denied to create extension "pageinspect" [42501]' in errors[0]
    assert "it would fail on the target too" in errors[0]


def test_a_stand_in_limit_is_named_with_its_extension(tmp_path: Path) -> None:
    # `create extension vector` without IF NOT EXISTS finds the stand-in made first: no failure.
    # The ivfflat option the stand-in's index method refuses is the stand-in's limit.
    folder = _folder(tmp_path, "create extension vector;\n"
                     "create table public.items (id bigint primary key, embedding vector(3));\n"
                     "create index items_embedding on public.items using ivfflat "
                     "(embedding vector_l2_ops) with (lists = 10);\n" + NOTES)
    planned = run_toolkit("plan", "--json", "--migrations-dir", folder)
    assert planned.code == 0, planned.output
    problems = planned.json["problems"]
    assert not [p for p in problems if p["kind"] == "shadow"], problems
    limits = [p["message"] for p in problems if p["kind"] == "shadow-limit"]
    assert len(limits) == 2, limits
    assert "stood in for vector, which this server lacks" in limits[0]
    assert ('stands in for extension vector, and the stand-in could not run it: unrecognized '
            'parameter "lists" [22023]; items cannot be judged') in limits[1]
    assert "already exists" not in planned.output


def test_an_extension_only_supabase_ships_is_named_so(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "create extension if not exists wrappers with schema extensions;\n"
                     + NOTES)
    planned = run_toolkit("plan", "--json", "--migrations-dir", folder)
    assert planned.code == 0, planned.output
    limits = [p["message"] for p in planned.json["problems"] if p["kind"] == "shadow-limit"]
    assert len(limits) == 1, limits
    assert "lacks extension wrappers, which exists only on Supabase's image" in limits[0]
    assert "install" not in limits[0] and limits[0].count("wrappers") == 1


FUNCTION_ON = ("create function public.is_operator() returns boolean language sql stable as $$\n"
               "  select exists (select 1 from public.operators where user_id = auth.uid())\n"
               "$$;\n")


def test_a_relation_the_target_lacks_too_is_a_refusal(db: str, tmp_path: Path) -> None:
    # A SQL function's body is checked at CREATE: psql stops there on a database without the
    # table, and so must apply, before any DDL, naming the same file and cause.
    folder = _folder(tmp_path, NOTES + FUNCTION_ON)
    applied = run_toolkit("apply", "--json", "--migrations-dir", folder,
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 1, applied.output
    errors = [p for p in applied.json["problems"] if p["kind"] == "shadow"]
    assert len(errors) == 1, applied.output
    assert 'relation "public.operators" does not exist [42P01]' in errors[0]["message"]
    # Located where the function's body names it, as the server reports it.
    assert errors[0]["file"].endswith("20250101000000_notes.sql") and errors[0]["line"] == 4
    assert applied.json["applied"] == []


def test_a_relation_only_the_target_has_is_a_limit(stack: LocalStack, db: str,
                                                   tmp_path: Path) -> None:
    with admin(stack, db) as conn:
        conn.execute("create table public.operators (user_id uuid primary key)")
    folder = _folder(tmp_path, NOTES + FUNCTION_ON)
    applied = run_toolkit("apply", "--json", "--migrations-dir", folder,
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 0, applied.output
    assert not [p for p in applied.json["problems"] if p["kind"] == "shadow"]
