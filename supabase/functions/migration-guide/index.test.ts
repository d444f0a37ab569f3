// The handler against a real local Supabase-shaped stack (toolkit local), before and after
// `toolkit apply`. scripts/edge-test.sh starts the stack, exports SUPABASE_* and TOOLKIT_BIN, and
// sets EDGE_TEST_REQUIRE_STACK=1 so that a missing stack fails instead of skipping.
import { assert, assertEquals, assertMatch } from "./assert.ts";
import postgres from "postgres";
import { BUNDLE } from "./bundle.gen.ts";
import { handler } from "./index.ts";

const ENV = ["SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_DB_URL"];
const haveStack = ENV.every((k) => Deno.env.get(k));
const required = Deno.env.get("EDGE_TEST_REQUIRE_STACK") === "1";
if (!haveStack && !required) {
  console.warn(`index.test.ts: ${ENV.join(", ")} not set: the stack tests are skipped (run scripts/edge-test.sh)`);
}

const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);

/** Versions and texts from the files on disk; the tables from toolkit's bundle (no SQL parsed). */
async function fromDisk(): Promise<{ versions: string[]; created: string[]; sql: Map<string, string> }> {
  const files: string[] = [];
  for await (const e of Deno.readDir(MIGRATIONS_DIR)) {
    if (/^\d+_.*\.sql$/.test(e.name)) files.push(e.name);
  }
  files.sort();
  const sql = new Map<string, string>();
  for (const f of files) sql.set(f.split("_")[0], await Deno.readTextFile(new URL(f, MIGRATIONS_DIR)));
  const created = BUNDLE.relations.filter((r) => r.table).map((r) => r.name.replace(/^public\./, ""));
  return { versions: [...sql.keys()], created, sql };
}

/** Run one statement on the stack's database, as the project's owner does in the SQL editor. */
async function runSql(text: string): Promise<void> {
  const sql = postgres(Deno.env.get("SUPABASE_DB_URL")!, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(text);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

interface Answer {
  status: number;
  text: string;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

const bodies: string[] = [];

async function call(method: string, key: string | null, scheme = "Bearer"): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.Authorization = `${scheme} ${key}`;
  const res = await handler(new Request("http://127.0.0.1/functions/v1/migration-guide", { method, headers }));
  const text = await res.text();
  bodies.push(text);
  let body = null;
  if (res.headers.get("Content-Type")?.startsWith("application/json")) body = JSON.parse(text);
  return { status: res.status, text, body, headers: res.headers };
}

function secrets(): string[] {
  const dbUrl = Deno.env.get("SUPABASE_DB_URL")!;
  const password = decodeURIComponent(new URL(dbUrl).password);
  assert(password.length >= 8, "the local stack's database has a password");
  return [Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!, password, dbUrl];
}

function assertNoSecret(text: string, where: string): void {
  for (const s of secrets()) assert(!text.includes(s), `${where} leaks a secret`);
}

async function toolkitApply(): Promise<void> {
  const bin = Deno.env.get("TOOLKIT_BIN") ?? new URL("../../../.venv/bin/toolkit", import.meta.url).pathname;
  const out = await new Deno.Command(bin, {
    args: ["apply", "--db-url", Deno.env.get("SUPABASE_DB_URL")!, "--migrations-dir", MIGRATIONS_DIR.pathname],
    cwd: new URL("../../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert(out.success, `toolkit apply failed (exit ${out.code}):\n${text}`);
}

Deno.test({
  name: "migration-guide against a local Supabase-shaped stack, before and after toolkit apply",
  ignore: !haveStack && !required,
  // postgres.js keeps a socket timer briefly after end(); the handler closes its pool itself
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    assert(haveStack, `${ENV.join(", ")} must be set (scripts/edge-test.sh does it)`);
    const service = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!;
    const anon = Deno.env.get("SUPABASE_ANON_KEY")!;
    const disk = await fromDisk();
    assertEquals(disk.created.length, 11);

    await t.step("only GET and POST: PUT and DELETE get 405 JSON, OPTIONS answers CORS", async () => {
      for (const method of ["PUT", "DELETE", "PATCH"]) {
        const r = await call(method, service);
        assertEquals(r.status, 405);
        assertMatch(r.body.error, /not allowed/);
        assertEquals(r.headers.get("Allow"), "GET, POST, OPTIONS");
      }
      const pre = await call("OPTIONS", null);
      assertEquals(pre.status, 200);
      assertEquals(pre.headers.get("Access-Control-Allow-Origin"), "*");
      assertMatch(pre.headers.get("Access-Control-Allow-Headers")!, /authorization/);
    });

    await t.step("only the service role: 401 without or with a wrong key, 403 for the anon key", async () => {
      const none = await call("GET", null);
      assertEquals(none.status, 401);
      assertMatch(none.body.error, /missing Authorization/);
      assertEquals((await call("GET", service, "Basic")).status, 401);
      assertEquals((await call("GET", service.slice(0, -1))).status, 401);
      assertEquals((await call("GET", service + "x")).status, 401);
      assertEquals((await call("GET", "sb_secret_not_the_key")).status, 401);
      const a = await call("POST", anon);
      assertEquals(a.status, 403);
      assertMatch(a.body.error, /anon key/);
    });

    await t.step("before apply: agents present, eleven tables missing, the migration pending with its SQL", async () => {
      const r = await call("GET", service);
      assertEquals(r.status, 200);
      const b = r.body;
      assertEquals(b.ok, false);
      assertEquals(b.status, "incomplete");
      assertEquals(b.preconditions.map((p: { name: string }) => p.name), ["agents", "uuid-ossp"]);
      assert(b.preconditions.every((p: { ok: boolean }) => p.ok), JSON.stringify(b.preconditions));
      assertEquals(b.preconditions[0].detail, "agents.id is uuid, primary key");
      assertEquals(b.preconditions[1].detail, "installed in schema extensions");
      assertEquals(b.tables.map((t: { name: string }) => t.name), ["agents", ...disk.created]);
      assertEquals(b.tables[0].database, "present");
      const missing = b.tables.filter((t: { database: string }) => t.database === "missing");
      assertEquals(missing.map((t: { name: string }) => t.name), disk.created);
      assert(b.tables.every((t: { rest: string }) => t.rest === "skipped"));
      assertEquals(b.pending, disk.versions);
      assertEquals(b.guidance.pending.length, disk.versions.length);
      for (const p of b.guidance.pending) {
        assertEquals(p.sql, disk.sql.get(p.version), `the SQL of ${p.version} is the file's`);
        assertMatch(p.file, /^supabase\/migrations\/\d+_\w+\.sql$/);
        assertEquals(p.name, "agent_tables");
      }
      assertEquals(b.guidance.pending[0].creates, disk.created);
      assertMatch(b.guidance.summary, /1 migration is pending: \d+_agent_tables; 11 tables are missing/);
      const steps = b.guidance.steps.join("\n");
      assertMatch(steps, /SQL editor/);
      assertMatch(steps, /toolkit apply/);
      assertMatch(steps, /supabase db push/);
      // POST answers the same
      const post = await call("POST", service);
      assertEquals(post.status, 200);
      assertEquals(post.body.pending, b.pending);
    });

    await t.step("toolkit apply", async () => {
      await toolkitApply();
    });

    await t.step("after apply: nothing missing, nothing pending", async () => {
      const r = await call("GET", service);
      assertEquals(r.status, 200);
      const b = r.body;
      assertEquals(b.ok, true);
      assertEquals(b.status, "ok");
      assertEquals(b.tables.length, 12);
      assert(b.tables.every((t: { database: string }) => t.database === "present"), JSON.stringify(b.tables));
      assert(b.tables.every((t: { differences: string[] }) => t.differences.length === 0));
      assertEquals(b.objects, []);
      assertEquals(b.pending, []);
      assertEquals(b.guidance.pending, []);
      assertMatch(b.guidance.summary, /^Nothing is pending/);
      assertMatch(b.tables[1].detail, /^exists \(created by \d+\): 9 columns, RLS on$/);
    });

    await t.step("drift made by hand is named as toolkit check names it, then gone once undone", async () => {
      await runSql("alter table public.agent_tasks disable row level security");
      try {
        const r = await call("GET", service);
        assertEquals(r.status, 200);
        assertEquals(r.body.ok, false);
        assertEquals(r.body.status, "incomplete");
        const tasks = r.body.tables.find((t: { name: string }) => t.name === "agent_tasks");
        assertEquals(tasks.database, "drifted");
        assertEquals(tasks.differences, ["row level security is disabled"]);
        assertMatch(r.body.guidance.summary, /^Nothing is pending, yet agent_tasks differs/);
      } finally {
        await runSql("alter table public.agent_tasks enable row level security");
      }
      assertEquals((await call("GET", service)).body.ok, true);
    });

    await t.step("an unreachable database: 503 JSON without the password or the URL", async () => {
      const real = Deno.env.get("SUPABASE_DB_URL")!;
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = listener.addr.port;
      listener.close();
      const closed = new URL(real);
      closed.port = String(port);
      Deno.env.set("SUPABASE_DB_URL", closed.toString());
      try {
        const r = await call("GET", service);
        assertEquals(r.status, 503);
        assertEquals(r.headers.get("Content-Type"), "application/json; charset=utf-8");
        assertMatch(r.body.error, /^database unreachable/);
        assertNoSecret(r.text, "the 503 answer");
        assert(!r.text.includes(closed.toString()), "the 503 answer leaks the closed URL");
        assert(!r.text.includes(decodeURIComponent(closed.password)), "the 503 answer leaks the password");
      } finally {
        Deno.env.set("SUPABASE_DB_URL", real);
      }
    });

    await t.step("a wrong database password: 503, and the wrong password is not echoed either", async () => {
      const real = Deno.env.get("SUPABASE_DB_URL")!;
      const wrong = new URL(real);
      wrong.password = "not-the-password-" + crypto.randomUUID();
      Deno.env.set("SUPABASE_DB_URL", wrong.toString());
      try {
        const r = await call("GET", service);
        assertEquals(r.status, 503);
        assertMatch(r.body.error, /^database unreachable/);
        assert(!r.text.includes(wrong.password), "the answer leaks the wrong password");
      } finally {
        Deno.env.set("SUPABASE_DB_URL", real);
      }
    });

    await t.step("no answer ever carried the service key, the database password or URL", () => {
      assert(bodies.length > 10);
      for (const [i, text] of bodies.entries()) assertNoSecret(text, `answer ${i}`);
    });
  },
});
