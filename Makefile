# troopclaims — every documented target is listed by `make help`.
# Setup is implicit: any target that needs the environment builds .venv first (only if missing),
# installs the pinned lock and the package, and registers the `troopclaims` Jupyter kernel inside
# the venv. Nothing is downloaded after setup.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.troopclaims-installed
KERNEL := troopclaims
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export MPLBACKEND := Agg

.PHONY: help setup report test lint format validate ingest lab bench lock clean

help: ## List the documented targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (troopclaims)" >/dev/null
	@touch $@

setup: $(STAMP) ## Create .venv from requirements.lock, install the package and the kernel

report: $(STAMP) ## Validate the data, write data/processed/ and build the report
	$(BIN)/troopclaims process
	@echo "NOTE: the HTML/PDF report is not built yet (issue 4); data/processed/ is up to date."

test: $(STAMP) ## Run every test (pytest)
	$(BIN)/pytest

lint: $(STAMP) ## Check lint and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Reformat the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Re-resolve requirements.lock from pyproject.toml in a scratch venv
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet "setuptools>=77" && .lockenv/bin/pip install --quiet ".[dev]"
	{ echo "# troopclaims lock: every package, pinned. Python 3.11 (see environment.yml)."; \
	  echo "# Regenerate with: make lock   (resolves pyproject.toml's dependencies + [dev] in a scratch venv)"; \
	  .lockenv/bin/pip freeze --all --exclude troopclaims | grep -v '^pip=='; } > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock && rm -rf .lockenv

clean: ## Delete derived outputs (data/processed/, reports/); raw data is never touched
	find data/processed reports -mindepth 1 ! -name .gitkeep -delete
