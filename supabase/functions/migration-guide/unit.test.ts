// Tests that need no database: the bundle is fresh, the compare port answers as
// toolkit/judge/compare.py, the judging rules, redaction, key comparison and TLS defaults.
import { assert, assertEquals, assertFalse, assertMatch } from "./assert.ts";
import { BUNDLE } from "./bundle.gen.ts";
import { isConnectionError, sslFor } from "./catalog.ts";
import {
  defaultPrivileges,
  type Difference,
  type Excuse,
  extensionDiff,
  functionDiff,
  managedTable,
  projectRoles,
  publicationMembers,
  publications,
  relation,
  schemaDiff,
  sequenceDiff,
  setKeywords,
  typeDiff,
} from "./compare.ts";
import { build, extensionRequirement, pendingVersions, sqlEditorUrl, tableRequirement } from "./guide.ts";
import { sameSecret } from "./index.ts";
import { redact, urlSecrets } from "./redact.ts";
import type { BundledMigration, CatalogDoc, FunctionInfo, Relation } from "./types.ts";

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);
const CREATED = [
  "agent_profiles",
  "agent_tasks",
  "agent_status",
  "agent_conversations",
  "agent_tools",
  "agent_permissions",
  "agent_logs",
  "agent_analytics",
  "approvals_queue",
  "approval_history",
  "agent_metrics",
];

/** A file's text as toolkit reads it: BOM dropped, universal newlines (Python's read_text). */
function asToolkitReads(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

async function sha256(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("bundle.gen.ts is not stale: its files and SHA-256s are the folder's, in file-name order", async () => {
  const names: string[] = [];
  for await (const e of Deno.readDir(MIGRATIONS_DIR)) {
    if (e.isFile && /^\d+_.*\.sql$/.test(e.name)) names.push(e.name);
  }
  names.sort();
  const stale = "bundle.gen.ts is stale: run `make bundle` at the repository root";
  assertEquals(BUNDLE.migrations.map((m) => m.file.split("/").pop()), names, stale);
  for (const m of BUNDLE.migrations) {
    const text = asToolkitReads(await Deno.readTextFile(new URL(m.file.split("/").pop()!, MIGRATIONS_DIR)));
    assertEquals(m.sha256, await sha256(text), `${m.file}: ${stale}`);
    assertEquals(m.sql, text);
  }
});

Deno.test("the bundle: agents is a precondition, the eleven tables are expected in file order", () => {
  assertEquals(BUNDLE.preconditions.tables, [{ name: "public.agents", columns: ["id"], types: ["uuid"] }]);
  assertEquals(BUNDLE.preconditions.extensions, ["uuid-ossp"]);
  assertEquals(BUNDLE.relations.map((r) => r.name), CREATED.map((n) => `public.${n}`));
  assertEquals(Object.keys(BUNDLE.expected.relations).sort(), CREATED.map((n) => `public.${n}`).sort());
  assertEquals(BUNDLE.migrations[0].creates, CREATED);
  assertMatch(BUNDLE.inspect.text, /^begin read only; set local search_path = "\$user", public, extensions;/);
  assertMatch(BUNDLE.inspect.text, /; commit$/);
});

type Finding = [string, string, string, string | null, string | null, string | null];

interface Case {
  title: string;
  want: Relation | null;
  have: Relation;
  messages: string[];
  findings: Finding[];
}

function findings(diffs: Difference[]): Finding[] {
  return diffs.map((d): Finding => [d.message, d.object, d.property, d.expected, d.actual, d.fix_sql])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

Deno.test("compare.ts answers the shared cases as toolkit/judge/compare.py does, field by field", async () => {
  const doc = JSON.parse(await Deno.readTextFile(new URL("./compare.cases.json", import.meta.url))) as {
    name: string;
    base: Relation;
    keywords: string[];
    cases: Case[];
    function: { name: string; want: FunctionInfo; cases: { title: string; have: FunctionInfo; findings: Finding[] }[] };
  };
  setKeywords(doc.keywords);
  assert(doc.cases.length > 10);
  for (const c of doc.cases) {
    const diffs = relation(doc.name, c.want ?? doc.base, c.have);
    assertEquals(diffs.map((d) => d.message).sort(), c.messages, c.title);
    assertEquals(findings(diffs), c.findings, c.title);
  }
  assert(doc.function.cases.length > 5);
  for (const c of doc.function.cases) {
    assertEquals(findings(functionDiff(doc.function.name, doc.function.want, c.have)), c.findings, c.title);
  }
});

// deno-lint-ignore no-explicit-any
type Args = Record<string, any>;

/** compare.ts's answer to a case of the judge-level kinds (scripts/compare_cases.py's answer()). */
function answer(kind: string, a: Args): (string | null)[][] {
  const roles: string[] = a.roles ?? [];
  const ex: Excuse | null = a.excused ?? null;
  const flat = (per: Record<string, Difference[]>) => sorted(Object.keys(per)).flatMap((t) => per[t]);
  switch (kind) {
    case "project_roles":
      return projectRoles(a.doc).map((r) => [r]);
    case "sequence":
      return findings(sequenceDiff(a.name, a.want, a.have, ex, roles));
    case "schema":
      return findings(schemaDiff(a.name, a.want, a.have, a.owner, roles));
    case "extension":
      return findings(extensionDiff(a.name, a.want, a.have));
    case "managed_table":
      return findings(managedTable(a.name, a.want, a.have));
    case "publications":
      return findings(flat(publications(a.tables, a.want, a.have)));
    case "publication_members":
      return findings(flat(publicationMembers(a.tables, a.want, a.have, a.same_columns)));
    case "type":
      return findings(typeDiff(a.name, a.want, a.have));
    case "default_privileges":
      return findings(defaultPrivileges(a.schema, a.objtype, a.want, a.have));
    case "relation":
      return findings(relation(a.name, a.want, a.have, ex, roles));
    case "function":
      return findings(functionDiff(a.name, a.want, a.have, ex, roles));
  }
  throw new Error(`unknown kind ${kind}`);
}

function sorted(items: string[]): string[] {
  return [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

Deno.test("compare.ts answers the shared cases of every other kind as toolkit does", async () => {
  const doc = JSON.parse(await Deno.readTextFile(new URL("./compare.cases.json", import.meta.url))) as {
    keywords: string[];
    kinds: { kind: string; title: string; args: Args; findings: (string | null)[][] }[];
  };
  setKeywords(doc.keywords);
  const kinds = new Set(doc.kinds.map((c) => c.kind));
  for (
    const k of ["sequence", "schema", "extension", "managed_table", "publications", "publication_members", "type", "default_privileges", "project_roles"]
  ) {
    assert(kinds.has(k), k);
  }
  for (const c of doc.kinds) {
    assertEquals(answer(c.kind, c.args), c.findings, `${c.kind}: ${c.title}`);
  }
  assert(doc.kinds.some((c) => c.findings.length > 1));
});

Deno.test("compare: differences name the column they are about, grants are their own kind", () => {
  const want = BUNDLE.expected.relations["public.agent_status"];
  const have: Relation = structuredClone(want);
  have.columns = have.columns.filter((c) => c.name !== "details");
  have.grants = { ...have.grants, anon: [] };
  const diffs = relation("public.agent_status", want, have);
  assertEquals(diffs.find((d) => d.column === "details")?.message, 'column "details" missing');
  const grant = diffs.find((d) => d.kind === "grant");
  assertMatch(grant!.message, /^anon lacks .*grant .* on public\.agent_status to anon\)$/);
});

/** A live catalog: the expected one, with agents as the stack has it, and a history. */
function live(over: Partial<CatalogDoc> = {}): CatalogDoc {
  const agents: Relation = {
    ...structuredClone(BUNDLE.expected.relations["public.agent_profiles"]),
    columns: [
      { name: "id", type: "uuid", not_null: true, default: null, identity: null, generated: null },
      { name: "name", type: "text", not_null: true, default: null, identity: null, generated: null },
    ],
    constraints: [{
      name: "agents_pkey",
      type: "p",
      columns: ["id"],
      ref: null,
      ref_columns: null,
      on_delete: null,
      on_update: null,
      def: "PRIMARY KEY (id)",
    }],
    indexes: [],
  };
  return {
    user: "postgres",
    server_version: BUNDLE.postgres_major * 10000 + 1,
    extensions: { "uuid-ossp": "extensions" },
    uuid_ossp_available: true,
    relations: { "public.agents": agents, ...structuredClone(BUNDLE.expected.relations) },
    functions: {},
    types: {},
    history: BUNDLE.migrations.map((m) => ({ version: m.version, name: m.name, statements: null })),
    ...over,
  };
}

Deno.test("preconditions: missing table, wrong type, no key, unique, missing extension", () => {
  const req = BUNDLE.preconditions.tables[0];
  assertEquals(tableRequirement(req, live()), { name: "agents", ok: true, detail: "agents.id is uuid, primary key" });
  assertMatch(tableRequirement(req, live({ relations: {} })).detail, /^table public.agents does not exist/);
  const bigint = live();
  bigint.relations["public.agents"].columns[0].type = "bigint";
  assertMatch(tableRequirement(req, bigint).detail, /is bigint, but .* uuid column/);
  const noKey = live();
  noKey.relations["public.agents"].constraints = [];
  assertMatch(tableRequirement(req, noKey).detail, /neither a primary key nor unique/);
  const unique = live();
  unique.relations["public.agents"].constraints[0].type = "u";
  assertEquals(tableRequirement(req, unique).detail, "agents.id is uuid, unique");
  assertEquals(extensionRequirement("uuid-ossp", live({ extensions: { "uuid-ossp": "public" } })).detail, "installed in schema public");
  assertMatch(extensionRequirement("uuid-ossp", live({ extensions: {} })).detail, /^not installed: run: create extension/);
  assertMatch(extensionRequirement("uuid-ossp", live({ extensions: {}, uuid_ossp_available: false })).detail, /does not ship it/);
});

Deno.test("pending: no history table means everything; applied versions are left out", () => {
  const files: BundledMigration[] = ["1", "2", "3"].map((v) => ({ version: v, name: "n", file: "f", sql: "", sha256: "", creates: [] }));
  const rows = (vs: string[]) => vs.map((version) => ({ version, name: null, statements: null }));
  assertEquals(pendingVersions(files, null), ["1", "2", "3"]);
  assertEquals(pendingVersions(files, rows(["1", "3", "9"])), ["2"]);
  assertEquals(pendingVersions(files, "forbidden"), null);
});

Deno.test("guide: all applied and equal, drift, a failed precondition, unreadable history", () => {
  const done = build(BUNDLE, live(), {});
  assert(done.ok, JSON.stringify(done.tables.filter((t) => t.database !== "present")));
  assertEquals(done.status, "ok");
  assertEquals(done.pending, []);
  assertMatch(done.guidance.summary, /^Nothing is pending/);
  assertEquals(done.guidance.steps, []);
  assertMatch(done.tables[1].detail, /^exists \(created by \d+\): 9 columns, RLS on$/);

  const changed = live();
  changed.relations["public.agent_tasks"].rls = false;
  const drift = build(BUNDLE, changed, {});
  assertEquals(drift.status, "incomplete");
  const tasks = drift.tables.find((t) => t.name === "agent_tasks")!;
  assertEquals(tasks.database, "drifted");
  assertEquals(tasks.differences, ["row level security is disabled"]);
  assertMatch(drift.guidance.summary, /^Nothing is pending, yet agent_tasks differs/);

  const fresh = build(BUNDLE, live({ relations: { "public.agents": live().relations["public.agents"] }, history: null }), {});
  assertEquals(fresh.status, "incomplete");
  assertEquals(fresh.tables.filter((t) => t.database === "missing").map((t) => t.name), CREATED);
  assertEquals(fresh.pending, BUNDLE.migrations.map((m) => m.version));
  assertEquals(fresh.guidance.pending[0].creates, CREATED);

  const noAgents = build(BUNDLE, live({ relations: {}, history: null }), {});
  assertEquals(noAgents.status, "failed");
  assertMatch(noAgents.guidance.steps[0], /^Fix the precondition agents first/);
  assertEquals(noAgents.tables.filter((t) => t.database === "missing").length, 12);

  const hidden = build(BUNDLE, live({ history: "forbidden" }), {});
  assertEquals(hidden.pending, []);
  assertMatch(hidden.notes[0], /may not read supabase_migrations.schema_migrations/);
  assertMatch(hidden.guidance.summary, /unknown/);
});

Deno.test("the SQL editor link is built from a hosted project URL only", () => {
  assertEquals(sqlEditorUrl("https://abcdefghijklmnop.supabase.co"), "https://supabase.com/dashboard/project/abcdefghijklmnop/sql/new");
  assertMatch(sqlEditorUrl("http://127.0.0.1:54321"), /^https:\/\/supabase.com\/dashboard, your project/);
});

Deno.test("redaction: known secrets, decoded passwords, URLs, JWTs, opaque keys, conninfo", () => {
  const url = "postgresql://postgres.ref:p%40ss%2Fword@db.example.test:5432/postgres";
  const secrets = urlSecrets(url);
  assertEquals(secrets, [url, "p%40ss%2Fword", "p@ss/word"]);
  const text = `failed ${url} (password p@ss/word) key eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.sig ` +
    `sb_secret_abcDEF123 postgres://u:other@h/db password='x y' password=plain`;
  const out = redact(text, secrets);
  for (const leak of ["p@ss/word", "p%40ss", "eyJhbGci", "sb_secret_abc", ":other@", "'x y'", "=plain"]) {
    assert(!out.includes(leak), `${leak} leaked: ${out}`);
  }
  assertMatch(out, /postgres:\/\/u:\*\*\*@h\/db/);
});

Deno.test("keys are compared whole, and an empty expected key never matches", async () => {
  assert(await sameSecret("abc.def", "abc.def"));
  assertFalse(await sameSecret("abc.de", "abc.def"));
  assertFalse(await sameSecret("abc.deg", "abc.def"));
  assertFalse(await sameSecret("", ""));
});

Deno.test("TLS is required off loopback unless the URL says otherwise", () => {
  assertEquals(sslFor("postgresql://u:p@127.0.0.1:5432/postgres"), false);
  assertEquals(sslFor("postgresql://u:p@localhost/postgres"), false);
  assertEquals(sslFor("postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"), "require");
  assertEquals(sslFor("postgresql://u:p@db.example.test/postgres?sslmode=disable"), undefined);
});

Deno.test("connection errors are told apart from query errors", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  const auth = Object.assign(new Error("password authentication failed"), { code: "28P01" });
  const syntax = Object.assign(new Error("syntax error"), { code: "42601" });
  assert(isConnectionError(refused));
  assert(isConnectionError(auth));
  assertFalse(isConnectionError(syntax));
  assertFalse(isConnectionError("a string"));
});
