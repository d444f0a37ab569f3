"""Which OS user runs the PostgreSQL server. initdb and pg_ctl refuse root, so as root we run
them as a dedicated unprivileged system user; otherwise as ourselves."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ServerError

SERVER_USER = "toolkit-pg"


@dataclass(frozen=True)
class ServerUser:
    uid: int
    gid: int
    name: str
    switch: bool  # True when we are root and must drop to this user

    def popen_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for subprocess to run a command as this user."""
        if not self.switch:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, *paths: Path) -> None:
        if self.switch:
            for path in paths:
                os.chown(path, self.uid, self.gid)

    def env(self) -> dict[str, str]:
        """HOME/USER for the server user: tools behave oddly with root's HOME."""
        if not self.switch:
            return {}
        return {"HOME": "/", "USER": self.name, "LOGNAME": self.name}


def server_user() -> ServerUser:
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return ServerUser(entry.pw_uid, entry.pw_gid, entry.pw_name, switch=False)
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        entry = _create_user()
    return ServerUser(entry.pw_uid, entry.pw_gid, entry.pw_name, switch=True)


def _create_user() -> pwd.struct_passwd:
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    nologin = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
    argv = [
        useradd,
        "--system",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        nologin,
        "--user-group",
        SERVER_USER,
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise ServerError(
            f"cannot create OS user {SERVER_USER} to run PostgreSQL as non-root: "
            + (detail[-1] if detail else f"useradd exited {proc.returncode}")
        ) from None


def check_reachable(user: ServerUser, directory: Path) -> None:
    """The server user must be able to reach the state dir (every parent searchable)."""
    if not user.switch:
        return
    proc = subprocess.run(["test", "-x", str(directory)], check=False, **user.popen_kwargs())
    if proc.returncode != 0:
        raise ServerError(
            f"state dir {directory} is not reachable by OS user {user.name} (a parent directory "
            "is not searchable); use a state dir under a world-searchable path"
        )
