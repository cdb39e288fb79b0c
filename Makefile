# The two commands: `make run` (the portal with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP_PY   := $(VENV)/.installed
STAMP_NODE := node_modules/.installed

export PYTHONUNBUFFERED := 1

# Where `make run` serves the portal (`make run WEB_BIND=0.0.0.0:8080`); the banner and the links in e-mails
# (SITE_URL, unless set) follow it.
WEB_BIND ?= 127.0.0.1:8000
SITE_URL ?= http://$(WEB_BIND)/

# Test processes (pytest-xdist): one per core of the 2-core machines the project runs on.
PYTEST_WORKERS ?= 2

.PHONY: run test setup install migrate lint bench fuzz clean

$(STAMP_PY): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMP_PY) $(STAMP_NODE)

var:
	@mkdir -p var/mail var/celery var/media

# Common set-up for both commands: translations, database schema, static files.
setup: install var
	DEBUG=1 $(PY) manage.py compile_translations
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py collectstatic --noinput --verbosity 0

var/secret_key: | var
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# One web process (with threads) unless WEB_WORKERS says otherwise: without CACHE_URL the cache is per process.
run: setup var/secret_key
	DEBUG=1 $(PY) manage.py seed_demo
	@echo ""
	@echo "  Catalogo del riuso — CST Pesaro e Urbino"
	@echo "  Portale:        http://$(WEB_BIND)/"
	@echo "  Documentazione API: http://$(WEB_BIND)/api/v1/docs/"
	@echo "  Stato:          http://$(WEB_BIND)/healthz"
	@echo "  Accessi dimostrativi (password: $${DEMO_PASSWORD:-cstpu-demo}):"
	@echo "    cst@cstpu.example                staff del CST"
	@echo "    analista@cstpu.example           analista provinciale"
	@echo "    redazione.pesaro@cstpu.example   redazione del Comune di Pesaro"
	@echo "    referente.fano@cstpu.example     referente ICT del Comune di Fano"
	@echo "    referente.urbino@cstpu.example   referente ICT del Comune di Urbino"
	@echo "    referente.frontino@cstpu.example referente ICT del Comune di Frontino"
	@echo "    dipendente.fano@cstpu.example    dipendente del Comune di Fano"
	@echo "  E-mail inviate: var/mail/    Ctrl-C ferma tutto."
	@echo ""
	DEBUG=$${DEBUG:-0} SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} PATH="$(CURDIR)/$(BIN):$$PATH" \
	WEB_WORKERS=$${WEB_WORKERS:-1} WEB_BIND=$(WEB_BIND) SITE_URL=$(SITE_URL) \
	$(BIN)/honcho -f Procfile start

test: setup
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy
	DEBUG=1 $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Benchmark on PostgreSQL (BENCH_DATABASE_URL) under gunicorn with wrk, at 100,000 solutions, 8,000 bodies and
# 1,000,000 adoptions: writes bench/results.json and the table in docs/performance.md, fails when a target is missed.
# BENCH_ARGS="--sizes small --rounds 1" for a quick run; "--keep" keeps the database for bench/profile.py.
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r cstportal municipalities catalog -ll -x '*/migrations/*'

clean:
	rm -rf var/staticfiles var/celery
