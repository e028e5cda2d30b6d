# The two commands of README.md; each sets up what it needs first.
#   make run    — a guided session of a bundled workout (SCRIPT=demo by default)
#   make test   — the whole test suite
SCRIPT ?= demo
ARGS ?=

.PHONY: run test lint setup

setup:
	@tools/bootstrap

run: setup
	.venv/bin/coach run $(SCRIPT) $(ARGS)

test: setup
	.venv/bin/python -m pytest -q

lint: setup
	.venv/bin/ruff check coach tests
	.venv/bin/mypy coach
