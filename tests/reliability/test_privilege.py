"""Least privilege: check and plan need only catalog reads (and the service key over REST)
and never write;
verify's test insert leaves nothing behind, even when killed at random moments."""

from __future__ import annotations

import random
import secrets
import signal
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.conftest import SESSION_SECRETS, admin
from tests.reliability.helpers import (
    record,
    spawn,
    toolkit_backends,
    wait_backends_gone,
    wait_for,
)
from toolkit.local import ApiHandle, LocalStack


@pytest.fixture
def reader(stack: LocalStack, db: str) -> Iterator[str]:
    """A login role that may read the catalog and nothing else; every transaction read-only."""
    role = f"rel_reader_{secrets.token_hex(4)}"
    password = secrets.token_hex(12)
    SESSION_SECRETS.add(password)
    with admin(stack, db) as conn:
        conn.execute(f"create role {role} login password '{password}'")
        conn.execute(f"alter role {role} set default_transaction_read_only = on")
    yield db.replace(db.split("://", 1)[1].split("@", 1)[0], f"{role}:{password}")
    with admin(stack, stack.db_url("postgres")) as conn:
        conn.execute(f"drop role if exists {role}")


def _snapshot(stack: LocalStack, db: str) -> tuple[object, ...]:
    """Everything a write by check or plan could change."""
    with admin(stack, db) as conn:
        row = conn.execute(
            "select (select count(*) from pg_class where relnamespace = 'public'::regnamespace),"
            " (select count(*) from pg_namespace),"
            " (select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            "    from pg_stat_user_tables),"
            " (select count(*) from public.agents)").fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.parametrize("applied", [False, True], ids=["before-apply", "after-apply"])
def test_check_and_plan_as_a_catalog_reader(stack: LocalStack, db: str, api: ApiHandle,
                                            reader: str, applied: bool) -> None:
    if applied:
        code, out, err, _ = spawn("apply", "--no-verify", env={"SUPABASE_DB_URL": db}).finish()
        assert code == 0, out + err
    before = _snapshot(stack, db)
    rest = {"SUPABASE_URL": api.api_url, "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}
    runs = {
        "check (reader + service key)": spawn("check", "--json", env={"SUPABASE_DB_URL": reader,
                                                                   **rest}),
        "plan (reader)": spawn("plan", "--json", env={"SUPABASE_DB_URL": reader}),
        # The owner too, with every transaction read-only: any write would fail loudly.
        "check (postgres, read-only)": spawn(
            "check", "--json", env={"SUPABASE_DB_URL": db,
                                    "PGOPTIONS": "-c default_transaction_read_only=on"}),
        "plan (postgres, read-only)": spawn(
            "plan", "--json", env={"SUPABASE_DB_URL": db,
                                   "PGOPTIONS": "-c default_transaction_read_only=on"}),
    }
    for name, run in runs.items():
        code, out, err, _ = run.finish()
        assert "Traceback" not in out + err
        if applied and name == "plan (reader)":
            # It cannot read the history, so it must not claim that nothing is pending.
            assert code == 1, (name, out, err)
            assert "pending migrations are unknown" in out, out
            assert "apply would do nothing" not in out
        elif name.startswith("plan"):
            assert code == 0, (name, out, err)  # a plan was made, pending or not
        else:
            assert code == (0 if applied else 1), (name, out, err)
    assert _snapshot(stack, db) == before
    record("least privilege", catalog_reader_commands="check (with the service key), plan",
           read_only_runs=len(runs) * 2, writes_seen=0)


def test_verify_leaves_nothing_behind_when_killed(stack: LocalStack, db: str,
                                                  api: ApiHandle) -> None:
    env = {"SUPABASE_DB_URL": db, "SUPABASE_URL": api.api_url,
           "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}
    code, out, err, _ = spawn("apply", "--no-verify", env=env).finish()
    assert code == 0, out + err
    with admin(stack, db) as conn:
        # Slow the test insert down, so kills land inside verify's transaction.
        conn.execute("create function public.rel_slow() returns trigger language plpgsql as "
                     "$$ begin perform pg_sleep(0.3); return new; end $$")
        conn.execute("create trigger rel_slow before insert on public.agent_profiles "
                     "for each row execute function public.rel_slow()")
        rng = random.Random()
        outcomes: Counter[str] = Counter()
        trials = 0
        for agents_present in (True, False):
            if not agents_present:  # verify must insert (and roll back) a temporary agent
                conn.execute("delete from public.agents")
            baseline = [conn.execute(f"select count(*) from public.{t}").fetchone()
                        for t in ("agents", "agent_profiles")]
            code, out, err, full_s = spawn("verify", env=env).finish()
            # The slow trigger is drift (exit 1), yet the functional test runs and passes.
            assert code == 1, out + err
            assert 'trigger "rel_slow" not in the migrations' in out, out
            assert "inserted a profile for" in out, out
            for _ in range(5):
                trials += 1
                run = spawn("verify", env=env)
                if trials % 2:
                    time.sleep(rng.uniform(0.2, full_s))
                else:
                    wait_for(lambda p=run.proc: toolkit_backends(conn) > 0 or p.poll() is not None,
                             60, "verify to connect", step=0.005)
                    time.sleep(rng.uniform(0, 0.5))
                inside = toolkit_backends(conn, "wait_event = 'PgSleep'") > 0
                run.signal(signal.SIGKILL)
                code, *_ = run.finish()
                wait_backends_gone(conn)
                after = [conn.execute(f"select count(*) from public.{t}").fetchone()
                         for t in ("agents", "agent_profiles")]
                assert after == baseline, (after, baseline)
                outcomes["finished" if code in (0, 1) else
                         "killed inside the test transaction" if inside else
                         "killed elsewhere"] += 1
    print(f"verify SIGKILL trials: {trials}; {dict(outcomes)}; rows left behind: 0")
    record("SIGKILL during verify", trials=trials, **dict(sorted(outcomes.items())),
           rows_left_in_agents_or_agent_profiles=0)
