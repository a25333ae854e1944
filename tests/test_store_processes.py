"""Decision log across processes: concurrent writers, kill -9, a locked database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from docagent.store import DraftRecord, Store, StoreError

WRITER = textwrap.dedent(
    """
    import sys
    from docagent.store import DraftRecord, Store
    db, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(db)
    run = store.start_run("batch" if name == "b" else "tui", "offline", "m", "p")
    for i in range(count):
        did = store.record_draft(run, DraftRecord("m.py", f"{name}{i}", "function", text="t"))
        dec = store.record_decision(did, "accept", reviewer=name)
        print(dec, flush=True)
    store.close()
    """
)


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    Store(db).close()  # created and migrated; the writers race on the writes themselves
    procs = [_spawn(str(db), name, "150") for name in ("a", "b")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert len(out.split()) == 150
    with Store(db) as store:
        reviewers = [r.reviewer for r in store.decisions()]
        assert reviewers.count("a") == 150 and reviewers.count("b") == 150
        assert {r.mode for r in store.runs()} == {"tui", "batch"}


def test_two_processes_create_the_database_at_once(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "d.db"
    procs = [_spawn(str(db), name, "20") for name in ("a", "b")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Store(db) as store:
        assert len(store.decisions()) == 40


def test_kill_9_loses_no_committed_decision(tmp_path: Path) -> None:
    """A writer killed with SIGKILL mid-run loses no decision it reported as committed."""
    db = tmp_path / "d.db"
    proc = _spawn(str(db), "k", "100000")
    assert proc.stdout is not None
    done: list[int] = []
    for line in proc.stdout:
        done.append(int(line))
        if len(done) >= 60:
            break
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)  # waits, reads what is left, closes the pipes
    assert proc.returncode == -signal.SIGKILL
    # decisions reported before the kill plus any still in the pipe
    done += [int(x) for x in rest.split()]
    with Store(db) as store:
        stored = {r.decision_id for r in store.decisions(effective=False)}
    assert set(done) <= stored
    assert len(stored) >= 60


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    if sys.argv[2] == "rollback":
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("COMMIT")
    """
)


def _hold_lock(db: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def _release(proc: subprocess.Popen[str]) -> None:
    proc.communicate("\n", timeout=30)  # lets it go, waits, and closes the pipes


def test_locked_database_write_gives_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    store = Store(db, busy_timeout=0.3)
    did = store.record_draft(None, DraftRecord("m.py", "f", "function", text="t"))
    holder = _hold_lock(db, "wal")
    try:
        start = time.monotonic()
        with pytest.raises(StoreError) as info:
            store.record_decision(did, "accept", reviewer="r")
        assert time.monotonic() - start >= 0.25  # it waited for the busy timeout first
        msg = str(info.value)
        assert str(db) in msg and "locked" in msg and "\n" not in msg
        assert store.latest()  # reading still works while another process writes
    finally:
        _release(holder)
    store.record_decision(did, "accept", reviewer="r")  # nothing was replaced; it works again
    assert [r.decision for r in store.decisions()] == ["accept"]
    store.close()


def test_locked_database_open_gives_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    holder = _hold_lock(db, "rollback")
    try:
        with pytest.raises(StoreError, match="locked"):
            Store(db, busy_timeout=0.2)
    finally:
        _release(holder)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    conn.close()
    with Store(db) as store:  # the holder's table survived; the log is added next to it
        assert store.latest() == []


def test_busy_timeout_waits_for_a_short_lock(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    store = Store(db, busy_timeout=5)
    did = store.record_draft(None, DraftRecord("m.py", "f", "function", text="t"))
    holder = _hold_lock(db, "wal")
    import threading

    threading.Timer(0.5, _release, args=(holder,)).start()
    store.record_decision(did, "accept", reviewer="r")
    assert len(store.decisions()) == 1
    store.close()
