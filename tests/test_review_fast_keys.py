"""Fast keys: 40 accepts at 50 ms intervals on a 1,500-line module while drafts are prefetched.

Each accept parses and verifies the file on the UI thread while the prefetch worker parses on
the drafting thread (boltons crashed with ``SystemError: AST constructor recursion depth
mismatch`` 4 times in 6). Afterwards the file and the decision log agree exactly.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest
from review_helpers import make_app, wait_for_workers, wait_shown

from docagent.store import Store


def _module(n: int) -> str:
    parts = ['"""Generated helpers."""\n']
    for i in range(n):
        parts.append(
            f"\n\ndef helper_{i}(value: int, factor: int = {i}) -> int:\n"
            f"    total = 0\n"
            f"    for step in range(value):\n"
            f"        if step % {i % 5 + 2} == 0:\n"
            f"            total += step * factor\n"
            f"        else:\n"
            f"            total -= {i}\n"
            f"    while total > 1000:\n"
            f"        total //= 2\n"
            f"    items = [x * factor for x in range(value) if x % 3]\n"
            f"    mapping = {{k: v for k, v in zip(items, items[1:])}}\n"
            f"    if mapping and total:\n"
            f"        return total + len(mapping)\n"
            f"    return total\n"
        )
    return "".join(parts)


@pytest.mark.slow
async def test_forty_fast_accepts_leave_the_file_and_the_log_in_agreement(
    repo_factory: Any,
) -> None:
    source = _module(100)
    assert len(source.splitlines()) >= 1500
    root = repo_factory({"big.py": source})
    app = make_app(root, prefetch=3)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_shown(pilot, app)
        for _ in range(40):
            await pilot.press("a")
            await pilot.pause(0.05)  # a fast typist: a key every 50 ms
        await wait_for_workers(pilot, app)
    assert not app.crash
    tree = ast.parse((root / "big.py").read_text())
    in_file = {
        node.name: ast.get_docstring(node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and ast.get_docstring(node) is not None
    }
    with Store.open(root) as store:
        logged = {r.qualname: r.final_text for r in store.decisions() if r.decision == "accept"}
    assert len(in_file) >= 10  # the keys were not all lost to "not ready yet"
    assert in_file == logged
    assert app.tally.count("accept") == len(logged)
