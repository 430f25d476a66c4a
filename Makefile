# The two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
AREAS := core organisations accounts certification qchecks competencies cycles
SOURCES := portal webkit $(AREAS) templates

.PHONY: run test setup lint print-sources test-sqlite test-postgres test-browser translations \
        extract-messages migrations bench load clean

## run: set everything up, migrate the database, load demo data, serve on http://127.0.0.1:8000
run: setup
	$(BIN)/portal migrate
	$(BIN)/portal demo-data
	$(BIN)/portal run --host $(HOST) --port $(PORT)

## test: set up, lint, the whole suite on SQLite and PostgreSQL, then the browser tests
test: setup lint test-sqlite test-postgres test-browser

setup: $(VENV)/.installed node_modules/.installed translations

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools warns about every editable install (a block of asterisks): not ours to act on.
	PYTHONWARNINGS="ignore:::setuptools.command.editable_wheel" $(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## translations: compile the NL/FR/DE/EN catalogues (core/translations/*/LC_MESSAGES/messages.po);
##               counts what is translated in NL, FR and DE (English is the source text: no count)
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile --domain messages --directory core/translations --locale en 2>&1 \
		| grep -v '^compiling'; test "$${PIPESTATUS[0]}" -eq 0
	@for language in nl fr de; do \
		$(BIN)/pybabel compile --domain messages --directory core/translations --locale $$language \
			--statistics 2>&1 | grep -v '^compiling'; test "$${PIPESTATUS[0]}" -eq 0 || exit 1; \
	done

## print-sources: the folders `extract-messages` reads (the catalogue test reads them too)
print-sources:
	@echo $(SOURCES)

## extract-messages: refresh messages.pot and merge it into the catalogues (after changing text)
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping babel.cfg --keywords _ --keywords gettext --keywords _gettext \
		--keywords ngettext:1,2 --no-location --sort-output \
		--output core/translations/messages.pot $(SOURCES)
	$(BIN)/pybabel update --domain messages --input-file core/translations/messages.pot \
		--output-dir core/translations --no-fuzzy-matching --ignore-obsolete

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy $(AREAS) webkit portal

test-sqlite: setup
	env -u DATABASE_URL $(BIN)/pytest -m "not browser" -q

test-postgres: setup
	@if $(BIN)/python tests/postgres_available.py "$(PG_TEST_URL)"; then \
		DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -m "not browser" -q; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL at $(PG_TEST_URL) is not reachable, and CI needs it." >&2; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL at $(PG_TEST_URL) is not reachable; the PostgreSQL run is skipped."; \
	fi

test-browser: setup
	@if [ -x "$(CHROMIUM)" ]; then \
		env -u DATABASE_URL CHROMIUM="$(CHROMIUM)" $(BIN)/pytest -m browser -q; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "Chromium is missing at $(CHROMIUM) (apt-get install chromium)." >&2; exit 1; \
	else \
		echo "SKIPPED: no Chromium at $(CHROMIUM) (apt-get install chromium); browser tests skipped."; \
	fi

## migrations: generate migrations for APP after changing its tables (needs PostgreSQL)
migrations: $(VENV)/.installed
	@test -n "$(APP)" || (echo "usage: make migrations APP=certification" >&2; exit 2)
	DATABASE_URL="$(PG_TEST_URL)" $(BIN)/piccolo migrations new $(APP) --auto

## bench: the benchmarks of bench/ on SQLite and PostgreSQL (database portal_bench), each printing
##        its figures, the baseline measured in the same run and the ratio:
##        eligibility (1,000 orgs / 100,000 staff / 1,000,000 Q-checks), imports against the raw
##        floor, pages and the Q-check analytics against a bare handler, and the start-up of
##        `portal --help`.
##        Smaller: make bench BENCH_PRESET=small
BENCH_PRESET ?= large
bench: setup
	$(BIN)/python -m bench.startup_bench
	$(BIN)/python -m bench.eligibility_bench $(BENCH_ARGS)
	$(BIN)/python -m bench.import_bench --preset $(BENCH_PRESET)
	$(BIN)/python -m bench.pages_bench --preset $(BENCH_PRESET)
	$(BIN)/python -m bench.qchecks_bench --preset $(BENCH_PRESET)
	$(BIN)/python -m bench.backup_bench --preset $(BENCH_PRESET)
	@if $(BIN)/python tests/postgres_available.py "$(PG_TEST_URL)"; then \
		$(BIN)/python -m bench.eligibility_bench --postgres $(BENCH_ARGS) && \
		$(BIN)/python -m bench.import_bench --postgres --preset $(BENCH_PRESET) && \
		$(BIN)/python -m bench.pages_bench --postgres --preset $(BENCH_PRESET) && \
		$(BIN)/python -m bench.qchecks_bench --postgres --preset $(BENCH_PRESET) && \
		$(BIN)/python -m bench.backup_bench --postgres --preset $(BENCH_PRESET); \
	else echo "SKIPPED: PostgreSQL at $(PG_TEST_URL) is not reachable."; fi

## load: many logged-in users of every role (locust) against `portal run` with several workers
##       on PostgreSQL (database portal_bench), and the bare handler: p50/p95/p99, failures, ratio.
##       Bigger: make load LOAD_ARGS="--preset large --users 80 --seconds 60"
LOAD_ARGS ?= --preset small --users 40 --seconds 30
load: setup
	$(BIN)/pip install --quiet -e ".[dev,load]"
	$(BIN)/python -m bench.load_bench $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache .mypy_cache
