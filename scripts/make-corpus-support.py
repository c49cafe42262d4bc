#!/usr/bin/env python3
"""Writes fixtures/corpus-support/<module>/types/*.pp: permissive stand-ins (`type X = Any`)
for the type aliases that the corpus modules reference but whose `types/` files were not copied
into ../shared/puppet-corpus (only manifests/ and examples/ were). Both mgmt-puppet and the
Puppet oracle compile the corpus with these on the modulepath, so the comparison stays fair;
without them Puppet cannot compile most module classes ("Resource type not found").
Defined types and classes of the corpus are left alone. Regenerate: scripts/make-corpus-support.py
"""
import os
import re
import shutil

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CORPUS = os.path.join(os.environ.get("SHARED_DIR", os.path.join(REPO, "..", "shared")), "puppet-corpus", "modules")
OUT = os.path.join(REPO, "fixtures", "corpus-support")

refs, defined = set(), set()
for root, _, names in os.walk(CORPUS):
    for n in names:
        if not n.endswith(".pp"):
            continue
        text = open(os.path.join(root, n), encoding="utf-8").read()
        refs |= set(re.findall(r"\b([A-Z][a-z0-9_]*(?:::[A-Z][A-Za-z0-9_]*)+)\b", text))
        defined |= {m.lower() for m in re.findall(r"^\s*(?:define|class)\s+([a-z][a-z0-9_:]*)", text, re.M)}
modules = {d.split("-", 1)[1] for d in os.listdir(CORPUS)} | {"stdlib"}
# Keep the hand-written stand-ins under */lib (Ruby code for the oracle); redo the aliases.
for d in os.listdir(OUT) if os.path.isdir(OUT) else []:
    shutil.rmtree(os.path.join(OUT, d, "types"), ignore_errors=True)
written = 0
for ref in sorted(refs):
    parts = ref.split("::")
    mod = parts[0].lower()
    if ref.lower() in defined or mod not in modules or ref.startswith("Stdlin"):
        continue
    path = os.path.join(OUT, mod, "types", *[p.lower() for p in parts[1:-1]], parts[-1].lower() + ".pp")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(f"# Stand-in for the corpus module's own alias (not copied); see scripts/make-corpus-support.py\ntype {ref} = Any\n")
    written += 1
print(f"wrote {written} type aliases under {os.path.relpath(OUT, REPO)}")
