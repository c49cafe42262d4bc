# Sourced by the scripts: the Swift toolchain on PATH and the shared/ folder beside the checkout.
export PATH="$PATH:/opt/swift/usr/bin"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SHARED_DIR="${SHARED_DIR:-$repo_root/../shared}"
