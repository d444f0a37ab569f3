"""check --fix-sql: the statements that make the target what its applied migrations make,
from the same engine as diff (target -> the migrations' shadow, with the target's stand-ins and
default privileges, as check's oracle has them). Printed, never applied."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.delta.engine import Delta, plan
from toolkit.delta.sides import filled
from toolkit.settings import Settings

if TYPE_CHECKING:
    from toolkit.db.catalog import Catalog
    from toolkit.oracle.expected import Oracle
    from toolkit.project.load import Project


def fix_sql(settings: Settings, project: Project, target: Catalog, oracle: Oracle) -> Delta:
    from toolkit.delta.url import target_url

    url = target_url(settings)
    order = project.pairs(oracle.applied)
    with filled(settings, order, oracle.stand, target.default_acl,
                prefer_major=target.major) as want:
        return plan(url, want.conninfo, secrets=tuple(settings.secrets))
