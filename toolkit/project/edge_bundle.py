"""The Edge Function's bundle as a file of the project: bundle.gen.ts records the SHA-256 of
every migration it was built from, compared here with supabase/migrations/, since a function
deployed from an old bundle answers from old migrations. Read by `toolkit check` and by the
generator (toolkit.edge.bundle --check); it computes nothing, so check never loads edge/."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from toolkit.output.report import Report
from toolkit.project.migrations import FILE_NAME

FUNCTION = Path("supabase") / "functions" / "migration-guide"
BUNDLE = FUNCTION / "bundle.gen.ts"
OPEN = "export const BUNDLE: Bundle = "


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_bundle(path: Path) -> dict[str, Any] | None:
    """The bundle's document, or None when there is none (or it is not ours)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    start = text.find(OPEN)
    if start < 0:
        return None
    body = text[start + len(OPEN):].rstrip().removesuffix(";")
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _bundled(doc: dict[str, Any]) -> dict[str, str]:
    return {Path(m["file"]).name: m["sha256"] for m in doc.get("migrations", [])
            if isinstance(m, dict) and "file" in m and "sha256" in m}


def _on_disk(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for path in folder.iterdir():
        if path.is_file() and FILE_NAME.match(path.name):
            try:
                # As toolkit.project.migrations reads a file: BOM dropped, universal newlines.
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            out[path.name] = _digest(text)
    return out


def bundle_stale(project_root: Path) -> str | None:
    """One line when the bundle was built from other migration files than the folder holds;
    None when it matches, or when the project has no such function."""
    doc = read_bundle(project_root / BUNDLE)
    if doc is None:
        return None
    bundled = _bundled(doc)
    disk = _on_disk(project_root / "supabase" / "migrations")
    added = sorted(set(disk) - set(bundled))
    removed = sorted(set(bundled) - set(disk))
    changed = sorted(n for n in set(disk) & set(bundled) if disk[n] != bundled[n])
    if not (added or removed or changed):
        return None
    parts = [f"{label} {', '.join(names)}" for label, names in
             (("not bundled:", added), ("changed since:", changed), ("removed:", removed))
             if names]
    return (f"the Edge Function's bundle ({BUNDLE}) was built from other migration files than "
            f"supabase/migrations holds ({'; '.join(parts)}), so the deployed function answers "
            "from old migrations: run `make bundle` (python -m toolkit.edge.bundle) and "
            "redeploy it")


def warn_if_stale(report: Report) -> None:
    """The Edge Function answers from its bundle: say when it was built from other files. Only
    a project that deploys the function from its own folder has a bundle; and the warning is
    said once per bundle (every new migration makes it stale until `make bundle`), after that
    a short note."""
    from toolkit import cache
    from toolkit.project.root import find_root

    root = find_root()
    stale = bundle_stale(root)
    if not stale:
        return
    try:
        bundle = (root / BUNDLE).read_bytes()
    except OSError:
        bundle = b""
    key = cache.Key("edge-warned", str(root.resolve()), bundle).hex()
    if cache.load("edge-warned", key) is not None:
        report.notes.append("the Edge Function's bundle is still older than "
                            "supabase/migrations (said before): run `make bundle` before "
                            "deploying it")
        return
    report.warn(stale, kind="edge")
    cache.store("edge-warned", key, {"warned": True})
