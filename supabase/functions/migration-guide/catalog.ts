// Everything the guide needs from the database, in one round trip, through postgres.js.
import postgres from "postgres";

export interface TableInfo {
  rls: boolean;
  /** column name -> format_type(), in column order */
  columns: Record<string, string>;
  /** unique, non-partial, non-expression indexes (the primary key among them) */
  keys: { primary: boolean; columns: string[] }[];
}

export interface Catalog {
  user: string;
  /** extension name -> schema it is installed in */
  extensions: Record<string, string>;
  uuidOsspAvailable: boolean;
  tables: Record<string, TableInfo>;
  /** applied versions; null: no history table (everything is pending); "forbidden": unreadable */
  history: string[] | null | "forbidden";
}

// The history table is read through query_to_xml so that the statement still parses when the
// table does not exist yet (the same trick as toolkit/sql/inspect.sql).
const INSPECT = `
select json_build_object(
  'user', current_user,
  'extensions', (
    select coalesce(json_object_agg(e.extname, n.nspname), '{}'::json)
    from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace),
  'uuidOsspAvailable', exists (
    select 1 from pg_catalog.pg_available_extensions where name = 'uuid-ossp'),
  'tables', (
    select coalesce(json_object_agg(c.relname, json_build_object(
      'rls', c.relrowsecurity,
      'columns', (
        select coalesce(json_object_agg(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
                                        order by a.attnum), '{}'::json)
        from pg_catalog.pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
      'keys', (
        select coalesce(json_agg(json_build_object(
          'primary', i.indisprimary,
          'columns', (
            select json_agg(a.attname order by u.ord)
            from unnest(i.indkey::int2[]) with ordinality u(attnum, ord)
            join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = u.attnum))),
          '[]'::json)
        from pg_catalog.pg_index i
        where i.indrelid = c.oid and i.indisunique and i.indpred is null and i.indexprs is null)
    )), '{}'::json)
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and c.relname in (select json_array_elements_text($1::text::json))),
  'history', case
    when pg_catalog.to_regclass('supabase_migrations.schema_migrations') is null then null
    when not pg_catalog.has_table_privilege('supabase_migrations.schema_migrations', 'select')
      then '"forbidden"'::json
    else (
      select coalesce(json_agg(x.version order by x.version), '[]'::json)
      from xmltable('/table/row' passing pg_catalog.query_to_xml(
        'select version from supabase_migrations.schema_migrations', false, false, '')
        columns version text) x)
  end
) as catalog`;

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

export async function inspect(
  dbUrl: string,
  tables: readonly string[],
  timeoutSeconds = 5,
): Promise<Catalog> {
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
    const rows = await sql.unsafe(INSPECT, [JSON.stringify(tables)]);
    return rows[0].catalog as Catalog;
  } catch (e) {
    if (isConnectionError(e)) throw new Unreachable(e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}
