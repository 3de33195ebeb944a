# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AFTERWORD := $(BIN)/afterword

.PHONY: run test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## run: install and run the main job on the bundled examples
run: $(VENV)/.installed
	@set -e; dir=$$(mktemp -d); \
	echo "== afterword new: one postmortem from each template, into $$dir"; \
	for template in standard five-whys quick; do \
	  $(AFTERWORD) new $$dir/$$template.md --template $$template \
	    --incident examples/incidents/payment-outage.yaml; \
	done; \
	echo "== afterword triage: the bundled example incidents"; \
	for incident in examples/incidents/*.yaml; do $(AFTERWORD) triage $$incident; done; \
	echo "== afterword parse: the bundled example postmortems and the new ones"; \
	for doc in examples/*.md $$dir/*.md; do $(AFTERWORD) parse $$doc; done; \
	echo "== afterword lint: the bundled example postmortems"; \
	$(AFTERWORD) lint examples/*.md; \
	echo "== afterword index, search, status, actions: the examples in a SQLite store"; \
	db="sqlite:///$$dir/afterword.db"; \
	$(AFTERWORD) index examples --database $$db; \
	$(AFTERWORD) search "connection pool" --database $$db; \
	$(AFTERWORD) status --today 2024-02-12 --database $$db; \
	$(AFTERWORD) actions --today 2024-02-12 --database $$db

## test: install the dev extras and run ruff, mypy, the layer contract and pytest
test: $(VENV)/.installed-dev lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/lint_bench.py
	$(BIN)/python benchmarks/slack_bench.py
	$(BIN)/python benchmarks/store_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
