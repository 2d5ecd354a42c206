# Every target creates .venv when missing and installs everything it needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CASE   ?= demo-case
PEOPLE ?= 5000
SEED   ?= 7
PRESET ?= medium

.PHONY: demo test test-heavy bench lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[gnn,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/crimnet demo --people $(PEOPLE) --seed $(SEED) --preset $(PRESET) --out $(CASE)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-heavy: $(STAMP)
	$(BIN)/python -m pytest -q -m heavy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

lint: $(STAMP)
	$(BIN)/ruff check crimnet tests benchmarks
	$(BIN)/ruff format --check crimnet tests benchmarks
	$(BIN)/mypy crimnet

format: $(STAMP)
	$(BIN)/ruff format crimnet tests benchmarks
	$(BIN)/ruff check --fix crimnet tests benchmarks

clean:
	rm -rf $(VENV) $(CASE) .pytest_cache .mypy_cache .ruff_cache
