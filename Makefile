# outbound-scheduler: `make run` for the local demo, `make test` for every test.
# Both set up what they need on first use and reuse it afterwards.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONTROL_PLANE := hack/build-control-plane.sh

.PHONY: help venv control-plane run test lint crds clean

help:
	@echo "make run    - local control plane + OCS simulator + operator + example schedules"
	@echo "make test   - every test (lint, import layers, unit, e2e)"
	@echo "make crds   - regenerate crds/ from the models"
	@echo "make lint   - ruff and the import-layer contract"

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is required ($(PYTHON) is older)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

control-plane:
	@bash $(CONTROL_PLANE) >/dev/null

run: venv control-plane
	OUTBOUND_SCHEDULER_K8S_BIN=$$(bash $(CONTROL_PLANE)) $(BIN)/outbound-scheduler dev

lint: venv
	$(BIN)/ruff check operator tests
	$(BIN)/ruff format --check operator tests
	$(BIN)/lint-imports

test: lint control-plane
	OUTBOUND_SCHEDULER_K8S_BIN=$$(bash $(CONTROL_PLANE)) $(BIN)/pytest

crds: venv
	$(BIN)/outbound-scheduler crds --output crds

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
