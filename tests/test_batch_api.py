"""``docagent batch --batch-api`` (Message Batches) and kill-and-resume, on the loopback server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import MessagesServer
from test_batch import CORE, FAULTY, docstring, fingerprints

from docagent.batch import run_batch
from docagent.batch_api import STATE_FILE
from docagent.store import Store


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    """A loopback server with Message Batches that end after two polls."""
    with MessagesServer(from_prompt=True, batch_polls=2) as srv:
        for k, v in srv.env().items():
            monkeypatch.setenv(k, v)
        yield srv


def test_message_batches_create_poll_results(repo_factory, server, tmp_path: Path) -> None:
    """One batch is created, polled while in progress, its JSONL results joined on custom_id."""
    root = repo_factory({"m.py": CORE, "f.py": FAULTY})
    before = fingerprints(root)
    server.faults = {"invented": ["invented", "invented"], "broken": [500]}
    summary = run_batch(
        root,
        apply=True,
        batch_api=True,
        provider="anthropic",
        poll_interval=0.01,
        progress=False,
        quiet=True,
    )
    # dependency waves: base, then middle (calls base), then top (calls middle); the redraft of
    # "invented" is one more batch during the first wave
    assert server.batch_creates == 4
    assert summary["batch_ids"] == [f"msgbatch_{i:04d}" for i in range(1, 5)]

    def batch_of(qualname: str) -> str:
        needle = f"`{qualname}` in `m.py`"
        return next(
            bid
            for bid, b in server.batches.items()
            if any(needle in json.dumps(r["params"]["messages"]) for r in b["requests"])
        )

    assert batch_of("base") < batch_of("middle") < batch_of("top")
    for b in server.batches.values():  # polled while in progress, then ended (results re-reads)
        assert b["seen"][:3] == ["in_progress", "in_progress", "ended"]
    assert sum(server.statuses.values()) == 0  # nothing went through /v1/messages
    assert summary["failed"] == 1 and summary["failures"][0]["qualname"] == "broken"
    assert "batch request failed" in summary["failures"][0]["reason"]
    assert summary["proposed"] == 1 and summary["applied"] == summary["targets"] - 2
    assert docstring(root, "m.py", "middle").startswith("Handle middle")
    assert docstring(root, "f.py", "invented") is None
    assert fingerprints(root) == before
    # batch price: 1000 in + 200 out per request on Sonnet at half price
    requests = sum(len(b["requests"]) for b in server.batches.values()) - 1  # minus errored
    assert summary["cost_usd"] == pytest.approx(requests * 0.006 * 0.5)
    state = json.loads((root / ".docagent" / STATE_FILE).read_text())
    assert set(state["batches"]) == set(summary["batch_ids"])
    with Store.open(root) as store:
        run = store.run(summary["run_id"])
        assert run is not None and run.summary["batch_ids"] == summary["batch_ids"]


def test_rerun_resumes_the_stored_batch(repo_factory, server, tmp_path: Path) -> None:
    """A run killed after creating its batch resumes that batch instead of paying twice."""
    root = repo_factory({"m.py": CORE})
    # Simulate the kill: a batch is created and stored, but nothing is drafted or logged.
    from docagent.batch_api import BatchState

    first = run_batch(
        root, batch_api=True, provider="anthropic", poll_interval=0.01, progress=False, quiet=True
    )
    waves = server.batch_creates
    assert waves == 3  # base, middle, top
    db = root / ".docagent" / "docagent.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)  # forget every logged draft
    state = BatchState(root / ".docagent" / STATE_FILE)
    assert list(state.batches) == first["batch_ids"]
    second = run_batch(
        root, batch_api=True, provider="anthropic", poll_interval=0.01, progress=False, quiet=True
    )
    assert server.batch_creates == waves  # no new batch: the stored ones were read again
    assert second["batch_ids"] == first["batch_ids"]
    assert second["drafted"] == second["targets"] and second["failed"] == 0


KILL_SCRIPT = """
import sys
from docagent.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _count_lines(path: Path) -> int:
    try:
        return len([x for x in path.read_text().splitlines() if x.strip()])
    except FileNotFoundError:
        return 0


def test_kill_9_and_resume(repo_factory, tmp_path: Path) -> None:
    """SIGKILL mid-run, re-run: no target is drafted twice and the final files are correct."""
    files = {f"pkg/m{i}.py": CORE.replace("Thing", f"Thing{i}") for i in range(3)}
    root = repo_factory(files)
    before = fingerprints(root)
    out = tmp_path / "p.jsonl"
    with MessagesServer(from_prompt=True) as server:
        env = {**os.environ, **server.env(), "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-c", KILL_SCRIPT, "batch", str(root), "--provider", "anthropic"]
        cmd += ["--apply", "--out", str(out), "--concurrency", "2"]
        # the first 6 requests are answered; every later one is held until after the kill
        answered_before_hold = 6
        server.hold_after = answered_before_hold
        server.hold()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while sum(server.answered.values()) < answered_before_hold:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.2)  # held requests are in flight now
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)  # waits, and closes the pipes
        held = {q for q in server.received if server.received[q] > server.answered[q]}
        assert held, "some requests were in flight at the kill"
        server.hold_after = None
        server.release()
        time.sleep(0.2)
        answered_first = sum(server.answered.values())

        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        summary = json.loads(rerun.stdout)
    assert answered_first >= answered_before_hold
    assert max(server.answered.values()) == 1, server.answered  # nobody drafted twice
    assert sum(server.answered.values()) == 24  # 8 targets x 3 files, each exactly once
    assert summary["failed"] == 0
    # a file's accepts are written together once its last target is handled: drafts answered
    # before the kill whose file was not written yet are reused, never paid for again
    assert summary["reused"] + summary["drafted"] == summary["targets"]
    assert summary["drafted"] == 24 - answered_first
    assert 24 - answered_first <= summary["targets"] <= 24
    assert fingerprints(root) == before
    for i in range(3):
        for q in ("base", "middle", "top", f"Thing{i}.grow"):
            assert docstring(root, f"pkg/m{i}.py", q), q
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert len({(r["path"], r["qualname"]) for r in records}) == 24
    assert all(r["status"] == "accepted" for r in records)
