# Two entry points for a fresh machine with Python 3.11+:
#   make plan   offline plan of the staging stack (no cloud credentials, no Pulumi CLI)
#   make test   lint, format check, strict types (incremental: .mypy_cache) and the tests (parallel) with branch coverage
#   make policy-venv   the policy pack's virtualenv (policy/.venv, named in policy/PulumiPolicy.yaml)
#   make lock   re-resolves the hashed locks after a range changed (UPGRADE=1: newest versions in range)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STACK ?= staging
STAMP := $(VENV)/.installed
POLICY_VENV := policy/.venv

.DEFAULT_GOAL := help
.PHONY: help plan test lint format types pytest bench generate clean policy-venv lock

# Every install is from a lock with hashes (pip's hash-checking mode: each distribution's sha256 must match). The
# lock holds its whole dependency closure, so it goes in with --no-deps: pip resolving it again picks the newest
# release for a requirement with an extra (pytest-cov's coverage[toml]) and refuses it as unpinned, on every new
# coverage release (https://github.com/pypa/pip/issues/9644, /12345); `pip check` then proves the closure whole.
# Hash-checking mode refuses an editable install ("there is no single file to hash"), so the project itself goes
# in afterwards, with --no-deps too.
PIP := -m pip install --quiet --disable-pip-version-check

help:
	@echo "make plan   - offline plan of the $(STACK) stack (STACK=production for the other one)"
	@echo "make test   - ruff, mypy --strict, pytest with coverage"
	@echo "make bench  - plan-speed, cost, deploy-time and make-test-time benchmarks"
	@echo "make policy-venv - the policy pack's virtualenv, for --policy-pack policy"
	@echo "make lock   - re-resolve the hashed locks from the ranges (UPGRADE=1 for the newest in range)"

$(STAMP): requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python $(PIP) --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python $(PIP) --no-deps -e .
	$(BIN)/python -m pip check --disable-pip-version-check
	@touch $(STAMP)

# The CLI runs the pack with this virtualenv (PulumiPolicy.yaml runtime.options.virtualenv, relative to policy/).
policy-venv: $(POLICY_VENV)/.installed

$(POLICY_VENV)/.installed: policy/requirements.lock
	@test -x $(POLICY_VENV)/bin/python || $(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python $(PIP) --require-hashes --no-deps -r policy/requirements.lock
	$(POLICY_VENV)/bin/python -m pip check --disable-pip-version-check
	@touch $@

# The ranges stay where they are (pyproject.toml, requirements-dev.txt, policy/requirements.txt); the locks pin
# their whole closure, for every platform (--universal), with every file's hash. uv keeps a pin that still fits
# its range unless UPGRADE=1. constraints.txt is requirements.lock without hashes: what the projects'
# requirements.txt install through the Pulumi CLI's plain `pip install -r requirements.txt`, which must also
# install this repository editable. The dev and policy locks are constrained to the runtime pins.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes $(if $(UPGRADE),--upgrade)
lock: $(STAMP)
	$(UV_COMPILE) pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 pyproject.toml -c requirements.lock -o constraints.txt
	$(UV_COMPILE) pyproject.toml requirements-dev.txt -c constraints.txt -o requirements-dev.lock
	$(UV_COMPILE) policy/requirements.txt -c constraints.txt -o policy/requirements.lock

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

# pytest-xdist: one worker per CPU; pytest-cov combines the workers' coverage before fail_under is checked.
pytest: $(STAMP)
	$(BIN)/pytest -n auto --cov --cov-report=term

bench: $(STAMP)
	$(BIN)/python benchmarks/plan_speed.py
	$(BIN)/python benchmarks/diff_speed.py
	$(BIN)/python benchmarks/targets.py
	$(BIN)/python benchmarks/make_test_time.py

generate: $(STAMP)
	$(BIN)/python -m stagecraft.rules

clean:
	rm -rf $(VENV) $(POLICY_VENV) .mypy_cache .ruff_cache .pytest_cache .coverage
