"""The embedded shadow: a real PostgreSQL started from this machine's binaries, shaped like a
Supabase project, and gone without a trace after use."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import psycopg
import pytest

from toolkit.errors import ConfigError
from toolkit.local.state import LocalStack
from toolkit.oracle.database import ShadowDatabase
from toolkit.oracle.embedded import cache_root, find_binaries
from toolkit.oracle.servers import shadow_database
from toolkit.postgres import procs
from toolkit.postgres.cluster import LOCALE


def _socket_dir(shadow: ShadowDatabase) -> Path:
    return Path(str(psycopg.conninfo.conninfo_to_dict(shadow.conninfo)["host"]))


def _gone(work: Path) -> bool:
    data = str(work / "data")
    running = [p for p in os.listdir("/proc") if p.isdigit() and procs.is_ours(int(p), data)]
    return not work.exists() and not running


def test_the_shadow_and_the_local_stack_share_one_locale(stack: LocalStack) -> None:
    """One launcher (toolkit.postgres.cluster) makes both clusters: what a migration's
    lower(), ILIKE or regex does to non-ASCII text on the shadow it does on the local stack."""
    query = ("select datcollate, datctype, pg_catalog.lower('ÄÖÜ') from pg_catalog.pg_database"
             " where datname = pg_catalog.current_database()")
    with shadow_database() as shadow, psycopg.connect(shadow.conninfo) as conn:
        on_shadow = conn.execute(query).fetchone()
    with psycopg.connect(stack.admin_url("postgres")) as conn:
        on_stack = conn.execute(query).fetchone()
    assert on_shadow == on_stack == (LOCALE, LOCALE, "äöü")


def test_has_the_supabase_shape() -> None:
    with shadow_database() as shadow, psycopg.connect(shadow.conninfo) as conn:
        assert shadow.major == find_binaries().major
        assert shadow.origin.startswith(f"embedded PostgreSQL {shadow.major} (")
        roles = dict(
            (r[0], r[1:])
            for r in conn.execute(
                "select rolname, rolsuper, rolcanlogin, rolinherit, rolbypassrls, rolcreatedb,"
                " rolcreaterole, rolreplication from pg_roles"
            ).fetchall()
        )
        assert roles["postgres"] == (False, True, True, True, True, True, True)
        assert roles["service_role"][:4] == (False, False, False, True)
        assert roles["authenticator"][:3] == (False, True, False)  # LOGIN NOINHERIT
        for name in ("anon", "authenticated", "supabase_auth_admin", "supabase_storage_admin"):
            assert name in roles
        assert conn.execute(
            "select bool_and(pg_has_role('authenticator', r, 'member'))"
            " from unnest(array['anon', 'authenticated', 'service_role']) r"
        ).fetchone() == (True,)
        owners: dict[str, str] = dict(conn.execute(
            "select c.oid::regclass::text, pg_get_userbyid(c.relowner) from pg_class c"
            " where c.oid in ('auth.users'::regclass, 'storage.objects'::regclass,"
            " 'storage.buckets'::regclass)"
        ).fetchall())
        assert owners == {"auth.users": "supabase_auth_admin",
                          "storage.objects": "supabase_storage_admin",
                          "storage.buckets": "supabase_storage_admin"}
        columns = {r[0] for r in conn.execute(
            "select attname from pg_attribute where attrelid = 'auth.users'::regclass"
            " and attnum > 0").fetchall()}
        assert {"id", "email", "phone", "raw_app_meta_data", "raw_user_meta_data",
                "created_at", "is_anonymous", "confirmed_at"} <= columns
        assert conn.execute(
            "select relrowsecurity from pg_class where oid = 'storage.objects'::regclass"
        ).fetchone() == (True,)
        assert conn.execute("select storage.foldername('a/b/c.png'), storage.filename("
                            "'a/b/c.png'), storage.extension('a/b/c.png')").fetchone() == (
            ["a", "b"], "c.png", "png")
        assert conn.execute("select uuid_generate_v4() is not null, "
                            "extensions.gen_random_uuid() is not null").fetchone() == (True, True)
        assert conn.execute("select count(*) from pg_publication"
                            " where pubname = 'supabase_realtime'").fetchone() == (1,)
        assert conn.execute("show search_path").fetchone() == ('"$user", public, extensions',)


def test_a_migration_as_postgres_can_build_on_auth_users() -> None:
    with shadow_database() as shadow, psycopg.connect(shadow.conninfo) as conn:
        conn.execute("set role postgres")
        conn.execute("create table public.profiles (id uuid primary key"
                     " references auth.users on delete cascade, username text)")
        conn.execute("""create function public.handle_new_user() returns trigger
            language plpgsql security definer set search_path = '' as $$
            begin insert into public.profiles (id) values (new.id); return new; end $$""")
        conn.execute("create trigger on_auth_user_created after insert on auth.users"
                     " for each row execute function public.handle_new_user()")
        conn.execute("create policy own_files on storage.objects for select to authenticated"
                     " using ((storage.foldername(name))[1] = auth.uid()::text)")
        conn.execute("reset role")
        conn.execute("insert into auth.users (id) values (gen_random_uuid())")
        assert conn.execute("select count(*) from public.profiles").fetchone() == (1,)
        # Default privileges: what postgres creates in public is exposed to the API roles.
        assert conn.execute(
            "select has_table_privilege('anon', 'public.profiles', 'select')").fetchone() == (True,)


def test_nothing_is_left_behind_even_after_an_exception() -> None:
    with pytest.raises(RuntimeError, match="boom"), shadow_database() as shadow:
        work = _socket_dir(shadow)
        assert (work / "data" / "postmaster.pid").exists()
        raise RuntimeError("boom")
    assert _gone(work)
    with shadow_database() as shadow:
        work = _socket_dir(shadow)
    assert _gone(work)


def test_the_cache_is_private_and_must_be_ours(shadow_cache: Path) -> None:
    root = cache_root()
    assert root == shadow_cache / "toolkit"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert any(p.name.startswith("shadow-pg") for p in root.iterdir())
    if os.geteuid() == 0:
        os.chown(root, 65534, 65534)
        try:
            with pytest.raises(ConfigError, match="belongs to another user"):
                cache_root()
        finally:
            os.chown(root, 0, 0)


def test_no_server_binaries_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.postgres import cluster

    monkeypatch.setattr(cluster, "BINDIR_GLOBS", ("/nonexistent/postgresql/*/bin",))
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigError) as err, shadow_database(prefer_major=15):
        pass
    message = str(err.value)
    assert "\n" not in message
    assert "postgresql-15" in message and "TOOLKIT_SHADOW_DB_URL" in message
