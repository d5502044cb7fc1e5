# The README's commands. `make reports` is the main job; `make test` passes the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SCALE  ?= indie
SEED   ?= 7
SAMPLE ?= var/sample
# The CLI's default database (prodlib.cli.DEFAULT_DB; tests/test_packaging.py checks they agree).
SAMPLE_DB := var/sample.db
DB     ?= sqlite:///$(SAMPLE_DB)
OUT    ?= reports

.PHONY: setup reports sample run test bench lint clean

# Creates the virtual environment if missing and installs prodlib with its test tools.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

# Main job: build the sample production, run the pipeline into a fresh ledger, render every report.
reports: setup
	rm -rf $(SAMPLE) $(SAMPLE_DB)
	$(VENV)/bin/prodlib sample --scale $(SCALE) --seed $(SEED) --out $(SAMPLE)
	$(VENV)/bin/prodlib run --input $(SAMPLE) --db $(DB)
	$(VENV)/bin/prodlib reconcile --db $(DB) --input $(SAMPLE) --out $(OUT)
	$(VENV)/bin/prodlib audit verify --db $(DB)
	$(VENV)/bin/prodlib report --db $(DB) --input $(SAMPLE) --out $(OUT)
	@echo "open $(OUT)/index.html"

test: setup
	$(PY) -m pytest --nbval-lax tests notebooks

# Every benchmark, then issue 12's targets and growth tables (benchmarks/results/latest.md).
# BENCH_ARGS: e.g. "--scales 10000,100000" or "pipeline -- --no-pg" (benchmarks/README.md).
bench: setup
	PRODLIB_TEST_PG_URL=$${PRODLIB_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(PY) -m benchmarks $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf var $(OUT)/*.html $(OUT)/*.csv $(OUT)/remittance
