# news-incidents: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)
SERVICES := PYTHON=$(abspath $(PY)) services/local-services.sh
FEEDS ?= demo/feeds.yaml
KIBANA_URL ?= http://localhost:5601

.PHONY: help venv services services-down services-status run test test-unit test-integration \
        lint bench soak eval setup kibana-import compose-check clean faults ui chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP) ## create the virtualenv and install pinned dependencies

services: venv ## start local Kafka + Elasticsearch (downloads jars on first use)
	$(SERVICES) up

services-down: ## stop the local Kafka + Elasticsearch
	$(SERVICES) down

services-status: ## report the local services
	$(SERVICES) status

run: services ## run the pipeline end to end on the bundled demo feeds and print a summary
	$(PY) -m pipeline run --feeds $(FEEDS) --once

ui: services ## the analyst's web view of the indexed incidents on 127.0.0.1 (Ctrl-C stops it)
	$(PY) -m pipeline ui

chromium: ## headless Chromium for the browser tests (apt-get, when missing and allowed)
	@bash tools/chromium.sh

test: services chromium ## unit + integration tests against the real engines
	NEWS_REQUIRE_SERVICES=1 $(PY) -m pytest tests

test-unit: venv ## unit tests only (no broker, no network)
	$(PY) -m pytest tests/unit

test-integration: services chromium ## integration tests only
	NEWS_REQUIRE_SERVICES=1 $(PY) -m pytest tests/integration

faults: services ## fault suite against the real engines; prints the table, keeps it in docs/reliability.md
	$(PY) -m tests.faults

lint: venv ## ruff + mypy
	$(VENV)/bin/ruff check pipeline connectors tests benchmarks services/probe.py
	$(VENV)/bin/mypy

bench: services ## benchmarks (ratios against baselines measured in the same run)
	$(PY) -m benchmarks

SOAK_MINUTES ?= 15
SOAK_RATE ?= 4
soak: services ## the four stage processes under a steady stream; each process's RSS slope
	$(PY) -m benchmarks soak --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE)

eval: venv ## tagging and extraction quality: every bundled set, development and test part
	$(PY) -m pipeline eval

setup: services ## create topics, index templates and aliases (idempotent)
	$(PY) -m pipeline setup

kibana-import: venv ## import kibana/*.ndjson saved objects into KIBANA_URL
	$(PY) -m pipeline kibana-import --kibana-url $(KIBANA_URL)

compose-check: ## validate docker-compose.yml with compose-go (the loader Docker Compose uses)
	cd tools/compose-check && go run . ../../docker-compose.yml
	cd tools/compose-check && COMPOSE_PROFILES=secure go run . ../../docker-compose.yml

clean: ## remove the virtualenv and caches (not the services cache)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
