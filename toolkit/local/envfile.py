"""Render the stack's environment and merge it into a .env file."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


def render(env: dict[str, str], *, export: bool) -> str:
    prefix = "export " if export else ""
    return "".join(f"{prefix}{key}={shlex.quote(value)}\n" for key, value in env.items())


def merge(path: Path, env: dict[str, str]) -> None:
    """Replace our keys in `path` where they appear, keep every other line, append the rest.
    The file holds the service key: written 0600."""
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        lines = []
    pending = dict(env)
    out: list[str] = []
    for line in lines:
        match = _ASSIGN.match(line)
        key = match.group(1) if match else None
        if key in env:
            if key in pending:
                out.append(render({key: pending.pop(key)}, export=False).rstrip("\n"))
            continue  # drop duplicates of our keys
        out.append(line)
    out.extend(render(pending, export=False).splitlines())
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(out) + "\n")
    os.replace(tmp, path)
