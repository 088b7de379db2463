# Two promises (see README): `make app` installs and starts the app; `make test` installs and runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: app test lint install install-dev browser bench mutate

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0   # CPU wheel; always before the rest

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .  # `python -m bertviz_core` from any folder, not only the repository's

install-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .

browser:  # Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no downloads), a CJK font for 中文 screenshots, Node for the heatmap's script
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk; }
	@command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs; }  # the heatmap's JavaScript is unit-tested in Node

app: install
	HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-0} $(BIN)/python app/serve.py  # streamlit run app/main.py, started warm

test: install-dev browser lint
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -n 2 --dist loadfile

lint: install-dev  # the house rules a machine can check: style, types, import floors
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: install-dev browser
	$(BIN)/pip install -q bertviz matplotlib
	$(BIN)/python bench/run_all.py

# Mutation testing (not part of `make test`): `make mutate` runs mutmut on loading, capture, analysis and state
# in turn; MODULE=analysis for one. BUDGET_MIN=18 stops each run after that many minutes (results are kept and a
# rerun continues: on a shared machine, hold the lock a bit at a time). See bench/mutate.py and bench/RESULTS.md.
MODULE ?= all
BUDGET_MIN ?=
mutate: install-dev
	@for m in $(if $(filter all,$(MODULE)),loading capture analysis state,$(MODULE)); do \
		$(BIN)/python bench/mutate.py $$m $(if $(BUDGET_MIN),--budget-min $(BUDGET_MIN)) || exit 1; done
