# Two entry points that work on a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install has no bytecode of its own, and some containers tell Python not to write
# any (PYTHONDONTWRITEBYTECODE): linc's modules are compiled once here, as pip does for a wheel,
# instead of on every command (a stale file is recompiled by Python itself).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q linc provers
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q linc provers
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/linc solve examples/proofwriter_bob.txt

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --durations=15 tests

clean:
	rm -rf $(VENV) .pytest_cache
