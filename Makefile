# faultline — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Every script, test and benchmark runs on Node >= 24; bring it from the npm registry if the
# system node is older (see scripts/node-toolchain.sh).
NODE_BIN := $(shell scripts/node-toolchain.sh)
export PATH := $(NODE_BIN):$(PATH)

DEBIAN_DEPS := redis-server:redis-server etcd:etcd-server etcdctl:etcd-client prometheus:prometheus chromium:chromium
BENCH_DEPS := wrk:wrk haproxy:haproxy nginx:nginx-light redis-benchmark:redis-tools

.PHONY: help demo up up-local down down-local status deps bench-deps jaeger kube-binaries install build test lint typecheck check bench clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

demo: deps build jaeger ## The local playground: start everything, take a short tour, keep running until Ctrl-C
	node chaos/bin/faultline.js demo

up: build helm kind ## The playground on kind: cluster, image, helm upgrade --install --wait (preflight first; needs Docker)
	node chaos/bin/faultline.js up --platform kind

up-local: deps build jaeger ## Start the local playground in the background (faultline up --local --detach)
	node chaos/bin/faultline.js up --local --detach

down: build ## Delete the kind cluster of make up
	node chaos/bin/faultline.js down --platform kind

down-local: ## Stop the local playground (make up-local)
	node chaos/bin/faultline.js down

status: ## Show the local playground's pods
	node chaos/bin/faultline.js status

deps: ## Install redis-server, etcd-server, prometheus and chromium (report tests) from Debian when missing
	@scripts/debian-deps.sh $(DEBIAN_DEPS)

jaeger: ## Build Jaeger v2 from the Go module proxy into the per-user cache when missing (local tracing)
	@scripts/jaeger-binary.sh >/dev/null || echo "make: no Jaeger binary (reason above): the playground runs with tracing off, trace tests fail" >&2

kube-binaries: ## Build kube-apiserver and kube-controller-manager (tests' control plane) into the per-user cache when missing
	@scripts/kube-binaries.sh >/dev/null || echo "make: no Kubernetes control plane binaries (reason above): the kubernetes tests fail" >&2

.PHONY: schemathesis
schemathesis: ## Install schemathesis (pinned, from PyPI) into .venv-fuzz/ when missing (API fuzzing tests)
	@scripts/schemathesis-venv.sh >/dev/null || echo "make: no schemathesis (reason above): the API fuzzing tests fail" >&2

.PHONY: helm
.PHONY: kind
kind: ## Build kind v0.33.0 into the per-user cache when missing (make up; Go needed)
	@scripts/kind-binary.sh >/dev/null || echo "make: no kind binary (reason above): make up's preflight says how to get it" >&2

helm: ## Build helm v3.22.0 into the per-user cache when missing (chart tests, kind)
	@scripts/helm-binary.sh >/dev/null || echo "make: no helm binary (reason above): the chart tests fail" >&2

bench-deps: deps ## Install the benchmark peers (wrk, haproxy, nginx, redis-benchmark) when missing
	@scripts/debian-deps.sh $(BENCH_DEPS)

node_modules/.package-lock.json: package.json package-lock.json $(wildcard services/*/package.json chaos/package.json bench/package.json slos/package.json loadtests/package.json dashboards/package.json)
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json ## npm ci (when the lockfile changed)

build: install ## Compile every workspace (tsc -b)
	npx tsc -b

test: deps build jaeger kube-binaries helm schemathesis ## Run every test (unit + integration against real Redis, etcd, Prometheus)
	node scripts/run-tests.mjs $(TESTS)

lint: build ## ESLint (typed rules, dependency rules), Prettier, and the k6 scripts against @types/k6
	npx eslint .
	npx prettier --check .
	npx tsc -p loadtests/tsconfig.k6.json

typecheck: install ## Type-check every workspace
	npx tsc -b

check: lint typecheck test ## lint + typecheck + test

bench: bench-deps build jaeger ## Benchmarks: ratios against peers measured in the same run
	node bench/dist/src/run.js $(BENCH)

.PHONY: slos
slos: install ## Regenerate slos/generated (Prometheus recording + burn-rate alert rules) from slos/*.yaml
	npx tsc -b slos
	node slos/dist/src/generate-rules-cli.js

.PHONY: dashboards
dashboards: build ## Regenerate dashboards/generated (Grafana JSON + provisioning) from dashboards/src
	node dashboards/dist/src/generate.js

clean: ## Remove build output
	rm -rf services/*/dist chaos/dist bench/dist slos/dist loadtests/dist dashboards/dist **/*.tsbuildinfo
