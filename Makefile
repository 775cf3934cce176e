# The two front-door commands: `make demo` (the main job on built-in data) and `make test`.
# Each creates .venv if missing and installs what it needs into it (demo: numpy and graphviz;
# test: also pytest, ruff and torch 2.13.0 CPU, which the parity tests compare against).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: demo test bench notebooks clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run

demo: $(VENV)/.run
	$(PY) -m tracegrad demo

test: $(VENV)/.test
	sh .ci/install-browser  # chromium + chromium-driver (page tests) and graphviz, as root with apt-get, when missing
	$(PY) -m ruff check .
	$(PY) -m mypy autograd
	TRACEGRAD_FAST=1 $(PY) -m pytest

notebooks: $(VENV)/.test  # execute every notebook top to bottom and save it with its outputs (the full run)
	$(PY) notebooks/run.py

bench: $(VENV)/.test
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
