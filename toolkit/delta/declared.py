"""The declared schema: the files in supabase/schemas/, or those `[db.migrations] schema_paths`
of supabase/config.toml names, in the order `supabase db diff` loads them: each path or glob
in turn (relative to supabase/, a glob's matches in lexical order, each file once); by default
every .sql file under supabase/schemas/, in lexical order of its path."""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import ConfigError
from toolkit.project.config import ProjectConfig
from toolkit.project.migrations import MigrationFile

SCHEMAS_DIR = "schemas"


def declared_paths(supabase_dir: Path, config: ProjectConfig) -> list[Path]:
    if not config.schema_paths:
        folder = supabase_dir / SCHEMAS_DIR
        return sorted((p for p in folder.rglob("*.sql") if p.is_file()),
                      key=lambda p: p.relative_to(folder).parts) if folder.is_dir() else []
    found: list[Path] = []
    for pattern in config.schema_paths:
        pattern = pattern.removeprefix("./")
        if any(c in pattern for c in "*?["):
            matches = sorted(supabase_dir.glob(pattern))
        else:
            path = supabase_dir / pattern
            matches = sorted(path.rglob("*.sql")) if path.is_dir() else [path]
        found += [m for m in matches if m.is_file() and m not in found]
    return found


def declared_files(supabase_dir: Path, config: ProjectConfig) -> list[MigrationFile]:
    """The declared files as the replay reads them (a version of their place in the order:
    they are no migrations and have none)."""
    out: list[MigrationFile] = []
    for i, path in enumerate(declared_paths(supabase_dir, config)):
        try:
            sql = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigError(f"cannot read {path}: {reason}") from None
        out.append(MigrationFile(version=f"{i:06d}", name=path.stem, path=path, sql=sql))
    return out
