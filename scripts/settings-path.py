#!/usr/bin/env python3
"""Which of toolkit's modules a command's settings enter, in the order they first do: the
command runs in-process under a profiler that notes every toolkit function called with the
Settings object among its arguments. A measure of how far a reader follows one run.

    SUPABASE_DB_URL=postgresql://... .venv/bin/python scripts/settings-path.py apply --json

The command's own output goes to stdout as usual; the modules go to stderr, one a line, then
their count. The run leaves through os._exit, so the list is printed from that hook.
"""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

from toolkit.settings import Settings


def main(argv: list[str]) -> None:
    seen: dict[str, None] = {}

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("toolkit") or module in seen:
            return
        code = frame.f_code
        args = [frame.f_locals.get(n) for n in
                code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]]
        if any(isinstance(a, Settings) for a in args) or isinstance(frame.f_locals.get("self"),
                                                                    Settings):
            seen[module] = None

    real_exit = os._exit

    def leave(code: int) -> Any:
        sys.setprofile(None)
        import threading

        threading.setprofile(None)  # type: ignore[arg-type]
        ours = [m for m in seen if m != "toolkit.settings"]
        sys.stderr.write("\n".join(ours) + f"\n{len(ours)} modules (toolkit.settings aside)\n")
        sys.stderr.flush()
        real_exit(code)

    os._exit = leave  # type: ignore[assignment]
    import threading

    threading.setprofile(profile)
    sys.setprofile(profile)
    from toolkit.cli.app import main as toolkit

    sys.argv = ["toolkit", *argv]
    toolkit()


if __name__ == "__main__":
    main(sys.argv[1:])
