"""Reports aggregate in the database: the same figures as the draft-by-draft Python reference."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import report_reference as ref

from docagent.decisions import STANDING_SQL, standing_decision
from docagent.report import build
from docagent.store import BATCH_REVIEWER, DraftRecord, Store

DIMS = ["model", "prompt", "kind", "style", "path", "reviewer", "mode", "day", "effort"]
#: fields the SQL path adds (retention from ``docagent outcomes``): not in the reference
NEW_FIELDS = {"pr_applied", "retention_rate", "retention"}


def _history(rng: random.Random) -> list[str]:
    n = rng.choice([1, 1, 1, 2, 2, 3, 4, 6])
    return [rng.choice(["accept", "edit", "reject", "skip", "undo"]) for _ in range(n)]


def test_standing_sql_is_the_python_rule() -> None:
    """Every history of up to 6 decisions: the SQL picks the entry standing_decision picks."""
    rng = random.Random(7)
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE decisions (id INTEGER PRIMARY KEY, draft_id TEXT, created_at TEXT,"
        " decision TEXT, final_text TEXT, reason TEXT, reviewer TEXT, review_ms INTEGER,"
        " mode TEXT)"
    )
    histories = [_history(rng) for _ in range(3000)]
    histories += [["undo", "accept"], ["accept", "reject", "undo"], ["accept", "undo", "undo"]]
    expected = {}
    next_id = 1
    for i, history in enumerate(histories):
        entries = []
        for decision in history:
            conn.execute(
                "INSERT INTO decisions VALUES (?, ?, '', ?, NULL, '', '', NULL, '')",
                (next_id, f"d{i}", decision),
            )
            entries.append((next_id, decision))
            next_id += 1
        standing = standing_decision(entries, lambda e: e[1])
        if standing is not None:
            expected[f"d{i}"] = standing[0]
    got = {
        row[0]: row[1]
        for row in conn.execute(f"SELECT draft_id, decision_id FROM ({STANDING_SQL}) s")
    }
    assert got == expected


def _stamp(base: datetime, minutes: int) -> str:
    return (base + timedelta(minutes=minutes)).isoformat()


def fill_random_log(store: Store, seed: int, n_targets: int = 60) -> None:
    """A log with undo, edit, reject and skip histories, batch and apply decisions, eval runs,
    regenerated drafts, errors, checks, review times and prompt-cache use."""
    rng = random.Random(seed)
    base = datetime(2026, 3, 1, tzinfo=UTC)
    runs = [
        store.start_run("tui", "anthropic", "claude-a", "pv1", at=base),
        store.start_run("tui", "anthropic", "claude-b", "pv2", at=base),
        store.start_run("batch", "offline", "", "pv1", at=base),
        store.start_run("eval", "anthropic", "claude-a", "pv1", at=base),
    ]
    clock = 0
    texts = ["Add two numbers.", "Return the sum of a and b.", "Load the file.", "Do it."]
    for t in range(n_targets):
        path = f"pkg/m{t % 7}.py"
        kind = rng.choice(["function", "method", "class", "module"])
        for _ in range(rng.choice([1, 1, 2, 3])):
            clock += rng.randint(1, 600)
            run = rng.choice(runs)
            checks = rng.choice([[], [{"name": "a", "ok": True}], [{"name": "a", "ok": False}]])
            text = rng.choice(texts)
            did = store.record_draft(
                run,
                DraftRecord(
                    path,
                    f"f{t}",
                    kind,
                    text=text,
                    style=rng.choice(["google", "numpy", ""]),
                    checks=checks,
                    cost_usd=rng.choice([0.0, 0.001, 0.0125]),
                    tokens_in=rng.randint(0, 900),
                    tokens_out=rng.randint(0, 90),
                    cache_read_tokens=rng.choice([0, 0, 1500]),
                    cache_write_tokens=rng.choice([0, 0, 2100]),
                    context={"effort": rng.choice(["low", "high"])} if rng.random() < 0.5 else {},
                    error=rng.choice([None, None, None, "timeout"]),
                ),
                at=_stamp(base, clock),
            )
            for decision in _history(rng) if rng.random() < 0.8 else []:
                clock += rng.randint(1, 300)
                reviewer = rng.choice(["ann@example.com", "bob@example.com", "", BATCH_REVIEWER])
                final = None
                if decision == "edit" or (decision == "accept" and rng.random() < 0.2):
                    final = rng.choice([text, text + "\n", text + " More words here.", "Other."])
                store.record_decision(
                    did,
                    decision,
                    final_text=final,
                    reason=rng.choice(["", "vague", " vague ", "too long"]),
                    reviewer=reviewer,
                    review_ms=rng.choice([None, 1200, 4000, 4000, 30500]),
                    mode=rng.choice(["", "tui", "batch", "apply"]),
                    at=_stamp(base, clock),
                )


def _without_new(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_new(v) for k, v in value.items() if k not in NEW_FIELDS}
    if isinstance(value, list):
        return [_without_new(v) for v in value]
    if isinstance(value, float):
        return pytest.approx(value, abs=2e-6)
    return value


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("since", [None, datetime(2026, 3, 2, tzinfo=UTC)])
def test_sql_report_equals_the_python_reference(
    tmp_path: Path, seed: int, since: datetime | None
) -> None:
    with Store(tmp_path / "log.db") as store:
        fill_random_log(store, seed)
        got = build(store, DIMS, since)
        items, coverage = ref.collect(store, since)
    want = ref.compute(items, coverage, DIMS, since=since, generated_at=datetime.now(UTC))
    assert got.data["overall"]["decided"] > 20  # the log has something to compare
    assert got.data["overall"]["pending"] > 0 and got.data["overall"]["auto_applied"] > 0
    for name in ("overall", "slices", "reasons", "time_saved", "prompt_cache", "period"):
        assert _without_new(got.data[name]) == _without_new(want.data[name]), name
    for name in ("timeline_prompt", "timeline_model", "kinds", "models", "similarity_bins"):
        assert _without_new(got.charts[name]) == _without_new(want.charts[name]), name


def test_a_report_without_slices_or_charts(tmp_path: Path) -> None:
    with Store(tmp_path / "log.db") as store:
        fill_random_log(store, 4, n_targets=10)
        plain = build(store, [], charts=False)
        full = build(store, DIMS)
    assert plain.data["overall"] == full.data["overall"] and plain.data["slices"] == {}


@pytest.mark.parametrize("seed", [1, 2])
def test_each_backend_reports_the_python_reference(open_store, seed: int) -> None:
    """Superseded and regenerated drafts, eval runs, undos: PostgreSQL's plan (per-row probes
    for awaiting drafts, analyzed temporary tables) counts what the reference counts."""
    store = open_store()
    fill_random_log(store, seed)
    got = build(store, DIMS)
    items, coverage = ref.collect(store, None)
    want = ref.compute(items, coverage, DIMS, since=None, generated_at=datetime.now(UTC))
    assert got.data["overall"]["pending"] > 0
    for name in ("overall", "slices", "reasons", "time_saved", "prompt_cache", "period"):
        assert _without_new(got.data[name]) == _without_new(want.data[name]), name
    if open_store.backend == "postgresql":
        with store._op() as conn:  # the report's work_mem does not outlive the report
            assert conn.execute("SHOW work_mem").fetchone()[0] != "128MB"


def test_a_log_without_review_times_has_no_median(open_store) -> None:
    """Nothing measured (only drafts, no decision): no median on either backend."""
    store = open_store()
    store.record_draft(None, DraftRecord(path="a.py", qualname="f", kind="function", text="T."))
    got = build(store, DIMS)
    assert got.data["overall"]["pending"] == 1
    assert got.data["overall"]["median_review_seconds"] is None


@pytest.mark.parametrize("libpq", ["chunked", "older"])
def test_postgresql_medians_stream_in_small_chunks(open_store, monkeypatch, libpq: str) -> None:
    """PostgreSQL streams the measured review times a chunk at a time and stops reading once
    every median is known: with two rows per chunk the figures are the reference's, and the
    connection serves the next report (the early stop left nothing behind). A libpq older
    than 17 (no chunked results) streams from a server-side cursor instead."""
    from docagent.store import postgres

    monkeypatch.setattr(postgres, "STREAM_ROWS", 2)
    if libpq == "older":
        monkeypatch.setattr(postgres, "CHUNKED_LIBPQ", 10**9)
    store = open_store()
    fill_random_log(store, 3)
    first = build(store, DIMS)
    items, coverage = ref.collect(store, None)
    want = ref.compute(items, coverage, DIMS, since=None, generated_at=datetime.now(UTC))
    for name in ("overall", "slices"):
        assert _without_new(first.data[name]) == _without_new(want.data[name]), name
    assert build(store, DIMS).data["slices"] == first.data["slices"]


#: how ``docagent outcomes`` found each draft's standing decision before it read the columns
#: the log keeps on the draft row: the rule in SQL over every decision
_FORMER_CANDIDATES = (
    "SELECT d.id, s.decision, s.final_text, s.reviewer, s.mode, s.decided_at"
    f" FROM drafts d LEFT JOIN ({STANDING_SQL}) s ON s.draft_id = d.id"
    " LEFT JOIN runs r ON r.id = d.run_id"
    " LEFT JOIN outcomes o ON o.draft_id = d.id"
    " WHERE d.kind <> 'readme_section' AND (r.mode IS NULL OR r.mode <> 'eval')"
    " AND (s.decision IN ('accept', 'edit') OR o.draft_id IS NOT NULL"
    " OR ((s.decision IS NULL OR s.decision = 'skip')"
    " AND (d.error IS NULL OR d.error = '') AND d.text <> ''))"
    " ORDER BY d.path, d.qualname, d.created_at, d.id"
)


@pytest.mark.parametrize("seed", [1, 2])
def test_outcome_candidates_equal_the_former_computation(open_store, seed: int) -> None:
    """``docagent outcomes`` reads the kept standing decision: on random undo, edit, reject
    and skip histories it follows the same drafts with the same decisions as before."""
    store = open_store()
    fill_random_log(store, seed)
    with store._op() as conn:
        want = [tuple(r) for r in conn.execute(_FORMER_CANDIDATES).fetchall()]
    got = [
        (c.draft_id, c.decision, c.final_text, c.reviewer or None, c.mode or None, c.decided_at)
        for c in store.outcome_candidates()
    ]
    assert len(want) > 30 and {w[1] for w in want} >= {None, "accept", "edit", "skip"}
    assert got == [(w[0], w[1], w[2], w[3] or None, w[4] or None, w[5]) for w in want]


def test_beside_runs_on_a_connection_of_its_own(pg_store_url: str) -> None:
    """The report's second PostgreSQL connection: its result comes back, what it raised is
    raised to the waiting caller, and an unreachable server is the store's one-line error."""
    from docagent.store.beside import beside
    from docagent.store.db import StoreError
    from docagent.store.postgres import PgConnection

    pids: list[int] = []

    def work(conn: Any) -> int:
        pids.append(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
        return 42

    with Store(None, url=pg_store_url) as store, store._op() as conn:
        assert beside(conn, work)() == 42
        assert pids[0] != conn.execute("SELECT pg_backend_pid()").fetchone()[0]

        def fail(conn: Any) -> None:
            raise ValueError("in the thread")

        with pytest.raises(ValueError, match="in the thread"):
            beside(conn, fail)()
    with pytest.raises(StoreError):
        beside(PgConnection(None, "postgresql://nobody@127.0.0.1:1/none"), work)()


def test_beside_reads_a_sqlite_log_read_only(tmp_path: Path) -> None:
    """SQLite: the second connection reads the same file (with its own temporary tables)
    and cannot write to the log."""
    import sqlite3

    from docagent.store.beside import beside

    with Store(tmp_path / "log.db") as store, store._op() as conn:
        store.record_draft(None, DraftRecord("m.py", "f", "function"))

        def work(other: Any) -> int:
            other.execute("CREATE TEMPORARY TABLE t AS SELECT id FROM drafts")
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                other.execute("DELETE FROM drafts")
            return int(other.execute("SELECT COUNT(*) FROM t").fetchone()[0])

        assert beside(conn, work)() == 1
