# Laurel — the two commands a new user runs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_DIRS := tests/interop tests/e2e
# The port `make run` serves on, and with it the public URL (the issuer's did:web, share
# links, QR codes): `make run PORT=5001`, or LAUREL_PORT=5001 in the environment.
PORT ?= $(or $(LAUREL_PORT),5000)
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The tested versions of every Python package: `make lock` refreshes it.
CONSTRAINTS := constraints.txt
# Extra pytest arguments for both passes, e.g. `make test PYTEST_ARGS=tests/badges`.
PYTEST_ARGS ?=
# The passes run at once, each one CPU-bound process, logging to test-artifacts/ (a line of
# progress every five minutes, the logs printed at the end); `make test TEST_PARALLEL=` runs
# them in turn, streaming their output.
TEST_PARALLEL ?= --parallel

.PHONY: help run test lint lock bench install system-deps node-deps db-check migrations-lock translations clean

help:
	@echo "make run    - install, migrate, create keys, seed the demo school, serve on http://127.0.0.1:$(PORT)"
	@echo "             (another port: make run PORT=5001)"
	@echo "make test   - install everything the tests need and run the whole suite"
	@echo "make lint   - ruff, mypy (strict on the pure core) and the import layers"
	@echo "make lock   - refresh $(CONSTRAINTS), the tested versions of every Python package"
	@echo "make bench  - measure every row of the performance table (SQLite and PostgreSQL), write bench/out/results.json"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[test]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	export LAUREL_ENV=$${LAUREL_ENV:-development}; \
	export LAUREL_PUBLIC_URL=$${LAUREL_PUBLIC_URL:-http://127.0.0.1:$(PORT)}; \
	$(BIN)/laurel develop prepare --host 127.0.0.1 --port $(PORT) && \
	$(BIN)/laurel db upgrade && \
	$(BIN)/laurel keys init && \
	$(BIN)/laurel demo seed && \
	exec $(BIN)/laurel run --host 127.0.0.1 --port $(PORT)

system-deps:
	bash scripts/install-system-deps.sh

node-deps:
	@for dir in $(NODE_DIRS); do \
	  if [ -f $$dir/package-lock.json ]; then \
	    npm ci --prefix $$dir --no-audit --no-fund --loglevel=error || exit 1; \
	  fi; \
	done

# The models and the migrations must agree (no autogenerate drift), and no released
# revision may have changed since its checksum was locked.
db-check: $(STAMP)
	$(BIN)/python scripts/migrations_lock.py --check
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export LAUREL_ENV=development LAUREL_INSTANCE_PATH="$$tmp" DATABASE_URL="sqlite:///$$tmp/check.db"; \
	$(BIN)/laurel db upgrade >/dev/null && $(BIN)/laurel db check

# Every check runs, then the target fails if any found something.
lint: $(STAMP)
	@status=0; \
	for check in "ruff check ." "ruff format --check ." \
	  "mypy --strict --follow-imports=silent app/credentials app/verify/core" "mypy app" "lint-imports --no-cache"; do \
	  echo "== $$check"; $(BIN)/$$check || status=1; \
	done; \
	exit $$status

# After changing the words of a page, an email or a message: extract them all and merge them
# into every catalog (new ones come untranslated; tests/i18n fails until they are translated).
# The .mo files are compiled at start-up (app/i18n.py), never committed.
translations: $(STAMP)
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --sort-output -o "$$tmp/messages.pot" . && \
	$(BIN)/pybabel update -i "$$tmp/messages.pot" -d translations --ignore-obsolete --no-fuzzy-matching --width 100

# After adding a revision: lock its checksum (appends; released lines are never rewritten).
migrations-lock:
	$(PYTHON) scripts/migrations_lock.py

# Resolve the newest versions pyproject.toml allows into $(CONSTRAINTS), with pip-tools in a
# throwaway virtual environment; then `make test`, and commit both files together.
lock:
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet pip-tools && \
	CUSTOM_COMPILE_COMMAND="make lock" "$$tmp/bin/pip-compile" --quiet --upgrade --extra test \
	  --strip-extras --no-emit-index-url --no-emit-find-links --output-file $(CONSTRAINTS) pyproject.toml

# Lint first, then the SQLite and PostgreSQL passes; one summary line per pass at the end.
# PostgreSQL must answer (outside CI, LAUREL_SKIP_POSTGRES=1 skips that pass).
test: lint system-deps node-deps db-check
	$(BIN)/python scripts/test_passes.py '$(POSTGRES_URL)' $(TEST_PARALLEL) $(PYTEST_ARGS)

bench: $(STAMP) system-deps node-deps
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) tests/interop/node_modules tests/e2e/node_modules test-artifacts
