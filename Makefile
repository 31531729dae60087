# Two entry points for a fresh machine with Python 3.11+:
#   make plan   offline plan of the staging stack (no cloud credentials, no Pulumi CLI)
#   make test   lint, format check, strict types and the test suite with branch coverage
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STACK ?= staging
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help plan test lint format types pytest bench generate clean

help:
	@echo "make plan   - offline plan of the $(STACK) stack (STACK=production for the other one)"
	@echo "make test   - ruff, mypy --strict, pytest with coverage"
	@echo "make bench  - plan-speed, cost and deploy-time benchmarks"

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

plan: $(STAMP)
	$(BIN)/stagecraft plan $(STACK)

test: lint types pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term

bench: $(STAMP)
	$(BIN)/python benchmarks/plan_speed.py
	$(BIN)/python benchmarks/targets.py

generate: $(STAMP)
	$(BIN)/python -m stagecraft.rules

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage
