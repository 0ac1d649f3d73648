.DEFAULT_GOAL := help
PY ?= python3

.PHONY: help
help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

.PHONY: install
install: ## release build + test extras (what CI does)
	$(PY) -m pip install ".[test]"

.PHONY: build-dev
build-dev: ## fast debug build, editable install
	MATURIN_PEP517_ARGS="--profile dev" $(PY) -m pip install --no-build-isolation -e ".[test]"

.PHONY: format
format: ## format Rust and Python
	cargo fmt --all
	$(PY) -m ruff format python tests benchmarks
	$(PY) -m ruff check --fix python tests benchmarks

.PHONY: lint
lint: ## rustfmt, clippy, ruff
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(PY) -m ruff check python tests benchmarks
	$(PY) -m ruff format --check python tests benchmarks
	$(PY) -m mypy python/symcore
	$(PY) -m mypy.stubtest symcore._core

.PHONY: test-rust
test-rust: ## engine tests (no Python needed)
	cargo test -p symcore-engine

.PHONY: test
test: ## Python tests
	$(PY) -m pytest

.PHONY: bench
bench: ## benchmark table vs sympy and symengine (needs a release build)
	$(PY) benchmarks/bench_arith.py
