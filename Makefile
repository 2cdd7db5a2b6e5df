# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Local development runs with DEBUG on; production leaves DEBUG unset (off).
DEV_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run test install lint typecheck check-migrations check-deploy lock clean-demo

# Stamps make `install` a no-op until the lock files change.
$(BIN)/.installed: requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	@touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# WhiteNoise looks in STATIC_ROOT from the first request, before any collectstatic.
install: $(BIN)/.installed node_modules/.installed
	@mkdir -p var staticfiles

# honcho gives each process a PORT of its own (web $(PORT), the worker 100 more ...), so
# SITE_URL tells the worker, which writes the emails' links, where the web server listens.
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  The clinic is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Sign in as frontdesk, practitioner or manager; the password is 'demo'."
	@echo "  Emails patients would receive are written to var/mail/."
	@echo ""
	$(DEV_ENV) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/honcho start --port $(PORT)

# The whole suite. On SQLite and the filesystem broker by default; on PostgreSQL and
# Redis when DATABASE_URL and CELERY_BROKER_URL are set.
test: install
	$(DEV_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, then the import rules of pyproject.toml's [tool.importlinter] (layers between apps).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(DEV_ENV) $(BIN)/mypy .

check-migrations: install
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# The deploy check runs on production settings: DEBUG off, a real-looking key and host.
check-deploy: install
	DEBUG=false SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		AUDIT_CHAIN_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=clinic.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# Regenerate the lock files after changing the dependencies in pyproject.toml:
# requirements.lock for production, requirements-dev.lock adds the tools.
LOCK := $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet
lock: install
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -o requirements-dev.lock

# Forget the local demo database and mail folder; the next `make run` loads fresh demo data.
clean-demo:
	rm -rf var/db.sqlite3 var/db.sqlite3-* var/mail var/celery
