# CallGest developer entry points; tools/dev.py does the work (see README.md).
# Local state (virtualenv, PostgreSQL cluster, filestore, logs): .callgest/

PYTHON ?= python3
DEV := $(PYTHON) tools/dev.py

.DEFAULT_GOAL := help
.PHONY: help run test lint format stop

help: ## list the targets
	@echo "CallGest - make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 14

run: ## prepare venv, PostgreSQL and database 'callgest' (demo data), serve http://localhost:8069
	@$(DEV) run

test: ## Odoo tests of the callgest addons, tests/ (pytest), lint, each addon alone; throwaway databases
	@$(DEV) test

lint: ## ruff, pylint-odoo, OCA's checks (manifests, XML, PO), prettier, eslint
	@$(DEV) lint

format: ## rewrite addons/ XML, JS, SCSS (prettier) and the Python (ruff format)
	@$(DEV) format

stop: ## stop the project-local PostgreSQL
	@$(DEV) stop
