# Relay: every target sets itself up on a fresh machine (a .venv from pyproject.toml).

# Python 3.13, the Lambda runtime's version: on PATH, else under pyenv. Each candidate is run,
# because pyenv's `python3.13` shim is on PATH even when 3.13 is not an active pyenv version,
# and then it only fails. PYTHON=/path/to/python3.13 overrides the search.
LAMBDA_PYTHON := 3.13
INSTALL_PY313 := pyenv install 3.13 (found under $$(pyenv root)/versions, no need to activate it), \
  or your OS package (Debian/Ubuntu: apt-get install python3.13 python3.13-venv; macOS: brew install python@3.13)
find_python = $(shell for p in "$$(command -v python$(1) 2>/dev/null)" \
  $$(pyenv root 2>/dev/null)/versions/$(1)*/bin/python$(1) /usr/local/bin/python$(1) /usr/bin/python$(1); do \
  [ -n "$$p" ] && "$$p" -c 'import os, sys; assert sys.version_info[:2] == ($(subst .,$(comma) ,$(1))); \
  print(os.path.realpath(sys.executable))' 2>/dev/null && break; done)
comma := ,
ifeq ($(origin PYTHON),undefined)
PYTHON313 := $(call find_python,$(LAMBDA_PYTHON))
PYTHON := $(or $(PYTHON313),$(call find_python,3.12),$(call find_python,3.11))
else
override PYTHON := $(shell "$(PYTHON)" -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null)
PYTHON313 := $(shell "$(PYTHON)" -c 'import os, sys; sys.version_info[:2] == (3, 13) and print(sys.executable)' 2>/dev/null)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The venv is made again when its interpreter is not the one chosen above (say it was made with
# 3.11 before 3.13 was installed): the stamp is forced, and its recipe starts afresh.
VENV_BASE := $(shell [ -x $(PY) ] && $(PY) -c 'import os, sys; print(os.path.realpath(sys._base_executable))' 2>/dev/null)
# aws-sam-cli pins its own boto3/pydantic, so it lives in a venv of its own. It and the cfn-lint it
# runs are pinned: a new release (cfn-lint ships new rules weekly) must not change what `make lint`
# and `make build` accept without a commit. Bumping either reinstalls the venv (the stamp names them).
SAM_VENV ?= .venv-sam
SAM_CLI_VERSION ?= 1.170.0
CFN_LINT_VERSION ?= 1.58.0
# AWS's serverless rules for cfn-lint (ES/WS rules), run by make lint beside sam validate --lint.
CFN_LINT_SERVERLESS_VERSION ?= 0.3.6
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed-sam-$(SAM_CLI_VERSION)-cfn-lint-$(CFN_LINT_VERSION)-serverless-$(CFN_LINT_SERVERLESS_VERSION)
# checkov pins its own boto3 and pydantic too, apart from aws-sam-cli's: a venv of its own.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_VERSION ?= 3.3.30
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-checkov-$(CHECKOV_VERSION)
export SAM_CLI_TELEMETRY := 0

.PHONY: dev test lint build bench clean

.PHONY: python-check python313-check FORCE
python-check:
ifeq ($(PYTHON),)
	@echo "No Python 3.11+ found. Install Python $(LAMBDA_PYTHON): $(INSTALL_PY313)" >&2; exit 1
else ifeq ($(PYTHON313),)
	@echo "WARNING: python$(LAMBDA_PYTHON) (the Lambda runtime's) not found; using $(PYTHON)." >&2
	@echo "WARNING: install it for a faithful .venv: $(INSTALL_PY313)" >&2
endif

python313-check:
ifeq ($(PYTHON313),)
	@echo "make build needs python$(LAMBDA_PYTHON), the runtime's version (sam build resolves the layer with it" >&2
	@echo "and compiles its bytecode). Not on PATH, not under pyenv. Install: $(INSTALL_PY313)" >&2; exit 1
endif

ifneq ($(VENV_BASE),$(PYTHON))
$(STAMP): FORCE
endif
FORCE:

$(STAMP): pyproject.toml clients/python/pyproject.toml layers/relay/requirements.txt | python-check
	@if [ -e $(VENV) ] && [ "$(VENV_BASE)" != "$(PYTHON)" ]; then \
	  echo "$(VENV) is on $(or $(VENV_BASE),an interpreter that no longer runs), not $(PYTHON): making it again"; \
	  rm -rf $(VENV); fi
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[local,dev]' -e ./clients/python
	@# An older install of the project owned bin/relay; replacing it removed that file: the client's again.
	$(PY) -m pip install -q --no-deps --force-reinstall -e ./clients/python
	touch $@

$(SAM_STAMP): | python-check
	rm -f $(SAM_VENV)/.installed-*
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q 'aws-sam-cli==$(SAM_CLI_VERSION)' 'cfn-lint==$(CFN_LINT_VERSION)' \
	  'cfn-lint-serverless==$(CFN_LINT_SERVERLESS_VERSION)'
	touch $@

$(CHECKOV_STAMP): | python-check
	rm -f $(CHECKOV_VENV)/.installed-*
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q 'checkov==$(CHECKOV_VERSION)'
	touch $@

# After `sam build`: what Lambda (arm64) will load. The relay and relay_workflow packages are in
# the layer, the dev tooling is not (relay_tools, a stray relay/local or relay/cli, moto, uvicorn,
# pytest), and every ELF shared object in the build is aarch64 (an x86_64 one would only fail at
# import on Lambda).
define CHECK_ARM64_BUILD
import pathlib, sys
build = pathlib.Path(".aws-sam/build")
layer = build / "RelayLayer/python"
for package in ("relay", "relay_workflow"):
    if not (layer / package / "__init__.py").is_file():
        sys.exit(f"sam build: the {package} package is missing from {layer}")
# /docs serves these from the layer (relay.api.routers.docs): data files, not Python.
for asset in ("relay/api/swagger_ui/swagger-ui-bundle.js", "relay/api/swagger_ui/swagger-ui.css", "relay/api/docs_init.js"):
    if not (layer / asset).is_file():
        sys.exit(f"sam build: {asset} (the API docs' files) is missing from {layer}")
dev_only = ("relay_tools", "relay/local", "relay/cli", "moto", "uvicorn", "pytest", "_pytest")
shipped = [name for name in dev_only if (layer / name).exists() or (layer / f"{name}.py").exists()]
shipped += sorted(p.name for p in layer.glob("*.dist-info") if p.name.split("-")[0].lower() in ("moto", "uvicorn", "pytest"))
if shipped:
    sys.exit("sam build: dev tooling in the Lambda layer: " + ", ".join(shipped))
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
print(f"sam build: relay and relay_workflow in RelayLayer (with the API docs' files), no dev tooling; {count} shared objects, all aarch64")
endef
export CHECK_ARM64_BUILD

# template.yaml with ApiSnapStart defaulting to PublishedVersions: the SAM transform cfn-lint runs
# sees parameter defaults only, so the SnapStart setting is linted through a copy.
define SNAPSTART_TEMPLATE
import pathlib, re
text = pathlib.Path("template.yaml").read_text()
text, found = re.subn(r'(\n  ApiSnapStart:\n(?:    .*\n)*?    Default: )"None"', r"\1PublishedVersions", text)
if found != 1:
    raise SystemExit("make lint: ApiSnapStart's Default: \"None\" not found in template.yaml")
pathlib.Path(".aws-sam/template-snapstart.yaml").write_text(text)
endef
export SNAPSTART_TEMPLATE

## Run Relay locally: the embedded cloud from template.yaml and the API on http://127.0.0.1:8000
dev: $(STAMP)
	$(VENV)/bin/relay local $(ARGS)

## The npm packages of package-lock.json (axe-core for the browser tests; the web UI's vendored
## library), where npm is installed; `make web-vendor` copies that library into web/vendor/.
NODE_STAMP := $(if $(shell command -v npm 2>/dev/null),node_modules/.package-lock.json)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
web-vendor: node_modules/.package-lock.json
	cp node_modules/htm/preact/standalone.module.js web/vendor/htm-preact-standalone.js
	cp node_modules/htm/LICENSE web/vendor/htm-LICENSE.txt
	cp node_modules/preact/LICENSE web/vendor/preact-LICENSE.txt
.PHONY: web-vendor

## Run the test suite: the unit tests, then the integration and end-to-end tests, each run
## spread over worker processes (pytest-xdist; every worker starts its own local cloud). Two runs,
## because the unit tests' in-process moto (mock_aws) patches botocore for its whole process, so
## it must never share one with a live local cloud. The browser tests run on their own too:
## Playwright's sync API keeps an event loop running in its process, which Mangum's (in the
## Lambda-handler tests) then finds and cannot use. PYTEST_ARGS=... runs just those, in one run.
TEST_WORKERS ?= 3
test: $(STAMP) $(NODE_STAMP)
	@[ -x "$${RELAY_CHROMIUM:-/usr/bin/chromium}" ] || echo "NOTE: no $${RELAY_CHROMIUM:-/usr/bin/chromium}: the web UI's browser tests (tests/e2e/web) are skipped. Get Debian's Chromium: sudo apt-get install -y chromium (never playwright install)" >&2
ifeq ($(strip $(PYTEST_ARGS)),)
	$(PY) -m pytest -n 2 --dist worksteal tests/unit
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --ignore-glob='tests/unit/*' --ignore-glob='tests/e2e/web/*'
	$(PY) -m pytest -n 2 --dist worksteal tests/e2e/web
else
	$(PY) -m pytest $(PYTEST_ARGS)
endif

## ruff check, ruff format --check and mypy (rules in pyproject.toml), then sam validate --lint
## (cfn-lint) on template.yaml, as it is (ApiSnapStart=None) and with SnapStart on
lint: lint-python $(SAM_STAMP)
	$(SAM) validate --lint
	@mkdir -p .aws-sam
	$(SAM_VENV)/bin/python -c "$$SNAPSTART_TEMPLATE"
	$(SAM) validate --lint --template .aws-sam/template-snapstart.yaml

## Posture: cfn-lint with AWS's serverless rules, and checkov (.checkov.yaml; --skip-download: no
## network). Each finding is fixed or skipped in the resource's Metadata with its reason.
.PHONY: lint-posture
lint: lint-posture
lint-posture: $(SAM_STAMP) $(CHECKOV_STAMP)
	$(SAM_VENV)/bin/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --skip-download -f template.yaml

# What ruff and mypy check (.pre-commit-config.yaml runs these same targets). ruff checks every
# file; the directories in .lint-pending/mypy.txt are not mypy-clean yet and are left out of its run
# until they are: that list only shrinks, and goes when empty. Nothing is left out in pyproject.toml.
PY_SOURCES := layers functions tools clients/python tests
MYPY_SOURCES := layers/relay/relay layers/relay/relay_workflow tools clients/python/relay_client
pending = $(shell grep -v '^\#' .lint-pending/$(1).txt 2>/dev/null)
space := $(subst ,, )
MYPY_PENDING := $(call pending,mypy)

.PHONY: lint-python lint-ruff lint-mypy
lint-python: lint-ruff lint-mypy

lint-ruff: $(STAMP)
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)

# --follow-imports=silent: a pending module that a checked one imports is read for its types,
# its own errors are not reported (until it leaves .lint-pending/mypy.txt).
lint-mypy: $(STAMP)
	$(VENV)/bin/mypy $(if $(MYPY_PENDING),--follow-imports=silent --exclude '^($(subst $(space),|,$(strip $(MYPY_PENDING))))(/|$$)') $(MYPY_SOURCES)

## sam build (python3.13, arm64; no Docker needed: dependencies are resolved on this host, then
## compiled ones are swapped for their manylinux aarch64 wheels), then ship bytecode and check it.
## sam looks for `python3.13` on PATH, so the one found above goes first there. The bytecode is
## hash-based (PEP 552) and unchecked: SAM zips every file with a 1980 timestamp, so ordinary
## (timestamp) .pyc never validate on Lambda, and a published layer never changes, so there is
## nothing for a per-import hash check to find (tools/lambda_bytecode.py says more). The check
## fails the build if any .py lacks a cpython-313, hash-based .pyc matching its source.
build: $(SAM_STAMP) | python313-check
	PATH="$(dir $(PYTHON313)):$$PATH" $(SAM) build
	$(SAM_VENV)/bin/python -c "$$CHECK_ARM64_BUILD"
	$(PYTHON313) tools/lambda_bytecode.py compile .aws-sam/build --expect-tag cpython-313
	$(PYTHON313) tools/lambda_bytecode.py check .aws-sam/build --expect-tag cpython-313

## After `sam deploy`: upload web/ to the stack's web bucket (named by its outputs) with each file's
## Content-Type and Cache-Control, delete what web/ no longer has, and invalidate the distribution
## (tools/relay_tools/web_deploy.py). STACK_NAME (samconfig.toml's relay) and AWS_REGION pick the
## stack; ARGS=--dry-run says what it would do, ARGS=--wait waits for the invalidation.
STACK_NAME ?= relay
web-deploy: $(STAMP)
	$(PY) -m relay_tools.web_deploy --stack-name $(STACK_NAME) $(if $(AWS_REGION),--region $(AWS_REGION)) $(ARGS)
.PHONY: web-deploy

## Benchmarks: cold-start import ratios and per-run AWS call counts/cost
bench: $(STAMP)
	$(PY) tests/bench/cold_start.py
	$(PY) tests/bench/run_cost.py
	$(PY) tests/bench/concurrent_answers.py
	$(PY) tests/bench/upload_path.py
	$(PY) tests/bench/llm_step.py
	$(PY) tests/bench/media_wait.py
	$(PY) tests/bench/events.py
	$(PY) tests/bench/run_search.py
	$(PY) tests/bench/cli.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache .cache/cold_start
