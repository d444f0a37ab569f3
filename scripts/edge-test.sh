#!/usr/bin/env bash
# Checks the Supabase Edge Functions in supabase/functions/: deno check, deno lint, and deno test
# against a throwaway local Supabase-shaped stack (toolkit local), stopped whatever happens.
#
# Deno comes from the npm registry package `deno` (pinned in tools/deno/package-lock.json),
# installed into tools/deno/ when missing. Its cache lives in .toolkit/deno (DENO_DIR), so npm:
# packages are fetched once. Exits non-zero on any failure.
#
#   scripts/edge-test.sh              everything
#   EDGE_TEST_NO_STACK=1 scripts/edge-test.sh   check, lint and the tests that need no database
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DENO_DIR="${DENO_DIR:-$ROOT/.toolkit/deno}"
export DENO_NO_UPDATE_CHECK=1
export NO_COLOR="${NO_COLOR:-1}"
TOOLKIT_BIN="${TOOLKIT_BIN:-$ROOT/.venv/bin/toolkit}"
start=$SECONDS

find_deno() {
  local c
  for c in "$ROOT/tools/deno/node_modules/.bin/deno" \
           "$ROOT"/tools/deno/node_modules/@deno/*/deno; do
    if [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if ! DENO="$(find_deno)"; then
  echo "edge-test: installing Deno from the npm registry into tools/deno/"
  npm ci --prefix "$ROOT/tools/deno" --no-audit --no-fund --loglevel=error >&2
  DENO="$(find_deno)" || { echo "edge-test: no working deno binary in tools/deno/node_modules" >&2; exit 1; }
fi
echo "edge-test: $("$DENO" --version | head -1) (DENO_DIR=$DENO_DIR)"

mapfile -t FUNCTIONS < <(find "$ROOT/supabase/functions" -mindepth 2 -maxdepth 2 -name deno.json -printf '%h\n' | sort)
if [ "${#FUNCTIONS[@]}" -eq 0 ]; then
  echo "edge-test: no function with a deno.json under supabase/functions/" >&2
  exit 1
fi

STATE=""
LOG="$(mktemp /tmp/edge-test-log.XXXXXX)"
cleanup() {
  local rc=$?
  if [ -n "$STATE" ]; then
    "$TOOLKIT_BIN" local stop --state-dir "$STATE" >/dev/null 2>&1 || \
      echo "edge-test: could not stop the stack in $STATE" >&2
    rm -rf "$STATE"
  fi
  rm -f "$LOG"
  [ "$rc" -eq 0 ] || echo "edge-test: FAILED after $((SECONDS - start))s (exit $rc)" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for dir in "${FUNCTIONS[@]}"; do
  name="${dir#"$ROOT/supabase/functions/"}"
  echo "== $name: deno install (lock file frozen), check, lint"
  (cd "$dir" && "$DENO" install --frozen --quiet && "$DENO" check --frozen ./*.ts && "$DENO" lint)
done

if [ "${EDGE_TEST_NO_STACK:-}" != "1" ]; then
  STATE="$(mktemp -d /tmp/edge-test.XXXXXX)"
  chmod 711 "$STATE"  # the stack runs PostgreSQL as an unprivileged user: it must traverse this
  t0=$SECONDS
  "$TOOLKIT_BIN" local start --state-dir "$STATE"
  eval "$("$TOOLKIT_BIN" local env --state-dir "$STATE")"
  export SUPABASE_URL SUPABASE_ANON_KEY SUPABASE_SERVICE_ROLE_KEY SUPABASE_DB_URL
  export TOOLKIT_BIN EDGE_TEST_REQUIRE_STACK=1
  echo "edge-test: local stack up in $((SECONDS - t0))s"
fi

passed=0
failed=0
for dir in "${FUNCTIONS[@]}"; do
  name="${dir#"$ROOT/supabase/functions/"}"
  echo "== $name: deno test"
  # Loopback only: the stack, and the closed port of the unreachable-database test.
  rc=0
  (cd "$dir" && "$DENO" test --frozen --allow-env --allow-read --allow-net=127.0.0.1,localhost \
    --allow-run="$TOOLKIT_BIN") 2>&1 | tee "$LOG" || rc=$?
  summary="$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$LOG" | tail -1 || true)"
  if [ -z "$summary" ]; then
    echo "edge-test: $name: deno test ended without a summary (exit $rc)" >&2
    exit 1
  fi
  passed=$((passed + $(sed -E 's/^[A-Z a-z]+\| ([0-9]+) passed.*/\1/' <<<"$summary")))
  failed=$((failed + $(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")))
  [ "$rc" -eq 0 ] || failed=$((failed > 0 ? failed : 1))
done

echo "edge-test: all checks in $((SECONDS - start))s"
# The plain closing line, whatever reads this output.
echo "edge-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
