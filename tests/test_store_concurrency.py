"""Eight processes write 200 decisions each into one log at once: nothing is lost.

Runs on both backends: a SQLite file (WAL, busy timeout) and a real PostgreSQL server. The
figures in docs/team-setup.md come from this test (``-s`` prints them).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from docagent.report import build
from docagent.store import DraftRecord, Store

WRITERS, EACH = 8, 200
DECISIONS = ("accept", "edit", "reject", "skip")

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from docagent.store import DraftRecord, Store
    where, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    url = where if where.startswith("postgresql://") else None
    store = Store(None if url else Path(where), url=url, repo=f"github.com/acme/{name}")
    store._reviewer = f"{name}@example.com"
    run = store.start_run("tui", "offline", "m", "p")
    while not go.exists():  # every writer starts at once
        time.sleep(0.005)
    kinds = ("accept", "edit", "reject", "skip")
    for i in range(count):
        did = store.record_draft(run, DraftRecord("m.py", f"{name}_{i}", "function", text="t"))
        decision = kinds[i % 4]
        text = "t, edited" if decision == "edit" else None
        store.record_decision(did, decision, final_text=text, review_ms=1000)
    store.close()
    """
)


@pytest.fixture(params=["sqlite", "postgresql"])
def log_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the writers write: a SQLite file or a shared PostgreSQL store."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_store_url"))
    return str(tmp_path / "d.db")


def _open(where: str) -> Store:
    if where.startswith("postgresql://"):
        return Store(None, url=where)
    return Store(Path(where))


@pytest.mark.slow
def test_eight_processes_write_1600_decisions_at_once(log_location: str, tmp_path: Path) -> None:
    """8 writers x 200 drafts and decisions at once: 1,600 of each, and the report agrees."""
    _open(log_location).close()  # created and migrated: the writers race on the writes
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, log_location, f"w{n}", str(EACH), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    time.sleep(1.5)  # let every writer connect and reach the start line
    started = time.monotonic()
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    elapsed = time.monotonic() - started
    total = WRITERS * EACH
    backend = "postgresql" if log_location.startswith("postgresql://") else "sqlite"
    print(f"\n{backend}: {total} drafts + {total} decisions in {elapsed:.1f} s")
    with _open(log_location) as store:
        rows = store.decisions(effective=False)
        assert len(rows) == total == len({r.decision_id for r in rows})
        assert len(store.drafts()) == total and len(store.runs()) == WRITERS
        report = build(store, by=["reviewer"]).data
    overall = report["overall"]
    assert overall["drafts"] == total
    quarter = total // len(DECISIONS)
    assert (overall["accepted"], overall["edited"]) == (quarter, quarter)
    assert (overall["rejected"], overall["skipped"]) == (quarter, quarter)
    by_reviewer = {s["key"]: s["drafts"] for s in report["slices"]["reviewer"]}
    assert by_reviewer == {f"w{n}@example.com": EACH for n in range(WRITERS)}


SAME_DRAFTS = textwrap.dedent(
    """
    import random, sys, time
    from pathlib import Path
    from docagent.store import Store
    where, seed, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    drafts = sys.argv[4:]
    url = where if where.startswith("postgresql://") else None
    store = Store(None if url else Path(where), url=url)
    rng = random.Random(seed)
    while not go.exists():
        time.sleep(0.005)
    for _ in range(100):
        decision = rng.choice(["accept", "edit", "reject", "skip", "undo", "undo"])
        text = "E." if decision == "edit" else None
        store.record_decision(rng.choice(drafts), decision, final_text=text)
    store.close()
    """
)


@pytest.mark.slow
def test_writers_deciding_on_the_same_drafts_keep_the_standing_decision(
    log_location: str, tmp_path: Path
) -> None:
    """6 processes decide (and undo) on the same 2 drafts at once: each draft's kept standing
    decision is the rule's over its whole history (PostgreSQL: the draft's row is locked)."""
    from docagent.decisions import standing_decision

    with _open(log_location) as store:
        drafts = [
            store.record_draft(None, DraftRecord("m.py", f"f{i}", "function")) for i in range(4)
        ]
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAME_DRAFTS, log_location, str(n), str(go), *drafts],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    time.sleep(1.5)
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    with _open(log_location) as store:
        histories = {d: store.history(d) for d in drafts}
        assert sum(len(h) for h in histories.values()) == 6 * 100
        with store._op() as conn:
            kept = dict(conn.execute("SELECT id, standing_id FROM drafts").fetchall())
    for d, history in histories.items():
        entry = standing_decision(history)
        assert kept[d] == (None if entry is None else entry.id), d
