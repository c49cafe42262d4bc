#!/usr/bin/env bash
# bench-validate.sh -- compare `mgmt-puppet validate` with `puppet parser validate`
# on synthetic manifests of 1k / 10k / 100k resources (wall time and peak RSS).
#
# Usage: scripts/bench-validate.sh [--markdown FILE] [--sizes "1000 10000 100000"]
#                                  [--runs N] [--no-puppet] [--no-ours] [--interleave]
#                                  [--warmup N] [--mode validate|catalog|translate|diff]
#
#   --markdown FILE  also append the result table (markdown) to FILE
#   --sizes LIST     resource counts to test (default: "1000 10000 100000")
#   --runs N         runs per measurement, best wall time wins (default 3;
#                    puppet runs only once for N >= 100000)
#   --interleave     take the two sides' runs in turn (ours, puppet, ours, ...)
#                    instead of ours back to back, then puppet's
#   --warmup N       untimed runs of each side first (default 1; Puppet none at 100k)
#   --no-puppet      skip the Puppet half        --no-ours   skip our half
#
# Environment:
#   MGMT_PUPPET  our binary (default: <repo>/.build/release/mgmt-puppet)
#   PUPPET       reference puppet (default: puppet)
#   SHARED_DIR   shared checkout holding tools/gen-manifest.py (default: <repo>/../shared)
#
# Manifests: python3 $SHARED_DIR/tools/gen-manifest.py --resources N --shape chain
#            --root /tmp/bench-root --types file,exec,package,service
# Wall time: best of the runs, from fork to exit, measured by scripts/lib/bench-spawn.c (built
#            into the temp dir with cc; /bin/true measures 0.85 ms there). Without a C
#            compiler: bash's microsecond clock ($EPOCHREALTIME) around
#            `/usr/bin/time -f '%e %M'` (GNU time's %e has only 10 ms resolution), the output
#            file emptied before the clock starts (/bin/true: 1.6 ms, bash's fork and GNU
#            time's exec and fork included).
# RSS:       the child's ru_maxrss from wait4 (what GNU time's %M reports: max resident set
#            size, KiB), max over the runs, shown in MiB.
# A missing binary is skipped with a message and shown as "n/a".
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"

markdown=""
# validate: `mgmt-puppet validate` vs `puppet parser validate`;
# catalog: `mgmt-puppet catalog` vs the oracle's compile (puppet-catalog-json.rb --no-graph);
# translate: `mgmt-puppet translate` vs the oracle's compile;
# diff: `mgmt-puppet diff A B` vs `octocatalog-diff` of the same two manifests (B changes one
# resource of A; octocatalog-diff compiles both with Puppet).
mode=validate
sizes="1000 10000 100000"
runs=3
do_puppet=1
do_ours=1
interleave=0
warmup=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --markdown) markdown="${2:?--markdown needs a file}"; shift 2 ;;
    --markdown=*) markdown="${1#*=}"; shift ;;
    --sizes) sizes="${2:?--sizes needs a list}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --no-puppet) do_puppet=0; shift ;;
    --no-ours) do_ours=0; shift ;;
    --interleave) interleave=1; shift ;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2 ;;
    --mode) mode="${2:?--mode needs validate or catalog}"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done
if [[ -n "$markdown" && "$markdown" != /* ]]; then markdown="$PWD/$markdown"; fi

SHARED_DIR="${SHARED_DIR:-$repo_root/../shared}"
GEN="$SHARED_DIR/tools/gen-manifest.py"
[[ -f "$GEN" ]] || { echo "error: $GEN not found (set SHARED_DIR)" >&2; exit 1; }

MGMT_PUPPET="${MGMT_PUPPET:-$repo_root/.build/release/mgmt-puppet}"
PUPPET="${PUPPET:-puppet}"

# GNU time (the bash keyword `time` cannot report peak RSS).
if [[ ! -x /usr/bin/time ]]; then
  echo "/usr/bin/time missing; installing Debian package 'time'..." >&2
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -o DPkg::Lock::Timeout=600 time >&2
fi

have_cmd() { if [[ "$1" == */* ]]; then [[ -x "$1" ]]; else command -v "$1" >/dev/null 2>&1; fi; }

if [[ $do_ours -eq 1 ]] && ! have_cmd "$MGMT_PUPPET"; then
  echo "NOTE: our binary '$MGMT_PUPPET' does not exist or is not executable;" \
       "skipping the mgmt-puppet half (build it with 'swift build -c release' or set MGMT_PUPPET)." >&2
  do_ours=0
fi
if [[ $do_puppet -eq 1 ]] && ! have_cmd "$PUPPET"; then
  echo "NOTE: '$PUPPET' not found; skipping the Puppet half (apt-get install puppet)." >&2
  do_puppet=0
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/bench-validate.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# The timer (scripts/lib/bench-spawn.c, built here when a C compiler is at hand): each run's
# wall from its fork to its exit and its peak RSS, without the ~1 ms that bash's fork and GNU
# time's own exec added to every run measured the old way (below, the fallback).
SPAWN=""
if command -v cc >/dev/null 2>&1 && cc -O2 -o "$TMP/bench-spawn" "$script_dir/lib/bench-spawn.c" 2>/dev/null; then
  SPAWN="$TMP/bench-spawn"
fi
timer="from fork to exit (scripts/lib/bench-spawn.c)"
[[ -n "$SPAWN" ]] || timer="by bash's clock around GNU time"

# now_us VAR: microseconds into VAR, from bash's clock (bash >= 5; no subshell, no process),
# else from `date` (nanoseconds cut to microseconds).
if [[ -n "${EPOCHREALTIME:-}" ]]; then
  now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"; }
else
  now_us() { printf -v "$1" '%s' "$(( $(date +%s%N) / 1000 ))"; }
fi

# measure LABEL RUNS CMD... -> prints "best_wall_s max_rss_kib" (or "fail fail")
measure() {
  local label="$1" n="$2"; shift 2
  local best="" maxrss=0 i t0 t1 wall rss rc
  for ((i = 1; i <= n; i++)); do
    local note=""
    if [[ -n "$SPAWN" ]]; then
      read -r wall rss rc < <("$SPAWN" "$TMP/run.log" "$@") || { wall=0; rss=0; rc="(the timer failed)"; }
      wall=$(awk -v w="$wall" 'BEGIN { printf "%.3f", w }')
    else
      # The last run's output (5 MB for a 10k translate) is truncated before the clock starts:
      # freeing its pages inside the redirect took 1.8 ms of the timed span.
      : >"$TMP/run.log"
      now_us t0
      rc=0
      /usr/bin/time -o "$TMP/time.out" -f '%e %M' "$@" >"$TMP/run.log" 2>&1 || rc=$?
      now_us t1
      wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
      rss=$(awk 'END { print $2 }' "$TMP/time.out")
      note=" (time %e: $(awk 'END{print $1}' "$TMP/time.out")s)"
    fi
    # diff tools exit non-zero when they find the difference they are meant to find.
    if [[ " ${allowed_rc:-0} " != *" $rc "* ]]; then
      echo "  $label: FAILED (exit $rc): $*" >&2
      sed 's/^/    | /' "$TMP/run.log" | head -n 20 >&2
      echo "fail fail"; return 0
    fi
    echo "  $label run $i/$n: wall ${wall}s$note, maxrss ${rss} KiB" >&2
    if [[ -z "$best" ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$wall"; fi
    (( rss > maxrss )) && maxrss=$rss
  done
  echo "$best $maxrss"
}

# best_of BEST WALL -> the smaller (n/a: none yet; a failed run makes the result "fail")
best_of() {
  if [[ "$2" == fail || "$1" == fail ]]; then echo fail; return; fi
  if [[ "$1" == n/a ]] || awk -v a="$2" -v b="$1" 'BEGIN { exit !(a < b) }'; then echo "$2"; else echo "$1"; fi
}
# max_of MAX RSS -> the larger
max_of() {
  if [[ "$2" == fail || "$1" == fail ]]; then echo fail; return; fi
  if [[ "$1" == n/a ]] || (( $2 > $1 )); then echo "$2"; else echo "$1"; fi
}

ratio() { # ratio A B -> A/B with 2 decimals, or n/a
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "n/a"; exit }
    printf "%.2f", a / b }'
}
mib() { awk -v k="$1" 'BEGIN { if (k !~ /^[0-9]+$/) print "n/a"; else printf "%.1f", k / 1024 }'; }

declare -A ours_wall ours_rss pup_wall pup_rss
for N in $sizes; do
  f="$TMP/$N.pp"
  python3 "$GEN" --resources "$N" --shape chain --root /tmp/bench-root \
    --types file,exec,package,service >"$f"
  echo "N=$N: $(wc -l <"$f") lines, $(du -k "$f" | cut -f1) KiB" >&2
  ours_wall[$N]=n/a; ours_rss[$N]=n/a; pup_wall[$N]=n/a; pup_rss[$N]=n/a
  # The exit codes a good run has, per side: each diff must find the one difference (ours
  # exits 1 then, octocatalog-diff 2; an error is 2 for ours, 1 for octocatalog-diff).
  ours_rc=0; pup_rc=0
  if [[ $mode == diff ]]; then
    ours_rc=1; pup_rc=2
    python3 - "$f" "$TMP/$N-b.pp" <<'PY'
import sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(text.replace('"resource 0\\n"', '"resource 0, changed\\n"', 1))
PY
    for side in a b; do
      mkdir -p "$TMP/ocd-$N-$side/manifests"
      if [[ $side == a ]]; then cp "$f" "$TMP/ocd-$N-a/manifests/site.pp"; else cp "$TMP/$N-b.pp" "$TMP/ocd-$N-b/manifests/site.pp"; fi
    done
    python3 -c 'import json; print(json.dumps({"name": "oracle.example.com", "values": {"kernel": "Linux", "osfamily": "Debian", "operatingsystem": "Debian", "hostname": "oracle", "fqdn": "oracle.example.com", "domain": "example.com", "os": {"family": "Debian", "name": "Debian", "release": {"major": "12", "full": "12.0"}}}}))' > "$TMP/facts.json"
  fi
  # The two commands, then their runs: ours back to back, then Puppet's (the default, as
  # every figure in docs/benchmarks.md before 2026-12-02's seventh session), or with
  # --interleave taken in turn (ours, Puppet, ours, ...). This kind of machine has slow and
  # fast phases lasting seconds to minutes and Puppet's runs span a minute where ours span a
  # second: in turn, each side's best comes from the same phases as the other's — and each
  # of ours runs cold, after a Puppet compile, as a CI job's single run does.
  if [[ $mode == diff ]]; then
    ours_cmd=("$MGMT_PUPPET" diff --oracle-facts "$f" "$TMP/$N-b.pp")
    pup_label=octocatalog-diff
    pup_cmd=(octocatalog-diff --bootstrapped-from-dir "$TMP/ocd-$N-a" --bootstrapped-to-dir "$TMP/ocd-$N-b"
      --puppet-binary "$(command -v puppet)" --hostname oracle.example.com --fact-file "$TMP/facts.json" --no-header)
  elif [[ $mode == translate ]]; then
    ours_cmd=("$MGMT_PUPPET" translate --oracle-facts "$f")
    pup_label=puppet; pup_cmd=(ruby "$SHARED_DIR/tools/puppet-catalog-json.rb" --no-graph --compact "$f")
  elif [[ $mode == catalog ]]; then
    ours_cmd=("$MGMT_PUPPET" catalog --oracle-facts --compact "$f")
    pup_label=puppet; pup_cmd=(ruby "$SHARED_DIR/tools/puppet-catalog-json.rb" --no-graph --compact "$f")
  else
    ours_cmd=("$MGMT_PUPPET" validate "$f")
    pup_label=puppet; pup_cmd=("$PUPPET" parser validate "$f")
  fi
  pr=$runs; (( N >= 100000 )) && pr=1
  ours_run() {
    read -r w r < <(allowed_rc=$ours_rc measure "ours ($1/$runs)" 1 "${ours_cmd[@]}")
    ours_wall[$N]=$(best_of "${ours_wall[$N]}" "$w"); ours_rss[$N]=$(max_of "${ours_rss[$N]}" "$r")
  }
  pup_run() {
    read -r w r < <(allowed_rc=$pup_rc measure "$pup_label ($1/$pr)" 1 "${pup_cmd[@]}")
    pup_wall[$N]=$(best_of "${pup_wall[$N]}" "$w"); pup_rss[$N]=$(max_of "${pup_rss[$N]}" "$r")
  }
  # Untimed first runs (--warmup, as hyperfine's): the first run after the manifest is written
  # pays for caches the others find warm (ours took 35-60 ms where the rest took 26). Puppet
  # gets them too, except at 100k, where it runs once.
  for ((i = 1; i <= warmup; i++)); do
    [[ $do_ours -eq 1 ]] && allowed_rc=$ours_rc measure "ours (warm-up $i)" 1 "${ours_cmd[@]}" >/dev/null
    [[ $do_puppet -eq 1 ]] && (( N < 100000 )) && allowed_rc=$pup_rc measure "$pup_label (warm-up $i)" 1 "${pup_cmd[@]}" >/dev/null
  done
  if [[ $interleave -eq 1 ]]; then
    for ((i = 1; i <= runs; i++)); do
      [[ $do_ours -eq 1 ]] && ours_run "$i"
      [[ $do_puppet -eq 1 ]] && (( i <= pr )) && pup_run "$i"
    done
  else
    if [[ $do_ours -eq 1 ]]; then for ((i = 1; i <= runs; i++)); do ours_run "$i"; done; fi
    if [[ $do_puppet -eq 1 ]]; then for ((i = 1; i <= pr; i++)); do pup_run "$i"; done; fi
  fi
done

# ----- report -----
hdr=("N" "ours wall s" "ours RSS MB" "puppet wall s" "puppet RSS MB" "speed ratio (puppet/ours)" "memory ratio (puppet/ours)")
rows=()
for N in $sizes; do
  rows+=("$N|${ours_wall[$N]}|$(mib "${ours_rss[$N]}")|${pup_wall[$N]}|$(mib "${pup_rss[$N]}")|$(ratio "${pup_wall[$N]}" "${ours_wall[$N]}")|$(ratio "${pup_rss[$N]}" "${ours_rss[$N]}")")
done

growth_line() { # growth of a measurement between the two largest default sizes
  local -n arr=$1
  if [[ -n "${arr[100000]:-}" && -n "${arr[10000]:-}" ]]; then
    ratio "${arr[100000]}" "${arr[10000]}"
  else
    echo "n/a"
  fi
}
g_ours=$(growth_line ours_wall); g_ours_mem=$(growth_line ours_rss)
g_pup=$(growth_line pup_wall);   g_pup_mem=$(growth_line pup_rss)

puppet_version="n/a"; [[ $do_puppet -eq 1 ]] && puppet_version=$("$PUPPET" --version 2>/dev/null | head -n1)

echo
printf '%-8s %12s %12s %14s %14s %12s %13s\n' "N" "ours wall s" "ours RSS MB" "puppet wall s" "puppet RSS MB" "speed ratio" "memory ratio"
for row in "${rows[@]}"; do
  IFS='|' read -r a b c d e f g <<<"$row"
  printf '%-8s %12s %12s %14s %14s %12s %13s\n' "$a" "$b" "$c" "$d" "$e" "$f" "$g"
done
echo "growth ours(100k)/ours(10k): wall $g_ours, RSS $g_ours_mem   (puppet: wall $g_pup, RSS $g_pup_mem; 10.00 = linear)"
order=back-to-back; [[ $interleave -eq 1 ]] && order=interleaved
echo "(ratios are puppet/ours; wall = best of $runs runs ($order) after $warmup untimed, puppet once for N>=100000; RSS = max over runs; puppet $puppet_version)"

if [[ -n "$markdown" ]]; then
  {
    echo
    echo "### $mode benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU(s), puppet $puppet_version"
    echo
    echo "| ${hdr[0]} | ${hdr[1]} | ${hdr[2]} | ${hdr[3]} | ${hdr[4]} | ${hdr[5]} | ${hdr[6]} |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for row in "${rows[@]}"; do echo "| ${row//|/ | } |"; done
    echo
    echo "Growth ours(100k)/ours(10k): wall $g_ours, RSS $g_ours_mem (puppet: wall $g_pup, RSS $g_pup_mem; 10.00 = linear)."
    echo "Manifests: \`gen-manifest.py --shape chain --types file,exec,package,service\`; wall = best of $runs runs, $order, after $warmup untimed (puppet once for N >= 100000, none untimed), RSS = max over runs; timed $timer."
  } >>"$markdown"
  echo "appended markdown table to $markdown" >&2
fi
