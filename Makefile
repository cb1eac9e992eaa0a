# Two commands do everything on a fresh machine with Python 3.11, pip and make:
#   make report   set up .venv from the lock file, then build every report
#   make test     set up .venv from the lock file, then run every test (nbval included)
# See README.md for the rest.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup browser poppler report test lab notebooks lock fixtures bench clean

help:
	@echo "make report     build every report into reports/, HTML and PDF (sets up .venv, installs chromium)"
	@echo "make test       ruff (lint and format) and the whole test suite, doctests and nbval included (sets up .venv first)"
	@echo "make lab        open JupyterLab at the project root, on notebooks/, with the project kernel"
	@echo "make notebooks  re-execute notebooks/ in place to refresh their stored outputs"
	@echo "make lock       re-resolve requirements.lock from pyproject.toml"
	@echo "make fixtures   regenerate the metafor reference values (needs R: apt-get install r-cran-metafor r-cran-lme4)"
	@echo "make bench      time the meta-analysis and the multiverse (bench/bench_meta.py, bench/bench_multiverse.py)"
	@echo "make clean      remove .venv and generated reports"

setup: $(STAMP)

# The stamp depends on the lock and the package metadata: change either and the
# environment is rebuilt from scratch, so .venv never drifts from the lock.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 11) else "Python 3.11 is required (found %d.%d); run make with PYTHON=/path/to/python3.11" % v)'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m helpers.build.kernel
	touch $@

report: $(STAMP) browser
	$(BIN)/python -m helpers.build

test: $(STAMP) browser poppler
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest

# The build prints each reviewer report to PDF with Debian's Chromium (helpers.build.pdf), and
# the browser test drives it (tests/test_browser.py); install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	    echo "installing Debian's chromium, which prints the reviewer reports to PDF (apt-get)"; \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || { \
	    echo "could not install chromium: run 'apt-get install chromium' as root, then make report or make test"; exit 1; }

# The PDF test reads the printed reports with pdftotext and pdfinfo (tests/test_pdf.py), from
# Debian's poppler-utils; install it when missing.
poppler:
	@{ command -v pdftotext && command -v pdfinfo; } >/dev/null 2>&1 || { \
	    echo "installing Debian's poppler-utils (pdftotext, pdfinfo) for the PDF test (apt-get)"; \
	    apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null; } || { \
	    echo "could not install poppler-utils: run 'apt-get install poppler-utils' as root, then make test"; exit 1; }

# JupyterLab serves the project root (data/, reports/ and src/ in reach) and opens on notebooks/.
# As root (a container), JupyterLab starts only with --allow-root.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --LabApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: $(STAMP)
	$(BIN)/python -m helpers.build --refresh-notebooks

lock:
	$(PYTHON) -m venv /tmp/calcinosis-lock-venv
	/tmp/calcinosis-lock-venv/bin/pip install --quiet pip-tools
	/tmp/calcinosis-lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	    --no-emit-index-url --no-emit-find-links --extra build --output-file requirements.lock pyproject.toml

# The tests read the committed reference values; only regenerating them needs R.
fixtures: $(STAMP)
	@command -v Rscript >/dev/null || { echo "R is needed: apt-get install r-base-core r-cran-metafor r-cran-lme4"; exit 1; }
	$(BIN)/python tests/fixtures/make_meta_datasets.py
	Rscript tests/fixtures/metafor_reference.R

bench: $(STAMP)
	$(BIN)/python bench/bench_meta.py
	$(BIN)/python bench/bench_multiverse.py

clean:
	rm -rf $(VENV) .cache reports/runs reports/.staging reports/screenshots reports/index.html reports/build.json reports/.build.lock
