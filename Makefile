# Relay: every target sets itself up on a fresh machine (a .venv from pyproject.toml).
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# aws-sam-cli pins its own boto3/pydantic, so it lives in a venv of its own. It and the cfn-lint it
# runs are pinned: a new release (cfn-lint ships new rules weekly) must not change what `make lint`
# and `make build` accept without a commit. Bumping either reinstalls the venv (the stamp names them).
SAM_VENV ?= .venv-sam
SAM_CLI_VERSION ?= 1.170.0
CFN_LINT_VERSION ?= 1.58.0
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed-sam-$(SAM_CLI_VERSION)-cfn-lint-$(CFN_LINT_VERSION)
export SAM_CLI_TELEMETRY := 0

.PHONY: dev test lint build bench clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): pyproject.toml layers/relay/requirements.txt | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[local,dev]'
	touch $@

$(SAM_STAMP):
	rm -f $(SAM_VENV)/.installed-*
	$(PYTHON) -m venv $(SAM_VENV) || python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q 'aws-sam-cli==$(SAM_CLI_VERSION)' 'cfn-lint==$(CFN_LINT_VERSION)'
	touch $@

# After `sam build`: what Lambda (arm64) will load. The relay package is in the layer, and every
# ELF shared object in the build is aarch64 (an x86_64 one would only fail at import on Lambda).
define CHECK_ARM64_BUILD
import pathlib, sys
build = pathlib.Path(".aws-sam/build")
if not (build / "RelayLayer/python/relay/__init__.py").is_file():
    sys.exit("sam build: the relay package is missing from .aws-sam/build/RelayLayer/python")
wrong, count = [], 0
for path in build.rglob("*.so*"):
    if path.is_file():
        with open(path, "rb") as handle:
            head = handle.read(20)
        if head[:4] == b"\x7fELF":
            count += 1
            if head[18:20] != b"\xb7\x00":  # e_machine EM_AARCH64, little-endian
                wrong.append(str(path))
if wrong:
    sys.exit("sam build: not aarch64:\n  " + "\n  ".join(wrong))
print(f"sam build: relay package in RelayLayer; {count} shared objects, all aarch64")
endef
export CHECK_ARM64_BUILD

## Run Relay locally: the embedded cloud from template.yaml and the API on http://127.0.0.1:8000
dev: $(STAMP)
	$(VENV)/bin/relay local $(ARGS)

## Run the test suite (unit + integration against the embedded cloud)
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## sam validate --lint (cfn-lint) on template.yaml
lint: $(SAM_STAMP)
	$(SAM) validate --lint

## sam build (python3.11, arm64; no Docker needed: dependencies are resolved on this host, then
## compiled ones are swapped for their manylinux aarch64 wheels), then check the result
build: $(SAM_STAMP)
	$(SAM) build
	$(SAM_VENV)/bin/python -c "$$CHECK_ARM64_BUILD"

## Benchmarks: cold-start import ratios and per-run AWS call counts/cost
bench: $(STAMP)
	$(PY) tests/bench/cold_start.py
	$(PY) tests/bench/run_cost.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache
