# copydesk: the two commands of the README are `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export COPYDESK_DATA ?= $(abspath ../shared/data)

.PHONY: install install-dev demo test test-all lint bench

install:
	bash scripts/install.sh

install-dev:
	bash scripts/install.sh --dev

demo: install
	rm -f out/seeds.db*; mkdir -p out
	$(VENV)/bin/copydesk analyze examples/seeds --db out/seeds.db --json out/seeds.json --html out/seeds.html

test: install-dev
	$(PY) -m pytest -q -p no:cacheprovider

test-all: install-dev
	COPYDESK_SLOW=1 $(PY) -m pytest -q -p no:cacheprovider

lint: install-dev
	$(VENV)/bin/ruff check src tests scripts bench
