#!/usr/bin/env bash
# Install toolkit the ways users do and run it, from nothing but the built distribution:
#   1. build the sdist and, from it, the wheel (uv build) out of a clean clone of HEAD;
#   2. start a throwaway local stack (the dev venv's `toolkit local start`) and apply the
#      migrations to it;
#   3. install the wheel into scratch space, each way with its own resolver and the newest
#      releases pyproject.toml allows (no lock):
#        pip   the stock pip of the oldest supported Python (3.11): venv + ensurepip, no upgrade
#        pipx  pipx install <wheel>
#        uv    uv tool install <wheel>
#      and run `toolkit --version` and `toolkit check` (database and REST) from an empty folder;
#      check must exit 0 with every table present over REST.
# Usage: scripts/install-check.sh [pip] [pipx] [uv]   (default: all three; make install-check)
# Needs the dev venv (make deps), git and network access to PyPI. pipx and uv come from PATH,
# else from a scratch venv (pip install). PYTHON311 picks the oldest Python (default:
# python3.11 on PATH, else pyenv's). KEEP=1 keeps the scratch folder. Exit 1 when a way fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dev="$root/.venv/bin"
ways=("$@")
[ ${#ways[@]} -gt 0 ] || ways=(pip pipx uv)
for way in "${ways[@]}"; do
  case "$way" in pip|pipx|uv) ;; *) echo "install-check: unknown way $way (pip, pipx or uv)" >&2; exit 2 ;; esac
done
[ -x "$dev/toolkit" ] || { echo "install-check: $dev/toolkit not found (make deps)" >&2; exit 2; }

py311="$(command -v "${PYTHON311:-python3.11}" || true)"
if [ -z "$py311" ]; then
  py311="$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.11.*/bin/python3.11 2>/dev/null | tail -n1 || true)"
fi
[ -n "$py311" ] && [ -x "$py311" ] || { echo "install-check: no Python 3.11 (set PYTHON311)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/toolkit-install-check.XXXXXX")"
chmod 755 "$work"  # the stack runs PostgreSQL as an unprivileged OS user, who must reach it
stack="$work/stack"
cleanup() {
  "$dev/toolkit" local stop --state-dir "$stack" >/dev/null 2>&1 || true
  if [ "${KEEP:-}" = 1 ]; then echo "install-check: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*"; }
started=$SECONDS

# The tools: uv for the build and one of the ways, pipx for another.
tools="$work/tools"
need_tool() {  # name -> path on PATH, else pip-installed into a scratch venv
  local found
  found="$(command -v "$1" || true)"
  [ -z "$found" ] && [ "$1" = uv ] && [ -x "$dev/uv" ] && found="$dev/uv"
  if [ -z "$found" ]; then
    [ -x "$tools/bin/pip" ] || "$py311" -m venv "$tools" >/dev/null
    "$tools/bin/pip" install -q --disable-pip-version-check "$1" >&2
    found="$tools/bin/$1"
  fi
  echo "$found"
}
uv="$(need_tool uv)"

say "build: sdist, then the wheel from the sdist ($("$uv" --version))"
git clone --quiet --no-local "$root" "$work/src"
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "install-check: the working tree has uncommitted changes: this checks HEAD" >&2
fi
"$uv" build --quiet --python "$py311" --out-dir "$work/dist" "$work/src"
wheel="$(ls "$work"/dist/*.whl)"
ls "$work/dist"

say "local stack (dev venv) and the migrations applied to it"
"$dev/toolkit" local start --state-dir "$stack" | tail -n 2
"$dev/toolkit" local env --state-dir "$stack" --format dotenv > "$work/stack.env"
set -a
# shellcheck disable=SC1091
. "$work/stack.env"
set +a
export TOOLKIT_MIGRATIONS_DIR="$root/supabase/migrations"
export TOOLKIT_CACHE_DIR="$work/cache"  # shared by the three ways: the shadow replays once
export NO_COLOR=1
(cd "$work" && "$dev/toolkit" apply --enable-extensions | tail -n 1)

failed=()
for way in "${ways[@]}"; do
  say "$way"
  home="$work/$way"
  mkdir -p "$home"
  t0=$SECONDS
  case "$way" in
    pip)
      "$py311" -m venv --without-pip "$home/venv"
      "$home/venv/bin/python" -m ensurepip >/dev/null
      echo "$("$home/venv/bin/python" -m pip --version)"
      "$home/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel"
      bin="$home/venv/bin/toolkit" ;;
    pipx)
      pipx="$(need_tool pipx)"
      echo "pipx $("$pipx" --version)"
      PIPX_HOME="$home/home" PIPX_BIN_DIR="$home/bin" PIPX_MAN_DIR="$home/man" \
        PIPX_DEFAULT_PYTHON="$py311" "$pipx" install --quiet "$wheel" >/dev/null
      bin="$home/bin/toolkit" ;;
    uv)
      UV_TOOL_DIR="$home/tools" UV_TOOL_BIN_DIR="$home/bin" \
        "$uv" tool install --quiet --python "$py311" "$wheel"
      bin="$home/bin/toolkit" ;;
  esac
  echo "installed in $((SECONDS - t0)) s: $("$bin" --version)"
  # What this way's resolver chose for the libraries the bounds are about.
  python="$(head -n1 "$bin" | sed 's/^#!//' | cut -d' ' -f1)"  # pipx's shebang adds -E
  "$python" -c 'import sys; from importlib.metadata import version
names = ("supabase", "postgrest", "httpx", "typer", "psycopg", "pglast")
print("python %d.%d," % sys.version_info[:2], ", ".join(f"{n} {version(n)}" for n in names))' ||
    echo "(the installed versions could not be read)"
  # From an empty folder, so nothing but the installed distribution can be imported.
  empty="$home/empty"
  mkdir -p "$empty"
  code=0
  (cd "$empty" && "$bin" check) || code=$?
  (cd "$empty" && "$bin" check --json > "$home/check.json") || true
  verdict="$("$py311" - "$home/check.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
tables = report.get("tables", [])
rest = sum(1 for t in tables if t.get("rest") == "present")
print(f"{rest}/{len(tables)} tables present over REST")
sys.exit(0 if tables and rest == len(tables) else 1)
EOF
)" || code=1
  echo "$way: check exit $code, $verdict"
  [ "$code" = 0 ] || failed+=("$way")
done

say "install-check: ${#ways[@]} ways in $((SECONDS - started)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "install-check: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "install-check: OK: ${ways[*]}"
