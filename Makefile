# Liaison — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test calendar live alone install lock migrate demo otp messages compile-messages worker beat bench lint clean

$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.lock
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## make lock: pin the versions pyproject.toml allows into requirements.lock (production) and
## requirements-dev.lock (with the test tools), with uv
lock: $(STAMP)
	$(PIP) install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --no-annotate -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -c requirements.lock --python-version 3.11 --no-annotate -o requirements-dev.lock

compile-messages: $(STAMP)
	$(PY) scripts/compile_messages.py

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput --verbosity 0

demo: migrate
	$(PY) manage.py seed_demo

## make run: install, migrate the embedded SQLite database, load demo data, serve on http://127.0.0.1:8000
run: compile-messages demo
	@echo "Liaison on http://$(HOST):$(PORT)/  (background tasks run in-process; mail and SMS in var/)"
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (unit, permission matrix, accessibility, browser flows)
test: compile-messages
	$(PY) -m pytest $(PYTEST_ARGS)

## make calendar: the demo, every portal's pages and scheduled work at fixed instants (month ends,
## leap day, DST changes, quiet-hour edges); also part of `make test`
calendar: compile-messages
	$(PY) -m pytest tests/test_calendar.py -q $(PYTEST_ARGS)

## make live: Redis stopped mid-run and a worker killed mid-batch, with a redis-server and Celery
## workers the tests start themselves (needs DATABASE_URL on PostgreSQL); also part of `make test`
live: compile-messages
	$(PY) -m pytest tests/test_live_outage.py -m live -s -q $(PYTEST_ARGS)

## make alone: every test module in a process of its own (no test depends on another module)
alone: compile-messages
	scripts/each_module_alone.sh $(PYTEST_ARGS)

## make otp EMAIL=worker@demo.liaison.ca: current second-factor code of a demo account
otp: $(STAMP)
	@$(PY) manage.py demo_otp $(EMAIL)

## make messages: extract strings into locale/fr and locale/en (then translate fr, and en by msgen)
messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) scripts/fill_english_catalogue.py

worker: $(STAMP)
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A config beat --loglevel=info

## make bench: page benchmarks (figures, no assertion on time), then the booking rush against
## gunicorn, PostgreSQL and Redis started for it on loopback: the race for few places (--places 2)
## and the everyone-books rush (--places 40), then the interpreter statement's PDF at 5,000 services.
## RUSH_ARGS="--database-url ... --redis-url ..." uses running ones instead
bench: compile-messages
	$(PY) -m pytest tests/benchmarks -s -q -o python_files="bench_*.py" $(PYTEST_ARGS)
	$(PY) scripts/booking_rush.py --places 2 $(RUSH_ARGS)
	$(PY) scripts/booking_rush.py --places 40 $(RUSH_ARGS)
	$(PY) scripts/bench_statement_pdf.py

## make lint: ruff (with complexity C901) over the project, mypy with django-stubs over portal and
## the services/selectors modules listed in pyproject.toml; also run by CI before the tests
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
