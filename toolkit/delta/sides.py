"""A shadow database filled with a set of files and kept open, for pg-delta to read.

The replay is the oracle's (toolkit.oracle.replay.replay): the same Supabase shape, role,
search path and stand-ins as check and apply use. On the embedded shadow a replay starts from
the longest snapshot of the same files and keeps its own end as the next one, so a second diff
of unchanged files starts one server and replays nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from toolkit.db.catalog import Catalog
from toolkit.db.model import DefaultAcl
from toolkit.db.waits import Limits
from toolkit.oracle.replay import Replay, prefix_keys, replay
from toolkit.oracle.standins import StandIns
from toolkit.project.migrations import MigrationFile
from toolkit.project.model import FileAnalysis
from toolkit.settings import Settings


@dataclass(frozen=True)
class Side:
    conninfo: str  # the filled shadow database, open for the block
    replay: Replay  # its catalog (replay.after) and the statements that failed

    @property
    def catalog(self) -> Catalog:
        return self.replay.after


def _server(settings: Settings, prefer_major: int | None) -> str:
    """The server part of the cache key, as the oracle spells it."""
    from toolkit.redact import mask_url

    url = settings.shadow_db_url
    return f"url:{mask_url(url)}" if url else f"embedded:{prefer_major}"


def state_key(settings: Settings, order: list[tuple[MigrationFile, FileAnalysis]],
              stand: StandIns, target_acl: tuple[DefaultAcl, ...] | None = None,
              prefer_major: int | None = None) -> str:
    """What the filled shadow holds, as a key: the oracle's key of the replay's end state."""
    return prefix_keys([f for f, _ in order], stand, target_acl,
                       _server(settings, prefer_major))[-1]


@contextmanager
def filled(settings: Settings, order: list[tuple[MigrationFile, FileAnalysis]],
           stand: StandIns, target_acl: tuple[DefaultAcl, ...] | None = None,
           prefer_major: int | None = None, keep: bool = True) -> Iterator[Side]:
    """A shadow with stand-ins and `order` replayed: with hosted Supabase's default privileges,
    or with a target's (`target_acl`, as the oracle mirrors them for check). Without `keep`,
    its end is neither kept as a snapshot nor cached, and the snapshot it starts from stays
    (a proof: its last file is new on every run)."""
    from toolkit.db.waits import conninfo_opener
    from toolkit.oracle.replay import _resume_point, _store_states
    from toolkit.oracle.servers import connect_shadow, shadow_database

    limits = Limits.of(settings)
    keys = prefix_keys([f for f, _ in order], stand, target_acl,
                      _server(settings, prefer_major))
    end = len(order)
    # The longest kept prefix (one of `order` without its last file, for a proof).
    start, snapshot, earlier = (0, None, {}) if settings.shadow_db_url else \
        _resume_point(keys, [end], prefer_major)
    with shadow_database(settings.shadow_db_url, prefer_major=prefer_major,
                         connect_timeout_s=settings.connect_timeout_s, resume=snapshot,
                         copy=not keep) as sh:
        if snapshot is not None and not sh.resumed:
            start, earlier = 0, {}
        done = earlier.get(start) if start else None
        with connect_shadow(sh.conninfo, settings.connect_timeout_s, limits) as conn:
            result = replay(conn, order, set(), stand, target_acl, sh.major, sh.origin, limits,
                            conninfo_opener(sh.conninfo, settings.connect_timeout_s),
                            start=start, stood_in=list(done.stood_in) if done else [],
                            failures=list(done.failures) if done else [],
                            hosted_acl=done.hosted_acl if done else None)
        yield Side(sh.conninfo, result)
        if not keep:
            return
        if sh.keep is not None:
            sh.keep(keys[end])
    _store_states(keys, [f for f, _ in order], result, {end})

