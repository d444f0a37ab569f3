"""The wait descriptions and the limits toolkit puts on its own reads and connections."""

from __future__ import annotations

from toolkit.db.connect import connect_kwargs
from toolkit.db.waits import Blocker, Limits
from toolkit.settings import load_settings


def test_a_relation_lock_is_named_with_its_holder() -> None:
    blocker = Blocker("Lock", "relation", "relation", "public.agents", 4242,
                      "idle in transaction", 31, "lock table public.agents in access ex")
    assert blocker.on_relation_lock
    assert blocker.describe() == ("waiting for a lock on public.agents held by pid 4242 (idle "
                                  "in transaction for 31 s: lock table public.agents in access "
                                  "ex)")


def test_an_advisory_lock_is_another_toolkit_run_and_not_a_lock_timeout() -> None:
    blocker = Blocker("Lock", "advisory", "advisory", None, 7, "active", 2, "select 1")
    assert not blocker.on_relation_lock  # queueing behind another apply is not timed as one
    assert blocker.describe() == ("waiting for another toolkit run to finish (its advisory lock "
                                  "held by pid 7) (active for 2 s: select 1)")


def test_another_sessions_literals_are_never_shown() -> None:
    blocker = Blocker("Lock", "relation", "relation", "public.t", 9, "active", 1,
                      "alter role app password 'hunter2' valid until 'infin")
    text = blocker.describe() or ""
    assert "hunter2" not in text and "infin" not in text
    assert "alter role app password '…' valid until '…'" in text
    dollar = Blocker("Lock", "relation", "relation", "public.t", 9, "active", 1,
                     "do $x$ begin perform set_config('k', 'secret', false)")
    assert "secret" not in (dollar.describe() or "")


def test_a_hidden_session_and_no_wait() -> None:
    hidden = Blocker("Lock", "relation", "relation", "public.t", 9, None, None, None)
    assert hidden.describe() == ("waiting for a lock on public.t held by pid 9 (another role's "
                                 "session: its state is hidden from this role)")
    assert Blocker("Timeout", "PgSleep", None, None, None, None, None, None).describe() is None


def test_reads_carry_both_timeouts_locally() -> None:
    text = Limits(lock_ms=2000, statement_ms=3000).read_sql()
    assert "set local lock_timeout = '2000ms'" in text
    assert "set local statement_timeout = '3000ms'" in text


def test_every_connection_has_keepalives_unless_the_url_says_otherwise() -> None:
    kwargs = connect_kwargs(load_settings(
        {"SUPABASE_DB_URL": "postgresql://postgres:pw@127.0.0.1:5432/postgres"},
        environ={}, env_file=None))
    assert kwargs["keepalives"] == 1 and kwargs["tcp_user_timeout"] > 0
    # A dead peer is noticed within a minute of silence.
    assert kwargs["keepalives_idle"] + kwargs["keepalives_interval"] * \
        kwargs["keepalives_count"] <= 60
    own = connect_kwargs(load_settings(
        {"SUPABASE_DB_URL": "postgresql://postgres:pw@127.0.0.1:5432/postgres?keepalives_idle=99"},
        environ={}, env_file=None))
    assert "keepalives_idle" not in own
