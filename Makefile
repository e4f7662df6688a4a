# Stormproof: `make suite` runs the suites against the embedded default, `make test` runs
# every test of the project. Both install only what is missing first, so a second run is fast.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := .bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
TOXIPROXY_VERSION := v2.12.0
PYTEST := $(VENV)/bin/python -m pytest
JOBS ?= 2
REPORTS := reports

.PHONY: suite test lint bench deps system-deps python-deps toxiproxy clean

deps: system-deps python-deps toxiproxy

# Debian packages the fixtures start for real: PostgreSQL (initdb, pg_ctl) and nginx.
system-deps:
	@bash scripts/install-system-deps.sh

python-deps: $(STAMP)
$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

# The real Toxiproxy server, built from its pinned Go module, unless one is on PATH already.
toxiproxy:
	@if command -v toxiproxy-server >/dev/null || test -x $(BIN)/toxiproxy-server; then :; else \
	  echo "building toxiproxy-server $(TOXIPROXY_VERSION) into $(BIN)/"; mkdir -p $(BIN) && \
	  GOBIN=$(abspath $(BIN)) go install github.com/Shopify/toxiproxy/v2/cmd/server@$(TOXIPROXY_VERSION) && \
	  mv $(BIN)/server $(BIN)/toxiproxy-server; fi

suite: deps
	@mkdir -p $(REPORTS)
	@bash scripts/pytest-nonempty.sh $(PYTEST) suites -n $(JOBS) --junitxml=$(REPORTS)/suite.xml \
	  --chaos-report=$(REPORTS)/chaos.json

test: deps lint
	@mkdir -p $(REPORTS)
	@bash scripts/pytest-nonempty.sh $(PYTEST) suites tests -n $(JOBS) --junitxml=$(REPORTS)/test.xml \
	  --chaos-report=$(REPORTS)/chaos.json

lint: python-deps
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

bench: deps
	@$(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) $(BIN) $(REPORTS) .stormproof
