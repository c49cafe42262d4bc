#!/usr/bin/env bash
# Installs what mgmt-puppet needs on a Debian 12 machine, with apt, only what is missing.
#   scripts/install-deps.sh            build and test: a Swift toolchain, git, python3, GNU time
#   scripts/install-deps.sh --oracle   also Puppet 7 (Debian's `puppet`), to regenerate goldens
#   scripts/install-deps.sh --bench    also Puppet 7 and octocatalog-diff (Debian's), for the
#                                      side-by-side benchmarks (`diff` is compared with the latter)
# Swift is not packaged by Debian 12: machines of this project's kind ship it in /opt/swift.
set -euo pipefail
want=(git python3 ca-certificates time)
for arg in "$@"; do
  case "$arg" in
    --oracle) want+=(puppet) ;;
    --bench) want+=(puppet octocatalog-diff) ;;
    *) echo "usage: $0 [--oracle] [--bench]" >&2; exit 2 ;;
  esac
done
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! command -v swift >/dev/null; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "note: add /opt/swift/usr/bin to PATH (the scripts do it themselves)"
  else
    echo "error: no Swift toolchain (swift 6.x) found; install one in /opt/swift" >&2
    exit 1
  fi
fi
