# `make demo` and `make test` work on a fresh machine: they build .venv from requirements.txt.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint bench

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

test: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

# Benchmarks (JSON lines; speed targets live here, never in tests). Needs the local PostgreSQL.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/tracker_bench
bench: install
	rm -f .bench.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/.bench.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/.bench.sqlite3 $(PY) manage.py bench
	psql "$(dir $(BENCH_PG))postgres" -tc "SELECT 1 FROM pg_database WHERE datname='tracker_bench'" | grep -q 1 \
		|| psql "$(dir $(BENCH_PG))postgres" -c "CREATE DATABASE tracker_bench"
	DATABASE_URL=$(BENCH_PG) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG) $(PY) manage.py bench
	rm -f .bench.sqlite3
