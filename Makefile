# Two commands do all set-up on a fresh machine: `make book` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := book/_assets/vendor/.complete
AXE_VERSION := 4.14.1
AXE := $(VENV)/axe-core/axe.min.js
CHROMIUM ?= /usr/bin/chromium-headless-shell
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))
JB := $(BIN)/jupyter-book build . --all --toc book/_toc.yml --warningiserror --nitpick --keep-going
NBVAL := $(BIN)/pytest -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# Python keeps its compiled modules: the checks start dozens of interpreters (pytest workers, kernels, Lab
# servers), and a shell that turns the cache off would make each one compile SymPy, Altair and Jupyter again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: book test book-pages unit nbval browser browser-pages browser-lab binder lab execute student bench formulas calibration lock clean

# uv installs the pinned closure (pip would take minutes on a fresh machine); pip bootstraps uv itself.
$(STAMP): requirements.txt requirements-dev.txt lib/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$$(grep '^uv==' requirements-dev.txt)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt -r requirements-dev.txt
	touch $@

# MathJax and Vega (the live explorers), from npm, so the book reads offline.
$(VENDOR):
	rm -rf book/_assets/vendor && mkdir -p book/_assets/vendor/.npm
	cd book/_assets/vendor/.npm && npm pack --silent mathjax@3.2.2 vega@6.4.0 vega-lite@6.5.0 vega-embed@7.3.0 >/dev/null
	cd book/_assets/vendor && mkdir mathjax vega \
	  && tar -xzf .npm/mathjax-3.2.2.tgz -C mathjax --strip-components=1 \
	  && for p in vega-6.4.0 vega-lite-6.5.0 vega-embed-7.3.0; do \
	       tar -xzf .npm/$$p.tgz -C vega --strip-components=2 package/build/$${p%-*}.min.js; done \
	  && rm -rf .npm
	touch $@

# axe-core (accessibility rules) for the browser tests, from npm like the vendored assets.
$(AXE): | $(STAMP)
	rm -rf $(VENV)/axe-core && mkdir -p $(VENV)/axe-core
	cd $(VENV)/axe-core && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js --strip-components=1 && rm axe-core-$(AXE_VERSION).tgz

# Debian's Chromium drives the browser tests (Playwright's own browser download is not used): by default its
# headless shell, the build Playwright itself runs headless, which renders with the same Blink and V8 as the
# full browser without drawing a browser window's frames (the browser tests take about a quarter less CPU).
# `make browser CHROMIUM=/usr/bin/chromium` runs them in the full browser; either is installed with apt-get.
BROWSERS := /usr/bin/chromium /usr/bin/chromium-headless-shell
$(BROWSERS):
	$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $(notdir $@) fonts-dejavu-core

book: $(STAMP) $(VENDOR)
	$(JB)

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile tests --ignore=tests/browser

nbval: $(STAMP)
	$(NBVAL) -q -n 2 --dist loadfile $(CHAPTERS)

BROWSER_PYTEST := BROWSER_TESTS_REQUIRED=1 AXE_JS=$(AXE) CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q -p no:cacheprovider

# The browser tests: the book's pages and the notebooks in JupyterLab.
browser: browser-pages browser-lab

# Every page of the built book offline in Chromium (math, images, live explorers, console, axe-core).
# Needs _build/html: run after `make book`.
browser-pages: $(STAMP) $(AXE) $(CHROMIUM)
	$(BROWSER_PYTEST) -n 2 tests/browser/test_pages.py

# The notebooks in JupyterLab: every chapter and student notebook rendered with nothing run, and a
# chapter with a kernel (an edited cell moves a number in the text, a slider moves its explorer).
browser-lab: $(STAMP) $(CHROMIUM)
	$(BROWSER_PYTEST) tests/browser/test_lab_myst.py tests/browser/test_lab.py

# A fresh virtualenv from requirements.txt alone (what Binder builds) runs nbval on every chapter.
binder: $(STAMP)
	SERVINGMATH_BINDER_TEST=1 $(BIN)/pytest -q -p no:cacheprovider tests/test_binder_env.py

# The checks run side by side, three at a time on two cores, so that one check's idle moments (installs,
# the single-threaded book build, JupyterLab's waits) leave no core unused: the JupyterLab tests, the book
# build followed by its pages in the browser, the Binder check (a fresh virtualenv, then nbval on every
# chapter), and last the unit tests, many short ones that fill the cores to the end. `make nbval` runs the
# same nbval in the project's own environment.
test: $(STAMP) $(VENDOR) $(AXE) $(CHROMIUM)
	$(MAKE) -j3 --output-sync=target browser-lab book-pages binder unit

book-pages: $(STAMP)
	$(MAKE) book
	$(MAKE) browser-pages

# Re-run every chapter top to bottom in a fresh kernel and save it with its outputs (for committing).
execute: $(STAMP)
	$(BIN)/python tools/execute.py $(or $(NB),$(CHAPTERS))

# The student edition: student/ holds the chapters without solutions or outputs.
student: $(STAMP)
	$(BIN)/python tools/student.py

# The live explorers' redraw is timed in the full browser, as a reader's.
bench: $(STAMP) /usr/bin/chromium
	$(BIN)/python tools/bench.py

# Print every formula's numeric function from its SymPy expression (lib/servingmath/core/numeric.py).
formulas: $(STAMP)
	$(BIN)/python -m servingmath.core.codegen

# Fit the calibrated roofline to the shipped H100 measurements (lib/servingmath/calibration/h100.toml).
calibration: $(STAMP)
	$(BIN)/python -m servingmath.calibration.fit

lab: $(STAMP)
	$(BIN)/jupyter lab chapters

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	{ sed -n '1,2p' requirements.txt; .venv-lock/bin/pip freeze; echo "-e ./lib"; } > requirements.txt.new
	mv requirements.txt.new requirements.txt && rm -rf .venv-lock

clean:
	rm -rf _build student
