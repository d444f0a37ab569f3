// Judging a catalog against what the bundled migrations declare, in the JSON shape of
// `toolkit check --json` (see toolkit/report.py and toolkit/evaluate.py), plus the guidance.
import type { Catalog, TableInfo } from "./catalog.ts";
import type { Declared, MigrationSource, Requirement } from "./migrations.ts";

export interface PreconditionResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface TableResult {
  name: string;
  database: "present" | "missing";
  rest: "skipped";
  detail: string;
  differences: string[];
}

export interface PendingMigration {
  version: string;
  name: string;
  file: string;
  sha256: string;
  creates: string[];
  sql: string;
}

export interface Guide {
  command: "migration-guide";
  ok: boolean;
  status: "ok" | "incomplete" | "failed";
  preconditions: PreconditionResult[];
  tables: TableResult[];
  pending: string[];
  notes: string[];
  guidance: {
    summary: string;
    pending: PendingMigration[];
    steps: string[];
  };
  target: Record<string, string>;
}

function hasUniqueKey(table: TableInfo, column: string): "primary key" | "unique" | null {
  for (const k of table.keys) {
    if (k.columns.length === 1 && k.columns[0] === column) return k.primary ? "primary key" : "unique";
  }
  return null;
}

export function precondition(req: Requirement, catalog: Catalog): PreconditionResult {
  if (req.kind === "extension") {
    const schema = catalog.extensions[req.name];
    if (schema) return { name: req.name, ok: true, detail: `installed in schema ${schema}` };
    const how = req.name === "uuid-ossp" && !catalog.uuidOsspAvailable
      ? "the server does not ship it (install PostgreSQL's contrib package)"
      : `run: create extension if not exists "${req.name}" with schema extensions; ` +
        "or toolkit apply --enable-extensions";
    return { name: req.name, ok: false, detail: `not installed: ${how}` };
  }
  const table = catalog.tables[req.name];
  if (!table) {
    return {
      name: req.name,
      ok: false,
      detail: `table public.${req.name} does not exist: the migrations reference it but do not ` +
        "create it; create it first",
    };
  }
  const type = table.columns[req.column];
  if (type === undefined) {
    return { name: req.name, ok: false, detail: `${req.name} has no column '${req.column}'` };
  }
  if (req.columnType && type !== req.columnType) {
    return {
      name: req.name,
      ok: false,
      detail: `${req.name}.${req.column} is ${type}, but the migrations reference it from a ` +
        `${req.columnType} column: a foreign key needs matching types`,
    };
  }
  const how = hasUniqueKey(table, req.column);
  if (!how) {
    return {
      name: req.name,
      ok: false,
      detail: `${req.name}.${req.column} is neither a primary key nor unique, so nothing can reference it`,
    };
  }
  return { name: req.name, ok: true, detail: `${req.name}.${req.column} is ${type}, ${how}` };
}

/** `https://<ref>.supabase.co` -> the dashboard's SQL editor of that project. */
export function sqlEditorUrl(supabaseUrl: string | undefined): string {
  const m = /^https:\/\/([a-z0-9]+)\.supabase\.(?:co|in)\/?$/i.exec(supabaseUrl ?? "");
  return m
    ? `https://supabase.com/dashboard/project/${m[1]}/sql/new`
    : "https://supabase.com/dashboard, your project, then SQL Editor";
}

export function pendingVersions(
  migrations: readonly MigrationSource[],
  history: Catalog["history"],
): string[] | null {
  if (history === "forbidden") return null;
  const applied = new Set(history ?? []); // no history table: everything is pending
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.version);
}

export function build(
  migrations: readonly MigrationSource[],
  decl: Declared,
  catalog: Catalog,
  target: { supabaseUrl?: string; database?: string },
): Guide {
  const notes: string[] = [];
  const preconditions = decl.preconditions.map((r) => precondition(r, catalog));
  const tables: TableResult[] = decl.tables.map(({ name, createdBy }) => {
    const have = catalog.tables[name];
    if (!have) {
      return {
        name,
        database: "missing",
        rest: "skipped",
        detail: createdBy ? `created by ${createdBy}` : "referenced by the migrations, must exist before them",
        differences: [],
      };
    }
    return {
      name,
      database: "present",
      rest: "skipped",
      detail: createdBy
        ? `exists (created by ${createdBy}): ${Object.keys(have.columns).length} columns, ` +
          `RLS ${have.rls ? "on" : "off"}`
        : "exists; referenced, never created, by the migrations",
      differences: [],
    };
  });
  const versions = pendingVersions(migrations, catalog.history);
  if (versions === null) {
    notes.push(
      `role ${catalog.user} may not read supabase_migrations.schema_migrations: ` +
        "pending migrations are unknown",
    );
  } else if (catalog.history === null) {
    notes.push("supabase_migrations.schema_migrations does not exist: no migration was ever recorded");
  }
  notes.push("database drift (columns, keys, indexes) and REST probes are toolkit check's job: run it for those");
  const pending = versions ?? [];
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const pendingFiles = pending.map((v) => {
    const m = byVersion.get(v)!;
    return {
      version: m.version,
      name: m.name,
      file: m.file,
      sha256: m.sha256,
      creates: decl.creates.get(m.version) ?? [],
      sql: m.sql,
    };
  });
  const preOk = preconditions.every((p) => p.ok);
  const missing = tables.filter((t) => t.database === "missing").map((t) => t.name);
  const ok = preOk && missing.length === 0;
  const status = !preOk ? "failed" : ok ? "ok" : "incomplete";

  const steps: string[] = [];
  for (const p of preconditions.filter((p) => !p.ok)) {
    steps.push(`Fix the precondition ${p.name} first (${p.detail}); toolkit apply refuses to run until then.`);
  }
  let summary: string;
  if (versions === null) {
    summary = "Pending migrations are unknown: the role may not read the migration history.";
  } else if (pending.length === 0) {
    summary = missing.length === 0
      ? "Nothing is pending: every migration is recorded in supabase_migrations.schema_migrations " +
        "and every table exists."
      : `Nothing is pending, yet ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing: ` +
        "the history says applied but the tables are gone; run toolkit check and repair the history " +
        "(supabase migration repair --status reverted <version>) before applying again.";
  } else {
    const list = pendingFiles.map((f) => `${f.version}_${f.name}`).join(", ");
    summary = `${pending.length} migration${pending.length === 1 ? " is" : "s are"} pending: ${list}` +
      (missing.length ? `; ${missing.length} table${missing.length === 1 ? " is" : "s are"} missing.` : ".");
    const versionsList = pending.join(" ");
    steps.push(
      `Either: open the SQL editor (${sqlEditorUrl(target.supabaseUrl)}); paste guidance.pending[].sql ` +
        "one file at a time in version order and run each; then record them so the Supabase CLI " +
        `and toolkit agree they are applied: supabase migration repair --status applied ${versionsList}`,
      "Or: toolkit apply --db-url \"$SUPABASE_DB_URL\" (checks the preconditions, runs each file in " +
        "one transaction with its history row under lock and statement timeouts, then probes the tables)",
      "Or: supabase link --project-ref <ref> && supabase db push (from the repository root)",
      "Then: call this function again (or run toolkit check): it should say nothing is pending.",
    );
  }
  return {
    command: "migration-guide",
    ok,
    status,
    preconditions,
    tables,
    pending,
    notes,
    guidance: { summary, pending: pendingFiles, steps },
    target: Object.fromEntries(
      Object.entries({ api: target.supabaseUrl, database: target.database })
        .filter((e): e is [string, string] => !!e[1]),
    ),
  };
}
