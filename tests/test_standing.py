"""The standing decision the log keeps per draft (``drafts.standing_id``) is the Python rule's.

After random decisions and undos (through every way a decision is written), after copying a
log into another store, and after migrating a log written before the column existed, on both
backends.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import pytest

from docagent.decisions import standing_decision
from docagent.report import build
from docagent.store import DraftRecord, Store, db, now, standing
from docagent.store.migrations import KEPT_COLUMNS, MIGRATIONS, SPACES

DECISIONS = ["accept", "edit", "reject", "skip", "undo"]


def _kept(store: Store) -> dict[str, int | None]:
    """Every draft's ``standing_id`` as the log keeps it."""
    with store._op() as conn:
        return {r[0]: r[1] for r in conn.execute("SELECT id, standing_id FROM drafts").fetchall()}


def _rule(store: Store) -> dict[str, int | None]:
    """Every draft's standing decision by :func:`standing_decision` over its history."""
    out: dict[str, int | None] = {}
    for draft_id in _kept(store):
        entry = standing_decision(store.history(draft_id))
        out[draft_id] = None if entry is None else entry.id
    return out


def _columns(store: Store) -> dict[str, tuple[Any, ...]]:
    """Every draft's kept columns of its standing decision (``KEPT_COLUMNS``)."""
    with store._op() as conn:
        rows = conn.execute(f"SELECT id, {', '.join(KEPT_COLUMNS)} FROM drafts").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def _rule_columns(store: Store) -> dict[str, tuple[Any, ...]]:
    """What the kept columns should hold: the rule's standing decision's fields, and whether
    its final text differs from the draft's after trimming (else all None)."""
    out: dict[str, tuple[Any, ...]] = {}
    with store._op() as conn:
        texts = dict(conn.execute("SELECT id, text FROM drafts").fetchall())
    for draft_id, text in texts.items():
        s = standing_decision(store.history(draft_id))
        if s is None:
            out[draft_id] = (None,) * len(KEPT_COLUMNS)
            continue
        final = s.final_text
        edited = final is not None and final != text and final.strip(SPACES) != text.strip(SPACES)
        out[draft_id] = (s.decision, s.created_at, s.reviewer, s.mode, s.review_ms, int(edited))
    return out


def _assert_kept(store: Store) -> None:
    """The kept standing decision and its columns are the rule's."""
    assert _kept(store) == _rule(store)
    assert _columns(store) == _rule_columns(store)


def _decide_randomly(store: Store, drafts: list[str], rng: random.Random, n: int) -> None:
    """``n`` random decisions (undos included) on ``drafts``, some through edit intents."""
    for _ in range(n):
        draft_id = rng.choice(drafts)
        decision = rng.choice(DECISIONS)
        if decision in ("accept", "edit") and rng.random() < 0.3:
            intent = store.record_intent(
                draft_id, decision, path="m.py", qualname="f", final_text="Text."
            )
            store.confirm_intent(intent)
            continue
        if decision in ("accept", "edit") and rng.random() < 0.3:  # a group of writes (apply)
            group = [(d, decision, "m.py", "f", "Text.") for d in rng.sample(drafts, 3)]
            store.confirm_intents(store.record_intents(group, mode="apply"))
            continue
        final = rng.choice(["E.", " T.\n", None]) if decision in ("accept", "edit") else None
        store.record_decision(
            draft_id,
            decision,
            final_text=final,
            reviewer=rng.choice(["a@x", "batch"]),
            review_ms=rng.choice([None, rng.randrange(10_000)]),
            mode=rng.choice(["tui", "apply", ""]),
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_standing_follows_every_decision_and_undo(open_store, seed: int) -> None:
    """Each draft's kept standing decision equals the rule after every random write."""
    store = open_store()
    rng = random.Random(seed)
    run = store.start_run("tui", "offline", "m", "p")
    drafts = [
        store.record_draft(run, DraftRecord("m.py", f"f{i}", "function", text="T."))
        for i in range(12)
    ]
    for _ in range(6):
        _decide_randomly(store, drafts, rng, 15)
        _assert_kept(store)
    assert any(h.decision == "undo" for d in drafts for h in store.history(d))


def test_an_undo_of_the_only_accept_leaves_nothing_standing(open_store) -> None:
    store = open_store()
    draft = store.record_draft(None, DraftRecord("m.py", "f", "function", text="T."))
    accepted = store.record_decision(draft, "accept")
    assert _kept(store) == {draft: accepted}
    store.record_decision(draft, "undo")
    assert _kept(store) == {draft: None}
    skipped = store.record_decision(draft, "skip")
    assert _kept(store) == {draft: skipped}


@pytest.mark.parametrize("bulk", [False, True])
def test_a_copied_log_keeps_the_rule_in_its_own_numbering(
    open_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """``store copy`` numbers decisions anew: the standing decisions are the target's ids,
    also when a second copy adds decisions to drafts copied the first time (``bulk``: as a
    copy of many drafts sets them, in one SQL pass)."""
    if bulk:
        monkeypatch.setattr(standing, "BULK", 0)
    rng = random.Random(5)
    local = Store(tmp_path / "local.db", repo="github.com/acme/app")
    run = local.start_run("tui", "offline", "m", "p")
    drafts = [
        local.record_draft(run, DraftRecord("m.py", f"f{i}", "function", text="T."))
        for i in range(10)
    ]
    _decide_randomly(local, drafts, rng, 40)
    shared = open_store()
    shared.record_decision(shared.record_draft(None, DraftRecord("x.py", "g", "function")), "skip")
    shared.copy_from(local)
    _assert_kept(shared)
    _decide_randomly(local, drafts, rng, 40)  # more decisions, undos among them
    shared.copy_from(local)
    _assert_kept(shared)
    assert {d: _rule(shared)[d] is None for d in drafts} == {
        d: v is None for d, v in _rule(local).items()
    }
    local.close()


def _old_log(open_store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A log at schema version 7 (before ``standing_id``) with random histories written
    as that version wrote them."""
    monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS[:7])
    monkeypatch.setattr(db, "SCHEMA_VERSION", 7)
    old = open_store()
    rng = random.Random(11)
    with old._op(write=True) as conn:
        for i in range(300):
            conn.execute(
                "INSERT INTO drafts (id, created_at, path, qualname, kind, text)"
                " VALUES (?, '2026-01-01', 'm.py', ?, 'function', 'T.')",
                (f"d{i:03d}", f"f{i}"),
            )
        for _ in range(900):
            conn.execute(
                "INSERT INTO decisions (draft_id, created_at, decision, final_text, reviewer,"
                " review_ms, mode) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    f"d{rng.randrange(300):03d}",
                    f"2026-01-{rng.randrange(2, 28):02d}",
                    rng.choice(DECISIONS),
                    rng.choice(["E.", " T.\n", "T.", None]),
                    rng.choice(["a@x", "b@y"]),
                    rng.choice([None, rng.randrange(10_000)]),
                    rng.choice(["tui", "apply"]),
                ),
            )
    assert old.schema_version == 7
    old.close()
    monkeypatch.undo()
    return old


def test_migrating_an_old_log_fills_the_standing_decisions(open_store, monkeypatch) -> None:
    old = _old_log(open_store, monkeypatch)
    store = open_store()  # the same log, migrated to the current version in place
    assert store.schema_version == MIGRATIONS[-1].version
    kept = _kept(store)
    assert len(kept) == 300
    _assert_kept(store)
    assert {c[5] for c in _columns(store).values()} == {None, 0, 1}
    assert sum(v is None for v in kept.values()) < 300
    assert old.label == store.label


def test_reports_read_the_kept_standing_decision(open_store) -> None:
    """The report counts what the kept column says (an undone accept is pending again)."""
    store = open_store()
    drafts = [store.record_draft(None, DraftRecord("m.py", f"f{i}", "function")) for i in range(3)]
    store.record_decision(drafts[0], "accept")
    store.record_decision(drafts[1], "reject")
    store.record_decision(drafts[1], "accept")
    store.record_decision(drafts[2], "accept")
    store.record_decision(drafts[2], "undo")
    overall: dict[str, Any] = build(store, ["reviewer"]).data["overall"]
    assert (overall["accepted"], overall["rejected"], overall["pending"]) == (2, 0, 1)


def test_a_json_report_does_not_aggregate_the_charts(tmp_path: Path) -> None:
    """Without charts (every format but html) the kind and model slices are not computed."""
    with Store(tmp_path / "d.db") as store:
        draft = store.record_draft(None, DraftRecord("m.py", "f", "function", model="m"))
        store.record_decision(draft, "accept")
        plain = store.aggregate(["reviewer"], None, "", lambda a, b: 1.0, charts=False)
        full = store.aggregate(["reviewer"], None, "", lambda a, b: 1.0)
    assert set(plain.slices) == {"", "reviewer"} and not plain.timeline
    assert {"kind", "model"} <= set(full.slices) and full.timeline


def test_a_writer_waits_while_another_decides_on_the_same_draft(pg_store_url: str) -> None:
    """PostgreSQL: a decision on a draft whose row another transaction took waits for it,
    then counts the other's decision too (without the lock it would compute from a history
    missing the other's uncommitted row)."""
    first, second = Store(None, url=pg_store_url), Store(None, url=pg_store_url)
    draft = first.record_draft(None, DraftRecord("m.py", "f", "function", text="T."))
    first.record_decision(draft, "accept")
    done = threading.Event()

    def undo() -> None:
        second.record_decision(draft, "undo")
        done.set()

    waiter = threading.Thread(target=undo)
    with first._op(write=True) as conn:
        standing.lock(conn, [draft])
        waiter.start()
        assert not done.wait(1.0)  # the second writer waits for this transaction
        conn.execute(
            "INSERT INTO decisions (draft_id, created_at, decision) VALUES (?, ?, 'edit')",
            (draft, now()),
        )
        standing.refresh(conn, [draft])
    waiter.join(30)
    assert done.is_set()
    # accept, edit, undo: the undo cancels the edit, the accept stands
    assert [h.decision for h in second.history(draft)] == ["accept", "edit", "undo"]
    assert _kept(second) == _rule(second) == {draft: second.history(draft)[0].id}
    _assert_kept(second)
    first.close()
    second.close()


def _indexes(store: Store) -> set[str]:
    with store._op() as conn:
        if store.dialect == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
        else:
            sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        return {r[0] for r in conn.execute(sql).fetchall()}


def test_a_log_of_version_9_gets_the_standing_index_and_reports_the_same(
    open_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 10 on a log written by version 9: the index of the kept standing decisions
    is created, nothing else changes, and the report reads the same figures through it."""
    from test_report_sql import DIMS, fill_random_log

    monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS[:9])
    monkeypatch.setattr(db, "SCHEMA_VERSION", 9)
    old = open_store()
    fill_random_log(old, 6)
    assert old.schema_version == 9 and "drafts_standing" not in _indexes(old)
    before = build(old, DIMS).data
    kept = _columns(old)
    old.close()
    monkeypatch.undo()
    store = open_store()
    assert store.schema_version == MIGRATIONS[-1].version == 10
    assert "drafts_standing" in _indexes(store)
    assert _columns(store) == kept
    after = build(store, DIMS).data
    for name in ("overall", "slices", "reasons", "time_saved", "prompt_cache", "period"):
        assert after[name] == before[name], name
