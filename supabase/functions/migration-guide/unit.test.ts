// Tests that need no database: the bundle is fresh, the parser reads the real migration, the
// judging rules, redaction, key comparison and TLS defaults.
import { assert, assertEquals, assertFalse, assertMatch, assertNotMatch } from "./assert.ts";
import { MIGRATIONS_DIR, OUTPUT, render } from "./bundle.ts";
import type { Catalog } from "./catalog.ts";
import { isConnectionError, sslFor } from "./catalog.ts";
import { build, pendingVersions, precondition, sqlEditorUrl } from "./guide.ts";
import { sameSecret } from "./index.ts";
import { MIGRATIONS } from "./migrations.gen.ts";
import { declared, type MigrationSource, codeOnly } from "./migrations.ts";
import { redact, urlSecrets } from "./redact.ts";

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

Deno.test("migrations.gen.ts is not stale: it equals a fresh bundle of supabase/migrations/", async () => {
  const fresh = await render(MIGRATIONS_DIR);
  const current = await Deno.readTextFile(OUTPUT);
  assert(
    fresh === current,
    "migrations.gen.ts is stale: run `deno task bundle` in supabase/functions/migration-guide",
  );
});

Deno.test("the bundle carries every migration file byte for byte, in version order", async () => {
  const names: string[] = [];
  for await (const e of Deno.readDir(MIGRATIONS_DIR)) {
    if (/^\d+_.*\.sql$/.test(e.name)) names.push(e.name);
  }
  names.sort();
  assertEquals(MIGRATIONS.map((m) => m.file.split("/").pop()), names);
  for (const m of MIGRATIONS) {
    assertEquals(m.sql, await Deno.readTextFile(new URL(m.file.split("/").pop()!, MIGRATIONS_DIR)));
  }
});

Deno.test("the table list comes from the SQL: agents first, then the eleven created in file order", () => {
  const d = declared(MIGRATIONS);
  assertEquals(d.tables.map((t) => t.name), ["agents", ...CREATED]);
  assertEquals(d.tables[0].createdBy, null);
  assertEquals(d.creates.get("20261126021500"), CREATED);
  assertEquals(d.preconditions, [
    { kind: "table", name: "agents", column: "id", columnType: "uuid" },
    { kind: "extension", name: "uuid-ossp" },
  ]);
});

Deno.test("the parser: comments, quoted names, schemas, table-level keys, created extensions", () => {
  const sql = `
    -- create table public.in_a_comment (id int);
    /* create table public.in_a_block (id int); */
    create extension if not exists "uuid-ossp" with schema extensions;
    create table "public"."Quoted" (
      id bigint primary key default uuid_generate_v4(),
      note text default 'references public.not_a_ref (id); -- not a comment',
      owner_id bigint,
      constraint owner_fk foreign key (owner_id) references public.owners (id)
    );
    create function f() returns void language sql as $$ create table public.in_body (id int) $$;
    create table other.elsewhere (id int references public.owners (id));
    create table if not exists public.child (parent uuid references "Quoted");
    alter table public.child add constraint c foreign key (parent) references public.late (key);
  `;
  assertNotMatch(codeOnly(sql), /in_a_comment|in_a_block|not_a_ref/);
  assertEquals(codeOnly("select $f$ create table public.x (id int) $f$, 'it''s', \"a\"\"b\""), 'select \'\', \'\', "a""b"');
  const d = declared([{ version: "1", name: "x", file: "x", sql, sha256: "" }]);
  assertEquals(d.tables.map((t) => t.name), ["owners", "late", "Quoted", "child"]);
  assertEquals(d.preconditions, [
    { kind: "table", name: "owners", column: "id", columnType: "bigint" },
    { kind: "table", name: "late", column: "key", columnType: null },
  ]);
});

function catalog(over: Partial<Catalog> = {}): Catalog {
  return {
    user: "postgres",
    extensions: { "uuid-ossp": "extensions" },
    uuidOsspAvailable: true,
    tables: {
      agents: {
        rls: true,
        columns: { id: "uuid", name: "text" },
        keys: [{ primary: true, columns: ["id"] }],
      },
    },
    history: null,
    ...over,
  };
}

Deno.test("preconditions: missing table, wrong type, no key, unique, missing extension", () => {
  const agents = { kind: "table", name: "agents", column: "id", columnType: "uuid" } as const;
  const ext = { kind: "extension", name: "uuid-ossp" } as const;
  assertEquals(precondition(agents, catalog()), {
    name: "agents",
    ok: true,
    detail: "agents.id is uuid, primary key",
  });
  assertFalse(precondition(agents, catalog({ tables: {} })).ok);
  const bigint = catalog({
    tables: { agents: { rls: false, columns: { id: "bigint" }, keys: [{ primary: true, columns: ["id"] }] } },
  });
  assertMatch(precondition(agents, bigint).detail, /is bigint, but .* uuid column/);
  const noKey = catalog({ tables: { agents: { rls: false, columns: { id: "uuid" }, keys: [] } } });
  assertMatch(precondition(agents, noKey).detail, /neither a primary key nor unique/);
  const unique = catalog({
    tables: { agents: { rls: false, columns: { id: "uuid" }, keys: [{ primary: false, columns: ["id"] }] } },
  });
  assertEquals(precondition(agents, unique).detail, "agents.id is uuid, unique");
  assertEquals(precondition(ext, catalog({ extensions: { "uuid-ossp": "public" } })).detail, "installed in schema public");
  assertMatch(precondition(ext, catalog({ extensions: {} })).detail, /^not installed: run: create extension/);
  assertMatch(
    precondition(ext, catalog({ extensions: {}, uuidOsspAvailable: false })).detail,
    /does not ship it/,
  );
});

Deno.test("pending: no history table means everything; applied versions are left out", () => {
  const files: MigrationSource[] = ["1", "2", "3"].map((v) => ({ version: v, name: "n", file: "f", sql: "", sha256: "" }));
  assertEquals(pendingVersions(files, null), ["1", "2", "3"]);
  assertEquals(pendingVersions(files, ["1", "3", "9"]), ["2"]);
  assertEquals(pendingVersions(files, "forbidden"), null);
});

Deno.test("guide: nothing pending, a failed precondition, unreadable history", () => {
  const d = declared(MIGRATIONS);
  const all = Object.fromEntries(
    ["agents", ...CREATED].map((n) => [n, { rls: true, columns: { id: "uuid" }, keys: [{ primary: true, columns: ["id"] }] }]),
  );
  const done = build(MIGRATIONS, d, catalog({ tables: all, history: MIGRATIONS.map((m) => m.version) }), {});
  assert(done.ok);
  assertEquals(done.status, "ok");
  assertEquals(done.pending, []);
  assertMatch(done.guidance.summary, /^Nothing is pending/);
  assertEquals(done.guidance.steps, []);

  const noAgents = build(MIGRATIONS, d, catalog({ tables: {} }), {});
  assertEquals(noAgents.status, "failed");
  assertMatch(noAgents.guidance.steps[0], /^Fix the precondition agents first/);
  assertEquals(noAgents.tables.filter((t) => t.database === "missing").length, 12);

  const hidden = build(MIGRATIONS, d, catalog({ history: "forbidden" }), {});
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
