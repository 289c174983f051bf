# Thin wrappers around the CLI and pytest. `make reports` and `make test` are the README's quick start.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

LOCK   := requirements.lock
KERNEL := research

.PHONY: setup lock reports test lint lab data-status benchmarks clean-reports mutants

setup: $(STAMP)

# Every dependency comes pinned and hashed from $(LOCK); the project itself is installed editable
# on top without touching them. The kernelspec goes into .venv, so papermill and JupyterLab run
# notebooks (kernelspec `research`) with this interpreter.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: '$(PYTHON)' is not Python >= 3.11; run e.g. 'make setup PYTHON=python3.11'" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "research (workbench)" >/dev/null
	$(BIN)/nbstripout --install --attributes .gitattributes 2>/dev/null || true
	touch $(STAMP)

# Re-pin after editing pyproject.toml's dependencies (existing pins are kept; LOCK_ARGS=--upgrade
# moves everything to the newest releases). Resolved against PyPI alone, ignoring local pip
# configuration, so the lock installs anywhere on Python 3.11, linux x86_64.
lock: setup
	env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	  CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --extra dev --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) \
	  --output-file $(LOCK) pyproject.toml

reports: setup
	$(BIN)/research run

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check research tests benchmarks tools
	$(BIN)/nbstripout --verify notebooks/*.ipynb tests/fixtures/notebooks/*.ipynb

lab: setup
	$(BIN)/research lab

data-status: setup
	$(BIN)/research data status

benchmarks: setup
	$(BIN)/python benchmarks/data_loading.py
	$(BIN)/python benchmarks/bootstrap.py
	$(BIN)/python benchmarks/regeneration.py
	$(BIN)/python benchmarks/sweep.py

# Mutation testing, one module at a time: tools/mutants.py narrows [tool.mutmut] (pyproject.toml)
# to MODULE and its unit tests, runs mutmut and prints the score (results and survivors in
# benchmarks/README.md). A benchmark, not CI: tens of minutes per module on 2 cores, run niced.
# E.g. make mutants MODULE=research/claims/drawdowns.py PATTERN='research.claims.drawdowns.x_beta*';
# RETEST=1 re-tests the mutants not killed last time (after adding tests).
MODULE ?= research/stats.py
MAX_CHILDREN ?= 1
mutants: setup
	nice -n 15 $(BIN)/python tools/mutants.py $(MODULE) --max-children $(MAX_CHILDREN) \
		$(if $(PATTERN),--pattern '$(PATTERN)') $(if $(RETEST),--retest)
