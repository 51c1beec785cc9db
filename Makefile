# kgqa: `make run` sets up and serves; `make test` runs the tests.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DECK ?= $(shell [ -f ../shared/corpus/das-c01-slides.txt ] && echo ../shared/corpus/das-c01-slides.txt || echo tests/data/sample-deck.txt)
DATA ?= data
PORT ?= 8000
REPLICAS ?= 2
CLUSTER ?= cluster
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := check
.PHONY: install web browser run ingest serve test test-fast test-ui fmt lint types check eval bench bench-ingest bench-ask bench-compute bench-http bench-ui reliability phrasing bench-scale bench-corpus cluster test-robust chaos clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: this version is a local CPU build; a looser pin pulls a CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) web

# Front-end assets: npm ci from web/package-lock.json (scripts off), then the few files kgqa
# serves are copied into api/ui/static/vendor/ (git-ignored): never a CDN.
WEB_STAMP := web/node_modules/.kgqa-vendored
VENDOR := api/ui/static/vendor
NM := web/node_modules
$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VENDOR)
	cp $(NM)/@zazuko/yasgui/build/yasgui.min.js $(NM)/@zazuko/yasgui/build/yasgui.min.css \
	   $(NM)/swagger-ui-dist/swagger-ui-bundle.js $(NM)/swagger-ui-dist/swagger-ui.css \
	   $(NM)/redoc/bundles/redoc.standalone.js $(NM)/axe-core/axe.min.js $(VENDOR)/
	touch $@

web: $(WEB_STAMP)

# Browser tests drive Debian's Chromium; installed here when missing (CI runs as root).
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "browser tests need Debian's chromium and chromium-driver (apt-get install as root)"; fi

$(DATA)/summary.json: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/kgqa ingest $(DECK) --data-dir $(DATA)

ingest: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/kgqa ingest $(DECK) --data-dir $(DATA)

serve: $(DATA)/summary.json web
	HF_HUB_OFFLINE=1 $(BIN)/kgqa serve --data-dir $(DATA) --port $(PORT)

run: serve

test: $(STAMP) web browser
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q

test-ui: $(STAMP) web browser
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/ui

test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q -m "not slow and not deck and not browser"

test-robust: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/robustness

fmt: $(STAMP)
	$(BIN)/ruff format kg ingest api ontology kgqa tests bench
	$(BIN)/ruff check --fix kg ingest api ontology kgqa tests bench

lint: $(STAMP)
	$(BIN)/ruff check kg ingest api ontology kgqa tests bench
	$(BIN)/ruff format --check kg ingest api ontology kgqa tests bench

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

eval: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/kgqa eval ../shared/eval/dev.jsonl --data-dir $(DATA)

bench: bench-ingest bench-ask bench-compute bench-http bench-ui

bench-ingest: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.ingest $(DECK)

reliability: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.reliability --data-dir $(DATA)

phrasing: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.phrasing --data-dir $(DATA) dev dev2 own

bench-ask: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.ask --data-dir $(DATA)

bench-compute: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.compute --data-dir $(DATA)

bench-http: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.http --data-dir $(DATA)

bench-ui: $(DATA)/summary.json web browser
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.ui --data-dir $(DATA)

# Two Oxigraph datasets (blue/green), the data dir published into $(CLUSTER)/versions, and
# $(REPLICAS) `kgqa serve` replicas on ports 8001.. following it; Ctrl-C stops everything.
cluster: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m kgqa.cluster --data $(DATA) --home $(CLUSTER) --replicas $(REPLICAS)

bench-scale: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.scale --data-dir $(DATA)

bench-corpus: $(STAMP)
	OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 $(BIN)/python -m bench.corpus $(DECK)

# Not in CI: kill -9 a server worker and a SPARQL worker under load (bounded, loopback only).
chaos: $(DATA)/summary.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.chaos --data-dir $(DATA)

clean:
	rm -rf $(DATA) $(CLUSTER) .pytest_cache .mypy_cache .ruff_cache
