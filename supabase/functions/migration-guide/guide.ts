// Judging the live catalog against the bundled expected one, in the JSON shape of
// `toolkit check --json` (toolkit/output/report.py, toolkit/judge/target.py), plus the guidance.
import { functionDiff, relation, setKeywords, shown, typeDiff } from "./compare.ts";
import type { Bundle, BundledMigration, CatalogDoc, TableRequirement } from "./types.ts";

export interface PreconditionResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface TableResult {
  name: string;
  /** drifted: differs from the migrations; pending: differs, and a pending file may change it */
  database: "present" | "missing" | "drifted" | "pending" | "unknown";
  rest: "skipped";
  detail: string;
  differences: string[];
}

export interface ObjectResult {
  kind: string;
  name: string;
  state: "present" | "missing" | "drifted" | "pending" | "unknown";
  detail: string;
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
  objects: ObjectResult[];
  pending: string[];
  notes: string[];
  guidance: {
    summary: string;
    pending: PendingMigration[];
    steps: string[];
  };
  target: Record<string, string>;
}

/** A relation the migrations use but never create (toolkit/judge/target.py's _reference). */
export function tableRequirement(req: TableRequirement, live: CatalogDoc): PreconditionResult {
  const name = shown(req.name);
  const rel = live.relations[req.name];
  if (!rel) {
    return {
      name,
      ok: false,
      detail: `table ${req.name} does not exist: the migrations reference it but do not create it; ` +
        "create it first (or add a migration that does)",
    };
  }
  if (req.columns.length === 0) return { name, ok: true, detail: `${name} exists` };
  const cols = new Map(rel.columns.map((c) => [c.name, c]));
  for (const [i, column] of req.columns.entries()) {
    const col = cols.get(column);
    const want = req.types[i] ?? null;
    if (!col) return { name, ok: false, detail: `${name} has no column '${column}'` };
    if (want && col.type !== want && col.type !== want.replace("int8", "bigint")) {
      return {
        name,
        ok: false,
        detail: `${name}.${column} is ${col.type}, but the migrations reference it from a ${want} column: ` +
          `a foreign key needs matching types. To proceed, declare the referencing columns ${col.type} ` +
          `in the pending migration, or add a unique ${want} column to ${name} and reference that`,
      };
    }
  }
  const sameCols = (c: string[] | null) => JSON.stringify(c) === JSON.stringify(req.columns);
  const key = rel.constraints.find((k) => (k.type === "p" || k.type === "u") && sameCols(k.columns));
  const index = rel.indexes.find((i) => i.unique && sameCols(i.columns));
  if (!key && !index) {
    return {
      name,
      ok: false,
      detail: `${name}.${req.columns.join(", ")} is neither a primary key nor unique, so nothing can ` +
        "reference it: add a unique constraint on it first",
    };
  }
  const how = key?.type === "p" ? "primary key" : "unique";
  const types = req.columns.map((c) => cols.get(c)!.type).join(", ");
  return { name, ok: true, detail: `${name}.${req.columns.join(", ")} is ${types}, ${how}` };
}

export function extensionRequirement(ext: string, live: CatalogDoc): PreconditionResult {
  const schema = live.extensions[ext];
  if (schema) return { name: ext, ok: true, detail: `installed in schema ${schema}` };
  const how = ext === "uuid-ossp" && !live.uuid_ossp_available
    ? "the server does not ship it (install PostgreSQL's contrib package)"
    : `run: create extension if not exists "${ext}" with schema extensions; ` +
      "or toolkit apply --enable-extensions";
  return { name: ext, ok: false, detail: `not installed: ${how}` };
}

/** `https://<ref>.supabase.co` -> the dashboard's SQL editor of that project. */
export function sqlEditorUrl(supabaseUrl: string | undefined): string {
  const m = /^https:\/\/([a-z0-9]+)\.supabase\.(?:co|in)\/?$/i.exec(supabaseUrl ?? "");
  return m
    ? `https://supabase.com/dashboard/project/${m[1]}/sql/new`
    : "https://supabase.com/dashboard, your project, then SQL Editor";
}

export function pendingVersions(
  migrations: readonly BundledMigration[],
  history: CatalogDoc["history"],
): string[] | null {
  if (history === "forbidden") return null;
  const applied = new Set((history ?? []).map((h) => h.version)); // no table: all pending
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.version);
}

function plural(n: number, word: string, many = word + "s"): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** A row per table: the ones the migrations reference first, then those they create. */
export function judgeTables(bundle: Bundle, live: CatalogDoc): TableResult[] {
  setKeywords(bundle.keywords ?? []);
  const unknown = new Set(bundle.unknown);
  const rows: TableResult[] = bundle.preconditions.tables.map((req) => ({
    name: shown(req.name),
    database: live.relations[req.name] ? "present" : "missing",
    rest: "skipped",
    detail: live.relations[req.name]
      ? "exists; referenced, never created, by the migrations"
      : "referenced by the migrations, must exist before them",
    differences: [],
  }));
  for (const { name, table, created_by: createdBy } of bundle.relations) {
    if (!table) continue;
    const row: TableResult = { name: shown(name), database: "present", rest: "skipped", detail: "", differences: [] };
    rows.push(row);
    const want = bundle.expected.relations[name];
    const have = live.relations[name];
    if (unknown.has(name)) {
      row.database = "unknown";
      row.detail = "not judged: the shadow database could not replay what creates it";
    } else if (!have) {
      row.database = "missing";
      row.detail = createdBy ? `created by ${createdBy}` : "not in the database";
    } else {
      row.differences = relation(name, want, have).map((d) => d.message);
      row.database = row.differences.length ? "drifted" : "present";
      row.detail = row.differences.length
        ? row.differences.join("; ")
        : `exists${createdBy ? ` (created by ${createdBy})` : ""}: ${plural(have.columns.length, "column")}, ` +
          `RLS ${have.rls ? "on" : "off"}`;
    }
  }
  return rows;
}

/** Views, functions and types the migrations create: present, missing or drifted. */
export function judgeObjects(bundle: Bundle, live: CatalogDoc): ObjectResult[] {
  setKeywords(bundle.keywords ?? []);
  const out: ObjectResult[] = [];
  const unknown = new Set(bundle.unknown);
  const state = (have: unknown, diffs: string[]): ObjectResult["state"] =>
    have === undefined ? "missing" : diffs.length ? "drifted" : "present";
  for (const { name, kind, table } of bundle.relations) {
    if (table) continue;
    const word = kind === "m" ? "materialized view" : "view";
    const have = live.relations[name];
    if (unknown.has(name)) {
      out.push({ kind: word, name: shown(name), state: "unknown", detail: "" });
      continue;
    }
    const diffs = have ? relation(name, bundle.expected.relations[name], have).map((d) => d.message) : [];
    out.push({ kind: word, name: shown(name), state: state(have, diffs), detail: diffs.join("; ") });
  }
  for (const [name, want] of Object.entries(bundle.expected.functions)) {
    const have = live.functions[name];
    const diffs = have ? functionDiff(name, want, have).map((d) => d.message) : [];
    out.push({ kind: "function", name: shown(name), state: state(have, diffs), detail: diffs.join("; ") });
  }
  for (const [name, want] of Object.entries(bundle.expected.types)) {
    const have = live.types[name];
    const diffs = have ? typeDiff(name, want, have).map((d) => d.message) : [];
    out.push({ kind: "type", name: shown(name), state: state(have, diffs), detail: diffs.join("; ") });
  }
  return out;
}

export function build(
  bundle: Bundle,
  live: CatalogDoc,
  target: { supabaseUrl?: string; database?: string },
): Guide {
  const migrations = bundle.migrations;
  const notes: string[] = [];
  const preconditions = [
    ...bundle.preconditions.tables.map((r) => tableRequirement(r, live)),
    ...bundle.preconditions.extensions.map((e) => extensionRequirement(e, live)),
  ];
  const tables = judgeTables(bundle, live);
  const objects = judgeObjects(bundle, live);
  const versions = pendingVersions(migrations, live.history);
  if (versions === null) {
    notes.push(
      `role ${live.user} may not read supabase_migrations.schema_migrations: ` +
        "pending migrations are unknown",
    );
  } else if (live.history === null) {
    notes.push("supabase_migrations.schema_migrations does not exist: no migration was ever recorded");
  }
  if (bundle.unknown.length) {
    notes.push(`not judged (the shadow database could not replay them): ${bundle.unknown.map(shown).join(", ")}`);
  }
  const liveMajor = Math.floor(live.server_version / 10000);
  if (liveMajor !== bundle.postgres_major) {
    notes.push(
      `the bundle was computed on PostgreSQL ${bundle.postgres_major}, this database is ${liveMajor}: ` +
        "deparsed definitions may differ between majors",
    );
  }
  notes.push("REST probes are toolkit check's job: run it for those");
  if (versions?.length) {
    // Only the state after every file is bundled: a difference may be what a pending file does.
    for (const t of tables.filter((t) => t.database === "drifted")) {
      t.database = "pending";
      t.detail = `differs from what the migrations make once the pending ones run: ${t.detail}`;
    }
  }
  const pending = versions ?? [];
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const pendingFiles = pending.map((v) => {
    const m = byVersion.get(v)!;
    return {
      version: m.version,
      name: m.name,
      file: m.file,
      sha256: m.sha256,
      creates: m.creates,
      sql: m.sql,
    };
  });
  const preOk = preconditions.every((p) => p.ok);
  const missing = tables.filter((t) => t.database === "missing").map((t) => t.name);
  const drifted = [
    ...tables.filter((t) => t.database === "drifted").map((t) => t.name),
    ...objects.filter((o) => o.state === "drifted" || o.state === "missing").map((o) => `${o.kind} ${o.name}`),
  ];
  const ok = preOk && missing.length === 0 && drifted.length === 0;
  const status = !preOk ? "failed" : ok ? "ok" : "incomplete";

  const steps: string[] = [];
  for (const p of preconditions.filter((p) => !p.ok)) {
    steps.push(`Fix the precondition ${p.name} first (${p.detail}); toolkit apply refuses to run until then.`);
  }
  let summary: string;
  if (versions === null) {
    summary = "Pending migrations are unknown: the role may not read the migration history.";
  } else if (pending.length === 0) {
    summary = missing.length === 0 && drifted.length === 0
      ? "Nothing is pending: every migration is recorded in supabase_migrations.schema_migrations " +
        "and the database matches them."
      : missing.length === 0
      ? `Nothing is pending, yet ${drifted.join(", ")} ${drifted.length === 1 ? "differs" : "differ"} from ` +
        "what the migrations make (see tables[].differences and objects): someone changed the " +
        "database by hand; write a migration for the change, or undo it."
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
    objects,
    pending,
    notes,
    guidance: { summary, pending: pendingFiles, steps },
    target: Object.fromEntries(
      Object.entries({ api: target.supabaseUrl, database: target.database })
        .filter((e): e is [string, string] => !!e[1]),
    ),
  };
}
