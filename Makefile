# Convenience targets; the scripts are the source of truth.
.PHONY: build test bench bench-catalog bench-translate bench-diff bench-run corpus-report fuzz fuzz-yaml quickstart
build:
	PATH="$$PATH:/opt/swift/usr/bin" swift build -c release --static-swift-stdlib
test:
	scripts/test.sh
bench: build
	scripts/install-deps.sh --bench
	scripts/bench-validate.sh --markdown docs/benchmarks.md
fuzz:
	scripts/fuzz-parser.sh 600
quickstart:
	scripts/quickstart.sh
bench-catalog: build
	scripts/install-deps.sh --bench
	scripts/bench-validate.sh --mode catalog --markdown docs/benchmarks.md
bench-translate: build
	scripts/install-deps.sh --bench
	scripts/bench-validate.sh --mode translate --markdown docs/benchmarks.md
bench-diff: build
	scripts/install-deps.sh --bench
	scripts/bench-validate.sh --mode diff --sizes "1000 10000" --markdown docs/benchmarks.md
corpus-report: build
	scripts/corpus-catalog-report.py
bench-run: build
	scripts/install-deps.sh --bench
	scripts/bench-run.py --markdown docs/benchmarks.md
fuzz-yaml:
	scripts/fuzz-yaml.sh 600
