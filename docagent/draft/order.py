"""Callees-first ordering of targets for batch drafting (DocAgent's topological order).

Callers are drafted after the functions they call, so their context packs can include the
callees' freshly accepted docstrings. Cycles (recursion, mutual recursion) are strongly connected
components drafted together in source order; ties keep source order, so the order is
deterministic. Within that order, targets of one file run back to back (:func:`_group_by_file`),
so their requests share the file's cached prompt prefix.
"""

from __future__ import annotations

import heapq
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
    return [items[i] for comp in _group_by_file(items, edges, sccs) for i in comp]


def _group_by_file(
    items: Sequence[tuple[FileFacts, Target]], edges: list[list[int]], sccs: list[list[int]]
) -> list[list[int]]:
    """Reorder the components so that targets of one file run back to back.

    A topological order of the components (callees first) that, among the components ready to
    go, prefers one of the file it drafted last, then the earliest in source order: requests of
    one file then follow each other and share the file's cached prompt prefix.
    """
    comp_of = {v: c for c, comp in enumerate(sccs) for v in comp}
    waiting = [0] * len(sccs)
    dependents: list[list[int]] = [[] for _ in sccs]
    for c, comp in enumerate(sccs):
        needs = {comp_of[w] for v in comp for w in edges[v]} - {c}
        waiting[c] = len(needs)
        for d in needs:
            dependents[d].append(c)
    first = [min(comp) for comp in sccs]
    path = [items[first[c]][0].path for c in range(len(sccs))]
    ready: list[tuple[int, int]] = []
    by_file: dict[str, list[tuple[int, int]]] = {}

    def push(c: int) -> None:
        heapq.heappush(ready, (first[c], c))
        heapq.heappush(by_file.setdefault(path[c], []), (first[c], c))

    for c in range(len(sccs)):
        if not waiting[c]:
            push(c)
    out: list[list[int]] = []
    done: set[int] = set()
    last = ""
    while len(out) < len(sccs):
        same = by_file.get(last, [])
        while same and same[0][1] in done:
            heapq.heappop(same)
        if same:
            c = heapq.heappop(same)[1]
        else:
            while ready[0][1] in done:
                heapq.heappop(ready)
            c = heapq.heappop(ready)[1]
        done.add(c)
        out.append(sccs[c])
        last = path[c]
        for d in dependents[c]:
            waiting[d] -= 1
            if not waiting[d]:
                push(d)
    return out
