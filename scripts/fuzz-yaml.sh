#!/usr/bin/env bash
# Fuzzes the graph loader (YAML decoding + resource validation, what `run` does before
# anything runs) with libFuzzer. Usage: scripts/fuzz-yaml.sh [SECONDS] (default 600).
# Seeds: fuzz/yaml-seeds (committed, from fixtures/yaml). Crashes, hangs and leaks land in
# fuzz/artifacts/ — reproduce one with `swift run GraphFuzz fuzz/artifacts/crash-…`.
# Built with swiftc and clang directly (SwiftPM's executable entry point clashes with
# libFuzzer's main): CYaml and CSystem with coverage, then Yams, Graph, Engine, the entry point.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
export PATH="$PATH:/opt/swift/usr/bin"
[ -d .build/checkouts/Yams ] || swift package resolve
yams=.build/checkouts/Yams/Sources
out=.build-fuzz/yaml
mkdir -p "$out"
cflags=(-O1 -fsanitize=fuzzer-no-link,address -DYAML_DECLARE_EXPORT)
for c in "$yams"/CYaml/src/*.c; do clang "${cflags[@]}" -I "$yams/CYaml/include" -c "$c" -o "$out/$(basename "$c").o"; done
clang "${cflags[@]}" -I Sources/CSystem/include -c Sources/CSystem/csystem.c -o "$out/csystem.o"
ar rcs "$out/libCYaml.a" "$out"/*.c.o
ar rcs "$out/libCSystem.a" "$out/csystem.o"
flags=(-O -sanitize=fuzzer,address -parse-as-library -D SWIFT_PACKAGE -I "$out" -L "$out")
swiftc "${flags[@]}" -I "$yams/CYaml/include" -module-name Yams -emit-module -emit-module-path "$out/Yams.swiftmodule" \
  -emit-library -static -o "$out/libYams.a" "$yams"/Yams/*.swift
# The graph module as the tool is built (Package.swift's `fast` settings).
shipped=(-enforce-exclusivity=unchecked -Xfrontend -enable-lexical-lifetimes=false)
swiftc "${flags[@]}" "${shipped[@]}" -module-name Graph -emit-module -emit-module-path "$out/Graph.swiftmodule" \
  -emit-library -static -o "$out/libGraph.a" Sources/Graph/*.swift
swiftc "${flags[@]}" -I Sources/CSystem/include -module-name Engine -emit-module -emit-module-path "$out/Engine.swiftmodule" \
  -emit-library -static -o "$out/libEngine.a" Sources/Engine/*.swift
swiftc "${flags[@]}" -DFUZZING -I "$yams/CYaml/include" -I Sources/CSystem/include -module-name GraphFuzz \
  -lEngine -lGraph -lYams -lCYaml -lCSystem -o "$out/graph-fuzz" Sources/GraphFuzz/Fuzz.swift
mkdir -p "$out/corpus" fuzz/artifacts
"$out/graph-fuzz" "$out/corpus" fuzz/yaml-seeds -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=fuzz/artifacts/ 2>&1 | tail -25
