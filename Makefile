# Thin wrappers around the CLI and pytest. `make reports` and `make test` are the README's quick start.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup reports test lint lab data-status benchmarks clean-reports mutants

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/nbstripout --install --attributes .gitattributes 2>/dev/null || true
	touch $(STAMP)

reports: setup
	$(BIN)/research run

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check research tests benchmarks tools
	$(BIN)/nbstripout --verify notebooks/*.ipynb

lab: setup
	$(BIN)/research lab

data-status: setup
	$(BIN)/research data status

benchmarks: setup
	$(BIN)/python benchmarks/data_loading.py
	$(BIN)/python benchmarks/bootstrap.py
	$(BIN)/python benchmarks/regeneration.py
	$(BIN)/python benchmarks/sweep.py

# Mutation testing of research/stats.py against tests/test_stats.py ([tool.mutmut] in pyproject.toml;
# results and survivors in benchmarks/README.md). A benchmark, not CI: tens of minutes on 2 cores.
MUTANTS ?= research.stats*
mutants: setup
	$(BIN)/mutmut run --max-children 2 "$(MUTANTS)"
	$(BIN)/mutmut results
