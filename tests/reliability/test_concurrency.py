"""Eight `toolkit apply` at once against one database: one applies, the others queue on the
advisory lock, then find nothing pending. All exit 0; one history row."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.conftest import admin
from tests.reliability.helpers import (
    db_state,
    record,
    slow_migrations,
    spawn,
    toolkit_backends,
)
from toolkit.local import LocalStack

RUNS = 8


def test_eight_concurrent_applies(stack: LocalStack, db: str, migrations_copy: Path) -> None:
    # A slower file (about 2 s in its transaction) so the other seven arrive while it runs.
    slow_migrations(migrations_copy, 0.2)
    args = ("apply", "--json", "--no-verify", "--migrations-dir", str(migrations_copy))
    most_waiting = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal most_waiting
        with admin(stack, db) as conn:
            while not stop.is_set():
                waiting = toolkit_backends(conn, "wait_event = 'advisory'")
                most_waiting = max(most_waiting, waiting)
                time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        runs = [spawn(*args, env={"SUPABASE_DB_URL": db}) for _ in range(RUNS)]
        results = [run.finish(timeout=120) for run in runs]
    finally:
        stop.set()
        watcher.join()
    for code, out, err, _ in results:
        assert code == 0, out + err
    reports = [json.loads(out) for _, out, _, _ in results]
    appliers = [r for r in reports if r["applied"]]
    assert len(appliers) == 1, reports
    assert [a["version"] for a in appliers[0]["applied"]] == ["20261126021500"]
    waited = [r for r in reports if any("while this one waited" in n for n in r["notes"])]
    late = [r for r in reports if any("nothing pending" in n for n in r["notes"])]
    assert len(waited) + len(late) == RUNS - 1, reports
    # The lock made them queue (rather than fail on lock_timeout): at least one waited on it.
    assert waited and most_waiting >= 1, (len(waited), most_waiting)
    with admin(stack, db) as conn:
        assert db_state(conn) == (11, 1)
    record("concurrency", processes=RUNS, applied_by=1, waited_on_the_lock=len(waited),
           found_nothing_pending=len(late), most_waiting_at_once=most_waiting,
           history_rows=1, exit_codes=sorted({c for c, *_ in results}))
