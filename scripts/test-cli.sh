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

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
