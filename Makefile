# 平安医院 Safe Hospital — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: ## Create .venv and install runtime + test dependencies (only when they changed)
	@bash scripts/bootstrap.sh

run: ## Run the app on the embedded default (SQLite + filesystem Celery broker), with demo data
	@bash scripts/run.sh

test: ## Run the test suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	@bash scripts/test.sh

lint: venv ## ruff check + format check + import layers (.importlinter) + mypy (scripts/typecheck.sh)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	bash scripts/typecheck.sh

format: venv ## Format the code with ruff
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

messages: venv ## Re-extract translatable strings into locale/en and compile catalogues
	DEBUG=1 .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests
	DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv

bench: ## Scale benchmark on PostgreSQL: fresh sh_bench, dataset, every page → bench/RESULTS.md (BENCH_SCALE=0.1 for a tenth)
	@bash scripts/bench.sh

ci: ## What CI runs (needs PostgreSQL and Redis on 127.0.0.1)
	bash .ci/run

.PHONY: help venv run test lint format messages bench ci
