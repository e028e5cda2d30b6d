# The two commands of README.md; each sets up what it needs first.
#   make run    — a guided session of a bundled workout (SCRIPT=demo by default)
#   make test   — the whole test suite
#   make lint   — style, types, and the import layers (docs/architecture.md)
SCRIPT ?= demo
ARGS ?=

.PHONY: run test lint setup setup-tests

setup:
	@tools/bootstrap

setup-tests:
	@tools/bootstrap --tests

run: setup
	.venv/bin/coach run $(SCRIPT) $(ARGS)

# Most of the suite's time is live audio in real time: the live tests run one after
# another on one worker (tests/conftest.py) while the rest share the others.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: setup-tests
	.venv/bin/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup

lint: setup
	.venv/bin/ruff check coach tests bench
	.venv/bin/mypy coach
	.venv/bin/lint-imports

# make bench — the listener benchmark (bench/README.md): builds the spoken-command corpus
# (bench/corpus/SPLIT/, skipped when up to date) and scores `coach recognize` on it.
#   make bench BENCH_SPLIT=test BENCH_ARGS="--backend B"
BENCH_SPLIT ?= dev
BENCH_ARGS ?=

.PHONY: bench

bench: setup
	.venv/bin/python bench/make_corpus.py --split $(BENCH_SPLIT)
	.venv/bin/python bench/recognition.py --corpus bench/corpus/$(BENCH_SPLIT) \
		--json-out bench/corpus/$(BENCH_SPLIT)/results.json $(BENCH_ARGS)

# make arm64-check — coach on Linux arm64 (a Raspberry Pi's processor) under qemu: a Debian
# arm64 root, `pip install` of this checkout there, a simulated session, the Moonshine
# model's preparation and `coach recognize` on recordings heard on both machines
# (bench/arm64.sh; as root, about an hour). Run on purpose, not in `make test`.
.PHONY: arm64-check

arm64-check: setup
	bench/arm64.sh
