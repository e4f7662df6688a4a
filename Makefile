# Stormproof: `make suite` runs the suites against the embedded default, `make test` runs
# every test of the project. Both install only what is missing first, so a second run is fast.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := .bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
TOXIPROXY_VERSION := v2.12.0
TEMPORAL_SERVER_VERSION := v1.32.0
PYTEST := $(VENV)/bin/python -m pytest
JOBS ?= 2
REPORTS := reports

.PHONY: suite test lint bench deps system-deps python-deps toxiproxy cluster-deps cluster clean

deps: system-deps python-deps toxiproxy

# Debian packages the fixtures start for real: PostgreSQL (initdb, pg_ctl) and nginx.
system-deps:
	@bash scripts/install-system-deps.sh

python-deps: $(STAMP)
$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[dev,docker]'
	@rm -f $(VENV)/.installed-* && touch $@

# The real Toxiproxy server, built from its pinned Go module, unless one is on PATH already.
toxiproxy:
	@if command -v toxiproxy-server >/dev/null || test -x $(BIN)/toxiproxy-server; then :; else \
	  echo "building toxiproxy-server $(TOXIPROXY_VERSION) into $(BIN)/"; mkdir -p $(BIN) && \
	  GOBIN=$(abspath $(BIN)) go install github.com/Shopify/toxiproxy/v2/cmd/server@$(TOXIPROXY_VERSION) && \
	  mv $(BIN)/server $(BIN)/toxiproxy-server; fi

# The four-service Temporal cluster (suites/chaos/cluster): the real server and its SQL tool built
# from their pinned Go module (about 7 minutes on 2 cores the first time, cached by Go after
# that), and the PostgreSQL schema the module ships, copied beside them.
cluster-deps:
	@if test -x $(BIN)/temporal-server && test -x $(BIN)/temporal-sql-tool && test -d $(BIN)/temporal-schema; then :; else \
	  echo "building temporal-server $(TEMPORAL_SERVER_VERSION) into $(BIN)/"; mkdir -p $(BIN) && \
	  GOBIN=$(abspath $(BIN)) go install go.temporal.io/server/cmd/server@$(TEMPORAL_SERVER_VERSION) && \
	  mv $(BIN)/server $(BIN)/temporal-server && \
	  GOBIN=$(abspath $(BIN)) go install go.temporal.io/server/cmd/tools/sql@$(TEMPORAL_SERVER_VERSION) && \
	  mv $(BIN)/sql $(BIN)/temporal-sql-tool && rm -rf $(BIN)/temporal-schema && mkdir -p $(BIN)/temporal-schema && \
	  cp -r "$$(go env GOMODCACHE)/go.temporal.io/server@$(TEMPORAL_SERVER_VERSION)/schema/postgresql" $(BIN)/temporal-schema/ && \
	  chmod -R u+w $(BIN)/temporal-schema; fi

# The cluster suite: per-service faults on the production topology. Its own target because the
# first build alone takes most of make test's budget; CI runs it after make test.
cluster: deps cluster-deps
	@mkdir -p $(REPORTS)
	@bash scripts/pytest-nonempty.sh $(PYTEST) suites/chaos/cluster -m cluster --junitxml=$(REPORTS)/cluster.xml \
	  --chaos-report=$(REPORTS)/cluster.json

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
