#!/usr/bin/env python3
"""Compile the corpus module manifests with mgmt-puppet and with Puppet 7 (the oracle) and
report how many compile and how many produce the same catalog.

Usage:
  scripts/corpus-catalog-report.py [--subset] [--write-goldens DIR] [--markdown FILE] [--jobs N]

For each manifest under ../shared/puppet-corpus/modules (or only those in SUBSET.txt):
  - examples/*.pp are compiled as the site manifest;
  - manifests/*.pp: each class it defines is declared with `include` when all its parameters
    have defaults; a class with required parameters (they come from Hiera data in these modules,
    which mgmt-puppet does not read yet) and defined types (they need an instance) are skipped,
    with the reason.
Modules are put on a modulepath under their module names (puppetlabs-ntp -> ntp).
The comparison covers resources (exported, virtual, parameters, metaparams, tags), containment
and relationships; file and line are not compared.
With --write-goldens DIR, the oracle's catalog for each compiled case is written there with the
code that was compiled (tests read them without Puppet).
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SHARED = os.environ.get("SHARED_DIR", os.path.join(REPO, "..", "shared"))
CORPUS = os.path.join(SHARED, "puppet-corpus")
ORACLE = os.path.join(SHARED, "tools", "puppet-catalog-json.rb")
BIN = os.environ.get("MGMT_PUPPET", os.path.join(REPO, ".build", "release", "mgmt-puppet"))


def module_name(dirname):
    return dirname.split("-", 1)[1] if "-" in dirname else dirname


def make_modulepath():
    """A modulepath of the corpus modules under their module names, each with the stand-ins of
    fixtures/corpus-support: type aliases (scripts/make-corpus-support.py) as types/, and for
    stdlib a few functions and the anchor type as lib/ (the oracle's side)."""
    d = tempfile.mkdtemp(prefix="mgmt-puppet-modules-")
    support = os.path.join(REPO, "fixtures", "corpus-support")
    for m in sorted(os.listdir(os.path.join(CORPUS, "modules"))):
        name = module_name(m)
        os.makedirs(os.path.join(d, name))
        for sub in ("manifests", "examples"):
            src = os.path.join(CORPUS, "modules", m, sub)
            if os.path.isdir(src):
                os.symlink(src, os.path.join(d, name, sub))
        for sub in ("types", "lib"):
            if os.path.isdir(os.path.join(support, name, sub)):
                os.symlink(os.path.join(support, name, sub), os.path.join(d, name, sub))
    return d


def cases_for(path):
    """(code, label) pairs to compile for one manifest, and skip reasons."""
    rel = os.path.relpath(path, os.path.join(CORPUS, "modules"))
    if "/examples/" in "/" + rel:
        with open(path, encoding="utf-8") as f:
            return [(f.read(), rel)], []
    out = subprocess.run([BIN, "parse", "--definitions", path], capture_output=True, text=True)
    if out.returncode != 0:
        return [], [("parse error", rel)]
    cases, skips = [], []
    defs = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    if not defs:
        skips.append(("defines no class", rel))
    for d in defs:
        if d["kind"] == "define":
            skips.append(("defined type (needs an instance)", f"{rel} {d['name']}"))
        elif d["required"]:
            skips.append(("class with required parameters (Hiera data)", f"{rel} {d['name']}"))
        else:
            cases.append((f"include {d['name']}\n", f"{rel} {d['name']}"))
    return cases, skips


def normalise(doc):
    res = {}
    for r in doc.get("resources", []):
        res[r["ref"]] = {k: r.get(k) for k in ("exported", "virtual", "parameters", "metaparams", "tags")}
    cont = sorted((e["from"], e["to"]) for e in doc.get("containment", []))
    rels = sorted((e["from"], e["to"], e["refresh"], e["via"]) for e in doc.get("relationships", []))
    return res, cont, rels


def differences(ours, theirs):
    a, b = normalise(ours), normalise(theirs)
    diffs = []
    for ref in sorted(set(a[0]) | set(b[0])):
        if ref not in a[0]:
            diffs.append(f"missing {ref}")
        elif ref not in b[0]:
            diffs.append(f"extra {ref}")
        elif a[0][ref] != b[0][ref]:
            for k in a[0][ref]:
                if a[0][ref][k] != b[0][ref][k]:
                    diffs.append(f"{ref} {k}: puppet {json.dumps(b[0][ref][k])[:120]} ours {json.dumps(a[0][ref][k])[:120]}")
    if a[1] != b[1]:
        diffs.append("containment differs")
    if a[2] != b[2]:
        diffs.append("relationships differ")
    return diffs


def error_core(message):
    """An error message without Puppet's wrappers and location: `Evaluation Error: Error while
    evaluating a Resource Statement, X (file: f, line: 1, column: 2) on node n` -> `X`."""
    m = " ".join((message or "").split())
    m = re.sub(r" \((file|line): [^)]*\)", "", m)
    m = re.sub(r" on node \S+$", "", m)
    m = re.sub(r"^\S+:\d+:\d+: error: ", "", m)
    while True:
        n = re.sub(r"^(Evaluation Error: |Error while evaluating a (Resource Statement|Function Call), |Could not parse for environment production: )", "", m)
        if n == m:
            return m.strip()
        m = n


def same_failure(oracle_error, ours):
    """Our error (with the source line and caret after it) says what Puppet's says."""
    theirs = error_core(oracle_error)
    return bool(theirs) and error_core(ours).startswith(theirs)


def run_case(code, modulepath):
    ours = subprocess.run([BIN, "catalog", "--oracle-facts", "--compact", "--modulepath", modulepath, "-e", code],
                          capture_output=True, text=True)
    theirs = subprocess.run(["ruby", "-r", os.path.join(REPO, "fixtures", "puppet", "oracle-shim.rb"), ORACLE, "--no-graph", "--compact", "--modulepath", modulepath, "-e", code],
                            capture_output=True, text=True)
    o = json.loads(ours.stdout) if ours.returncode == 0 and ours.stdout.strip() else None
    try:
        t = json.loads(theirs.stdout) if theirs.stdout.strip() else None
    except json.JSONDecodeError:
        t = None
    oracle_ok = theirs.returncode == 0 and t is not None and "error" not in t
    # Our error is the first `error:` line of stderr (warnings come before it).
    lines = ours.stderr.strip().splitlines()
    first = next((i for i, l in enumerate(lines) if ": error: " in l or l.startswith("error: ")), 0)
    # The message may span lines; the source line and caret follow it.
    return o, (t if oracle_ok else None), ["\n".join(lines[first:])] if lines else [], (t or {}).get("error") if not oracle_ok else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--subset", action="store_true", help="only the files of SUBSET.txt")
    ap.add_argument("--write-goldens", metavar="DIR")
    ap.add_argument("--markdown", metavar="FILE")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--why", action="store_true", help="also print why each case failed on both sides")
    args = ap.parse_args()

    files = []
    if args.subset:
        with open(os.path.join(CORPUS, "SUBSET.txt")) as f:
            files = [os.path.join(CORPUS, "modules", l.strip()) for l in f if l.strip() and not l.startswith("#")]
    else:
        for root, _, names in os.walk(os.path.join(CORPUS, "modules")):
            files += [os.path.join(root, n) for n in names if n.endswith(".pp")]
    files.sort()
    modulepath = make_modulepath()
    cases, skips = [], []
    for p in files:
        c, s = cases_for(p)
        cases += c
        skips += s

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = {ex.submit(run_case, code, modulepath): (code, label) for code, label in cases}
        for fut in concurrent.futures.as_completed(futs):
            code, label = futs[fut]
            o, t, our_err, oracle_err = fut.result()
            results.append((label, code, o, t, our_err, oracle_err))
    results.sort()

    oracle_ok = [r for r in results if r[3] is not None]
    ours_ok = [r for r in oracle_ok if r[2] is not None]
    match = [r for r in ours_ok if not differences(r[2], r[3])]
    both_fail = [r for r in results if r[3] is None and r[2] is None]
    only_we_compile = [r for r in results if r[3] is None and r[2] is not None]

    lines = []
    lines.append(f"files: {len(files)}; cases compiled: {len(cases)}; skipped: {len(skips)}")
    reasons = {}
    for reason, _ in skips:
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, n in sorted(reasons.items(), key=lambda x: -x[1]):
        lines.append(f"  skipped, {reason}: {n}")
    lines.append(f"oracle compiles: {len(oracle_ok)} of {len(cases)}; both fail: {len(both_fail)}; only we compile: {len(only_we_compile)}")
    lines.append(f"we compile: {len(ours_ok)} of {len(oracle_ok)}; same catalog as the oracle: {len(match)} of {len(oracle_ok)}")
    same_error = [r for r in both_fail if same_failure(r[5], r[4][0] if r[4] else "")]
    lines.append(f"both fail: {len(both_fail)}; with the same error: {len(same_error)}")
    print("\n".join(lines))
    for label, code, o, t, our_err, oracle_err in results:
        if t is not None and o is None:
            print(f"FAIL {label}: {our_err[0] if our_err else 'no output'}")
        elif t is not None and o is not None:
            d = differences(o, t)
            if d:
                print(f"DIFF {label}: " + "; ".join(d[:3]))
        elif t is None and o is not None:
            print(f"ONLY-US {label}: oracle: {(oracle_err or '')[:160]}")
        elif args.why:
            theirs_core, ours_core = error_core(oracle_err), error_core(our_err[0] if our_err else "")
            if not same_failure(oracle_err, our_err[0] if our_err else ""):
                print(f"BOTH-FAIL, other error {label}: oracle: {theirs_core[:200]} | ours: {ours_core[:200]}")

    if args.write_goldens:
        os.makedirs(args.write_goldens, exist_ok=True)
        for label, code, o, t, _, oracle_err in results:
            name = label.replace("/", "-").replace(" ", "--").replace("::", "-").replace(".pp", "") + ".json"
            # Where Puppet fails, its error (without wrappers and location) is the golden.
            golden = {"case": label, "code": code, "oracle": t} if t is not None else \
                {"case": label, "code": code, "oracle_error": error_core(oracle_err)}
            # The modulepath is a fresh temporary directory each run: name it the same way.
            golden = json.loads(json.dumps(golden).replace(modulepath, "<modulepath>"))
            with open(os.path.join(args.write_goldens, name), "w") as f:
                json.dump(golden, f, indent=2, sort_keys=True)
                f.write("\n")
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n```\n" + "\n".join(lines) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
