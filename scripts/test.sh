#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is needed, runs the Swift test suite (XCTest)
# and the command-line checks, and ends with one line `total: N passed, M failed`.
# Needs ../shared (or $SHARED_DIR) for the corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/install-deps.sh
[ -d "$SHARED_DIR/puppet-corpus" ] || { echo "error: $SHARED_DIR/puppet-corpus is missing (set SHARED_DIR)" >&2; exit 1; }
mkdir -p .build
set +e
swift test --disable-swift-testing 2>&1 | tee .build/test.log
unit_status=${PIPESTATUS[0]}
set -e
# XCTest's summary: "Executed N tests, with F failures (...)"; the last one is the total.
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" .build/test.log | tail -1)
unit_run=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
unit_failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
[ -n "$unit_run" ] || { echo "error: no XCTest summary found" >&2; exit 1; }
swift build -c release --static-swift-stdlib
set +e
scripts/test-cli.sh .build/release/mgmt-puppet | tee .build/test-cli.log
cli_status=${PIPESTATUS[0]}
set -e
cli_line=$(grep -E "^cli: [0-9]+ passed, [0-9]+ failed" .build/test-cli.log | tail -1)
cli_passed=$(sed -E 's/cli: ([0-9]+) passed.*/\1/' <<<"$cli_line")
cli_failed=$(sed -E 's/.*passed, ([0-9]+) failed/\1/' <<<"$cli_line")
passed=$(( unit_run - unit_failed + ${cli_passed:-0} ))
failed=$(( unit_failed + ${cli_failed:-1} ))
if [ "$unit_status" -ne 0 ] || [ "$cli_status" -ne 0 ]; then failed=$(( failed > 0 ? failed : 1 )); fi
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
