# NQ42 Tracker — every target sets itself up on a fresh machine (Python >= 3.11 only).
#   make reports   build data/processed from data/raw, render reports/latest/
#   make test      the whole test suite (CI runs exactly this)
#   make test-fast the unit tests only (no tests/integration, no slow or browser tests)
#   make lab       JupyterLab on the project's kernel
#   make bench     benchmarks (times, memory, sizes)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
LAB_VENV := .venv-lab
STAMP := $(VENV)/.nq42-installed
# PYTHONDONTWRITEBYTECODE is set on our machines: compile bytecode at install time, or every
# report kernel re-compiles pandas/plotly (4.3 s -> 8.5 s per report, TOOLCHAIN_NOTES.md).
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy

.PHONY: help install data reports test test-fast lab bench clean

help:
	@echo "make reports  - set up, build the data, render all reports (reports/latest/index.html)"
	@echo "make test     - set up and run the whole test suite"
	@echo "make test-fast - the unit tests only, for the edit loop"
	@echo "make lab      - JupyterLab on the project kernel"
	@echo "make bench    - benchmarks"
	@echo "make clean    - remove environments and built outputs"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $(STAMP)

install: $(STAMP)

data: install
	$(VENV)/bin/nq42 build

reports: data
	$(VENV)/bin/nq42 reports --out reports/latest
	@echo "Open: $(CURDIR)/reports/latest/index.html"

test: install
	$(VENV)/bin/python -m pytest

test-fast: install
	$(VENV)/bin/python -m pytest --ignore=tests/integration -m "not slow and not browser"

lab: install
	UV_PROJECT_ENVIRONMENT=$(LAB_VENV) $(UV) sync --frozen --only-group lab --python $(PYTHON)
	$(VENV)/bin/python -m ipykernel install --prefix $(LAB_VENV) --name nq42 \
		--display-name "NQ42 Tracker (project .venv)"
	$(LAB_VENV)/bin/jupyter lab --notebook-dir=notebooks \
		--MultiKernelManager.default_kernel_name=nq42

bench: install
	$(VENV)/bin/python -m benchmarks
	$(VENV)/bin/python -m benchmarks --readme

clean:
	rm -rf $(VENV) $(LAB_VENV) $(TOOLS) data/processed/* reports/latest
