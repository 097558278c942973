# Yiwang (一网): the two commands a newcomer needs are `make demo` and `make test`.
# Every target creates the virtualenv in .venv when it is missing and installs the project
# into it again only when pyproject.toml changed (stamp files inside .venv).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
RUFF := $(VENV)/bin/ruff
PYTEST := $(VENV)/bin/pytest
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/yiwang_ci
CHROMIUM := /usr/bin/chromium
AXE := node_modules/axe-core/axe.min.js

.PHONY: help demo test test-pg lint format clean bench browser-tools vendor-bpmn-js

help:
	@echo "make demo      set up and run the demo site group on port $(PORT) (PORT=8000 by default)"
	@echo "make test      lint, migration check and the whole test suite (browser tests included)"
	@echo "make test-pg   the test suite against PostgreSQL (DATABASE_URL=$(DATABASE_URL))"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make bench     page renders, working days, guide PDFs, hall clocks and transitions, supervision, statistics (SQLite), the monitoring crawler against LinkChecker"
	@echo "make vendor-bpmn-js  refresh the vendored bpmn-js viewer from npm (BPMN_JS=18)"
	@echo "make clean     remove the virtualenv, node_modules, caches and test results (not var/)"

# The virtualenv, created with the machine's python3 once it is known to be 3.11 or newer.
$(PY):
	@command -v $(PYTHON) >/dev/null || { \
	  echo "Yiwang needs Python 3.11 or newer, and '$(PYTHON)' was not found."; \
	  echo "On Debian/Ubuntu: sudo apt-get install python3 python3-venv"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "Yiwang needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1)."; \
	  echo "Install a newer Python and run: make demo PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  echo "Creating the virtualenv failed. On Debian/Ubuntu the venv module (and ensurepip)"; \
	  echo "come in a package of their own: sudo apt-get install python3-venv"; exit 1; }

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

# The platform's own address (the identity host and OpenID Connect issuer) follows PORT.
demo: export YIWANG_BASE_URL ?= http://localhost:$(PORT)
demo: $(VENV)/.installed
	$(MANAGE) migrate --no-input --verbosity 0
	$(MANAGE) createcachetable
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) load_demo --port $(PORT)
	$(MANAGE) serve_embedded --port $(PORT)

# Debian's Chromium for the browser tests (Playwright's own download needs the open
# Internet), a Chinese font so that pages and screenshots show characters rather than boxes,
# and axe-core from npm for the accessibility checks.
browser-tools:
	@if [ ! -x $(CHROMIUM) ] || [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium and a Chinese font for the browser tests"; \
	    apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  elif [ ! -x $(CHROMIUM) ]; then \
	    echo "NOTE: $(CHROMIUM) is missing, so the browser tests will be skipped."; \
	    echo "      Install it with: sudo apt-get install chromium fonts-wqy-microhei"; \
	  else \
	    echo "NOTE: no Chinese font found; screenshots will show boxes for characters."; \
	    echo "      Install one with: sudo apt-get install fonts-wqy-microhei"; \
	  fi; \
	fi
	@if [ ! -f $(AXE) ]; then \
	  if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing npm for axe-core"; \
	    apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  fi; \
	  if command -v npm >/dev/null; then \
	    npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; \
	  else \
	    echo "NOTE: npm is missing, so the accessibility tests will be skipped."; \
	    echo "      Install it with: sudo apt-get install npm; then run: npm ci"; \
	  fi; \
	fi

lint: $(VENV)/.installed-test
	$(RUFF) check .
	$(RUFF) format --check .

format: $(VENV)/.installed-test
	$(RUFF) format .
	$(RUFF) check --fix .

# `make test` is the embedded shape (SQLite) even when DATABASE_URL is set; test-pg is the other.
test: $(VENV)/.installed-test browser-tools lint
	env -u DATABASE_URL $(MANAGE) makemigrations --check --dry-run
	env -u DATABASE_URL $(PYTEST) --durations=20

# The same suite on PostgreSQL. pytest-django creates (and drops) test_<name> next to the
# database named in DATABASE_URL, so only the server needs to be there.
test-pg: $(VENV)/.installed-test browser-tools
	DATABASE_URL='$(DATABASE_URL)' $(PYTEST) --durations=20

bench: $(VENV)/.installed-test
	$(PY) bench/render_pages.py
	$(PY) bench/workdays.py
	$(PY) bench/guide_pdf.py
	$(PY) bench/hall_clocks.py
	$(PY) bench/hall_transitions.py
	$(PY) bench/supervision_warnings.py
	$(PY) bench/stats_rollups.py --cases 1000000
	$(PY) bench/monitoring_crawl.py

# The case pages draw processes with bpmn-js's viewer, vendored (with its licence) under
# yiwang/hall/static/hall/vendor/bpmn-js so that neither the demo nor production needs npm.
# The licence requires the bpmn.io watermark to stay visible.
BPMN_JS ?= 18
BPMN_JS_DIR = yiwang/hall/static/hall/vendor/bpmn-js
vendor-bpmn-js:
	rm -rf /tmp/yiwang-bpmn-js && mkdir -p /tmp/yiwang-bpmn-js
	cd /tmp/yiwang-bpmn-js && npm pack --silent bpmn-js@$(BPMN_JS) >/dev/null && tar xzf bpmn-js-*.tgz
	cp /tmp/yiwang-bpmn-js/package/dist/bpmn-viewer.production.min.js \
	   /tmp/yiwang-bpmn-js/package/dist/assets/diagram-js.css \
	   /tmp/yiwang-bpmn-js/package/dist/assets/bpmn-js.css \
	   /tmp/yiwang-bpmn-js/package/LICENSE $(BPMN_JS_DIR)/
	echo "bpmn-js $$(node -p "require('/tmp/yiwang-bpmn-js/package/package.json').version")" > $(BPMN_JS_DIR)/VERSION
	@cat $(BPMN_JS_DIR)/VERSION

clean:
	rm -rf $(VENV) node_modules test-results .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
