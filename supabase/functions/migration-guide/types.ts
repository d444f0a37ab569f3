// The shapes of the catalog document (toolkit/db/sql/inspect.sql, the one query toolkit and this
// function both send) and of the bundle toolkit writes (toolkit/edge/bundle.py).

export interface Column {
  name: string;
  type: string;
  not_null: boolean;
  default: string | null;
  identity: string | null;
  generated: string | null;
  /** a collation other than the type's own, schema.name */
  collation?: string | null;
  comment?: string | null;
  /** column-level privileges per grantee (PUBLIC included) */
  grants?: Record<string, string[]> | null;
}

export interface Constraint {
  name: string;
  /** p primary, u unique, f foreign, c check, x exclusion */
  type: string;
  columns: string[] | null;
  ref: string | null;
  ref_columns: string[] | null;
  on_delete: string | null;
  on_update: string | null;
  def: string;
}

export interface Index {
  name: string;
  unique: boolean;
  def: string;
  columns: string[] | null;
}

export interface Policy {
  name: string;
  command: string;
  permissive: boolean;
  roles: string[] | null;
  using: string | null;
  check: string | null;
}

export interface Trigger {
  name: string;
  enabled: string;
  def: string;
}

export interface Relation {
  kind: string;
  rls: boolean;
  rls_forced: boolean;
  partition_bound: string | null;
  parents: string[];
  view: string | null;
  columns: Column[];
  constraints: Constraint[];
  indexes: Index[];
  policies: Policy[];
  triggers: Trigger[];
  /** privileges per grantee (PUBLIC included), the owner's own left out */
  grants: Record<string, string[]>;
  owner?: string;
  /** p logged, u unlogged, t temporary */
  persistence?: string;
  /** d default, f full, n nothing, i using index */
  replica_identity?: string;
  replica_index?: string | null;
  /** reloptions, "key=value" */
  options?: string[] | null;
  comment?: string | null;
}

export interface FunctionInfo {
  def: string;
  security_definer: boolean;
  /** the API roles that may execute it */
  grants: string[];
  body?: string;
  /** i immutable, s stable, v volatile */
  volatility?: string;
  /** proconfig, "key=value" (search_path) */
  config?: string[] | null;
  owner?: string;
  /** f function, p procedure */
  kind?: string;
  /** every grantee but the owner that may execute it, PUBLIC included */
  executors?: string[];
  strict?: boolean;
  leakproof?: boolean;
  /** s safe, r restricted, u unsafe */
  parallel?: string;
  cost?: number;
  rows?: number;
  comment?: string | null;
}

export interface TypeInfo {
  kind: string;
  labels: string[] | null;
  base: string | null;
  owner?: string;
}

/** A sequence the migrations create (a bigint's extremes are beyond a JavaScript number's
 * exact range: compared here, they are as alike or apart as their nearest doubles). */
export interface SequenceInfo {
  owner: string;
  type: string;
  /** an identity column's sequence: its owner and OWNED BY are the column's */
  identity?: boolean;
  increment: number;
  start: number;
  min: number;
  max: number;
  cache: number;
  cycle: boolean;
  /** schema.table.column */
  owned_by: string | null;
  grants: Record<string, string[]> | null;
}

export interface SchemaInfo {
  owner: string;
  comment?: string | null;
  grants: Record<string, string[]> | null;
}

export interface ExtensionInfo {
  schema: string;
  version: string;
}

/** The migrations' policies and triggers on a table Supabase owns (auth.users, storage.objects). */
export interface ManagedTable {
  policies: Policy[];
  triggers: Trigger[];
}

export interface HistoryRow {
  version: string;
  name: string | null;
  statements: string[] | null;
}

/** What inspect.sql answers (the fields this function reads). */
export interface CatalogDoc {
  user: string;
  server_version: number;
  extensions: Record<string, string>;
  uuid_ossp_available: boolean;
  relations: Record<string, Relation>;
  functions: Record<string, FunctionInfo>;
  types: Record<string, TypeInfo>;
  /** null: no history table (everything is pending); "forbidden": unreadable */
  history: HistoryRow[] | null | "forbidden";
}

export interface BundledMigration {
  version: string;
  name: string;
  file: string;
  sha256: string;
  /** tables the file creates, as toolkit plan names them */
  creates: string[];
  sql: string;
}

export interface TableRequirement {
  /** schema.name */
  name: string;
  /** the referenced columns, and the types of the columns that reference them */
  columns: string[];
  types: (string | null)[];
}

export interface Bundle {
  postgres_major: number;
  /** PostgreSQL's reserved words: a fix quotes an identifier that is one */
  keywords?: string[];
  inspect: { search_path: string; text: string };
  migrations: BundledMigration[];
  preconditions: { tables: TableRequirement[]; extensions: string[] };
  /** the project's own relations, in the order the migrations create them */
  relations: { name: string; kind: string; table: boolean; created_by: string | null }[];
  /** relations the shadow database could not replay: never judged */
  unknown: string[];
  expected: {
    relations: Record<string, Relation>;
    functions: Record<string, FunctionInfo>;
    types: Record<string, TypeInfo>;
  };
}
