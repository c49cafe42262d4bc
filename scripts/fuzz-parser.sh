#!/usr/bin/env bash
# Fuzzes the Puppet parser with libFuzzer (Sources/PuppetParserFuzz, built with
# -sanitize=fuzzer,address). Usage: scripts/fuzz-parser.sh [SECONDS] (default 600).
# Seeds: fuzz/parser-seeds (committed). New inputs go to a scratch corpus under .build-fuzz;
# crashes, hangs and leaks land in fuzz/artifacts/ — reproduce one with
#   swift run PuppetParserFuzz fuzz/artifacts/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
export PATH="$PATH:/opt/swift/usr/bin"
# Built with swiftc directly: SwiftPM renames an executable's entry point, which clashes with
# libFuzzer's own main.
out=.build-fuzz
mkdir -p "$out"
flags=(-O -sanitize=fuzzer,address -parse-as-library)
# The parser as the tool is built (Package.swift's `fast` settings).
shipped=(-enforce-exclusivity=unchecked -Xfrontend -enable-lexical-lifetimes=false)
swiftc "${flags[@]}" "${shipped[@]}" -module-name PuppetParser -emit-module -emit-module-path "$out/PuppetParser.swiftmodule" \
  -emit-library -static -o "$out/libPuppetParser.a" Sources/PuppetParser/*.swift
swiftc "${flags[@]}" -DFUZZING -I "$out" -L "$out" -lPuppetParser -module-name PuppetParserFuzz \
  -o "$out/parser-fuzz" Sources/PuppetParserFuzz/Fuzz.swift
bin=$out/parser-fuzz
mkdir -p .build-fuzz/corpus fuzz/artifacts
"$bin" .build-fuzz/corpus fuzz/parser-seeds -max_total_time="$seconds" -max_len=8192 -timeout=10 \
  -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=fuzz/artifacts/ 2>&1 | tail -25
