"""A signal that arrives after the outcome is decided does not change the exit code.
Made deterministic: toolkit's stdout is a pipe the test has filled, so toolkit
blocks writing its report (the outcome decided) until the test sends SIGTERM and SIGINT and
only then drains the pipe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import ROOT, run_toolkit
from tests.reliability.helpers import child_env


def _full_pipe() -> tuple[int, int]:
    r, w = os.pipe()
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"#" * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(w, True)
    return r, w


def _blocked_writing(pid: int) -> bool:
    try:
        return "pipe_write" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


def test_signals_while_printing_the_report_keep_the_exit_code(db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", "--no-verify", env=env).code == 0
    r, w = _full_pipe()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "check"], stdout=w,
                            stderr=subprocess.PIPE, env=child_env(env), cwd=ROOT)
    os.close(w)
    try:
        deadline = time.monotonic() + 60
        while not _blocked_writing(proc.pid):
            assert proc.poll() is None, "toolkit ended before writing its report"
            assert time.monotonic() < deadline, "toolkit never started writing its report"
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        proc.send_signal(signal.SIGINT)
        chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(r, 65536),
                                                                    b"")))
        reader.start()
        code = proc.wait(timeout=60)
        reader.join(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(r)
    out = b"".join(chunks).decode().lstrip("#")
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert code == 0, (code, out, err)
    assert out.rstrip().endswith("OK: 12/12 tables present (exit 0)"), out
    assert "interrupted" not in err
