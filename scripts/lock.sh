#!/usr/bin/env bash
# Write the committed locks from pyproject.toml (run as `make lock`, after changing a dependency):
#   requirements/action.txt  what the GitHub Action installs: toolkit's runtime dependencies and
#                            setuptools and setuptools-scm to build toolkit itself (pip
#                            --no-build-isolation)
#   requirements/dev.txt     the same plus the local and dev extras (make deps, CI)
# Every line pins one version with the sha256 of each of its files (pip --require-hashes).
# --universal resolves once for every Python >= 3.11 and platform, with markers where they
# differ, so the Action's python-version input can pick any of them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
uv="${UV:-.venv/bin/uv}"
[ -x "$uv" ] || { echo "lock: $uv not found (make deps installs it with the dev extra)" >&2; exit 2; }
common=(pip compile --quiet --universal --python-version 3.11 --generate-hashes
        --custom-compile-command "make lock" "${@}")
"$uv" "${common[@]}" pyproject.toml requirements/build.in -o requirements/action.txt
"$uv" "${common[@]}" pyproject.toml requirements/build.in --all-extras -o requirements/dev.txt
