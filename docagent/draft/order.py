"""Callees-first ordering of targets for batch drafting (DocAgent's topological order).

Callers are drafted after the functions they call, so their context packs can include the
callees' freshly accepted docstrings. Cycles (recursion, mutual recursion) are strongly connected
components drafted together in source order; ties keep source order, so the order is
deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

from docagent.code.targets import FileFacts, Target
from docagent.draft.symbols import SymbolIndex


def order_callees_first(
    items: Sequence[tuple[FileFacts, Target]], symbols: SymbolIndex
) -> list[tuple[FileFacts, Target]]:
    """Return ``items`` reordered so that every target comes after the targets it calls."""
    keys = [(f.path, t.qualname) for f, t in items]
    pos = {k: i for i, k in enumerate(keys)}
    edges: list[list[int]] = []
    for facts, target in items:
        out = []
        for s in symbols.callees(facts, target):
            j = pos.get((s.path, s.qualname))
            if j is not None and j not in out:
                out.append(j)
        edges.append(sorted(out))
    # Tarjan's algorithm (iterative); SCCs come out callees first.
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    sccs: list[list[int]] = []
    counter = 0
    for root in range(len(items)):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            recurse = False
            for k in range(i, len(edges[v])):
                w = edges[v][k]
                if w not in index:
                    work.append((v, k + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                sccs.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return [items[i] for comp in sccs for i in comp]
