"""Where each part of a stack lives inside its state directory, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_STATE_DIR = "TOOLKIT_LOCAL_DIR"
DEFAULT_STATE_DIR = Path(".toolkit") / "local"


def default_state_dir() -> Path:
    """`$TOOLKIT_LOCAL_DIR`, else `.toolkit/local` under the current directory."""
    value = os.environ.get(ENV_STATE_DIR)
    return Path(value) if value else DEFAULT_STATE_DIR


def temp_state_dir(prefix: str) -> Path:
    """A fresh state directory under /tmp for a throwaway stack (tests, benchmark). Not
    pytest's tmp_path: /tmp/pytest-of-root is 0700, and as root the cluster runs as an
    unprivileged user that must be able to reach its data directory."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(path, 0o711)
    return path


@dataclass(frozen=True)
class Paths:
    root: Path

    @classmethod
    def of(cls, state_dir: Path) -> Paths:
        # Absolute, so paths written into configs and compared against /proc cmdlines are stable.
        return cls(Path(os.path.abspath(state_dir)))

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    @property
    def run(self) -> Path:
        """Unix socket directory of the cluster (owned by the server user, mode 0700)."""
        return self.root / "run"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def conf(self) -> Path:
        """Generated configs holding secrets (mode 0600 files)."""
        return self.root / "conf"

    @property
    def apis(self) -> Path:
        """One record per extra API pair started by `serve_api`, so `stop` can clean leftovers."""
        return self.root / "apis"
