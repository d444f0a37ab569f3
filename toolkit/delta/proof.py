"""The proof of a generated migration: the migrations and the new file replayed on a fresh
shadow must give the desired catalog, difference for difference (toolkit's comparison). A
file that does not is never written; what still differs is listed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from toolkit.db.catalog import Catalog
from toolkit.delta.catalogs import differences, line
from toolkit.judge.compare import Difference
from toolkit.oracle.standins import StandIns
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import FileAnalysis
from toolkit.settings import Settings


@dataclass
class Proof:
    differences: list[Difference]  # what still differs after the new file; [] when proven
    failures: list[str] = field(default_factory=list)  # statements of the new file that failed
    seconds: float = 0.0
    cached: bool = False  # proven by an earlier run on the same files
    after: Catalog | None = None  # the catalog the replay made

    @property
    def ok(self) -> bool:
        return not self.differences and not self.failures

    @property
    def lines(self) -> list[str]:
        return [line(d) for d in self.differences]

    @property
    def fixes(self) -> list[str]:
        """The statements that put back what still differs, when each difference has one."""
        if self.failures or any(d.fix_sql is None for d in self.differences):
            return []
        return [str(d.fix_sql) for d in self.differences]

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "differences": self.lines, "failures": self.failures,
                "seconds": round(self.seconds, 3), "cached": self.cached}


def prove(settings: Settings, order: list[tuple[MigrationFile, FileAnalysis]],
          new: tuple[MigrationFile, FileAnalysis], desired: Catalog,
          stand: StandIns, target: Catalog | None = None) -> Proof:
    """Replay `order` then `new` on a fresh shadow (from a copy of the snapshot of `order` when
    the embedded shadow kept one) and compare the result with `desired`; with `target`, under
    its default privileges and on its major, as check's oracle replays for it."""
    from toolkit.delta.sides import filled

    started = time.perf_counter()
    acl = target.default_acl if target is not None else None
    major = target.major if target is not None else None
    with filled(settings, [*order, new], stand, acl, prefer_major=major, keep=False) as side:
        result = side.replay
    name = new[0].path.name
    failed = [f"{name}:{f.line}:{f.col}: {f.message}" for f in result.failures
              if f.file == name]
    return Proof(differences(desired, result.after), failed, time.perf_counter() - started,
                 after=result.after)


FIXES = "-- Privileges the engine's plan leaves to the default privileges, put back as the " \
    "desired schema has them:\n"


def amended(text: str, proof: Proof) -> str | None:
    """`text` with the statements that put back what the proof found different (pg-delta
    leaves privileges that default privileges give at creation, such as EXECUTE to anon, as
    they come), when every difference has one; None when there is nothing to amend with."""
    if proof.ok or not proof.fixes:
        return None
    return text.rstrip("\n") + "\n\n" + FIXES + "".join(f"{s};\n" for s in proof.fixes)


def reordered(desired: Catalog, made: Catalog | None) -> list[str]:
    """Tables whose columns the replay made in another order than `desired` has them (a
    difference the comparison does not count: rows are read by name, but SELECT * and an
    INSERT without a column list see the order)."""
    out = []
    mine = made.relations if made is not None else {}
    for name, rel in sorted(desired.relations.items()):
        want = rel.column_names()
        other = mine.get(name)
        got = other.column_names() if other is not None else []
        if sorted(want) == sorted(got) and want != got:
            out.append(f"{name} ({', '.join(got)}; the files made ({', '.join(want)}))")
    return out
