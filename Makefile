# Laurel — the two commands a new user runs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_DIRS := tests/interop tests/e2e
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help run test test-sqlite test-postgres bench install system-deps node-deps db-check migrations-lock clean

help:
	@echo "make run    - install, migrate, create keys, seed the demo school, serve on http://127.0.0.1:5000"
	@echo "make test   - install everything the tests need and run the whole suite"
	@echo "make bench  - print the benchmarks"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	export LAUREL_ENV=$${LAUREL_ENV:-development}; \
	$(BIN)/laurel db upgrade && \
	$(BIN)/laurel keys init && \
	$(BIN)/laurel demo seed && \
	exec $(BIN)/laurel run --host 127.0.0.1 --port 5000

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

# After adding a revision: lock its checksum (appends; released lines are never rewritten).
migrations-lock:
	$(PYTHON) scripts/migrations_lock.py

test: $(STAMP) system-deps node-deps db-check
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(subst +psycopg,,$(POSTGRES_URL))', connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else \
	  echo "PostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL pass is skipped."; \
	fi

test-sqlite: $(STAMP)
	$(BIN)/pytest

# The database-backed part of the suite again, on PostgreSQL (the pure library tests do not touch it).
test-postgres: $(STAMP)
	LAUREL_TEST_POSTGRES=$(POSTGRES_URL) $(BIN)/pytest -p no:cacheprovider \
	  --ignore=tests/credentials --ignore=tests/interop

bench: $(STAMP) system-deps node-deps
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) tests/interop/node_modules tests/e2e/node_modules test-artifacts
