// What the bundled migration files declare, read from their SQL (never from a hand-kept list):
// the tables each file creates, the tables they reference but nobody creates (preconditions, with
// the referenced column and the type of the referencing column), and the extensions they need.

/** One file of supabase/migrations/, as bundled into migrations.gen.ts. */
export interface MigrationSource {
  version: string;
  name: string;
  file: string;
  sql: string;
  sha256: string;
}

export interface TableRequirement {
  kind: "table";
  name: string;
  column: string;
  /** The type of the column that references it, when the parser could tell. */
  columnType: string | null;
}

export interface ExtensionRequirement {
  kind: "extension";
  name: string;
}

export type Requirement = TableRequirement | ExtensionRequirement;

export interface Declared {
  /** Tables in the order `toolkit check` reports them: preconditions first, then file order. */
  tables: { name: string; createdBy: string | null }[];
  preconditions: Requirement[];
  creates: Map<string, string[]>;
}

/**
 * The SQL as code only: comments removed, string literals and dollar-quoted bodies emptied (so
 * text inside them is never read as a statement); quoted identifiers are kept.
 */
export function codeOnly(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const dollar = c === "$" ? /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i)) : null;
    if (c === '"') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === "'") {
      i = closing(sql, i, c);
      out += "''";
    } else if (dollar && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? "")) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      i = end === -1 ? sql.length : end + dollar[0].length;
      out += "''";
    } else if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? sql.length : nl;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
      out += " ";
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** Split on `sep` where it is outside quotes and parentheses. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      i = closing(text, i, c);
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const IDENT = String.raw`"?([A-Za-z_][A-Za-z0-9_$]*)"?`;
const QUALIFIED = String.raw`(?:${IDENT}\s*\.\s*)?${IDENT}`;
const CREATE_TABLE = new RegExp(
  String.raw`^create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?${QUALIFIED}\s*\(`,
  "i",
);
const REFERENCES = new RegExp(
  String.raw`\breferences\s+${QUALIFIED}(?:\s*\(\s*${IDENT}\s*\))?`,
  "gi",
);
const FOREIGN_KEY = new RegExp(String.raw`\bforeign\s+key\s*\(\s*${IDENT}`, "i");
const CREATE_EXTENSION = new RegExp(
  String.raw`\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?"?([A-Za-z_][A-Za-z0-9_$-]*)"?`,
  "gi",
);
// Column constraint keywords: the type of a column ends where the first of them starts.
const TYPE_END =
  /\s+(?:primary|not|null|unique|references|default|check|constraint|generated|collate)\b/i;
const TABLE_CONSTRAINT = /^(?:constraint|primary|unique|check|foreign|exclude|like)\b/i;

/** Functions that come from an extension: calling one makes the extension a precondition. */
const EXTENSION_FUNCTIONS: [RegExp, string][] = [
  [/\buuid_generate_v[1345](?:mc)?\s*\(/i, "uuid-ossp"],
];

function isPublic(schema: string | undefined): boolean {
  return schema === undefined || schema.toLowerCase() === "public";
}

interface Reference {
  table: string;
  column: string;
  columnType: string | null;
}

function tableReferences(body: string): Reference[] {
  const elements = splitTop(body, ",");
  const types = new Map<string, string>();
  for (const el of elements) {
    if (TABLE_CONSTRAINT.test(el)) continue;
    const m = /^"?([A-Za-z_][A-Za-z0-9_$]*)"?\s+(.*)$/s.exec(el);
    if (!m) continue;
    const rest = m[2];
    const end = TYPE_END.exec(rest);
    types.set(m[1], (end ? rest.slice(0, end.index) : rest).trim().toLowerCase());
  }
  const refs: Reference[] = [];
  for (const el of elements) {
    const fk = FOREIGN_KEY.exec(el);
    const own = TABLE_CONSTRAINT.test(el)
      ? fk?.[1]
      : /^"?([A-Za-z_][A-Za-z0-9_$]*)"?/.exec(el)?.[1];
    for (const m of el.matchAll(REFERENCES)) {
      if (!isPublic(m[1])) continue;
      refs.push({
        table: m[2],
        column: m[3] ?? "id",
        columnType: own ? types.get(own) ?? null : null,
      });
    }
  }
  return refs;
}

/** Read what the migrations declare, in version order. */
export function declared(files: readonly MigrationSource[]): Declared {
  const creates = new Map<string, string[]>();
  const createdBy = new Map<string, string>();
  const references: Reference[] = [];
  const extensionsCreated = new Set<string>();
  const extensionsUsed: string[] = [];
  for (const f of files) {
    const sql = codeOnly(f.sql);
    const made: string[] = [];
    for (const statement of splitTop(sql, ";")) {
      const m = CREATE_TABLE.exec(statement);
      if (m && isPublic(m[1])) {
        const name = m[2];
        if (!createdBy.has(name)) {
          createdBy.set(name, f.version);
          made.push(name);
        }
        const body = statement.slice(m[0].length, statement.lastIndexOf(")"));
        references.push(...tableReferences(body));
      } else {
        for (const r of statement.matchAll(REFERENCES)) {
          if (isPublic(r[1])) references.push({ table: r[2], column: r[3] ?? "id", columnType: null });
        }
      }
      for (const e of statement.matchAll(CREATE_EXTENSION)) extensionsCreated.add(e[1]);
      for (const [pattern, extension] of EXTENSION_FUNCTIONS) {
        if (pattern.test(statement) && !extensionsUsed.includes(extension)) {
          extensionsUsed.push(extension);
        }
      }
    }
    creates.set(f.version, made);
  }
  const preconditions: Requirement[] = [];
  const seen = new Set<string>();
  for (const ref of references) {
    if (createdBy.has(ref.table) || seen.has(ref.table)) continue;
    seen.add(ref.table);
    preconditions.push({
      kind: "table",
      name: ref.table,
      column: ref.column,
      columnType: ref.columnType,
    });
  }
  for (const ext of extensionsUsed) {
    if (!extensionsCreated.has(ext)) preconditions.push({ kind: "extension", name: ext });
  }
  const tables = [
    ...preconditions.filter((p) => p.kind === "table").map((p) => ({ name: p.name, createdBy: null })),
    ...[...createdBy].map(([name, version]) => ({ name, createdBy: version })),
  ];
  return { tables, preconditions, creates };
}
