# deskcore: `make test` runs every check CI runs; `make demo` runs the main job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The optional compiled build (mypyc), in an environment of its own.
CVENV := .venv-compiled
CBIN := $(CVENV)/bin
CSTAMP := $(CVENV)/.installed
export PYTHONTZPATH :=

.PHONY: test test-compiled demo lint typecheck unit docs bench bench-compiled clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples docs hatch_build.py
	$(BIN)/ruff format --check src tests benchmarks examples docs hatch_build.py

typecheck: $(STAMP)
	$(BIN)/mypy

# coverage starts before pytest, which imports deskcore early for its pytest plugin.
unit: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/coverage run -m pytest
	$(BIN)/coverage report

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

test: lint typecheck unit docs

$(CBIN)/python:
	$(PYTHON) -m venv $(CVENV)

# Rebuilt when the sources change: a wheel, not an editable install.
$(CSTAMP): pyproject.toml hatch_build.py $(shell find src -name '*.py') | $(CBIN)/python
	$(CBIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(CBIN)/python -m pip install --quiet --group dev
	DESKCORE_COMPILE=1 $(CBIN)/python -m pip install --quiet .
	touch $(CSTAMP)

# The test suite (tests/; the docstring examples run on the pure build) on the compiled build.
test-compiled: $(CSTAMP)
	DESKCORE_EXPECT_COMPILED=1 $(CBIN)/python -m pytest -p no:cacheprovider tests

demo: $(STAMP)
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	$(BIN)/python benchmarks/run.py

# The engine benchmark's reference parts need the pure build: the rest runs here.
bench-compiled: $(CSTAMP)
	$(CBIN)/python -m pip install --quiet --group bench
	$(CBIN)/python benchmarks/bench_boundary.py
	$(CBIN)/python benchmarks/bench_simulate.py

clean:
	rm -rf $(VENV) $(CVENV) docs/_build .pytest_cache .mypy_cache .ruff_cache .coverage
