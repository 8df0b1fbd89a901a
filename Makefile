# COD Operations — `make run` and `make test` are all a new machine needs (see README.md).
# Without DATABASE_URL / REDIS_URL, embedded PostgreSQL and Redis are started under .data/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STACK := $(BIN)/python scripts/devstack.py --
PORT ?= 8000
DEMO_ORDERS ?= 2000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv run test test-db chromium lint format migrate seed shell bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed ## Create the virtualenv and install requirements

run: venv ## Set up, migrate, load demo data and serve web + worker + beat
	PORT=$(PORT) DEMO_ORDERS=$(DEMO_ORDERS) $(STACK) $(BIN)/python scripts/run.py

test: venv chromium ## Run the whole test suite (browser tests included)
	$(STACK) $(BIN)/pytest $(PYTEST_ARGS)

chromium: ## Install Debian's chromium for the browser tests when missing (as root)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q chromium)) ; \
	    else echo "Browser tests need chromium: sudo apt-get install chromium"; fi; }

test-db: venv ## Run every test but the browser ones (CI runs it against standalone servers)
	$(STACK) $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: venv ## Lint, format check, and check for missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(STACK) $(BIN)/python manage.py makemigrations --check --dry-run

format: venv ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: venv ## Apply migrations
	$(STACK) $(BIN)/python manage.py migrate

seed: venv ## Load demo data (DEMO_ORDERS=N orders)
	$(STACK) $(BIN)/python manage.py seed_demo --orders $(DEMO_ORDERS)

shell: venv ## Django shell with the services running
	$(STACK) $(BIN)/python manage.py shell

clean: ## Remove the virtualenv and the embedded servers' data
	rm -rf $(VENV) .data
