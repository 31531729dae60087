# Two entry points for a fresh machine with Python 3.11+:
#   make plan   offline plan of the staging stack (no cloud credentials, no Pulumi CLI)
#   make test   lint, format check, strict types and the test suite with branch coverage
#   make policy-venv   the policy pack's virtualenv (policy/.venv, named in policy/PulumiPolicy.yaml)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STACK ?= staging
STAMP := $(VENV)/.installed
POLICY_VENV := policy/.venv

.DEFAULT_GOAL := help
.PHONY: help plan test lint format types pytest bench generate clean policy-venv

help:
	@echo "make plan   - offline plan of the $(STACK) stack (STACK=production for the other one)"
	@echo "make test   - ruff, mypy --strict, pytest with coverage"
	@echo "make bench  - plan-speed, cost and deploy-time benchmarks"
	@echo "make policy-venv - the policy pack's virtualenv, for --policy-pack policy"

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# The CLI runs the pack with this virtualenv (PulumiPolicy.yaml runtime.options.virtualenv, relative to policy/).
policy-venv: $(POLICY_VENV)/.installed

$(POLICY_VENV)/.installed: policy/requirements.txt
	@test -x $(POLICY_VENV)/bin/python || $(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r policy/requirements.txt
	@touch $@

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
	rm -rf $(VENV) $(POLICY_VENV) .mypy_cache .ruff_cache .pytest_cache .coverage
