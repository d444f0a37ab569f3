"""The migration files in `supabase/migrations/`, named and ordered as the Supabase CLI does.

A file is `<version>_<name>.sql`, version = the digits before the first `_`; anything else is
skipped with a warning, as `supabase db push` does. Order is by file name, as the CLI sorts a
directory listing (`20240108234540_a.sql` runs before `20240130_b.sql`). A UTF-8 BOM (Windows
editors) is dropped; CRLF line ends are fine as they are.

A file that cannot run inside one transaction (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD
VALUE used in the same file, VACUUM) says so with the directive `-- toolkit:no-transaction` in a
comment line before its first statement: it then runs statement by statement.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from toolkit.errors import ConfigError, MigrationFileError
from toolkit.words import plural

FILE_NAME = re.compile(r"^(\d+)_(.*)\.sql$")  # as `supabase db push` matches
NO_TRANSACTION = "toolkit:no-transaction"
_DIRECTIVE = re.compile(r"^\s*--\s*toolkit\s*:\s*no-transaction\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MigrationFile:
    version: str
    name: str
    path: Path
    sql: str

    @cached_property
    def no_transaction(self) -> bool:
        """The directive, in a comment line above the first statement."""
        for line in self.sql.splitlines():
            if _DIRECTIVE.match(line):
                return True
            stripped = line.strip()
            if stripped and not stripped.startswith("--"):
                return False
        return False

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    def first_word(self, offset: int) -> int:
        """The offset of the first word at or after `offset`, past blank space and comments:
        where a statement the parser says starts at `offset` is shown to start."""
        sql, i = self.sql, offset
        while i < len(sql):
            if sql[i].isspace():
                i += 1
            elif sql.startswith("--", i):
                nl = sql.find("\n", i)
                i = len(sql) if nl < 0 else nl + 1
            elif sql.startswith("/*", i):
                close = sql.find("*/", i + 2)
                i = len(sql) if close < 0 else close + 2
            else:
                return i
        return offset

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a 0-based character offset in the file."""
        before = self.sql[:offset]
        line = before.count("\n") + 1
        return line, offset - (before.rfind("\n") + 1) + 1


@dataclass(frozen=True)
class MigrationSet:
    directory: Path
    files: list[MigrationFile]
    warnings: list[str] = field(default_factory=list)

    def by_version(self) -> dict[str, MigrationFile]:
        return {f.version: f for f in self.files}


def discover(directory: Path) -> MigrationSet:
    """Read every migration file; a missing, unreadable or empty folder is a config error."""
    if not directory.exists():
        raise ConfigError(
            f"migrations folder {str(directory)!r} does not exist: run toolkit from the project "
            "root or pass --migrations-dir"
        )
    if not directory.is_dir():
        raise ConfigError(f"migrations path {str(directory)!r} is not a folder")
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        raise ConfigError(
            f"cannot read migrations folder {str(directory)!r}: {exc.strerror}"
        ) from None
    files: list[MigrationFile] = []
    warnings: list[str] = []
    seen: dict[str, Path] = {}
    for path in entries:
        if path.is_dir():
            continue
        m = FILE_NAME.match(path.name)
        if not m:
            warnings.append(
                f"skipping {path.name}: file name must match <timestamp>_name.sql"
            )
            continue
        version, name = m.group(1), m.group(2)
        if version in seen:
            raise ConfigError(
                f"two migration files share version {version}: {seen[version].name} and {path.name}"
            )
        seen[version] = path
        try:
            sql = path.read_text(encoding="utf-8-sig")  # drops a BOM
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise MigrationFileError(f"cannot read {path}: {reason}", path=str(path)) from None
        if "\0" in sql:
            line, col = MigrationFile(version, name, path, sql).position(sql.index("\0"))
            # The server reads a statement up to a NUL byte and no further: what follows would
            # never run, and nothing would say so.
            raise MigrationFileError(
                f"{path}:{line}:{col}: refusing {path.name}: it contains a NUL byte, where the "
                "server would stop reading the file (the statements after it would silently "
                "never run); remove it", path=str(path), line=line, column=col)
        files.append(MigrationFile(version=version, name=name, path=path, sql=sql))
    if not files:
        raise ConfigError(
            f"no migration files in {str(directory)!r}"
            + (f" ({plural(len(warnings), 'file')} skipped for their names)" if warnings else "")
        )
    files.sort(key=lambda f: f.path.name)
    return MigrationSet(directory=directory, files=files, warnings=warnings)
