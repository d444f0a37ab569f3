"""The local stack has Supabase's auth and storage: the everyday migration (profiles keyed by
auth.users, a signup trigger, a storage policy) runs there as role postgres."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.conftest import MIGRATIONS, run_toolkit
from toolkit.local import LocalStack, create_database, drop_database

PROFILES = """\
create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  username text
);
alter table public.profiles enable row level security;

create function public.handle_new_user() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, username)
  values (new.id, new.raw_user_meta_data ->> 'username');
  return new;
end
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

create policy "read own folder" on storage.objects for select to authenticated
  using ((storage.foldername(name))[1] = auth.uid()::text);
"""


@pytest.fixture
def fresh_db(stack: LocalStack) -> tuple[str, str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    return name, create_database(stack, name)


def _check_effects(stack: LocalStack, dbname: str) -> None:
    with psycopg.connect(stack.admin_url(dbname), autocommit=True) as conn:
        user_id = uuid.uuid4()
        conn.execute("insert into auth.users (id, raw_user_meta_data) values (%s, %s)",
                     (user_id, '{"username": "ada"}'))
        assert conn.execute("select username from public.profiles where id = %s",
                            (user_id,)).fetchone() == ("ada",)
        conn.execute("delete from auth.users where id = %s", (user_id,))
        assert conn.execute("select count(*) from public.profiles").fetchone() == (0,)
        assert conn.execute("select count(*) from pg_policies where schemaname = 'storage'"
                            " and tablename = 'objects'").fetchone() == (1,)


def test_postgres_runs_the_migration_directly(
    stack: LocalStack, fresh_db: tuple[str, str]
) -> None:
    name, url = fresh_db
    try:
        with psycopg.connect(url) as conn:  # as postgres, over TCP, as psql would
            assert conn.execute("select current_user").fetchone() == ("postgres",)
            conn.execute(PROFILES.encode())
        _check_effects(stack, name)
    finally:
        drop_database(stack, name)


def test_toolkit_apply_runs_the_migration(
    stack: LocalStack, fresh_db: tuple[str, str], tmp_path: Path
) -> None:
    name, url = fresh_db
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    (folder / "20261201000000_profiles.sql").write_text(PROFILES)
    try:
        result = run_toolkit("apply", "--no-verify", "--db-url", url,
                             "--migrations-dir", str(folder))
        assert result.code == 0, result.output
        _check_effects(stack, name)
    finally:
        drop_database(stack, name)
