"""One rule decides which decision stands; the session, reports, cache and resume agree on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from docagent.decisions import Tally, standing_decision
from docagent.store import Store
from docagent.store.records import DraftRecord

# history (oldest first) -> the decision that stands
TABLE = [
    ([], None),
    (["accept"], "accept"),
    (["reject"], "reject"),
    (["skip"], "skip"),
    (["reject", "accept"], "accept"),  # a person changed their mind
    (["accept", "undo"], None),
    (["reject", "accept", "undo"], "reject"),  # the undo cancels the accept, not the reject
    (["accept", "undo", "reject"], "reject"),
    (["edit", "undo", "accept"], "accept"),
    (["accept", "skip"], "accept"),  # moving on never cancels an accept
    (["reject", "skip"], "reject"),
    (["skip", "accept"], "accept"),
    (["accept", "skip", "undo"], "skip"),  # the undo reverts the accept; the skip is left
    (["undo"], None),  # nothing to undo
    (["reject", "undo"], "reject"),  # a reject changes no file: undo cancels no reject
    (["accept", "accept", "undo"], "accept"),
    (["accept", "undo", "undo"], None),
]


@pytest.mark.parametrize(("history", "expected"), TABLE)
def test_standing_decision_table(history: list[str], expected: str | None) -> None:
    assert standing_decision(history) == expected


def _store_with(tmp_path: Path, history: list[str]) -> tuple[Store, str]:
    store = Store.open(tmp_path, tmp_path / "log.db")
    draft_id = store.record_draft(
        None, DraftRecord(path="m.py", qualname="f", kind="function", text="Do it.", cache_key="k1")
    )
    for decision in history:
        store.record_decision(draft_id, decision, final_text="Do it.", reviewer="ann")
    return store, draft_id


@pytest.mark.parametrize(("history", "expected"), [t for t in TABLE if t[0]])
def test_store_and_tally_agree_with_the_rule(
    tmp_path: Path, history: list[str], expected: str | None
) -> None:
    store, draft_id = _store_with(tmp_path, history)
    reviewed = store.decisions()
    assert [r.decision for r in reviewed] == ([expected] if expected else [])
    # the draft cache never reuses a draft whose standing decision is a reject
    assert (store.cached_draft("k1") is None) == (expected == "reject")
    tally = Tally()
    for decision in history:
        tally.add(draft_id, decision)
    assert tally.standing(draft_id) == expected
    for name in ("accept", "edit", "reject", "skip"):
        assert tally.count(name) == sum(1 for r in reviewed if r.decision == name)
    store.close()


def test_reject_then_accept_counts_like_the_report() -> None:
    tally = Tally()
    tally.add("d1", "reject")
    tally.add("d1", "accept")
    tally.add("d2", "accept")
    summary = tally.summary()
    assert (summary.accepted, summary.rejected) == (2, 0)
    assert summary.accept_rate == 1.0
    tally.undo("d2")
    assert tally.summary().undone == 1 and tally.count("accept") == 1
