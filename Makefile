# Set-up is two commands: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps so that a second `make test` does not reinstall; pyproject changes trigger it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/twin run scenarios/hefei_auto_parts.yaml --out results/hefei_auto_parts

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py

# Regenerates validation/report.md and report.html (needs ../shared/weather for the CSWD cases).
validate: $(VENV)/.installed-dev
	$(BIN)/twin validate

clean:
	rm -rf $(VENV) results .pytest_cache
