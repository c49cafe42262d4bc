#!/usr/bin/env bash
# Writes fixtures/puppet/NAME.yaml, the translated graph of every fixture Puppet compiles
# (oracle_exit 0), with the oracle arguments the fixture was compiled with. TranslateGraphTests
# checks these byte for byte (their edges are checked against Puppet's relationship graph).
# Regenerate after a deliberate change of the graph format: scripts/regenerate-graph-goldens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
swift build --product mgmt-puppet >/dev/null
bin=$(swift build --show-bin-path)/mgmt-puppet
n=0
for json in fixtures/puppet/*.json; do
  name=$(basename "$json" .json)
  grep -q "^$name.pp	" fixtures/puppet/known-differences.tsv && continue
  args=$(python3 - "$json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if d.get("oracle_exit") != 0 or "graph" not in d:
    sys.exit(0)
out, a = [], d.get("oracle_args", [])
i = 0
while i < len(a):
    if a[i] in ("--certname", "--facts") and i + 1 < len(a):
        out += [a[i], a[i + 1]]; i += 2; continue
    if a[i] == "--storeconfigs":
        out.append(a[i])
    i += 1
print("OK " + " ".join(out))
PY
)
  [[ $args == OK* ]] || continue
  # shellcheck disable=SC2086
  "$bin" translate --oracle-facts --graph-name fixture --modulepath fixtures/puppet/modules ${args#OK} \
    -o "fixtures/puppet/$name.yaml" "fixtures/puppet/$name.pp" 2>/dev/null
  n=$((n + 1))
done
echo "wrote $n graph goldens"
