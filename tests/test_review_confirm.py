"""Review: a draft that would replace a hand-written docstring needs an explicit, informed ``A``.

boltons' ``MultiReplace`` lost ~55 lines of prose, examples and doctests to one ``a``; here a
docstring whose layout cannot be repaired in place stands in for it (offline drafter).
"""

from __future__ import annotations

from typing import Any

from review_helpers import decisions, docstring_of, make_app, wait_for, wait_shown

SIZE = (100, 30)
ORIGINAL = "Do it, carefully.\n\nThe order matters to callers.\n\nArgs:\n    - a: The a."
MOD = f'''"""Things."""


def f(a, c):
    """{ORIGINAL.replace(chr(10), chr(10) + "    ")}
    """
    return a + c
'''


def _notes(app: Any) -> list[str]:
    return app.notification_texts


async def test_a_refuses_and_A_replaces_after_saying_how_many_lines_go(
    repo_factory: Any,
) -> None:
    root = repo_factory({"m.py": MOD})
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        item = app.current_item()
        assert item.qualname == "f" and item.status == "stale"
        draft = app.queue.ready[item.key].draft
        assert draft.replaces_prose and not draft.ok
        await pilot.press("a")
        await wait_for(pilot, lambda: any("lines would go" in n for n in _notes(app)))
        assert docstring_of(root, "f", "m.py") == ORIGINAL
        assert item.state == "pending"
        await pilot.press("A")
        await wait_for(pilot, lambda: item.state == "done")
    assert docstring_of(root, "f", "m.py") == draft.text
    assert decisions(root) == [("f", "accept", "")]


async def test_A_on_an_ordinary_draft_does_nothing(repo_factory: Any) -> None:
    root = repo_factory({"m.py": '"""Things."""\n\n\ndef g(x):\n    return x\n'})
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("A")
        await wait_for(pilot, lambda: any("Nothing to confirm" in n for n in _notes(app)))
        assert app.current_item().state == "pending"
    assert docstring_of(root, "g", "m.py") is None
