"""What `supabase/config.toml` (the Supabase CLI's project file) says that toolkit uses: the
project id, the schemas the API exposes, the database's major version, the seed files and the
declarative schema folders. Read with the stdlib's tomllib; flags and environment still win."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None = None  # None: the project has no config.toml
    project_id: str | None = None
    api_schemas: tuple[str, ...] | None = None  # [api] schemas
    major_version: int | None = None  # [db] major_version
    seed_enabled: bool = True  # [db.seed] enabled
    seed_paths: tuple[str, ...] | None = None  # [db.seed] sql_paths, relative to supabase/
    schema_paths: tuple[str, ...] = ()  # [db.migrations] schema_paths, relative to supabase/

    def seed_files(self, supabase_dir: Path) -> list[Path]:
        """The seed files `supabase db reset` runs, in order: each path or glob of sql_paths
        (relative to supabase/, globs sorted, each file once); default seed.sql."""
        if not self.seed_enabled:
            return []
        found: list[Path] = []
        for pattern in self.seed_paths if self.seed_paths is not None else ("seed.sql",):
            matches = sorted(supabase_dir.glob(pattern.removeprefix("./"))) if any(
                c in pattern for c in "*?[") else [supabase_dir / pattern.removeprefix("./")]
            found += [m for m in matches if m.is_file() and m not in found]
        return found


def _strings(value: Any, where: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {where} must be a list of strings")
    return tuple(value)


def load_config(supabase_dir: Path) -> ProjectConfig:
    path = supabase_dir / "config.toml"
    if not path.is_file():
        return ProjectConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read: {exc.strerror}") from None
    api = data.get("api", {})
    db = data.get("db", {})
    seed = db.get("seed", {}) if isinstance(db, dict) else {}
    migrations = db.get("migrations", {}) if isinstance(db, dict) else {}
    if not all(isinstance(t, dict) for t in (api, db, seed, migrations)):
        raise ConfigError(f"{path}: [api], [db], [db.seed] and [db.migrations] must be tables")
    project_id = data.get("project_id")
    if project_id is not None and not isinstance(project_id, str):
        raise ConfigError(f"{path}: project_id must be a string")
    major = db.get("major_version")
    if major is not None and (isinstance(major, bool) or not isinstance(major, int)):
        raise ConfigError(f"{path}: [db] major_version must be a number such as 15 or 17")
    enabled = seed.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{path}: [db.seed] enabled must be true or false")
    return ProjectConfig(
        path=path,
        project_id=project_id or None,
        api_schemas=_strings(api["schemas"], "[api] schemas", path) if "schemas" in api
        else None,
        major_version=major,
        seed_enabled=enabled,
        seed_paths=_strings(seed["sql_paths"], "[db.seed] sql_paths", path)
        if "sql_paths" in seed else None,
        schema_paths=_strings(migrations["schema_paths"], "[db.migrations] schema_paths", path)
        if "schema_paths" in migrations else (),
    )
