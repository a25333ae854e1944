"""Few-shot examples chosen per target (same kind, nearby module, similar signature, with their
code) and a rejected target's next draft seeing why it was rejected."""

from __future__ import annotations

import asyncio

from docagent.code.targets import read_file
from docagent.draft import SymbolIndex
from docagent.draft.examples import Example, choose_examples, render_examples
from docagent.session import Session

STORE = '''"""Storage."""


def load_row(table, key, default=None):
    return table.get(key, default)


class Store:
    def fetch(self, key, default=None):
        return self.rows.get(key, default)

    def close(self):
        self.rows = None
'''

OTHER = """def render(template, **values):
    return template.format(**values)
"""

TARGET = """def lookup(table, key, default=None):
    return table.get(key, default)
"""


def test_examples_are_the_most_similar_accepted_docstrings_with_their_code() -> None:
    """Same kind, same package and shared parameter names win over the newest example."""
    files = {
        "pkg/store.py": STORE,
        "other/text.py": OTHER,
        "pkg/query.py": TARGET,
    }
    facts = {p: read_file("", p, data=t.encode()) for p, t in files.items()}
    index = SymbolIndex.from_files(facts.values())
    pool = [  # newest first
        Example("other/text.py", "render", "function", "Fill in the template."),
        Example("pkg/store.py", "Store.close", "method", "Release the rows."),
        Example("pkg/store.py", "Store.fetch", "method", "Return the row for key.", True),
        Example("pkg/store.py", "load_row", "function", "Return the row stored under key."),
    ]
    target = facts["pkg/query.py"].target("lookup")
    chosen = choose_examples(pool, target, "pkg/query.py", index)
    assert [e.qualname for e in chosen] == ["load_row", "Store.fetch"]
    text = render_examples(chosen, index)
    assert "pkg/store.py: load_row (accepted by a reviewer)" in text
    assert "def load_row(table, key, default=None):\n    return table.get(key, default)" in text
    assert "(edited and accepted by a reviewer)" in text
    assert '"""Return the row stored under key."""' in text


SRC = '''"""Mod."""


def leaf(x):
    return x * 2
'''


def test_a_rejected_targets_next_draft_sees_the_reason(repo_factory) -> None:
    """After a rejection the redraft (and a later session's first draft) quotes the reason."""
    root = repo_factory({"m.py": SRC})
    first = Session(root, mode="tui", flags={"provider": "offline"})
    (item,) = first.prepare()
    draft = asyncio.run(first.draft(item))
    assert "previous draft rejected" not in draft.context
    first.reject(item, draft, "other: restates the name")
    again = asyncio.run(first.draft(item))
    assert "## previous draft rejected" in again.context
    assert "restates the name" in again.context and draft.text.strip() in again.context
    first.close()
    second = Session(root, mode="tui", flags={"provider": "offline"})
    (item,) = second.prepare()
    later = asyncio.run(second.draft(item))
    # the next session builds the same pack, rejection note included: it reuses that draft
    assert later.cache_key == again.cache_key != draft.cache_key
    assert "restates the name" in second.drafter.context(*second.target(item)).text
    second.close()
