#!/usr/bin/env python3
"""Lists the `crate::` edges between the top-level modules of each crate and
the cycles among them (test code left out). Exit 1 when a crate has a cycle.

    scripts/module_cycles.py [--edges] [REPO]
"""
import pathlib
import re
import sys

args = [a for a in sys.argv[1:] if a != "--edges"]
show_edges = "--edges" in sys.argv[1:]
root = pathlib.Path(args[0] if args else pathlib.Path(__file__).resolve().parent.parent)


def modules(src):
    """module name → set of modules it names through `crate::`."""
    edges = {}
    for f in src.rglob("*.rs"):
        rel = f.relative_to(src).parts
        if rel[-1].endswith("tests.rs"):
            continue
        mod = rel[0][:-3] if len(rel) == 1 else rel[0]
        if mod in ("lib", "main"):
            continue
        text = re.split(r"#\[cfg\(test\)\]\s*mod \w+\s*\{", f.read_text())[0]
        named = set(re.findall(r"crate::(\w+)", text))
        for group in re.findall(r"use crate::\{([^}]*)\}", text):
            named |= set(re.findall(r"(?:^|,)\s*(\w+)", group))
        for t in named:
            if t != mod and ((src / f"{t}.rs").exists() or (src / t).is_dir()):
                edges.setdefault(mod, set()).add(t)
    return edges


def cycles(edges):
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


found = False
for src in sorted(root.glob("crates/*/src")):
    edges = modules(src)
    crate = src.parent.name
    if show_edges:
        for a in sorted(edges):
            print(f"{crate}: {a} -> {', '.join(sorted(edges[a]))}")
    for group in cycles(edges):
        found = True
        print(f"{crate}: cycle among {', '.join(group)}")
sys.exit(1 if found else 0)
