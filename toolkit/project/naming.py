"""Naming a new migration file as the Supabase CLI does: `<UTC yyyymmddhhmmss>_<name>.sql`,
never over an existing version; used by `migration new`, `diff -f` and `pull -f`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from toolkit.errors import ConfigError
from toolkit.project.migrations import FILE_NAME

_NAME_MAX = 255  # bytes in a file name, on every file system toolkit runs on


def local_versions(directory: Path) -> dict[str, Path]:
    """version -> file, for the files named as the CLI expects (others are ignored here)."""
    if not directory.is_dir():
        return {}
    out: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        m = FILE_NAME.match(path.name)
        if m and path.is_file():
            out.setdefault(m.group(1), path)
    return out


def new_migration_name(migrations_dir: Path, version: str, name: str) -> str:
    """<version>_<name>.sql, once the name is one a file may have and the version is free."""
    if not name.strip():
        raise ConfigError("the migration needs a name, e.g. toolkit migration new add_due_date")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ConfigError(f"migration name {name!r} contains a path separator: give a plain "
                          "name such as add_due_date")
    longest = _NAME_MAX - len(f"{version}_.sql")
    if len(name.encode()) > longest:
        raise ConfigError(f"migration name is {len(name.encode())} bytes long: file names end "
                          f"at {_NAME_MAX} bytes, so keep it to {longest} (e.g. add_due_date)")
    if any(not c.isprintable() for c in name):
        raise ConfigError("the migration name contains a control character: give a plain name "
                          "such as add_due_date")
    existing = local_versions(migrations_dir)
    if version in existing:
        raise ConfigError(f"version {version} already exists ({existing[version].name}): wait "
                          "a second and run it again")
    return f"{version}_{name}.sql"


def new_migration(migrations_dir: Path, name: str, *, rollback: bool,
                  now: datetime | None = None, sql: str = "") -> list[Path]:
    """Write <timestamp>_<name>.sql holding `sql` (empty by default; the CLI writes what is
    piped to it) and, with `rollback`, an empty rollback file; return the paths."""
    version = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    filename = new_migration_name(migrations_dir, version, name)
    paths = [migrations_dir / filename]
    if rollback:
        paths.append(migrations_dir.parent / "rollbacks" / filename)
    for path, text in zip(paths, (sql, ""), strict=False):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as out:  # "x": never overwrite a file
                out.write(text)
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    return paths
