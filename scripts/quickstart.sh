#!/usr/bin/env bash
# Quick start: installs what is needed, builds mgmt-puppet, and checks and dumps the bundled
# example manifest (examples/site.pp).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/install-deps.sh
swift build -c release --static-swift-stdlib
bin=.build/release/mgmt-puppet
echo "== mgmt-puppet validate examples/site.pp"
"$bin" validate examples/site.pp && echo "examples/site.pp: OK"
echo "== mgmt-puppet parse --dump examples/site.pp (first lines)"
"$bin" parse --dump examples/site.pp | head -20
