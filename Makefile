# Relay: every target sets itself up on a fresh machine (a .venv from pyproject.toml).
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# aws-sam-cli pins its own boto3/pydantic, so it lives in a venv of its own.
SAM_VENV ?= .venv-sam
SAM := $(SAM_VENV)/bin/sam
export SAM_CLI_TELEMETRY := 0

.PHONY: dev test lint build bench clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): pyproject.toml layers/relay/requirements.txt | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[local,dev]'
	touch $@

$(SAM):
	$(PYTHON) -m venv $(SAM_VENV) || python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q aws-sam-cli

## Run Relay locally: the embedded cloud from template.yaml and the API on http://127.0.0.1:8000
dev: $(STAMP)
	$(VENV)/bin/relay local $(ARGS)

## Run the test suite (unit + integration against the embedded cloud)
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## sam validate --lint (cfn-lint) on template.yaml
lint: $(SAM)
	$(SAM) validate --lint

## sam build (python3.11, arm64; no Docker needed)
build: $(SAM)
	$(SAM) build

## Benchmarks: cold-start import ratios and per-run AWS call counts/cost
bench: $(STAMP)
	$(PY) tests/bench/cold_start.py
	$(PY) tests/bench/run_cost.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache
