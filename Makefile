# satudata — the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test faults lint bench bench-catalog bench-big ckan-up ckan-down s3-up s3-down clean

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

faults: $(STAMP)   # every fault proof with its full count, then its figures beside their targets (docs/faults.md)
	$(BIN)/ruff check .
	bash tests/faults/run_faults.sh

# Every figure beside its target: the 10M-row pipeline, the 1,000-dataset catalogue and the 100M-row export (hours).
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/catalog_scale.py
	$(BIN)/python bench/big.py

# The catalogue part alone: 1,000 datasets, published, re-run unchanged and with 1% changed (docs/scale.md).
bench-catalog: $(STAMP)
	$(BIN)/python bench/catalog_scale.py

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
