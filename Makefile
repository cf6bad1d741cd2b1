# Licheng: two commands matter.
#   make run   — install into .venv, migrate, load the demo school, serve on 127.0.0.1:$(PORT)
#   make test  — system packages if missing, lint, types, migrations, catalogues, tests on
#                SQLite (with browser tests) and on a private PostgreSQL cluster
# `make help` lists the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
PORT ?= 8000
export PORT

# Stamp files: pip runs again only when a requirements file changed.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: help run setup serve test bench sysdeps lint fmt typecheck messages clean

help:
	@echo "make run       install, migrate, load the demo school, serve on http://127.0.0.1:$(PORT)/ with a task worker"
	@echo "make test      every check CI runs (installs postgresql, chromium, fonts-noto-cjk, gettext if missing)"
	@echo "make bench     benchmarks in bench/ against a private PostgreSQL (each prints one summary line)"
	@echo "make serve     only serve (gunicorn + db_worker), no install/migrate"
	@echo "make lint      ruff check + ruff format --check + mypy"
	@echo "make fmt       ruff format + ruff check --fix"
	@echo "make messages  makemessages -l zh_Hant for every app with a locale/ folder, then compile"
	@echo "make clean     remove caches, collected static files and test artifacts (keeps .venv and var/)"

$(PY):
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: '$(PYTHON) -m venv' failed; on Debian install python3-venv (apt-get install python3-venv)" >&2; exit 1; }

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $(RUNTIME_STAMP) $@

# ---------------------------------------------------------------------------------------------
# make run: data lives in var/ (LICHENG_VAR_DIR), kept between runs. apt runs only when a runtime
# library is missing (libmagic1, pango and fonts-noto-cjk for PDFs).

setup: $(RUNTIME_STAMP)
	@scripts/system-deps.sh --runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py demo_school

run: setup
	@scripts/serve.sh

serve:
	@scripts/serve.sh

# ---------------------------------------------------------------------------------------------
# make test

sysdeps:
	@scripts/system-deps.sh

test: sysdeps
	@$(MAKE) $(DEV_STAMP)
	@start=$$SECONDS; status=0; scripts/test.sh || status=$$?; \
	  echo "make test took $$((SECONDS - start))s"; exit $$status

bench: sysdeps
	@$(MAKE) $(DEV_STAMP)
	@scripts/bench.sh

# ---------------------------------------------------------------------------------------------
# Everyday helpers

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy licheng bench

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy licheng bench

fmt: $(DEV_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(RUNTIME_STAMP)
	@for dir in licheng/*/locale; do [ -d "$$dir" ] || continue; \
	  app=$${dir%/locale}; echo "makemessages: $$app"; \
	  (cd $$app && $(abspath $(VENV))/bin/django-admin makemessages -l zh_Hant --no-obsolete); \
	done
	cd licheng && $(abspath $(VENV))/bin/django-admin compilemessages

clean:
	rm -rf staticfiles test-artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find licheng -name __pycache__ -type d -prune -exec rm -rf {} +
