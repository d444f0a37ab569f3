"""The new tables come out clean of the Supabase security advisors' ERROR and WARN lints.

Each query is the lint's rule, restated here for the tables in public: rls_disabled_in_public
(ERROR), policy_exists_rls_disabled (ERROR), function_search_path_mutable (WARN),
security_definer_view (ERROR); and the INFO ones we hold ourselves to: unindexed_foreign_keys,
no_primary_key.
"""

from __future__ import annotations

from tests.conftest import NEW_TABLES, admin, run_toolkit
from toolkit.local import LocalStack

LINTS = {
    "rls_disabled_in_public": """
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity
          and (has_table_privilege('anon', c.oid, 'select')
               or has_table_privilege('authenticated', c.oid, 'select'))
          and c.relname = any(%(tables)s)""",
    "policy_exists_rls_disabled": """
        select c.relname from pg_policy p join pg_class c on c.oid = p.polrelid
        where not c.relrowsecurity and c.relname = any(%(tables)s)""",
    "function_search_path_mutable": """
        select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and not exists (
            select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%%')
          and p.prokind = 'f' and p.proowner <> 'supabase_admin'::regrole""",
    "security_definer_view": """
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'v'
          and not coalesce('security_invoker=true' = any(c.reloptions), false)""",
    "unindexed_foreign_keys": """
        select k.conrelid::regclass::text || '.' || k.conname from pg_constraint k
        where k.contype = 'f' and k.conrelid::regclass::text = any(%(tables)s)
          and not exists (select 1 from pg_index i where i.indrelid = k.conrelid
                          and (i.indkey::int2[])[0:cardinality(k.conkey) - 1] = k.conkey)""",
    "no_primary_key": """
        select c.relname from pg_class c where c.relkind = 'r' and c.relname = any(%(tables)s)
          and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary)""",
}


def test_new_tables_are_clean_of_advisor_findings(stack: LocalStack, db: str) -> None:
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    findings = {}
    with admin(stack, db) as conn:
        for name, query in LINTS.items():
            rows = conn.execute(query, {"tables": NEW_TABLES}).fetchall()
            if rows:
                findings[name] = rows
    assert findings == {}


def test_the_lints_would_catch_a_bad_table(stack: LocalStack, db: str) -> None:
    """The same queries do fire on a table that breaks the rules: they can fail."""
    with admin(stack, db) as conn:
        conn.execute("create table public.agent_logs (agent_id uuid references agents(id))")
        conn.execute("grant select on public.agent_logs to anon")
        fired = {name for name, query in LINTS.items()
                 if conn.execute(query, {"tables": NEW_TABLES}).fetchall()}
    assert {"rls_disabled_in_public", "unindexed_foreign_keys", "no_primary_key"} <= fired


def test_anon_reads_no_rows(stack: LocalStack, db: str) -> None:
    """RLS with no policy: anon sees nothing even where default privileges granted SELECT."""
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    with admin(stack, db) as conn:
        conn.execute("insert into agent_tools (agent_id, tool_name) select id, 't' from agents")
        # The grant is there (Supabase's default privileges), so an empty answer below is RLS
        # at work; a permission error would be a different finding and fails the test.
        granted = conn.execute(
            "select has_table_privilege('anon', 'public.agent_tools', 'select')").fetchone()
        assert granted == (True,)
        conn.execute("set role anon")
        try:
            visible = conn.execute("select count(*) from agent_tools").fetchone()
        finally:
            conn.execute("reset role")
        assert visible == (0,)
        conn.execute("set role service_role")
        assert conn.execute("select count(*) from agent_tools").fetchone() != (0,)
        conn.execute("reset role")
