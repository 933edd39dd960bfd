# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The CLI's own venv, without Django: its tests prove the client needs nothing of the server.
CLI_VENV ?= .venv-cli
HOST ?= 127.0.0.1
PORT ?= 8000
# Two processes for the suite: the machine has two cores and the browser and live-server tests wait a lot.
PYTEST_ARGS ?= -n 2

.PHONY: install run test test-cli test-postgres lint load

# The server, then the CLI (cli/, its own distribution: the server imports its kinds and YAML loader).
$(VENV)/.installed: pyproject.toml cli/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q -e ./cli
	touch $@

install: $(VENV)/.installed

## Migrate the SQLite database, load the demo data, print the admin's password, serve on HOST:PORT
## with a worker for async function runs beside the server (stopped with it).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_admin
	$(PY) manage.py seed_demo
	$(PY) manage.py runs_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

## Lint, check migrations, the CLI's own tests, the whole suite (SQLite unless DATABASE_URL says otherwise).
test: lint test-cli
	$(PY) -m pytest $(PYTEST_ARGS)

$(CLI_VENV)/.installed: cli/pyproject.toml
	$(PYTHON) -m venv $(CLI_VENV)
	$(CLI_VENV)/bin/python -m pip install -q --upgrade pip
	$(CLI_VENV)/bin/python -m pip install -q -e './cli[test]'
	touch $@

## The CLI's tests (cli/tests) in a venv with the CLI alone: no Django, no server.
test-cli: $(CLI_VENV)/.installed
	cd cli && ../$(CLI_VENV)/bin/pytest

## The same suite against the local PostgreSQL, in a fresh test database.
test-postgres: install
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres TEST_DATABASE_NAME=test_dispatch \
		$(PY) -m pytest --create-db $(PYTEST_ARGS)

## The load test: gunicorn + PostgreSQL (a fresh dispatch_load database), 32 clients for 60 s; fails on a
## 5xx or a lost write. LOAD_ARGS="--seconds 20" for a short run.
load: install
	$(PY) benchmarks/load.py $(LOAD_ARGS)
