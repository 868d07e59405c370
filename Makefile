# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
PDF_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-fast system-package lint format install migrate demo benchmarks benchmark-pages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) $(PDF_FONT)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# Web server, Celery worker and beat together; Ctrl-C stops all three. Two-factor sign-in is not
# required in the demo (TWO_FACTOR_REQUIRED=true make run to try it; anyone may turn it on).
TWO_FACTOR_REQUIRED ?= false
run: demo
	DEBUG=true TWO_FACTOR_REQUIRED=$(TWO_FACTOR_REQUIRED) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $(PORT)

# The whole suite, browser tests included (they drive Debian's Chromium, installed when missing).
test: install $(CHROMIUM)
	$(BIN)/pytest $(PYTEST_ARGS)

# The inner loop: no browser tests and no tests that start processes or a real Celery worker.
test-fast: install
	$(BIN)/pytest -m 'not browser and not subprocess' $(PYTEST_ARGS)

# Debian packages the project needs from the machine: DejaVu for the PDF documents (run and
# test), Chromium for the browser tests. Installed when missing (as root), else explained.
$(PDF_FONT):
	@$(MAKE) --no-print-directory system-package PACKAGE=fonts-dejavu-core

$(CHROMIUM):
	@$(MAKE) --no-print-directory system-package PACKAGE=chromium

system-package:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "--- installing Debian's $(PACKAGE)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    $(PACKAGE) >/dev/null; \
	else \
	  echo "ocradmin needs Debian's $(PACKAGE) (fonts for PDFs; Chromium for the browser tests)."; \
	  echo "Install it with:  sudo apt-get install $(PACKAGE)"; \
	  echo "('make test-fast' leaves the browser tests out.)"; \
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
