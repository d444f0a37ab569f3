"""The user's cache folder: JSON documents keyed by a digest of everything they depend on.

Never pickle: a cache file is data, and loading it must not run code. The folder is created
0700 and must belong to the user (a folder another user could write into would let them feed
us a verdict), and so must each entry: anything else is ignored, never repaired and trusted.
Any failure to read or write just means computing again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def toolkit_version() -> str:
    import toolkit

    return str(toolkit.__version__)


class Key:
    """A cache key: SHA-256 over toolkit's version, the kind and every part it depends on, each
    part after a NUL; grown part by part, so a chain of prefixes (file 1, files 1-2, ...) costs
    one step each. The one way every cache entry is keyed."""

    def __init__(self, kind: str, *parts: str | bytes) -> None:
        self._h = hashlib.sha256(f"{kind}\0{toolkit_version()}".encode())
        self.add(*parts)

    def add(self, *parts: str | bytes) -> Key:
        for part in parts:
            self._h.update(b"\0" + (part if isinstance(part, bytes) else part.encode()))
        return self

    def hex(self, length: int = 32) -> str:
        return self._h.hexdigest()[:length]


def cache_dir() -> Path:
    explicit = os.environ.get("TOOLKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "toolkit"


def untrusted(st: os.stat_result) -> str | None:
    """Why a cache folder or entry is not safely ours (None when it is): another user made it,
    or others may write into it."""
    if st.st_uid != os.geteuid():
        return "belongs to another user"
    if st.st_mode & 0o022:
        return "is writable by other users"
    return None


def _folder(kind: str) -> Path | None:
    """cache_dir()/kind, created 0700; None when it is not safely ours (never repaired)."""
    root = cache_dir()
    folder = root / kind
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        for path in (root, folder):
            if untrusted(path.lstat()):
                return None
    except OSError:
        return None
    return folder


def load(kind: str, key: str) -> Any | None:
    folder = _folder(kind)
    if folder is None:
        return None
    try:
        # O_NOFOLLOW and fstat: the file judged is the file read.
        fd = os.open(folder / f"{key}.json", os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(fd, encoding="utf-8") as fh:
            if untrusted(os.fstat(fh.fileno())):
                return None
            return json.load(fh)
    except (OSError, ValueError):
        return None


def store(kind: str, key: str, doc: Any) -> None:
    folder = _folder(kind)
    if folder is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            # dumps, not dump: dump streams through the pure-Python encoder, about five times
            # slower than the C one dumps uses (a 900-table state: 0.15 s against 0.03 s).
            fh.write(json.dumps(doc, separators=(",", ":")))
        os.replace(tmp, folder / f"{key}.json")  # atomic: a reader never sees half a file
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
