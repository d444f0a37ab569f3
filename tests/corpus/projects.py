"""The corpus of migration histories in tests/projects/ and the psql side of the comparison:
what plain PostgreSQL makes of the same files, taken the way the Supabase CLI takes them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from toolkit.local import LocalStack
from toolkit.postgres.cluster import pg_bin

PROJECTS_DIR = Path(__file__).resolve().parent.parent / "projects"
# Projects whose files need extensions only Supabase's image has: the local stack (like psql on
# it) cannot apply them, so they are not compared with psql; tests/corpus/test_managed.py
# judges what the shadow makes of them.
SHADOW_ONLY = ("managed-extensions",)
PROJECTS = sorted(p.name for p in PROJECTS_DIR.iterdir()
                  if (p / "supabase").is_dir() and p.name not in SHADOW_ONLY)
# The CLI's own pattern for a migration file: version digits, underscore, name.
FILE_NAME = re.compile(r"^([0-9]+)_(.*)\.sql$")
NO_TRANSACTION = "-- toolkit:no-transaction"
BOM = b"\xef\xbb\xbf"
# pg_dump 15.14+ brackets its output with \restrict <random key>: noise, not schema.
RESTRICT = re.compile(r"^\\(un)?restrict\b")


def project_dir(project: str) -> Path:
    return PROJECTS_DIR / project


def migrations_dir(project: str) -> Path:
    return project_dir(project) / "supabase" / "migrations"


def migration_files(project: str) -> list[Path]:
    """The project's files in the CLI's order: file name order, not numeric version order."""
    return sorted((f for f in migrations_dir(project).iterdir() if FILE_NAME.match(f.name)),
                  key=lambda f: f.name)


def version(path: Path) -> str:
    match = FILE_NAME.match(path.name)
    assert match, path.name
    return match.group(1)


def first_line(path: Path) -> str:
    raw = path.read_bytes().removeprefix(BOM)
    return raw.split(b"\n", 1)[0].decode("utf-8").rstrip("\r").strip()


def runs_outside_transaction(path: Path) -> bool:
    return first_line(path) == NO_TRANSACTION


def psql_apply(url: str, files: list[Path]) -> None:
    """Apply each file with psql as the URL's role: one transaction per file (-1), except a
    file that asks for none; stop at the first error and fail with psql's own words."""
    for path in files:
        single = [] if runs_outside_transaction(path) else ["--single-transaction"]
        done = subprocess.run(
            [str(pg_bin("psql")), "-X", "-q", "-v", "ON_ERROR_STOP=1", *single,
             "-f", str(path), url],
            capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "10"})
        assert done.returncode == 0, f"psql failed on {path.name}: {done.stderr.strip()}"


def schema_dump(stack: LocalStack, dbname: str) -> list[str]:
    """pg_dump --schema-only --no-owner of one database, read as the cluster superuser,
    without the migration history schema (only one side has it) and pg_dump's random
    \\restrict key."""
    done = subprocess.run(
        [str(pg_bin("pg_dump")), "--schema-only", "--no-owner",
         "--exclude-schema=supabase_migrations", "-d", stack.admin_url(dbname)],
        capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr.strip()
    return [line for line in done.stdout.splitlines() if not RESTRICT.match(line)]
