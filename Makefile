# The front door: `make run` and `make test` set up .venv on first use (CPU torch via the constraints file).
PYTHON ?= python3
VENV := .venv
READY := $(VENV)/.ready

.PHONY: run test test-fast lint

$(READY): pyproject.toml constraints-cpu.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -c constraints-cpu.txt -e ".[test]"
	touch $(READY)

run: $(READY)  ## the dashboard on the bundled sample; ARGS="corpus.txt --model gru" to change it
	$(VENV)/bin/rnnscope $(ARGS)

test: $(READY)  ## the whole suite (what CI runs: .ci/run)
	$(VENV)/bin/python -m pytest -q

test-fast: $(READY)  ## the inner loop: every test but the slow ones
	$(VENV)/bin/python -m pytest -q -m "not slow"

lint: $(READY)
	$(VENV)/bin/python -m ruff check .
