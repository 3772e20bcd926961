# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test bench lint claims docs clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/trustsim

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

claims: $(STAMP)
	$(BIN)/python -m tools.update_claims

docs: $(STAMP)
	$(BIN)/python -m tools.update_docs

lint: $(STAMP)
	$(BIN)/ruff check sim tui tests bench tools

clean:
	rm -rf $(VENV) build *.egg-info
