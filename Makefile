# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# Two workers on two cores; the tests that run a real Celery worker share one (they share a queue).
PYTEST_XDIST ?= -n 2 --dist loadgroup
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-fast lint format install migrate demo check-deploy benchmarks benchmark-pages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# Web server, Celery worker and beat together; Ctrl-C stops all three.
run: demo
	DEBUG=true PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $(PORT)

# The whole suite, browser tests included (they drive Debian's Chromium, installed when missing).
test: install $(CHROMIUM)
	$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# The inner loop: no browser tests and no tests that start processes or a real Celery worker.
test-fast: install
	$(BIN)/pytest $(PYTEST_XDIST) -m 'not browser and not subprocess' $(PYTEST_ARGS)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "--- installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-dejavu-core >/dev/null; \
	else \
	  echo "The browser tests need Debian's Chromium at $(CHROMIUM). Install it with:"; \
	  echo "    sudo apt-get install chromium fonts-dejavu-core"; \
	  echo "or run 'make test-fast', which leaves the browser tests out."; \
	  exit 1; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

benchmarks: install
	$(BIN)/pytest tests/benchmarks -s -p no:cacheprovider --override-ini addopts=

# Key pages under gunicorn on DATABASE_URL (build it first: manage.py seed_national).
benchmark-pages: install
	$(BIN)/python -m tests.benchmarks.pages

clean:
	rm -rf $(VENV) var staticfiles
