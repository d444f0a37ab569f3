"""The REST probes' process against the real gateway: its answers come back as probes, and the
parent that asked never imports the Supabase client (whose import is what the process is for)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from toolkit.local import ApiHandle

ASK = """
import json, os, sys
from toolkit.rest import worker
found = worker.ask(worker.spawn(), os.environ["API_URL"], os.environ["API_KEY"],
                   ["toolkit_test_absent"], 10)
print(json.dumps({"probes": [[p.table, p.state, p.from_postgrest] for p in found],
                  "imported": sorted(m for m in ("supabase", "postgrest", "toolkit.rest.client")
                                     if m in sys.modules)}))
"""


def test_the_parent_gets_postgrest_answers_without_the_client(api: ApiHandle) -> None:
    done = subprocess.run([sys.executable, "-c", ASK], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "API_URL": api.api_url,
                                           "API_KEY": api.service_role_key})
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["probes"] == [["toolkit_test_absent", "missing", True]]
    assert doc["imported"] == []
