"""start/stop/status against real processes: idempotence, isolation, verified PIDs."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import httpx
import psycopg

from toolkit.local import LocalStack, load, start, status, stop
from toolkit.local.paths import Paths
from toolkit.local.state import read_state, write_state
from toolkit.postgres import procs


def test_start_is_idempotent_and_fast(stack: LocalStack) -> None:
    pids = {p.name: p.pid for p in status(stack.state_dir).parts}
    began = time.monotonic()
    again = start(stack.state_dir)
    took = time.monotonic() - began
    assert again == stack
    assert load(stack.state_dir) == stack
    # Fast because nothing is started again: the very same processes serve.
    assert {p.name: p.pid for p in status(stack.state_dir).parts} == pids
    # A generous bound, not a speed target (a busy 2-core runner stalls for seconds): it only
    # catches a start that sat out a readiness timeout (api.READY_TIMEOUT) instead.
    assert took < 10, took


def test_status_reports_running_parts(stack: LocalStack) -> None:
    st = status(stack.state_dir)
    assert st.running
    ports = {p.name: p.port for p in st.parts}
    assert ports == {"postgres": stack.db_port, "postgrest": stack.postgrest_port,
                     "gateway": stack.api_port}  # fmt: skip
    assert all(p.running and p.pid for p in st.parts)
    text = str(st.to_json())
    assert stack.service_role_key not in text and stack.db_password not in text


def test_state_file_is_private(stack: LocalStack) -> None:
    paths = Paths.of(stack.state_dir)
    assert stat.S_IMODE(paths.state_file.stat().st_mode) == 0o600
    for conf in paths.conf.iterdir():
        assert stat.S_IMODE(conf.stat().st_mode) == 0o600


def test_listens_on_loopback_only(stack: LocalStack) -> None:
    with psycopg.connect(stack.db_url()) as conn:
        row = conn.execute("select current_setting('listen_addresses')").fetchone()
    assert row == ("127.0.0.1",)


def test_two_stacks_side_by_side_and_stop_only_own(
    stack: LocalStack, other_state_dir: Path
) -> None:
    other_dir = other_state_dir
    began = time.monotonic()
    other = start(other_dir)
    first_s = time.monotonic() - began
    with psycopg.connect(other.db_url(), autocommit=True) as conn:
        conn.execute("create table public.kept_across_restart (id int)")
    assert {other.db_port, other.api_port, other.postgrest_port}.isdisjoint(
        {stack.db_port, stack.api_port, stack.postgrest_port}
    )
    assert other.jwt_secret != stack.jwt_secret
    for s in (stack, other):
        r = httpx.get(f"{s.api_url}/rest/v1/agents?select=id", headers={"apikey": s.secret_key})
        assert r.status_code == 200 and len(r.json()) == 2
    # A key of one stack is not a key of the other.
    r = httpx.get(f"{other.api_url}/rest/v1/agents", headers={"apikey": stack.secret_key})
    assert r.status_code == 401

    other_pids = [p.pid for p in status(other_dir).parts]
    assert stop(other_dir) is True
    assert all(procs.cmdline(pid) is None for pid in other_pids if pid)
    assert not status(other_dir).running
    assert status(stack.state_dir).running
    assert httpx.get(f"{stack.api_url}/health").status_code == 200
    assert stop(other_dir) is False  # nothing left to stop

    # Restart after stop: same keys and ports (when still free), data kept.
    began = time.monotonic()
    again = start(other_dir)
    restart_s = time.monotonic() - began
    assert again.service_role_key == other.service_role_key
    assert (again.db_port, again.api_port) == (other.db_port, other.api_port)
    r = httpx.get(
        f"{again.api_url}/rest/v1/agents?select=id", headers={"apikey": again.secret_key}
    )
    assert len(r.json()) == 2
    with psycopg.connect(again.db_url()) as conn:  # the cluster was kept, not made anew
        assert conn.execute("select to_regclass('public.kept_across_restart')").fetchone() == (
            "kept_across_restart",)
    # A ratio, not a wall-clock target: a restart reuses the cluster, so it must not cost
    # more than the first start, which ran initdb and the bootstrap too (2x: load varies).
    assert restart_s < 2 * first_s, (restart_s, first_s)


def test_stop_never_signals_a_pid_that_is_not_ours(other_state_dir: Path) -> None:
    start(other_state_dir)
    paths = Paths.of(other_state_dir)
    bystander = subprocess.Popen(["sleep", "30"])
    try:
        state = read_state(paths)
        assert state is not None
        real = state.pids["gateway"]["pid"]
        # A stale PID now belonging to someone else: must be left alone.
        state.pids["gateway"]["pid"] = bystander.pid
        write_state(paths, state)
        stop(other_state_dir)
        assert bystander.poll() is None
        os.kill(real, 15)  # clean up the gateway we hid from stop()
    finally:
        bystander.kill()
        bystander.wait()


def test_start_repairs_a_half_started_stack(other_state_dir: Path) -> None:
    first = start(other_state_dir)
    state = read_state(Paths.of(other_state_dir))
    assert state is not None
    procs.terminate(state.pids["postgrest"]["pid"], state.pids["postgrest"]["marker"])
    assert not status(other_state_dir).running
    again = start(other_state_dir)
    assert status(other_state_dir).running
    r = httpx.get(f"{again.api_url}/rest/v1/agents?select=id", headers={"apikey": first.secret_key})
    assert r.status_code == 200


def test_restart_moves_off_ports_taken_meanwhile(other_state_dir: Path) -> None:
    import socket

    first = start(other_state_dir)
    stop(other_state_dir)
    squatters = []
    try:
        for port in (first.db_port, first.api_port):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen()
            squatters.append(sock)
        again = start(other_state_dir)
        assert again.db_port != first.db_port and again.api_port != first.api_port
        assert again.service_role_key == first.service_role_key
        r = httpx.get(
            f"{again.api_url}/rest/v1/agents?select=id", headers={"apikey": again.secret_key}
        )
        assert r.status_code == 200
    finally:
        for sock in squatters:
            sock.close()
