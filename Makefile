# Two commands on a fresh machine: `make run` and `make test`. Only Python 3.11+ and make are
# assumed; everything else is installed into .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint typecheck pytest docs bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "BackTrack needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/backtrack run --fallback-console

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# One process per CPU, up to four; a file's tests stay together and in order.
pytest: $(STAMP)
	$(BIN)/pytest --numprocesses auto --maxprocesses 4 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

docs: $(STAMP)
	$(BIN)/python -m bot.gen_docs

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
