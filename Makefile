# golive: `make run` runs every checklist against the built-in sandbox; `make test` runs the
# harness's own tests. Both set everything up first (virtualenv with pinned dependencies,
# the Allure 3 CLI from npm, a Chromium that Playwright can drive).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.golive-installed
NODE_STAMP := node_modules/.golive-installed
BROWSER_STAMP := $(VENV)/.golive-browser
FAKETIME_STAMP := $(VENV)/.golive-faketime
SPARK_STAMP := $(VENV)/.golive-spark

# Python's byte-code cache stays on for everything make starts, even where the environment
# turns it off: without it each golive run compiles golive and pytest re-rewrites every
# step module, about a second per run (bench/README.md).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup run test lint bench fuzz clean

setup: $(STAMP) $(NODE_STAMP) $(BROWSER_STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "golive needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(BROWSER_STAMP): $(STAMP) scripts/ensure-browser.sh
	scripts/ensure-browser.sh $(BIN)/python
	@touch $@

# the self-tests' faked clocks (tests/test_runs.py)
$(FAKETIME_STAMP): $(STAMP) scripts/ensure-faketime.sh
	scripts/ensure-faketime.sh
	@touch $@

# the bill-run reconciliation's Spark engine (tests/billrun/test_spark.py): pyspark and Java
$(SPARK_STAMP): $(STAMP) scripts/ensure-java.sh
	scripts/ensure-java.sh $(BIN)/python
	@touch $@

run: setup
	$(BIN)/golive run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Four workers on two cores: a test's `golive run` keeps about half a core busy (it waits
# on its sandbox, its browser and their answers), so two workers left the cores half idle
# (tests/README.md, "Speed"). Tests are handed out one or two at a time, in the order
# tests/conftest.py sorts them (the long runs first, so not reordered): worksteal's first
# split gave every long run to the first worker, and the suite ended on them one after the
# other. The modules whose tests share a sandbox or a run go to one worker each, so it is
# built once, not once per worker (tests/conftest.py, ONE_WORKER).
test: setup $(FAKETIME_STAMP) $(SPARK_STAMP) lint
	$(BIN)/pytest tests -n 4 --dist load --no-loadscope-reorder -q -rs --durations=10

# The benchmarks (bench/README.md): figures and ratios measured side by side, one table.
# Not part of `make test`: benchmarks are not tests. BENCH_ARGS: e.g. --repeat 5 --only api
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

# A long Schemathesis run of the sandbox's Storecove and Kill Bill emulations against the
# published specs (tests/conformance/fuzz.py): every phase, 200 examples per operation.
# `make test` runs a short one. FUZZ_ARGS: e.g. GOLIVE_FUZZ_EXAMPLES=1000 GOLIVE_FUZZ_SEED=7
fuzz: setup
	$(FUZZ_ARGS) $(BIN)/python -m tests.conformance.fuzz
	GOLIVE_REDACT_SETS=48 $(BIN)/pytest tests/unit/test_redact_equivalence.py -q -n 2

clean:
	rm -rf $(VENV) node_modules reports/2* reports/latest
