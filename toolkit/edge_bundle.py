"""Is the Edge Function's bundle of migrations stale?

supabase/functions/migration-guide ships migrations.gen.ts, written by bundle.ts from
supabase/migrations/*.sql: each entry records the file and the SHA-256 of its text. A function
deployed from an old bundle answers "nothing is pending" after a new migration, so `check`
compares those records with the folder and says when they differ.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

FUNCTION = Path("supabase") / "functions" / "migration-guide"
BUNDLE = FUNCTION / "migrations.gen.ts"
_ENTRY = re.compile(r'file:\s*"supabase/migrations/([^"]+)",\s*sha256:\s*"([0-9a-f]{64})"')
_NAME = re.compile(r"^(\d+)_(.*)\.sql$")


def _bundled(text: str) -> dict[str, str]:
    return {name: digest for name, digest in _ENTRY.findall(text)}


def _on_disk(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for path in folder.iterdir():
        if path.is_file() and _NAME.match(path.name):
            try:
                # utf-8-sig: Deno's readTextFile drops a BOM before bundle.ts hashes the text.
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            out[path.name] = hashlib.sha256(text.encode()).hexdigest()
    return out


def bundle_stale(project_root: Path) -> str | None:
    """One line when the bundle was built from other migration files than the folder holds;
    None when it matches, or when the project has no such function."""
    bundle = project_root / BUNDLE
    try:
        bundled = _bundled(bundle.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
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
            f"from old SQL: run `deno task bundle` in {FUNCTION} and redeploy it")
