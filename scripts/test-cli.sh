#!/usr/bin/env bash
# Command-line behaviour of `mgmt-puppet` (exit codes, output shapes, help), as a user sees it.
# Usage: scripts/test-cli.sh PATH/TO/mgmt-puppet. Ends with `cli: N passed, M failed`.
set -uo pipefail
bin=${1:?usage: test-cli.sh MGMT_PUPPET}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
check() {  # check NAME EXPECTED_STATUS COMMAND... ; stdout+stderr in $tmp/out
  local name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>&1; local got=$?
  if [ "$got" -eq "$want" ]; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL $name: exit $got, want $want"; sed 's/^/  | /' "$tmp/out" | head -20; fi
}
contains() {  # contains NAME TEXT : the last command's output contains TEXT
  if grep -qF -- "$2" "$tmp/out"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL $1: output lacks: $2"; sed 's/^/  | /' "$tmp/out" | head -20; fi
}

check "version" 0 "$bin" --version
contains "version" "0."
check "help" 0 "$bin" --help
contains "help lists validate" "validate"
contains "help lists parse" "parse"
check "validate help" 0 "$bin" validate --help
contains "validate help text" "puppet parser validate"
check "parse help" 0 "$bin" parse --help

check "validate example" 0 "$bin" validate examples/site.pp
check "validate directory" 0 "$bin" validate "${SHARED_DIR:-../shared}/puppet-corpus/modules/puppetlabs-ntp"

printf 'file { "/tmp/a":\n  ensure => file\n  mode => "0644",\n}\n' > "$tmp/bad.pp"
check "validate bad file exits 1" 1 "$bin" validate "$tmp/bad.pp"
contains "diagnostic format" "bad.pp:3:3: error: Syntax error at 'mode'"
contains "diagnostic shows the line" '  mode => "0644",'
check "validate json" 1 "$bin" validate --format json "$tmp/bad.pp"
contains "json has line" '"line" : 3'
contains "json has ok false" '"ok" : false'
check "missing file exits 2" 2 "$bin" validate "$tmp/nope.pp"
contains "missing file message" "no such file or directory"

check "parse dump" 0 "$bin" parse --dump -e '$a = 1 + 2 * 3'
contains "parse dump sexpr" '(= $a (+ 1 (* 2 3)))'
check "parse file" 0 "$bin" parse --dump examples/site.pp
contains "parse file dumps a node" "(node (matches :default)"
check "parse error" 1 "$bin" parse -e 'class {'
check "parse needs input" 64 "$bin" parse

# catalog
check "catalog help" 0 "$bin" catalog --help
check "catalog example" 0 "$bin" catalog --oracle-facts examples/site.pp
contains "catalog has the node's resources" '"ref": "Service[ntp]"'
contains "catalog has relationships" '"via": "subscribe"'
check "catalog -e compact" 0 "$bin" catalog --oracle-facts --compact -e 'notify { "hi": message => 1 + 2 }'
contains "catalog evaluates" '"parameters":{"message":3}'
check "catalog error exits 1" 1 "$bin" catalog --oracle-facts -e 'include nosuch'
contains "catalog error names the class" "Could not find class ::nosuch"
check "catalog -o writes atomically" 0 "$bin" catalog --oracle-facts -o "$tmp/cat.json" examples/site.pp
if python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/cat.json"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL catalog -o: not JSON"; fi
echo '{"os": {"family": "RedHat"}, "osfamily": "RedHat"}' > "$tmp/facts.json"
check "catalog --facts" 0 "$bin" catalog --facts "$tmp/facts.json" --compact -e 'notify { "f": message => $facts["os"]["family"] }'
contains "facts file is read" '"message":"RedHat"'
# A syntax error comes before a broken facts file, whether the compile streams or not.
echo '{"a": ' > "$tmp/badfacts.json"
check "syntax error before a bad facts file" 1 "$bin" catalog --facts "$tmp/badfacts.json" -e 'notify { "x": message => }'
contains "the syntax error is reported" "Syntax error at '}'"

# translate
check "translate example" 0 "$bin" translate --oracle-facts examples/site.pp
contains "translate writes a graph" 'graph: "oracle.example.com"'
contains "translate maps service to svc" '  svc:'
contains "translate keeps refresh" 'notify: true'
check "translate -o" 0 "$bin" translate --oracle-facts -o "$tmp/g.yaml" examples/site.pp
"$bin" translate --oracle-facts examples/site.pp > "$tmp/g2.yaml" 2>/dev/null
if cmp -s "$tmp/g.yaml" "$tmp/g2.yaml"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL translate is not byte-stable"; fi
check "translate --mgmt-compat refuses extensions" 1 "$bin" translate --oracle-facts --mgmt-compat examples/site.pp
contains "mgmt-compat names the field" "Exec[refresh-motd]: refreshonly"
check "translate bad manifest" 1 "$bin" translate -e 'file {'
# The manifest named on the command line is parsed while the arguments are (a guess from the
# raw arguments): the same output whichever way it goes, a syntax error with its place.
printf 'notify { "early":\n  message => \n' > "$tmp/early-bad.pp"
check "translate file with a syntax error" 1 "$bin" translate --oracle-facts "$tmp/early-bad.pp"
contains "syntax error has its place" "early-bad.pp:3:1: error:"
printf 'notify { "a .pp that is an option value": }\n' > "$tmp/other.pp"
check "translate -e with a .pp option value" 0 "$bin" translate --oracle-facts -e 'notify { "from -e": }' -o "$tmp/other.pp"
contains_file() { if grep -qF -- "$2" "$3"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL $1: $3 lacks: $2"; fi; }
contains_file "-e wins over the guessed .pp" 'name: "from -e"' "$tmp/other.pp"
"$bin" translate --oracle-facts -e "$(cat examples/site.pp)" > "$tmp/e.yaml" 2>/dev/null
"$bin" translate --oracle-facts examples/site.pp > "$tmp/f.yaml" 2>/dev/null
if cmp -s "$tmp/e.yaml" "$tmp/f.yaml"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL translate of a file and of -e with its text differ"; fi

# diff
printf 'file { "/etc/a": content => "one\\ntwo\\n" }\npackage { "vim": ensure => installed }\n' > "$tmp/old.pp"
printf 'file { "/etc/a": content => "one\\nTWO\\n" }\nservice { "ntp": ensure => running }\nFile["/etc/a"] ~> Service["ntp"]\n' > "$tmp/new.pp"
check "diff equal" 0 "$bin" diff --oracle-facts "$tmp/old.pp" "$tmp/old.pp"
check "diff different" 1 "$bin" diff --oracle-facts "$tmp/old.pp" "$tmp/new.pp"
contains "diff added" "+ Svc[ntp]"
contains "diff removed" "- Pkg[vim]"
contains "diff content lines" "- two"
contains "diff edges" "+ edge File[/etc/a] -> Svc[ntp] (notify)"
check "diff json" 1 "$bin" diff --oracle-facts --format json "$tmp/old.pp" "$tmp/new.pp"
contains "diff json shape" '"equal":false'
"$bin" translate --oracle-facts -o "$tmp/old.yaml" "$tmp/old.pp" 2>/dev/null
check "diff graph vs manifest" 0 "$bin" diff --oracle-facts "$tmp/old.yaml" "$tmp/old.pp"
check "diff ignore" 1 "$bin" diff --oracle-facts --ignore 'Pkg[*]' --ignore content "$tmp/old.pp" "$tmp/new.pp"
if grep -q "Pkg\[vim\]\|content" "$tmp/out"; then failed=$((failed+1)); echo "FAIL diff --ignore"; else passed=$((passed+1)); fi
printf 'graph: g\nresoures: {}\n' > "$tmp/bad.yaml"
check "diff bad graph exits 2" 2 "$bin" diff "$tmp/bad.yaml" "$tmp/bad.yaml"
contains "diff bad graph position" "bad.yaml:2:1: error: unknown key 'resoures'"
( cd "$tmp" && git init -q && cp old.pp site.pp && git add site.pp && git -c user.name=t -c user.email=t@t commit -qm one && cp new.pp site.pp )
check "diff --from HEAD" 1 sh -c "cd '$tmp' && '$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")' diff --oracle-facts --from HEAD site.pp"
contains "diff --from shows the change" "+ Svc[ntp]"

# run (the engine)
check "run help" 0 "$bin" run --help
contains "run help text" "converged-timeout"
mkdir -p "$tmp/r"
cat > "$tmp/r.yaml" <<EOF
graph: r
resources:
  file:
  - {name: $tmp/r/, mode: "0755"}
  - {name: $tmp/r/a, content: "A\n"}
  exec:
  - {name: touch, cmd: /usr/bin/touch $tmp/r/ran, creates: $tmp/r/ran}
EOF
check "run --noop" 0 "$bin" run --noop --converged-timeout 0 "$tmp/r.yaml"
contains "run --noop reports" "File[$tmp/r/a]: would be created"
[ ! -e "$tmp/r/a" ] && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL run --noop changed a file"; }
check "run yaml" 0 "$bin" run --converged-timeout 0 --graphviz "$tmp/r.dot" "$tmp/r.yaml"
contains "run logs changes" "File[$tmp/r/a]: created with content"
contains "run logs autoedges" "AutoEdge: File[$tmp/r/] -> File[$tmp/r/a]"
contains "run summary" "summary: 3 resources, 3 converged, 2 changed, 0 failed, 0 blocked"
[ "$(cat "$tmp/r/a")" = "A" ] && [ -e "$tmp/r/ran" ] && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL run did not converge the files"; }
grep -q 'label="AutoEdge: ' "$tmp/r.dot" && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL run --graphviz lacks autoedges"; }
check "run again changes nothing" 0 "$bin" run --converged-timeout 0 "$tmp/r.yaml"
contains "run again summary" "0 changed, 0 failed"
printf 'graph: g\nresources:\n  file:\n  - name: /tmp/x\n    contnet: y\n' > "$tmp/bad-run.yaml"
check "run bad graph exits 1" 1 "$bin" run "$tmp/bad-run.yaml"
contains "run bad graph position" "bad-run.yaml:5:5: error: File[/tmp/x]: unknown parameter 'contnet'"
contains "run bad graph caret" "    ^"
printf 'graph: g\nresources:\n  exec:\n  - {name: bad, cmd: /bin/false}\n  - {name: after, cmd: /bin/true}\nedges:\n- {name: e, from: {kind: exec, name: bad}, to: {kind: exec, name: after}}\n' > "$tmp/fail.yaml"
check "run failure exits 1" 1 "$bin" run --converged-timeout 0 "$tmp/fail.yaml"
contains "run names the failure" "failed: Exec[bad]"
contains "run names the blocked" "blocked: Exec[after]"
printf 'file { "%s/r/from-pp": content => "pp\\n" }\n' "$tmp" > "$tmp/r.pp"
check "run manifest" 0 "$bin" run --converged-timeout 0 "$tmp/r.pp"
[ "$(cat "$tmp/r/from-pp")" = "pp" ] && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL run manifest did not write"; }
check "run missing input" 1 "$bin" run "$tmp/none.yaml"
contains "run missing input message" "cannot read file"

# run: live reload of the graph file, a broken edit keeps the old graph, SIGTERM exits cleanly
cat > "$tmp/live.yaml" <<EOF
graph: live
resources:
  file:
  - {name: $tmp/r/live, content: "one\n"}
EOF
"$bin" run "$tmp/live.yaml" > "$tmp/live.log" 2>&1 & pid=$!
waitfor() { for _ in $(seq 1 500); do eval "$1" && return 0; sleep 0.01; done; return 1; }
waitfor '[ "$(cat "$tmp/r/live" 2>/dev/null)" = one ]' && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL live: first converge"; }
sed -i 's/one/two/' "$tmp/live.yaml"
waitfor '[ "$(cat "$tmp/r/live" 2>/dev/null)" = two ]' && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL live: edit not applied"; cat "$tmp/live.log"; }
printf 'graph: live\nresources: [\n' > "$tmp/live.yaml"
waitfor 'grep -q "keeping the running graph" "$tmp/live.log"' && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL live: broken edit not reported"; cat "$tmp/live.log"; }
echo drift > "$tmp/r/live"
waitfor '[ "$(cat "$tmp/r/live" 2>/dev/null)" = two ]' && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL live: old graph no longer running"; }
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL SIGTERM exit status $rc"; cat "$tmp/live.log"; }

# run: the first SIGINT waits for running commands, the second kills them; nothing is left
printf 'graph: s\nresources:\n  exec:\n  - {name: long, cmd: /bin/sleep 31.4159}\n' > "$tmp/sig.yaml"
"$bin" run "$tmp/sig.yaml" > "$tmp/sig.log" 2>&1 & pid=$!
waitfor 'pgrep -f "sleep 31.4159" >/dev/null'
kill -INT $pid
waitfor 'grep -q "signal again to kill" "$tmp/sig.log"' && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL first SIGINT"; cat "$tmp/sig.log"; }
kill -0 $pid 2>/dev/null && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL first SIGINT must wait for the command"; }
kill -INT $pid; wait $pid
if pgrep -f "sleep 31.4159" >/dev/null; then failed=$((failed+1)); echo "FAIL a child process was left behind"; else passed=$((passed+1)); fi
grep -q "killing running commands" "$tmp/sig.log" && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL second SIGINT"; cat "$tmp/sig.log"; }

# the runnable example of the quick start
rm -rf /tmp/mgmt-puppet-example
check "run examples/hello.pp" 0 "$bin" run --converged-timeout 0 examples/hello.pp
contains "hello: refresh reached the exec" "Exec[rebuild all.conf]: ran"
[ "$(cat /tmp/mgmt-puppet-example/all.conf)" = "$(printf 'alpha = on\nbeta = on\ngamma = on')" ] && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL hello: all.conf"; }

# run: kinds the engine lacks
printf 'package { "mgmt-puppet-no-such-pkg": ensure => installed }\nfile { "%s/r/after-pkg": content => "x", require => Package["mgmt-puppet-no-such-pkg"] }\n' "$tmp" > "$tmp/pkg.pp"
check "run refuses pkg" 1 "$bin" run --converged-timeout 0 "$tmp/pkg.pp"
contains "run names the missing kind" "the engine cannot run pkg resources yet"
check "run --skip-unsupported" 0 "$bin" run --skip-unsupported --converged-timeout 0 "$tmp/pkg.pp"
contains "skip warns" "warning: Pkg[mgmt-puppet-no-such-pkg]: the engine cannot run pkg resources yet; skipped"
[ -e "$tmp/r/after-pkg" ] && passed=$((passed+1)) || { failed=$((failed+1)); echo "FAIL --skip-unsupported did not run the rest"; }

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
