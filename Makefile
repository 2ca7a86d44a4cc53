# satudata — the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench bench-big ckan-up ckan-down s3-up s3-down clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/satudata run

lint: $(STAMP)
	$(BIN)/ruff check .
	bash tests/layers.sh

test: $(STAMP)
	$(BIN)/ruff check .
	bash tests/layers.sh
	bash tests/run_all.sh

bench: $(STAMP)
	$(BIN)/python bench/run.py

# An export larger than memory: 100M rows (about 9.6 GB, generated once into bench/data), memory held to 4 GB.
bench-big: $(STAMP)
	$(BIN)/python bench/big.py

ckan-up:
	bash tests/ckan_harness/up.sh

ckan-down:
	bash tests/ckan_harness/down.sh

s3-up:
	bash tests/s3_harness/up.sh

s3-down:
	bash tests/s3_harness/down.sh

clean:
	rm -rf .satudata portal
