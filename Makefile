# One command to run the service, one to run the tests (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve test lint check schema bench clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

serve: $(INSTALLED)  ## run the API on the embedded SQLite default with the Jiexiu seed data
	$(BIN)/culture-cloud serve

test: $(INSTALLED)  ## the whole test suite, on SQLite and PostgreSQL (needs: see .ci/prepare)
	@.ci/prepare
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy culture_cloud

check: lint test

schema: $(INSTALLED)
	$(BIN)/culture-cloud export-schema

bench: $(INSTALLED)
	$(BIN)/python -m bench.list_page

clean:
	rm -rf $(VENV) culture_cloud.db* .pytest_cache .mypy_cache .ruff_cache
