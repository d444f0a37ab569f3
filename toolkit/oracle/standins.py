"""Stand-ins: what the migrations use but never create (the seed's `agents`), made in the
shadow before the replay, so the files run there as they run on the target.

A stand-in is copied from the target's catalog, structure only (columns, types, primary and
unique keys; never a row, never a default that could call something the shadow lacks), and put
back as it was before the migrations touched it: columns a migration adds are left out, columns
it renames get their old name, columns it drops are put in. With no target to copy from (or
when the target lacks it, an unmet precondition), the stand-in is made from what the
migrations say about it: the referenced columns, typed like the columns that reference them.

The target's default privileges for `postgres` are mirrored too: whether new tables are exposed
to the API roles (Supabase's auto-expose setting) decides what the migrations grant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.db.catalog import Catalog
from toolkit.db.model import DefaultAcl, Relation
from toolkit.project.model import Analysis
from toolkit.shape import managed

_PRIVS = {"r": "select", "w": "update", "a": "insert", "d": "delete", "D": "truncate",
          "x": "references", "t": "trigger", "X": "execute", "U": "usage", "C": "create",
          "m": "maintain"}
# pg_default_acl.defaclobjtype as ALTER DEFAULT PRIVILEGES names it.
DEFAULT_ACL_OBJECTS = {"r": "tables", "S": "sequences", "f": "functions", "T": "types",
                       "n": "schemas"}


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(name: str) -> str:
    schema, _, rel = name.partition(".")
    return f"{ident(schema)}.{ident(rel)}"


@dataclass
class StandIns:
    sql: str = ""  # run as postgres in the shadow before the first file
    copied: list[str] = field(default_factory=list)  # schema.name copied from the target
    made: list[str] = field(default_factory=list)  # schema.name made from the references
    # Supabase extensions the files create that have a stand-in (made by the shadow's
    # superuser before the first file when the shadow server lacks the real one).
    managed: list[managed.Wanted] = field(default_factory=list)


def _changes(analysis: Analysis) -> tuple[dict[str, set[str]], dict[str, dict[str, str]],
                                          dict[str, set[str]], dict[str, set[str]]]:
    added: dict[str, set[str]] = {}
    renamed: dict[str, dict[str, str]] = {}  # table -> new name -> old name
    dropped: dict[str, set[str]] = {}
    constraints: dict[str, set[str]] = {}
    for f in analysis.files:
        for entry in f.added_columns:
            t, c = entry.split("\t")
            added.setdefault(t, set()).add(c)
        for entry in f.renamed_columns:
            t, old, new = entry.split("\t")
            names = renamed.setdefault(t, {})
            names[new] = names.pop(old, old)
        for entry in f.dropped_columns:
            t, c = entry.split("\t")
            dropped.setdefault(t, set()).add(c)
        for entry in f.added_constraints:
            t, c = entry.split("\t")
            constraints.setdefault(t, set()).add(c)
    return added, renamed, dropped, constraints


def _types_used(rel: Relation, target: Catalog) -> list[str]:
    """User-defined enums and domains a copied table's columns need, as CREATE TYPE."""
    out = []
    used = {c.type.removesuffix("[]") for c in rel.columns}
    for name, t in target.types.items():
        if name in used or name.removeprefix("public.") in used:
            if t.kind == "e":
                labels = ", ".join("'" + v.replace("'", "''") + "'" for v in t.labels or ())
                out.append(f"create type {qualified(name)} as enum ({labels});")
            else:
                out.append(f"create domain {qualified(name)} as {t.base};")
    return out


def _copy(name: str, rel: Relation, target: Catalog, added: set[str],
          renamed: dict[str, str], dropped: set[str], constraints: set[str]) -> str:
    cols = []
    for c in rel.columns:
        if c.name in added:
            continue
        col = renamed.get(c.name, c.name)
        cols.append(f"{ident(col)} {c.type}" + (" not null" if c.not_null else ""))
    cols += [f"{ident(c)} text" for c in sorted(dropped)]
    for k in rel.constraints:
        if k.type in ("p", "u") and k.name not in constraints and not (
                set(k.columns or ()) & added):
            keys = ", ".join(ident(renamed.get(c, c)) for c in k.columns or ())
            word = "primary key" if k.type == "p" else "unique"
            cols.append(f"constraint {ident(k.name)} {word} ({keys})")
    return "\n".join([*_types_used(rel, target),
                      f"create table {qualified(name)} ({', '.join(cols)});"])


def _made(name: str, columns: list[str], types: list[str | None]) -> str:
    cols = [f"{ident(c)} {t or 'text'}" for c, t in zip(columns, types, strict=False)]
    if columns:
        cols.append(f"primary key ({', '.join(ident(c) for c in columns)})")
    return f"create table {qualified(name)} ({', '.join(cols)});"


def standins(analysis: Analysis, target: Catalog | None) -> StandIns:
    out = StandIns()
    added, renamed, dropped, constraints = _changes(analysis)
    stmts: list[str] = []
    schemas: set[str] = set()
    for ref in analysis.references:
        rel = target.relations.get(ref.name) if target is not None else None
        if rel is None and not ref.strong:
            continue  # only read by a view: the replay says so if it really is missing
        schema = ref.name.split(".", 1)[0]
        if schema not in schemas and schema != "public":
            stmts.append(f"create schema if not exists {ident(schema)};")
            schemas.add(schema)
        if rel is not None:
            stmts.append(_copy(ref.name, rel, target, added.get(ref.name, set()),  # type: ignore[arg-type]
                               renamed.get(ref.name, {}), dropped.get(ref.name, set()),
                               constraints.get(ref.name, set())))
            out.copied.append(ref.name)
        else:
            stmts.append(_made(ref.name, ref.columns, ref.types))
            out.made.append(ref.name)
    out.sql = "\n".join(stmts)
    out.managed = managed.wanted([(s.kind, s.text) for f in analysis.files
                                  for s in f.statements])
    return out


def _acl_statements(entry: DefaultAcl, grant: bool) -> list[str]:
    where = f" in schema {ident(entry.schema)}" if entry.schema else ""
    objects = DEFAULT_ACL_OBJECTS.get(entry.objtype)
    if objects is None:
        return []
    out = []
    for item in entry.acl or ():
        grantee, _, rest = item.partition("=")
        privs, _, _grantor = rest.partition("/")
        if grantee in ("postgres", "") and not grant:
            continue  # the owner's own rights and PUBLIC's defaults stay as PostgreSQL has them
        who = ident(grantee) if grantee else "public"
        words = [_PRIVS[p] for p in privs.replace("*", "") if p in _PRIVS]
        if not words:
            continue
        if grant:
            out.append(f"alter default privileges for role postgres{where} grant "
                       f"{', '.join(words)} on {objects} to {who};")
        else:
            out.append(f"alter default privileges for role postgres{where} revoke all on "
                       f"{objects} from {who};")
    return out


def default_acl_sql(shadow: tuple[DefaultAcl, ...], target: tuple[DefaultAcl, ...]) -> str:
    """Statements that turn the shadow's default privileges for postgres into the target's;
    empty when they already agree (the usual case)."""
    if shadow == target:
        return ""
    stmts = [s for e in shadow for s in _acl_statements(e, grant=False)]
    stmts += [s for e in target for s in _acl_statements(e, grant=True)]
    return "\n".join(stmts)
