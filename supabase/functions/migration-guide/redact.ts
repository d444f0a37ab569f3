// Keep secrets out of every response: the keys, the database URL and its password, and anything
// shaped like a JWT, an opaque Supabase key or a password in a URL or conninfo string (driver
// error messages may quote the connection string).

export const MASK = "***";

const PATTERNS: [RegExp, (m: string, ...g: string[]) => string][] = [
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+/g, () => MASK],
  [/sb_(?:secret|publishable)_[A-Za-z0-9_-]+/g, () => MASK],
  [/(?<=:\/\/)([^:/@\s]+):([^@\s]+)@/g, (_m, user) => `${user}:${MASK}@`],
  [/(password\s*=\s*)('[^']*'|\S+)/gi, (_m, key) => `${key}${MASK}`],
];

/** The secrets a database URL carries: itself, and its password raw and percent-decoded. */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const secrets = [url];
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/i.exec(url);
  if (m && m[1]) {
    secrets.push(m[1]);
    try {
      secrets.push(decodeURIComponent(m[1]));
    } catch {
      // not percent-encoded: the raw form is already listed
    }
  }
  return secrets;
}

/** Replace every known secret (longest first) and everything that looks like one. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  const known = [...new Set(secrets.filter((s): s is string => !!s && s.length >= 3))]
    .sort((a, b) => b.length - a.length);
  for (const s of known) text = text.split(s).join(MASK);
  for (const [pattern, replace] of PATTERNS) text = text.replace(pattern, replace);
  return text;
}
