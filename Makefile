# outbound-scheduler: `make run` for the local demo, `make test` for every test.
# Both set up what they need on first use and reuse it afterwards.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONTROL_PLANE := hack/build-control-plane.sh

.PHONY: help venv control-plane run test lint crds clean helm lint-chart lint-docker lock bench

help:
	@echo "make run    - local control plane + OCS simulator + operator + example schedules"
	@echo "make test   - every test (lint, import layers, unit, e2e)"
	@echo "make crds   - regenerate crds/ from the models"
	@echo "make lint   - ruff and the import-layer contract"
	@echo "make lint-chart  - helm lint of charts/outbound-scheduler"
	@echo "make lint-docker - hadolint, and the Dockerfile's pip steps in a throw-away venv"
	@echo "make lock   - regenerate requirements.lock (the image's pinned dependencies)"
	@echo "make bench  - the scale benchmark against the CronJob controller (see README)"

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

# exec: the dev command is make's own child, so it notices when make is killed.
run: venv control-plane
	OUTBOUND_SCHEDULER_K8S_BIN=$$(bash $(CONTROL_PLANE)) exec $(BIN)/outbound-scheduler dev

lint: venv
	$(BIN)/ruff check operator tests bench
	$(BIN)/ruff format --check operator tests bench
	$(BIN)/lint-imports

# The benchmark's smoke test runs kube-controller-manager's CronJob controller too.
test: lint control-plane helm
	OUTBOUND_SCHEDULER_K8S_BIN=$$(bash $(CONTROL_PLANE) etcd kube-apiserver kubectl \
		kube-controller-manager) $(BIN)/pytest

crds: venv
	$(BIN)/outbound-scheduler crds --output crds
	$(BIN)/outbound-scheduler crds --output charts/outbound-scheduler/crds

# Helm, built from pinned Go modules into the control plane's cache like kubectl.
helm:
	@bash $(CONTROL_PLANE) helm >/dev/null

lint-chart: helm
	$$(bash $(CONTROL_PLANE) helm)/helm lint --strict charts/outbound-scheduler

# No Docker engine here: lint the Dockerfile, then replay its pip steps in a throw-away venv.
lint-docker: venv
	$(BIN)/hadolint Dockerfile
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT \
		&& $(PYTHON) -m venv "$$tmp/venv" \
		&& "$$tmp/venv/bin/pip" install --quiet --no-cache-dir --require-virtualenv \
			--only-binary=:all: -r requirements.lock \
		&& "$$tmp/venv/bin/pip" install --quiet --no-cache-dir --require-virtualenv --no-deps . \
		&& "$$tmp/venv/bin/pip" check \
		&& "$$tmp/venv/bin/outbound-scheduler" run --help >/dev/null

# The image's pins: the runtime dependencies of pyproject.toml, resolved in a fresh venv.
lock:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT \
		&& $(PYTHON) -m venv "$$tmp/venv" \
		&& "$$tmp/venv/bin/pip" install --quiet --no-cache-dir . \
		&& { echo "# Pinned runtime dependencies of the container image (Python 3.11, Linux); regenerate: make lock."; \
			"$$tmp/venv/bin/pip" freeze --exclude outbound-scheduler; } > requirements.lock

# The scale benchmark; quick sizes by default, BENCH_FLAGS=--full for the issue's sizes.
bench: venv control-plane
	OUTBOUND_SCHEDULER_K8S_BIN=$$(bash $(CONTROL_PLANE) etcd kube-apiserver kubectl \
		kube-controller-manager) $(BIN)/python -m bench.run $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
