#!/usr/bin/env bash
# Quick start: installs what is needed, builds mgmt-puppet, translates the bundled site manifest
# (examples/site.pp) into an mgmt graph, and runs the bundled runnable manifest
# (examples/hello.pp, which only touches /tmp/mgmt-puppet-example) on the engine until it has
# been idle for a second.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/install-deps.sh
swift build -c release --static-swift-stdlib
bin=.build/release/mgmt-puppet
echo "== mgmt-puppet validate examples/site.pp"
"$bin" validate examples/site.pp && echo "examples/site.pp: OK"
echo "== mgmt-puppet translate examples/site.pp -o .build/site.yaml (first lines)"
"$bin" translate examples/site.pp -o .build/site.yaml
head -24 .build/site.yaml
echo "== mgmt-puppet run examples/hello.pp --converged-timeout 1"
"$bin" run examples/hello.pp --converged-timeout 1
echo "== the result: /tmp/mgmt-puppet-example"
ls -lR /tmp/mgmt-puppet-example
cat /tmp/mgmt-puppet-example/all.conf
