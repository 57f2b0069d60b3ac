# Two commands do all set-up on a fresh machine: `make book` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := book/_assets/vendor/.complete
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))
JB := $(BIN)/jupyter-book build . --all --toc book/_toc.yml --warningiserror --nitpick --keep-going
NBVAL := $(BIN)/pytest -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: book test unit nbval lab execute student lock clean

$(STAMP): requirements.txt requirements-dev.txt lib/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $@

# MathJax, require.js and the widget manager, from npm, so the book reads offline.
$(VENDOR):
	rm -rf book/_assets/vendor && mkdir -p book/_assets/vendor/.npm
	cd book/_assets/vendor/.npm && npm pack --silent mathjax@3.2.2 requirejs@2.3.7 @jupyter-widgets/html-manager@1.0.6 >/dev/null
	cd book/_assets/vendor && mkdir mathjax html-manager \
	  && tar -xzf .npm/mathjax-3.2.2.tgz -C mathjax --strip-components=1 \
	  && tar -xzf .npm/jupyter-widgets-html-manager-1.0.6.tgz -C html-manager --strip-components=1 \
	  && tar -xzf .npm/requirejs-2.3.7.tgz package/require.js --strip-components=1 \
	  && rm -rf .npm
	touch $@

book: $(STAMP) $(VENDOR)
	$(JB)

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile tests

nbval: $(STAMP)
	$(NBVAL) -q -n 2 --dist loadfile $(CHAPTERS)

test: unit nbval book

# Re-run every chapter top to bottom in a fresh kernel and save it with its widget state (for committing).
execute: $(STAMP)
	$(BIN)/python tools/execute.py $(or $(NB),$(CHAPTERS))

lab: $(STAMP)
	$(BIN)/jupyter lab chapters

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	{ sed -n '1,2p' requirements.txt; .venv-lock/bin/pip freeze; echo "-e ./lib"; } > requirements.txt.new
	mv requirements.txt.new requirements.txt && rm -rf .venv-lock

clean:
	rm -rf _build student
