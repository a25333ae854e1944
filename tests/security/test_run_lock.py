"""Two batch runs on one repository: the second stops at once; a killed run's lock is taken over.

Two real ``docagent batch`` processes run against the loopback Messages API server: every
target must be drafted (and paid for) once and get one decision.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from servers import MessagesServer

from docagent.errors import DocagentError
from docagent.runlock import RunLocked, run_lock
from docagent.store import Store

CODE = '"""Mod."""\n' + "".join(f"\n\ndef f{i}(a):\n    return a\n" for i in range(5))


def start(root: Path, server: MessagesServer, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, **server.env()}
    return subprocess.Popen(
        [sys.executable, "-m", "docagent", "batch", str(root), "--provider", "anthropic", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def held_server():
    """A Messages server whose first answer per target waits for ``release()``."""
    with MessagesServer(from_prompt=True) as server:
        server.hold()
        server.faults = {f"f{i}": ["hold"] for i in range(5)}
        yield server


def test_a_second_run_stops_and_every_target_is_paid_and_decided_once(repo_factory, held_server):
    root = repo_factory({"mod.py": CODE})
    first = start(root, held_server, "--apply")
    wait_for(lambda: held_server.started >= 1)  # the first run holds the lock, mid-request
    second = start(root, held_server, "--apply")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 2, err
    assert f"pid {first.pid}" in err and "another docagent run" in err
    assert len(err.strip().splitlines()) == 1
    held_server.release()
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert set(held_server.received.values()) == {1}  # each target drafted and paid once
    assert len(held_server.received) == 5
    with Store.open(root) as store:
        decided = Counter((d.path, d.qualname) for d in store.drafts() if store.history(d.id))
        assert decided and set(decided.values()) == {1}
        assert all(len(store.history(d.id)) == 1 for d in store.drafts())
    assert (root / ".docagent" / "run.lock").read_text() == ""  # released


def test_a_killed_runs_lock_is_taken_over(repo_factory, held_server):
    root = repo_factory({"mod.py": CODE})
    victim = start(root, held_server)
    wait_for(lambda: held_server.started >= 1)
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)  # waits, and closes the pipes
    assert (root / ".docagent" / "run.lock").read_text().strip() == str(victim.pid)
    held_server.release()
    again = start(root, held_server)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert f"took over the run lock of pid {victim.pid}" in err


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    with run_lock(tmp_path) as held:
        assert held.stale_pid is None
        with pytest.raises(RunLocked, match=f"pid {os.getpid()}"), run_lock(tmp_path):
            pass
    with run_lock(tmp_path):  # released on exit
        pass


def test_a_planted_lock_symlink_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    root = tmp_path / "repo"
    (root / ".docagent").mkdir(parents=True)
    (root / ".docagent" / "run.lock").symlink_to(victim)
    with pytest.raises(DocagentError, match="cannot open the run lock"), run_lock(root):
        pass
    assert victim.read_text() == "precious\n"


def test_estimate_takes_no_lock(repo_factory, tmp_path):
    from docagent.batch import run_batch

    root = repo_factory({"mod.py": CODE})
    with run_lock(root):
        summary = run_batch(root, estimate_only=True, progress=False, quiet=True)
    assert summary["estimate_only"]
