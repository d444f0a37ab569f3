// migration-guide: a Supabase Edge Function that tells the service role which migrations of
// supabase/migrations/ are pending on this project, what they create, and how to apply them.
//
// GET or POST with `Authorization: Bearer <service role key>`; answers JSON in the shape of
// `toolkit check --json` plus `guidance`. See README.md. What the migrations make comes from
// bundle.gen.ts, written by toolkit (`make bundle`): this function parses no SQL.
import { BUNDLE } from "./bundle.gen.ts";
import { inspect, Unreachable } from "./catalog.ts";
import { build } from "./guide.ts";
import { redact, urlSecrets } from "./redact.ts";

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, null, 2) + "\n", {
    status,
    headers: { ...CORS, "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Compare in constant time: both sides are hashed first, so neither length nor prefix leaks. */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0 && expected.length > 0;
}

function bearer(req: Request): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("Authorization") ?? "");
  return m ? m[1] : null;
}

/** The database shown in the answer: host, port and name, never user or password. */
function databaseLabel(dbUrl: string): string | undefined {
  try {
    const u = new URL(dbUrl);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return undefined;
  }
}

export async function handler(req: Request): Promise<Response> {
  const env = {
    url: Deno.env.get("SUPABASE_URL"),
    serviceKey: Deno.env.get("SUPABASE_SERVICE_ROLE_KEY"),
    anonKey: Deno.env.get("SUPABASE_ANON_KEY"),
    dbUrl: Deno.env.get("SUPABASE_DB_URL"),
  };
  const secrets = [env.serviceKey, env.anonKey, ...urlSecrets(env.dbUrl)];

  if (req.method === "OPTIONS") return new Response("ok", { status: 200, headers: CORS });
  if (req.method !== "GET" && req.method !== "POST") {
    return json(405, { error: `method ${req.method} not allowed: use GET or POST` }, {
      Allow: "GET, POST, OPTIONS",
    });
  }
  if (!env.serviceKey) {
    return json(500, { error: "SUPABASE_SERVICE_ROLE_KEY is not set for this function" });
  }
  const token = bearer(req);
  if (token === null) {
    return json(401, { error: "missing Authorization: Bearer <service role key>" }, {
      "WWW-Authenticate": "Bearer",
    });
  }
  if (!(await sameSecret(token, env.serviceKey))) {
    if (env.anonKey && (await sameSecret(token, env.anonKey))) {
      return json(403, { error: "the anon key may not ask: use the service role key" });
    }
    return json(401, { error: "invalid key: only the service role key may ask" }, {
      "WWW-Authenticate": 'Bearer error="invalid_token"',
    });
  }
  if (!env.dbUrl) {
    return json(500, { error: "SUPABASE_DB_URL is not set for this function" });
  }

  try {
    const live = await inspect(env.dbUrl, BUNDLE.inspect.text);
    const guide = build(BUNDLE, live, {
      supabaseUrl: env.url,
      database: databaseLabel(env.dbUrl),
    });
    // Belt and braces: nothing secret is in there by construction, but the bundled SQL must
    // never carry a key or the URL either. The bare password is left out of this list: it can
    // only come back in a driver error (below), and a short one such as the local default
    // "postgres" would otherwise mask every database and role name in the answer.
    const body = redact(JSON.stringify(guide, null, 2), [env.serviceKey, env.anonKey, env.dbUrl]);
    return new Response(body + "\n", {
      status: 200,
      headers: { ...CORS, "Content-Type": "application/json; charset=utf-8" },
    });
  } catch (e) {
    const message = redact(e instanceof Error ? e.message : String(e), secrets);
    if (e instanceof Unreachable) {
      return json(503, { error: `database unreachable: ${message}` });
    }
    return json(500, { error: `inspecting the database failed: ${message}` });
  }
}

if (import.meta.main) {
  // `deno task serve` locally: PORT picks the port (8000 by default, as Deno.serve's own).
  Deno.serve({ port: Number(Deno.env.get("PORT") ?? "8000") }, handler);
}
