// The live catalog, in one round trip through postgres.js, with the query toolkit bundled.
import postgres from "postgres";

import type { CatalogDoc } from "./types.ts";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** Hosted Supabase requires TLS: require it for any host but loopback, unless the URL says. */
export function sslFor(dbUrl: string): "require" | false | undefined {
  let url: URL;
  try {
    url = new URL(dbUrl);
  } catch {
    return undefined;
  }
  if (url.searchParams.has("sslmode") || url.searchParams.has("ssl")) return undefined;
  const host = url.hostname.toLowerCase();
  return LOOPBACK.has(host) || host.startsWith("127.") ? false : "require";
}

/** Connection-level failures: the database could not be reached or would not let us in. */
export class Unreachable extends Error {}

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "SASL_SIGNATURE_MISMATCH",
]);

export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === "ConnectionRefused" || e.name === "TimedOut" || e.name === "NotFound") return true;
  const code = String((e as { code?: unknown }).code ?? "");
  // SQLSTATE classes 08 (connection), 28 (authorization), 57P03 (cannot connect now), 53300
  return CONNECT_CODES.has(code) || /^(08|28)/.test(code) || code === "57P03" || code === "53300";
}

/** Read the live catalog with the bundled query text, exactly as toolkit sends it: one simple
 * query (its own read-only transaction, the search path set locally, the inspect query). */
export async function inspect(dbUrl: string, text: string, timeoutSeconds = 5): Promise<CatalogDoc> {
  const sql = postgres(dbUrl, {
    max: 1,
    prepare: false, // transaction-mode poolers (Supavisor :6543) break named prepared statements
    connect_timeout: timeoutSeconds,
    idle_timeout: 1,
    ssl: sslFor(dbUrl),
    onnotice: () => {},
    connection: { application_name: "migration-guide" },
  });
  try {
    // Several statements: the simple protocol, which answers one result per statement.
    const results = await sql.unsafe(text).simple();
    for (const rows of (Array.isArray(results[0]) ? results : [results]) as unknown as unknown[][]) {
      const first = rows[0];
      if (rows.length !== 1 || typeof first !== "object" || first === null) continue;
      const value = Object.values(first)[0];
      if (typeof value === "object" && value !== null && "relations" in value) return value as CatalogDoc;
    }
    throw new Error("the inspect query answered no catalog");
  } catch (e) {
    if (isConnectionError(e)) throw new Unreachable(e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}
