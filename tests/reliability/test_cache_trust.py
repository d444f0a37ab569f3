"""The embedded shadow PostgreSQL and the cache folder it is built from: the server gets only
the environment it needs, a cache folder or template someone else could have written is
refused (never repaired and then trusted), and a full or read-only cache folder is one clear
line. Real PostgreSQL throughout; the full and read-only folders are real tmpfs mounts."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.conftest import SESSION_SECRETS, SHADOW, run_toolkit
from tests.reliability.helpers import one_line_error
from toolkit.local import LocalStack
from toolkit.oracle.embedded import embedded_shadow, find_binaries, template_key
from toolkit.postgres.osuser import server_user

EMBEDDED = {"TOOLKIT_SHADOW_DB_URL": ""}  # empty: the embedded server, not the session's


def test_the_shadow_server_gets_no_secret(stack: LocalStack,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    planted = {"SUPABASE_SERVICE_ROLE_KEY": f"sb_secret_{secrets.token_hex(12)}",
               "SUPABASE_DB_URL": f"postgresql://postgres:{secrets.token_hex(8)}@h/postgres",
               "PGRST_JWT_SECRET": secrets.token_hex(16)}
    SESSION_SECRETS.update(planted.values())
    for name, value in planted.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", SHADOW["TOOLKIT_CACHE_DIR"])
    with embedded_shadow() as shadow:
        work = Path(conninfo_to_dict(shadow.conninfo)["host"])  # type: ignore[arg-type]
        pid = int((work / "data" / "postmaster.pid").read_text().splitlines()[0])
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    names = {item.split(b"=", 1)[0].decode() for item in environ if item}
    assert "PATH" in names, names
    for name, value in planted.items():
        assert name not in names
        assert not any(value.encode() in item for item in environ)


def _check(cache: Path, db: str) -> tuple[int, str]:
    result = run_toolkit("check", env={"SUPABASE_DB_URL": db, **EMBEDDED,
                                       "TOOLKIT_CACHE_DIR": str(cache)})
    return result.code, one_line_error(result.stderr) if result.code == 2 else result.output


def test_a_world_writable_cache_folder_is_refused_not_repaired(db: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    code, line = _check(cache, db)
    assert code == 2, line
    assert f"the cache folder {cache} is writable by other users" in line
    assert cache.stat().st_mode & 0o777 == 0o777  # left as it was: not chmod-ed and trusted


@pytest.mark.skipif(os.geteuid() != 0, reason="planting another user's files needs root")
def test_a_template_planted_by_another_user_is_refused(db: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    planted = cache / template_key(find_binaries())
    planted.mkdir()
    (planted / "PG_VERSION").write_text("15\n")
    other = server_user()
    os.chown(planted, other.uid, other.gid)
    code, line = _check(cache, db)
    assert code == 2, line
    assert f"the shadow template {planted} belongs to another user" in line


@contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_a_full_cache_disk(db: str, tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "full", "size=64k,mode=0700") as cache:
        code, line = _check(cache, db)
    assert code == 2, line
    assert "cannot write the shadow template into the cache folder" in line
    assert "No space left on device" in line


def test_a_read_only_cache_folder(db: str, tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "ro,size=64k,mode=0700") as cache:
        code, line = _check(cache, db)
    assert code == 2, line
    assert "cannot write the shadow template into the cache folder" in line
    assert "Read-only file system" in line
