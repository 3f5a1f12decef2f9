# `make demo` and `make test` work on a fresh machine: they build .venv from requirements.txt.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint lint-imports bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "打开 http://$(HOST):$(PORT)/ 并用上面的演示账号登录（Ctrl+C 停止）。"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

# The apps import one way (.importlinter): core <- campaign <- imports <- tasks, hazards <- reporting <- audit.
lint-imports: install
	$(VENV)/bin/lint-imports --no-cache

lint: install
	$(VENV)/bin/ruff check .

# Benchmarks (JSON lines; speed targets live here, never in tests). Needs the local PostgreSQL, wrk and gunicorn.
# SQLite: the 10,000-row task import against django-import-export. PostgreSQL (database tracker_bench): the same,
# the 100,000-row hazard ledger, seed_scale county + province, a province month's report, the four pages under
# gunicorn (2 workers) and wrk, and the province register export. About 9 minutes on 2 cores (see README).
# BENCH_ARGS passes options to the PostgreSQL run, e.g. BENCH_ARGS="--seed missing" keeps seeded presets.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/tracker_bench
BENCH_ARGS ?=
bench: install
	rm -f .bench.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/.bench.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/.bench.sqlite3 $(PY) manage.py bench
	psql "$(dir $(BENCH_PG))postgres" -tc "SELECT 1 FROM pg_database WHERE datname='tracker_bench'" | grep -q 1 \
		|| psql "$(dir $(BENCH_PG))postgres" -c "CREATE DATABASE tracker_bench"
	DATABASE_URL=$(BENCH_PG) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) manage.py bench $(BENCH_ARGS)
	rm -f .bench.sqlite3

# Issue 8's load check (see README, "Load check"): on PostgreSQL (database tracker_load, created and migrated if
# missing; the demo is loaded if missing), gunicorn with the production settings and deploy/gunicorn.conf.py,
# wrk with 32 connections for 60 s over the logged-in pages, and the check's own Redis (broker and cache)
# stopped at 20 s and started again at 40 s. Needs wrk and redis-server; exits non-zero on any 5xx.
# LOADCHECK_ARGS passes options, e.g. LOADCHECK_ARGS="--seconds 20 --stop-at 5 --restart-at 12".
LOADCHECK_PG ?= postgres://postgres@127.0.0.1:5432/tracker_load
LOADCHECK_ARGS ?=
.PHONY: loadcheck
loadcheck: install
	psql "$(dir $(LOADCHECK_PG))postgres" -tc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(LOADCHECK_PG))'" \
		| grep -q 1 || psql "$(dir $(LOADCHECK_PG))postgres" -c "CREATE DATABASE $(notdir $(LOADCHECK_PG))"
	DATABASE_URL=$(LOADCHECK_PG) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(LOADCHECK_PG) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) manage.py load_check $(LOADCHECK_ARGS)
