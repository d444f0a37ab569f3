"""The docs that are generated from the code must match it, and the README must stay short."""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.cli.docs import PAGE, render

ROOT = Path(__file__).resolve().parents[2]


def test_commands_page_is_what_the_cli_says() -> None:
    committed = PAGE.read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/commands.md is stale: run `.venv/bin/python -m toolkit.cli.docs --write` and "
        "commit it")


def test_commands_page_covers_every_command() -> None:
    text = render()
    for command in ("check", "plan", "apply", "verify", "rollback", "migration new",
                    "migration list", "migration repair", "local start", "local reset",
                    "local env"):
        assert f"## `toolkit {command}`" in text


def test_readme_is_short_and_its_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) <= 8 * 1024
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_architecture_names_only_modules_that_exist() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("```")[1]
    named = 0
    for line in block.splitlines():
        if not line.startswith("toolkit/"):
            continue
        column = re.split(r"\s{2,}", line)[0]
        for piece in re.split(r"[,\s]+", column):
            if not piece:
                continue
            pattern = piece if piece.startswith("toolkit/") else f"toolkit/{piece}"
            assert list(ROOT.glob(pattern.rstrip("/"))), f"architecture.md names {piece}"
            named += 1
    assert named > 30
