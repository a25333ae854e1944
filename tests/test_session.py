"""The Session library layer (offline provider): work items, drafts, decisions, undo, close."""

from __future__ import annotations

import asyncio

from docagent.session import Session
from docagent.store import Store

SRC = '''"""Module."""


def leaf(x):
    return x + 1


def caller(y):
    return leaf(y) * 2


def _private(z):
    return z
'''


def test_prepare_lists_missing_public_targets_callees_first(repo_factory) -> None:
    """Work items are the missing public targets, each callee before its caller."""
    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="batch")
    items = session.prepare()
    names = [i.qualname for i in items]
    assert names == ["leaf", "caller"]
    assert all(i.status == "missing" for i in items)
    assert "offline" in session.notice
    session.close()


def test_draft_accept_undo_and_the_log(repo_factory) -> None:
    """A draft is logged; accept edits the file and logs; undo restores it and logs."""
    root = repo_factory({"m.py": SRC})
    original = (root / "m.py").read_bytes()
    session = Session(root, mode="tui")
    leaf = session.prepare()[0]
    draft = asyncio.run(session.draft(leaf))
    assert draft.ok and draft.text
    again = asyncio.run(session.draft(leaf))
    assert again.cached and again.draft_id == draft.draft_id  # the log is the cache
    outcome = session.accept(leaf, draft, text="Add one to x.", reviewer="ana")
    assert outcome.ok and outcome.applied
    assert '"""Add one to x."""' in (root / "m.py").read_text()
    assert session.changed_paths() == ["m.py"]
    item, undone = session.undo()
    assert undone.ok and item is leaf and leaf.state == "pending"
    assert (root / "m.py").read_bytes() == original
    run_id = session.run_id
    session.close(note="done")
    assert session.coverage_before is not None and session.coverage_after is not None
    with Store.open(root) as store:
        history = store.history(draft.draft_id)
        assert [d.decision for d in history] == ["edit", "undo"]
        assert history[0].reviewer == "ana" and history[0].final_text == "Add one to x."
        run = store.run(run_id)
        assert run is not None and run.ended_at and run.summary["note"] == "done"


def test_accept_refuses_when_the_code_changed(repo_factory) -> None:
    """A draft for code that changed since is refused and the file is left as it is."""
    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="batch")
    leaf = session.prepare()[0]
    draft = asyncio.run(session.draft(leaf))
    changed = SRC.replace("return x + 1", "return x + 2")
    (root / "m.py").write_text(changed)
    outcome = session.accept(leaf, draft)
    assert not outcome.ok and outcome.message
    assert (root / "m.py").read_text() == changed
    session.close()


def test_reject_is_logged_and_not_reused(repo_factory) -> None:
    """A rejected draft is logged with its reason and not served from the cache again."""
    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="tui")
    leaf = session.prepare()[0]
    draft = asyncio.run(session.draft(leaf))
    session.reject(leaf, draft, "vague")
    redraft = asyncio.run(session.draft(leaf))
    assert redraft.draft_id != draft.draft_id and not redraft.cached
    session.close()
    with Store.open(root) as store:
        assert store.history(draft.draft_id)[0].reason == "vague"


def test_team_examples_come_from_people_not_the_batch_policy(repo_factory) -> None:
    """Accepted docstrings by a person become style examples; batch-policy accepts do not."""
    root = repo_factory({"m.py": SRC})
    first = Session(root, mode="batch")
    leaf, caller = first.prepare()
    first.accept(leaf, asyncio.run(first.draft(leaf)), reviewer="batch-policy")
    first.accept(caller, asyncio.run(first.draft(caller)), text="Double leaf of y.", reviewer="ana")
    first.close()
    second = Session(root, mode="tui")
    second.prepare()
    assert second.drafter.examples == ["Double leaf of y."]
    second.close()
