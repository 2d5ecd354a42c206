# Every target creates .venv when missing and installs everything it needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CASE   ?= demo-case
PEOPLE ?= 5000
SEED   ?= 7
PRESET ?= medium

.PHONY: demo test test-heavy bench lint format clean browser screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-compile -c constraints.txt -e '.[gnn,dev]'
	@# byte-compiled on every core instead of pip's one file at a time (40 s less on 2 cores); like pip, it skips
	@# the few third-party files that are not Python 3.11 source (templates), hence `|| true`
	$(BIN)/python -m compileall -qq -j 0 $(VENV)/lib >/dev/null || true
	touch $(STAMP)

# the demo scores its case with a small role model, trained once (about 30 s with its two 1,500-person towns of
# other seeds, on one torch thread: more spin against other work on 2 cores) and kept in $(MODEL);
# make demo MODEL= runs without one
MODEL  ?= build/demo-model-$(PRESET)
MODEL_PEOPLE ?= 1500

demo: $(STAMP) $(if $(MODEL),$(MODEL)/model.json)
	$(BIN)/crimnet demo --people $(PEOPLE) --seed $(SEED) --preset $(PRESET) --out $(CASE) $(if $(MODEL),--model $(MODEL))

$(MODEL)/model.json: | $(STAMP)
	rm -rf $(MODEL).cases
	$(BIN)/crimnet generate --people $(MODEL_PEOPLE) --seed 1001 --preset $(PRESET) --out $(MODEL).cases/train >/dev/null
	$(BIN)/crimnet generate --people $(MODEL_PEOPLE) --seed 1002 --preset $(PRESET) --out $(MODEL).cases/valid >/dev/null
	OMP_NUM_THREADS=1 $(BIN)/crimnet train $(MODEL).cases/train --valid $(MODEL).cases/valid --out $(MODEL) \
	  --hidden 32 --epochs 20 --patience 4 --seed 0
	rm -rf $(MODEL).cases

# the browser checks drive Debian's chromium through Playwright (Playwright's own browser downloads are not used)
SUDO     := $(if $(filter 0,$(shell id -u)),,sudo)

browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { echo "installing Debian's chromium for the browser checks"; \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# one worker per core; tests of one file stay on one worker so their module fixtures are built once. Files go out in
# collection order, not xdist's default of most tests first: that sent the slow files of one to seven tests (killed
# ingests, Bolt loads, the end-to-end runs) last, so one worker ran them alone while the other waited; in collection
# order the last work is the hundred small doctest modules of crimnet, which the two workers share out evenly
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n auto --dist loadfile --no-loadscope-reorder

test-heavy: $(STAMP) browser
	CRIMNET_HYPOTHESIS=explore $(BIN)/python -m pytest -q -m heavy

# the README's picture of the report of a small demo, taken in Debian's chromium like the browser checks
screenshot: $(STAMP) browser
	$(BIN)/python -m benchmarks.screenshot --out docs/screenshot.png

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
	rm -rf $(VENV) $(CASE) build/demo-model-* .pytest_cache .mypy_cache .ruff_cache
