#!/usr/bin/env bash
# `make demo`: the whole job on a local Supabase-shaped stack, as a newcomer would run it.
set -uo pipefail
cd "$(dirname "$0")/.."
tk=.venv/bin/toolkit
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "toolkit local start   (PostgreSQL 15 + PostgREST 12 + /rest/v1 gateway, no Docker)"
$tk local start || exit $?
eval "$($tk local env)"

step "toolkit check         (before: the eleven agent tables are missing; exit 1 expected)"
$tk check
code=$?
[ "$code" -eq 0 ] || [ "$code" -eq 1 ] || exit "$code"

step "toolkit plan          (what apply will do, read-only; exit 0 when it made a plan)"
$tk plan || exit $?

step "toolkit apply         (one transaction per file, recorded in supabase_migrations)"
$tk apply || exit $?

step "toolkit verify        (REST probes + the functional insert test, rolled back)"
$tk verify || exit $?

step "toolkit check         (after: all twelve present in both views)"
$tk check || exit $?

step "done. The stack is still running: 'eval \"\$($tk local env)\"' to use it, '$tk local stop' to stop it."
