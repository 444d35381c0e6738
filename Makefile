# omnicanal chores. `make` alone lists them; CI runs the same targets (.ci/run calls `make test`).
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# uv is installed with pip when missing; `python3 -m uv` works even if pip's script folder is not on PATH.
UV = $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export UV_PYTHON := 3.11

.PHONY: help setup browser demo test lint format typecheck bench sandbox report prefect-server worker deploy clean

help: ## list every chore
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@touch $@

setup: $(VENV)/.installed ## create .venv with uv from uv.lock (bytecode compiled)

demo: setup ## set everything up from nothing and run the main job on the sandbox
	$(BIN)/omnicanal demo

test: setup browser ## run the whole test suite (starts sandbox servers, uses local PostgreSQL/MariaDB)
	$(BIN)/pytest

browser: ## install Debian's chromium (headless report rendering in the tests) when missing and root
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  { apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; } \
	  || echo "chromium could not be installed: the report screenshot test will be skipped"; }

lint: setup ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup ## apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: setup ## mypy on the Python packages
	$(BIN)/mypy flows sources destinations expectations warehouse sandbox

bench: setup ## benchmarks: print throughput, peak memory and ratios against DuckDB floors
	$(BIN)/python -m bench

sandbox: setup ## start the emulated ERP and shop and print their URLs and keys
	$(BIN)/omnicanal sandbox up

report: setup ## write the static HTML report from the analysts' database
	$(BIN)/omnicanal report

PREFECT_PORT ?= 4200
PREFECT_API := http://127.0.0.1:$(PREFECT_PORT)/api

prefect-server: setup ## start a local Prefect server and its UI (http://127.0.0.1:4200)
	$(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

deploy: setup ## create the process work pool and register the deployments of prefect.yaml on that server
	PREFECT_API_URL=$(PREFECT_API) $(BIN)/prefect work-pool create omnicanal-process --type process --overwrite
	PREFECT_API_URL=$(PREFECT_API) $(BIN)/prefect --no-prompt deploy --all

worker: setup ## start a process worker that runs the deployments from this folder
	OMNICANAL_PROJECT_DIR=$(CURDIR) PREFECT_API_URL=$(PREFECT_API) $(BIN)/prefect worker start --pool omnicanal-process

clean: ## remove generated data (keeps .venv)
	rm -rf data warehouse/target warehouse/logs .pytest_cache
