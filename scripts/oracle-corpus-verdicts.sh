#!/usr/bin/env bash
# Records Puppet 7's verdict (`puppet parser validate`) on every corpus manifest the parser tests
# read, as fixtures/corpus/puppet-verdicts.tsv: path (relative to shared/puppet-corpus), exit code,
# line and column of the first error (or -). Regenerate after the corpus changes:
#   bash scripts/oracle-corpus-verdicts.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${SHARED_DIR:-$repo/../shared}/puppet-corpus
out=$repo/fixtures/corpus/puppet-verdicts.tsv
command -v puppet >/dev/null || { echo "puppet is not installed (scripts/install-deps.sh --oracle)" >&2; exit 2; }
cd "$corpus"
tmp=$(mktemp)
find modules puppet-lexer-fixtures language-puppet-lexer puppetcpp-fixtures/lib/tests/fixtures/compiler/parser -name '*.pp' | LC_ALL=C sort |
  xargs -P 2 -I{} sh -c 'o=$(puppet parser validate --color=false "{}" 2>&1); rc=$?; pos=$(printf "%s" "$o" | grep -o "line: [0-9]*, column: [0-9]*" | head -1 | sed "s/line: \([0-9]*\), column: \([0-9]*\)/\1\t\2/"); [ -n "$pos" ] || pos="-\t-"; printf "%s\t%s\t%b\n" "{}" "$rc" "$pos"' > "$tmp"
LC_ALL=C sort "$tmp" > "$out"
rm -f "$tmp"
echo "wrote $(wc -l < "$out") verdicts to $out ($(puppet --version))"
