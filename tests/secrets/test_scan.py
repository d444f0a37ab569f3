"""Every output toolkit printed during this session, as logged by run_toolkit and the
reliability tests, holds no secret the session used. Marked runs_last: tests/conftest.py's
collection hook runs it after every other test of the session, wherever it sorts."""

from __future__ import annotations

import re

import pytest

from tests.conftest import OUTPUT_LOG, SESSION_SECRETS
from tests.reliability.helpers import record
from toolkit.local import LocalStack

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}")
OPAQUE = re.compile(r"sb_(?:secret|publishable)_[A-Za-z0-9_-]{8,}")


def _printed(log: str) -> list[str]:
    """What toolkit printed: not the `$ toolkit ...` lines (the test's own command lines, which
    may carry a password on purpose), not `::add-mask::` (the secret handed to GitHub's masker
    is the one place it must appear)."""
    return [line for line in log.splitlines()
            if not line.startswith("$ toolkit ") and not line.startswith("::add-mask::")]


@pytest.mark.runs_last
def test_no_secret_in_any_output(request: pytest.FixtureRequest, stack: LocalStack) -> None:
    others = [item for item in request.session.items if item.path != request.node.path]
    if not others:
        pytest.skip("nothing else ran in this session")
    assert request.session.items[-1] is request.node, "the scan must run after every other test"
    log = OUTPUT_LOG.read_text(encoding="utf-8")
    assert log.strip(), f"{OUTPUT_LOG} is empty: run_toolkit did not log"
    lines = _printed(log)
    secrets = {stack.db_password, stack.jwt_secret, stack.anon_key, stack.service_role_key,
               stack.publishable_key, stack.secret_key, stack.authenticator_password,
               *SESSION_SECRETS}
    leaks = []
    for n, line in enumerate(lines):
        for secret in secrets:
            if secret and len(secret) >= 6 and secret in line:
                leaks.append(f"line {n}: a session secret ({secret[:3]}...): {line[:120]}")
        if JWT.search(line) or OPAQUE.search(line):
            leaks.append(f"line {n}: something shaped like a key: {line[:120]}")
    assert not leaks, "\n".join(leaks[:20])
    record("secret scan (every toolkit output of the session)", output_lines=len(lines),
           commands_logged=log.count("\n$ toolkit ") + log.startswith("$ toolkit "),
           secrets_looked_for=len(secrets), found=0)
