"""The project's migration files and what the parser found in them, read once per command."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from toolkit.output.report import Report
from toolkit.project.migrations import MigrationFile, MigrationSet
from toolkit.project.model import Analysis, FileAnalysis


@dataclass
class Project:
    migrations: MigrationSet
    analysis: Analysis

    def pairs(self, versions: list[str] | None = None) -> list[tuple[MigrationFile, FileAnalysis]]:
        by_version = self.analysis.by_version()
        return [(f, by_version[f.version]) for f in self.migrations.files
                if versions is None or f.version in versions]


def load_project(migrations_dir: Path, report: Report,
                 migrations: MigrationSet | None = None) -> Project:
    """The files in `migrations_dir` (or `migrations`, already discovered there) and their
    analysis."""
    from toolkit.project.migrations import discover
    from toolkit.project.parse_cache import analyse

    start = time.perf_counter()
    migrations = migrations if migrations is not None else discover(migrations_dir)
    for warning in migrations.warnings:
        report.warn(warning, kind="file")
    analysis = analyse(migrations.files)
    report.timings["parse"] = (time.perf_counter() - start) * 1000
    return Project(migrations, analysis)
