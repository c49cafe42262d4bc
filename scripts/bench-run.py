#!/usr/bin/env python3
"""bench-run.py -- `mgmt-puppet run` against `puppet apply` on the same generated manifests.

Usage: scripts/bench-run.py [--sizes 1000,10000] [--drift 1000] [--runs 3] [--markdown FILE] [--no-puppet]

For each size N and each side, ../shared/tools/gen-manifest.py --shape independent --types file
makes N files below a directory of /tmp/mgmt-puppet-bench never used before (plus that directory). Measured, wall time and peak RSS (GNU
time %M):
  first converge  nothing exists yet: `mgmt-puppet run site.pp --converged-timeout 0 --no-watch`
                  (translate, build, apply, exit when idle) vs `puppet apply site.pp`
  re-check        the same again when everything is already right, the fastest of --runs runs
                  on each side (as bench-validate.sh takes the best of its runs); and for
                  mgmt-puppet also from the graph translated once (`run graph.yaml`), against
                  the same Puppet runs
Before each timed run, os.sync() flushes what earlier steps left dirty, so neither side pays
for the other's writes. No tree is removed before the end: ext4 (in the no-journal mode of these
machines) does not reuse an inode freed less than 60 s ago (360 s while its inode-table block
is dirty) and scans past every such inode for each new file, which after removing the last
run's 10k files made each create cost ~300 µs instead of ~35 µs (perf: the time in
recently_deleted), 2-3 s of either side's first converge that no real first run pays. Then drift repair: with `run` live on the 1000-file manifest, --drift times (default 1000) one
file is overwritten from outside and the time until it holds its content again is measured
(p50/p99; Puppet repairs at its next run, every 30 minutes by default). And graph8
(--shape graph8 --sleep 1): wall time against its 3 s critical path.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED_DIR", os.path.join(REPO, "..", "shared"))
GEN = os.path.join(SHARED, "tools", "gen-manifest.py")
OURS = os.environ.get("MGMT_PUPPET", os.path.join(REPO, ".build", "release", "mgmt-puppet"))
BASE = "/tmp/mgmt-puppet-bench"


def timed(cmd, **kw):
    """(wall seconds, peak RSS MiB, completed process)"""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024 if p.stderr.strip() else 0
    if p.returncode != 0:
        sys.stderr.write(f"warning: {' '.join(cmd)} exited {p.returncode}\n{p.stderr[-2000:]}\n")
    return wall, rss, p


def manifest(n, who):
    # A fresh directory each time (see the docstring: no recently removed tree in the way).
    tag = f"{n}-{who}-{os.getpid()}-{time.monotonic_ns()}"
    root = f"{BASE}/{tag}"
    path = f"{BASE}/site-{tag}.pp"
    with open(path, "w") as f:
        subprocess.run([sys.executable, GEN, "--resources", str(n), "--shape", "independent",
                        "--types", "file", "--root", root], stdout=f, check=True)
    return path, root


def best(runs, cmd):
    """The fastest of `runs` timed runs (RSS: the largest), for steps that can be repeated."""
    results = []
    for _ in range(runs):
        os.sync()
        results.append(timed(cmd))
    fastest = min(results, key=lambda r: r[0])
    return fastest[0], max(r[1] for r in results), fastest[2]


def converge(n, puppet, runs):
    rows = []
    for who in (["ours", "puppet"] if puppet else ["ours"]):
        site, root = manifest(n, who)
        os.sync()
        cmd = [OURS, "run", site, "--converged-timeout", "0", "--no-watch"] if who == "ours" else \
              ["puppet", "apply", "--color=false", site]
        first = timed(cmd)
        again = best(runs, cmd)
        count = len(os.listdir(root)) if os.path.isdir(root) else 0
        if count != n:
            sys.stderr.write(f"warning: {who} left {count} of {n} files\n")
        from_graph = None
        if who == "ours":
            # The other way users run: the graph translated once, then `run graph.yaml`.
            graph = f"{BASE}/graph-{n}.yaml"
            subprocess.run([OURS, "translate", site, "-o", graph], check=True)
            from_graph = best(runs, [OURS, "run", graph, "--converged-timeout", "0", "--no-watch"])
        rows.append((who, (first, again, from_graph)))
    return rows


def drift(n, times):
    site, root = manifest(n, "drift")
    proc = subprocess.Popen([OURS, "run", site, "--no-watch"], stderr=subprocess.PIPE, text=True)
    converged = threading.Event()

    def drain():
        # Read the log to its end: a full pipe would block the engine's next log line.
        for line in proc.stderr:
            if line.startswith("converged in"):
                converged.set()
        converged.set()

    threading.Thread(target=drain, daemon=True).start()
    converged.wait()
    lat = []
    try:
        for k in range(times):
            i = (k * 7919) % n
            path, want = f"{root}/f{i}", f"resource {i}\n"
            t0 = time.perf_counter()
            with open(path, "w") as f:
                f.write("drift\n")
            while True:
                try:
                    with open(path) as f:
                        if f.read() == want:
                            break
                except FileNotFoundError:
                    pass
                if time.perf_counter() - t0 > 5:
                    raise SystemExit(f"{path} was not repaired within 5 s")
                time.sleep(0.00005)
            lat.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.002)
    finally:
        proc.terminate()
        proc.wait()
    lat.sort()
    return lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], max(lat)


def graph8(puppet):
    site = f"{BASE}/graph8.pp"
    with open(site, "w") as f:
        subprocess.run([sys.executable, GEN, "--shape", "graph8", "--sleep", "1", "--root", BASE], stdout=f, check=True)
    wall, _, p = timed([OURS, "run", site, "--converged-timeout", "0", "--no-watch"])
    m = re.search(r"converged in ([0-9.]+) s", p.stderr)
    conv = float(m.group(1)) if m else float("nan")
    pwall = timed(["puppet", "apply", "--color=false", site])[0] if puppet else None
    return conv, wall, pwall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--drift", type=int, default=1000)
    ap.add_argument("--markdown")
    ap.add_argument("--no-puppet", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="re-checks timed on each side (the fastest counts)")
    a = ap.parse_args()
    puppet = not a.no_puppet and shutil.which("puppet") is not None
    shutil.rmtree(BASE, ignore_errors=True)  # what an interrupted run left
    os.makedirs(BASE, exist_ok=True)
    out = ["", f"### run vs puppet apply ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)", "",
           "| files | step | mgmt-puppet run | puppet apply | ratio | RSS ours / puppet (MiB) |",
           "|---:|---|---:|---:|---:|---:|"]
    for n in [int(s) for s in a.sizes.split(",")]:
        rows = dict(converge(n, puppet, a.runs))
        for step, idx, pidx in (("first converge", 0, 0), ("re-check", 1, 1), ("re-check, `run graph.yaml`", 2, 1)):
            o = rows["ours"][idx]
            p = rows.get("puppet", (None, None, None))[pidx]
            ratio = f"{p[0] / o[0]:.0f}×" if p else "n/a"
            out.append(f"| {n} | {step} | {o[0]:.3f} s | {f'{p[0]:.2f} s' if p else 'n/a'} | {ratio} | "
                       f"{o[1]:.0f} / {f'{p[1]:.0f}' if p else 'n/a'} |")
    if a.drift:
        p50, p99, worst = drift(1000, a.drift)
        out += ["", f"Drift repair, {a.drift} outside overwrites of 1000 watched files: "
                f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms (Puppet: at its next run, 30 min by default)."]
    conv, wall, pwall = graph8(puppet)
    out += ["", f"graph8 (critical path 3 s): converged in {conv:.3f} s ({(conv / 3 - 1) * 100:.2f}% over), "
            f"whole command {wall:.3f} s; puppet apply {f'{pwall:.2f} s' if pwall else 'n/a'} (one at a time)."]
    shutil.rmtree(BASE, ignore_errors=True)  # at the end, where no timed run follows
    text = "\n".join(out) + "\n"
    print(text)
    if a.markdown:
        with open(a.markdown, "a") as f:
            f.write(text)


if __name__ == "__main__":
    main()
