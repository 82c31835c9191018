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

# Values a user passes (DROP, JSON, PARAMS; NAME, ARTICLES, INTO of new-drop; PORT of explore) are
# data, never code. Make expands a `$(...)` inside a command-line value when it exports the value to
# a recipe, so `DROP='x$(shell ...)'` would run a command before any recipe starts: each is
# re-defined as its literal text ($(value)) and exported. Recipes read them only from the
# environment ("$$DROP": the shell substitutes a value without parsing it) and never as $(DROP),
# which would paste the value into the shell line. (`make DROP:=...` asks make itself to evaluate
# the text on its command line, before this file is read: write DROP=..., not :=.)
NAME_ORIGIN := $(origin NAME)
override DROP := $(value DROP)
override JSON := $(value JSON)
override PARAMS := $(value PARAMS)
override NAME := $(value NAME)
override ARTICLES := $(value ARTICLES)
override INTO := $(value INTO)
override PORT := $(value PORT)
export DROP JSON PARAMS NAME ARTICLES INTO PORT
# A recipe's first check: the named values hold no control character (a line break pasted into
# a path, an escape sequence), refused with a message before any command uses them.
no_control = for v in $(1); do case "$${!v}" in *[[:cntrl:]]*) printf '%s holds a control \
  character (line break, tab, escape...): give the path on one line, as plain text\n' "$$v" >&2; \
  exit 2;; esac; done

.PHONY: help setup report check-params test lint format validate ingest new-drop draft lab explore \
  bench lock clean

help: ## List the documented targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "A data drop, start to finish (data/README.md is the data dictionary):"
	@echo "  1. make new-drop NAME=name ARTICLES='a.txt b.txt'   creates drops/name/ with the texts"
	@echo "  2. edit drops/name/articles.csv and claims.csv      new-drop prints what to fill in"
	@echo "     (make draft DROP=drops/name                      claims.draft.csv to review first)"
	@echo "  3. make validate DROP=drops/name                    until it passes"
	@echo "  4. make ingest DROP=drops/name                      folds it into data/raw/drops/"
	@echo "  5. make report                                      rebuilds the report with it"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (troopclaims)" >/dev/null
	@touch $@

# JupyterLab's settings for this project (jupyter/), installed where lab reads them in the venv:
# overrides.json is the default of every user setting (no "Jupyter news?" prompt over the charts,
# no update check); the server config turns off the news feed, the update check and the PyPI
# extension manager, so nothing in lab reaches the network. Not part of $(STAMP): editing them
# must not re-run the report.
LAB_CONFIG := $(VENV)/share/jupyter/lab/settings/overrides.json \
  $(VENV)/etc/jupyter/jupyter_lab_config.json
$(VENV)/share/jupyter/lab/settings/overrides.json: jupyter/overrides.json | $(STAMP)
	install -D -m 644 $< $@
$(VENV)/etc/jupyter/jupyter_lab_config.json: jupyter/jupyter_lab_config.json | $(STAMP)
	install -D -m 644 $< $@

setup: $(STAMP) $(LAB_CONFIG) ## Create .venv from requirements.lock, install the package, the kernel and lab's settings

# --- The report: file targets, so an unchanged build does nothing ------------------------------
# raw data + package -> data/processed (validated) -> reports/executed/NN-*.ipynb (papermill, one
# per notebook, concurrently) -> reports/report.html + report.pdf, from the notebooks' default
# parameters. PARAMS=path/NAME.yaml builds a variant beside it instead, in reports/NAME/ (one
# `troopclaims report --params` run: execute + build), leaving reports/report.* as they are.
# NOTEBOOK_LIST holds the list of notebooks, rewritten only when it changes, so deleting one
# rebuilds the report. The environment ($(STAMP):
# lock, pyproject) is a prerequisite of every step, as provenance lists its package versions.
# Hidden paths are an interrupted ingest's leftovers (.name.1234.abcd1234.tmp/.trash): never data.
RAW_FILES := $(shell find data/raw -name '.*' -prune -o -type f -print)
# explore.py serves the data in Datasette and plays no part in the report: editing it re-runs no
# notebook.
PKG_SOURCES := $(filter-out src/troopclaims/report/explore.py,$(wildcard src/troopclaims/*.py src/troopclaims/*/*.py))
# What `troopclaims process` runs: the foundations, intake/, checks/ and store's process, not
# report/; and what datapackage.json is generated from beside the code (column meanings, the
# citation; a scratch project run with -C may lack them).
PROCESS_SOURCES := $(foreach m,__init__ errors escaping config contract problems progress atomic,\
  src/troopclaims/$(m).py) $(wildcard src/troopclaims/intake/*.py src/troopclaims/checks/*.py) \
  $(foreach m,__init__ manifest datapackage process,src/troopclaims/store/$(m).py) \
  $(wildcard data/README.md CITATION.cff)
TEMPLATE_FILES := $(wildcard src/troopclaims/templates/report/*)
NOTEBOOKS := $(wildcard notebooks/[0-9][0-9]-*.ipynb)
EXECUTED := $(NOTEBOOKS:notebooks/%=reports/executed/%)
PROCESSED := data/processed/claims.parquet data/processed/articles.parquet \
  data/processed/claims.csv data/processed/articles.csv data/processed/datapackage.json \
  data/processed/validation.json data/processed/sources.json
REPORT_FILES := reports/report.html reports/report.pdf
NOTEBOOK_LIST := reports/executed/.notebooks
# Make's own records of whether data/raw/ still matches sources.json (see $(RAW_CHANGED) below).
RAW_CHANGED := data/processed/.raw-changed
RAW_LISTING := data/processed/.raw-listing

# With PARAMS the variant's recipe runs once its file is checked (check-params) and
# data/processed/ is current; the value itself reaches it only as "$$PARAMS".
report: $(if $(PARAMS),check-params $(PROCESSED),$(REPORT_FILES)) | $(STAMP) ## Validate the data, run the notebooks, write reports/report.html and .pdf (PARAMS=path/NAME.yaml: reports/NAME/)
	$(if $(PARAMS),$(BIN)/troopclaims report --params="$$PARAMS")

$(PROCESSED) &: $(RAW_FILES) $(RAW_CHANGED) $(PROCESS_SOURCES) $(STAMP)
	$(BIN)/troopclaims process

# Make compares times only: a raw file deleted by hand (a drop rolled back), or one copied in
# with an old time, leaves every target "up to date" though sources.json names other files.
# $(RAW_CHANGED) is touched, so data/processed/ is rebuilt, whenever data/raw/ differs from
# sources.json (`python -m troopclaims.store.manifest`: names, then recorded sizes and times, hashing
# only a file whose time moved). That check costs a Python start, so its answer is cached: the
# listing it agreed with (size, times, inode and name of every raw file, and of sources.json)
# is kept in $(RAW_LISTING), and a no-op build whose listing is the same byte for byte runs no
# Python. The listing needs GNU find; where it fails, the Python check simply runs every time.
raw_listing = { find data/raw -name '.*' -prune -o -type f -printf '%s %T@ %C@ %i %p\0' && \
  find data/processed -maxdepth 1 -name sources.json -printf '%s %T@ %C@ %i %p\0'; } | \
  LC_ALL=C sort -z
$(RAW_CHANGED): FORCE | $(STAMP)
	@set -o pipefail; mkdir -p $(@D); [ -e $@ ] || touch -t 198001010000 $@; \
	if $(raw_listing) > $(RAW_LISTING).new 2>/dev/null; then \
	  if cmp -s $(RAW_LISTING).new $(RAW_LISTING); then rm -f $(RAW_LISTING).new; exit 0; fi; \
	else rm -f $(RAW_LISTING).new; fi; \
	if $(PY) -m troopclaims.store.manifest data/processed; then \
	  if [ -e $(RAW_LISTING).new ]; then mv -f $(RAW_LISTING).new $(RAW_LISTING); fi; \
	else rm -f $(RAW_LISTING) $(RAW_LISTING).new; touch $@; fi

check-params: FORCE
	@$(call no_control,PARAMS); [ -f "$$PARAMS" ] || { \
	    printf 'PARAMS: no such file: %s\n' "$$PARAMS" >&2; exit 1; }

$(NOTEBOOK_LIST): FORCE
	@mkdir -p $(@D); printf '%s\n' $(NOTEBOOKS) | cmp -s - $@ || printf '%s\n' $(NOTEBOOKS) > $@

# One process runs every stale notebook concurrently (measured faster than one process per
# notebook under make -j): all of them when data, package or environment changed ($? holds more
# than notebooks), else only the notebooks that changed; the others are still valid, so they
# are touched to say so. `troopclaims report` imports only what the report needs (no pandas,
# no Great Expectations), so the CLI costs no more than the module would.
$(EXECUTED) &: $(NOTEBOOKS) $(PROCESSED) $(PKG_SOURCES) $(STAMP)
	$(BIN)/troopclaims report execute \
	  $(if $(filter-out $(NOTEBOOKS),$?),$(NOTEBOOKS),$(filter $(NOTEBOOKS),$?))
	@touch -c $(EXECUTED)

$(REPORT_FILES) &: $(EXECUTED) $(NOTEBOOK_LIST) $(TEMPLATE_FILES) $(PKG_SOURCES) $(RAW_FILES) \
  $(STAMP)
	$(BIN)/troopclaims report build

# Every step writes atomically, so a failed step leaves good old files: keep them (make would
# otherwise delete the other members of a grouped target when its recipe fails).
.PRECIOUS: $(PROCESSED) $(EXECUTED) $(REPORT_FILES)

lab: $(PROCESSED) $(LAB_CONFIG) | $(STAMP) ## Open the notebooks in JupyterLab (kernel `troopclaims` preselected)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# --- make explore: the claims in Datasette -----------------------------------------------------
# claims.db (sqlite-utils: both tables, their foreign keys, full-text search on the quotes) and
# its Datasette metadata (column descriptions and controlled values from the contract, licence,
# sources, facets, saved queries), built from data/processed/ once it is current, and rebuilt
# only when it changes; each file is written to a temporary name, then renamed. Then Datasette
# serves it on 127.0.0.1 only, on PORT (8001 unless set; 0 takes any free port), which reaches
# the command from the environment (see "Values a user passes" above).
EXPLORE_FILES := data/processed/claims.db data/processed/claims.metadata.json
$(EXPLORE_FILES) &: $(PROCESSED) src/troopclaims/report/explore.py $(STAMP)
	$(PY) -m troopclaims.report.explore build

.PRECIOUS: $(EXPLORE_FILES)

explore: $(EXPLORE_FILES) | $(STAMP) ## Browse, filter and search the claims in Datasette on 127.0.0.1 (PORT=8001)
	@$(call no_control,PORT)
	@$(PY) -m troopclaims.report.explore serve $${PORT:+--port="$$PORT"}

FORCE:

# axe-core for the accessibility test (tests/test_accessibility.py), installed from its lock
# (tests/a11y/package-lock.json, exact version and sha512) by `npm ci` before the tests run,
# never by the test itself. Without npm the test skips, saying how to install (fails under
# CI=true). npm keeps the tarball's old file times: touched, so make sees it current.
AXE_CORE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE_CORE): tests/a11y/package.json tests/a11y/package-lock.json
	@if command -v npm >/dev/null; then \
	  cd tests/a11y && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch -c ../../$@; \
	else echo "npm not found: tests/test_accessibility.py's axe-core check will be skipped" >&2; fi

# Tests run on every core (pytest-xdist). --dist loadgroup keeps the tests that share one costly
# run (xdist_group: the fixture report, one validation of a broken drop) on one worker.
test: $(STAMP) $(LAB_CONFIG) $(AXE_CORE) ## Run every test (pytest, on every core)
	$(BIN)/pytest -n auto --dist loadgroup --durations=25

lint: $(STAMP) ## Check lint and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Reformat the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# DROP=path/to/drop (a folder) or a claims CSV; without DROP, `validate` checks the dataset.
# DROP and JSON reach the CLI as one argument each, from the environment (see "Values a user
# passes" above); `--` and `--json=` keep a value that starts with '-' a path, not an option.
validate: $(STAMP) ## Validate the dataset, or a new drop with it: make validate DROP=path
	@$(call no_control,DROP JSON)
	@$(BIN)/troopclaims validate $${JSON:+--json="$$JSON"} $${DROP:+-- "$$DROP"}

ingest: $(STAMP) ## Validate a drop and fold it into data/raw/drops/: make ingest DROP=path
	@[ -n "$$DROP" ] || { echo "usage: make ingest DROP=path/to/drop" >&2; exit 2; }; \
	  $(call no_control,DROP)
	@$(BIN)/troopclaims ingest -- "$$DROP"

draft: $(STAMP) ## Draft claims to review (claims.draft.csv, never ingested): make draft DROP=path
	@[ -n "$$DROP" ] || { echo "usage: make draft DROP=path/to/drop" >&2; exit 2; }; \
	  $(call no_control,DROP)
	@$(BIN)/troopclaims draft -- "$$DROP"

# NAME, ARTICLES and INTO reach the shell through the environment (exported above, as their
# literal text), never pasted into the recipe: a value is data, not shell code. ARTICLES is split
# on whitespace (names with spaces: call `troopclaims new-drop` directly), never globbed. Options
# come first and every user value after `--`, so NAME=--help or NAME=--into=/x is a (refused)
# name, never an option.
new-drop: $(STAMP) ## Start a drop folder from article texts: make new-drop NAME=x ARTICLES='a.txt b.txt'
	@[ "$(NAME_ORIGIN)" = "command line" ] && [ -n "$$NAME" ] && [ -n "$$ARTICLES" ] || { \
	  echo "usage: make new-drop NAME=name ARTICLES='a.txt b.txt' [INTO=dir]" >&2; exit 2; }; \
	  $(call no_control,NAME ARTICLES INTO)
	@set -f; $(BIN)/troopclaims new-drop $${INTO:+--into="$$INTO"} -- "$$NAME" $$ARTICLES

# Both benchmarks always run; make bench then fails if a validation target was missed.
bench: $(STAMP) ## Print timings: validation at 10k/100k/1M rows, full/no-op/floor report builds
	@status=0; $(PY) bench/validate_bench.py || status=$$?; $(PY) bench/report_bench.py || status=$$?; \
	  for b in hostile_text hostile_csv hostile_params; do $(PY) bench/$$b.py || status=$$?; done; \
	  exit $$status

lock: ## Re-resolve requirements.lock from pyproject.toml in a scratch venv
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet "setuptools>=77" && .lockenv/bin/pip install --quiet ".[dev]"
	{ echo "# troopclaims lock: every package, pinned. Python 3.11 (see environment.yml)."; \
	  echo "# Regenerate with: make lock   (resolves pyproject.toml's dependencies + [dev] in a scratch venv)"; \
	  .lockenv/bin/pip freeze --all --exclude troopclaims | grep -v '^pip=='; } > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock && rm -rf .lockenv

clean: ## Delete derived outputs (data/processed/, reports/); raw data is never touched
	find data/processed reports -mindepth 1 ! -name .gitkeep -delete
