# The front door: make run | make test | make setup | make bench | make lint | make fmt
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DJ := $(VENV)/bin/dangjian
PORT ?= 8000
export DANGJIAN_DEBUG ?= 0

# The first Python 3.11+ among python3, python3.13, python3.12, python3.11.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	if $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; then echo $$p; break; fi; done)

.PHONY: run setup test bench lint fmt venv dev-deps clean-venv prod-check

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "需要 Python 3.11 或更高版本 (Python 3.11+ is required): 请先安装，例如 apt install python3.11 python3.11-venv"; exit 1; fi
	@echo "使用 $(PYTHON) ($$($(PYTHON) --version)) 创建 $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e .
	@touch $@

venv: $(VENV)/.installed

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml
	$(VENV)/bin/pip install -q -e '.[dev]'
	@touch $@

dev-deps: $(VENV)/.dev-installed

setup: venv
	@mkdir -p var
	$(DJ) migrate --noinput -v0
	$(DJ) collectstatic --noinput -v0
	$(DJ) demo --if-empty

run: setup
	@$(DJ) demo_logins
	@echo "打开 http://127.0.0.1:$(PORT)/ (Ctrl-C 停止)"
	$(DJ) runserver 127.0.0.1:$(PORT) --insecure

test: dev-deps
	@mkdir -p var
	$(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest 未运行任何测试 (no tests ran): 视为失败"; exit 1; fi; exit $$rc

prod-check: venv
	scripts/prod-check.sh

bench: dev-deps
	$(PY) -m bench.run $(BENCH_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check dangjian tests bench

fmt: dev-deps
	$(VENV)/bin/ruff format dangjian tests bench
