"""An offline batch drafts in a second process while the first logs (docagent/draft_ahead.py).

What a user notices: nothing but the time. The proposals, the logged drafts (context, text,
checks) and the summary are those of a run drafting in one process, also when the worker must
give up part-way (the log holds another draft under a target's key, a file changes during the
run, drafting a target fails); and a ``kill -9`` of the run leaves no worker behind.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from docagent import batch, draft_ahead
from docagent.draft.drafter import Drafter

#: enough targets for a worker (draft_ahead.MIN_ITEMS), with calls within and across files
N = 30


def _module(name: str, other: str) -> str:
    lines = [f'"""Module {name}."""\n', f"from pkg.{other} import {other}_0\n\n"]
    for i in range(N):
        call = f"{name}_{i - 1}(x) + " if i else f"{other}_0(x) + "
        lines.append(f"\ndef {name}_{i}(x, y=1):\n    return {call}y\n\n")
    lines.append(
        f"\nclass {name.title()}Box:\n"
        "    def __init__(self, size):\n        self.size = size\n\n"
        f"    def grow(self, n):\n        return {name}_3(n) * self.size\n"
    )
    return "".join(lines)


FILES = {
    "pkg/__init__.py": "",
    "pkg/alpha.py": _module("alpha", "beta"),
    "pkg/beta.py": _module("beta", "gamma"),
    "pkg/gamma.py": _module("gamma", "alpha"),
}


def _run(root: Path, out: Path | None, **options) -> dict:
    summary = batch.run_batch(
        root, provider="offline", out=out, progress=False, quiet=True, **options
    )
    for varying in ("run_id", "duration_s", "out"):
        summary.pop(varying)
    return summary


def _records(out: Path) -> list[dict]:
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    for row in rows:
        row.pop("draft_id")
    return rows


def _logged(root: Path) -> list[tuple]:
    with sqlite3.connect(root / ".docagent" / "docagent.db") as conn:
        return conn.execute(
            "SELECT path, qualname, code_sha, text, context_json, checks_json, cache_key,"
            " original_docstring, error FROM drafts ORDER BY path, qualname"
        ).fetchall()


@pytest.fixture
def takes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each draft asked of the worker came from it (True) or not (False)."""
    seen: list[bool] = []
    real = draft_ahead.DraftAhead.take

    def counting(self, item):  # noqa: ANN001, ANN202
        draft = real(self, item)
        seen.append(draft is not None)
        return draft

    monkeypatch.setattr(draft_ahead.DraftAhead, "take", counting)
    return seen


def _in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draft_ahead, "MIN_ITEMS", 10**9)


def _pair(repo_factory, tmp_path: Path) -> tuple[Path, Path]:
    return repo_factory(FILES, name="ahead"), repo_factory(FILES, name="alone")


def test_the_worker_drafts_what_one_process_drafts(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, takes: list[bool]
) -> None:
    ahead, alone = _pair(repo_factory, tmp_path)
    with_worker = _run(ahead, tmp_path / "a.jsonl")
    assert takes and all(takes) and len(takes) == with_worker["drafted"] > draft_ahead.MIN_ITEMS
    takes.clear()
    _in_one_process(monkeypatch)
    without = _run(alone, tmp_path / "b.jsonl")
    assert not takes
    assert with_worker == without
    assert _records(tmp_path / "a.jsonl") == _records(tmp_path / "b.jsonl")
    assert _logged(ahead) == _logged(alone)
    # callers saw their callees' drafts: a caller's logged context quotes its callee's draft
    contexts = {row[1]: row[4] for row in _logged(ahead)}
    texts = {row[1]: row[3] for row in _logged(ahead)}
    assert texts["alpha_4"].splitlines()[0] in contexts["alpha_5"]


def test_a_different_draft_in_the_log_stops_the_worker(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, takes: list[bool]
) -> None:
    """The log holds a draft under a target's cache key (an earlier review session's) whose
    text differs from the worker's: the run uses the log's, as drafting in one process does,
    and drafts the rest itself (its callers see that text)."""
    ahead, alone = _pair(repo_factory, tmp_path)
    for root in (ahead, alone):
        _run(root, tmp_path / "first.jsonl")
        with sqlite3.connect(root / ".docagent" / "docagent.db") as conn:
            conn.execute("UPDATE runs SET mode = 'review'")  # not reused by key, only by cache
            conn.execute(
                "UPDATE drafts SET text = 'Doubles the value, then some.' "
                "WHERE qualname = 'beta_10'"
            )
    takes.clear()
    with_worker = _run(ahead, tmp_path / "a.jsonl")
    assert True in takes and takes[-1] is not None
    assert len(takes) < with_worker["drafted"] + with_worker["reused"]  # stopped part-way
    _in_one_process(monkeypatch)
    without = _run(alone, tmp_path / "b.jsonl")
    assert with_worker == without
    assert _records(tmp_path / "a.jsonl") == _records(tmp_path / "b.jsonl")
    assert _logged(ahead) == _logged(alone)
    by_name = {r["qualname"]: r["text"] for r in _records(tmp_path / "a.jsonl")}
    assert by_name["beta_10"] == "Doubles the value, then some."


def test_a_file_changed_during_the_run_is_drafted_as_it_now_is(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, takes: list[bool]
) -> None:
    """``alpha_4``'s code changes on disk after the worker drafted it (from the old code) and
    before the run logs it: the run drafts it (and the rest) from the new code, as drafting in
    one process does."""
    ahead, alone = _pair(repo_factory, tmp_path)
    here = os.getpid()
    marker = tmp_path / "worker-drafted-alpha_4"
    real = Drafter.draft

    async def marking(self, facts, target, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        draft = await real(self, facts, target, *args, **kwargs)
        if target.qualname == "alpha_4" and os.getpid() != here:
            marker.touch()
        return draft

    monkeypatch.setattr(Drafter, "draft", marking)

    handled: list[str] = []

    def editing(root: Path, worker: bool):
        def on_draft(item, draft) -> None:  # noqa: ANN001
            handled.append(item.qualname)
            if item.qualname != "alpha_3":  # handled just before alpha_4
                return
            deadline = time.monotonic() + 20
            while worker and not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            path = root / "pkg/alpha.py"
            path.write_text(path.read_text().replace("alpha_3(x) + y", "alpha_3(x) - y"))
            stamp = time.time() + 5
            os.utime(path, (stamp, stamp))

        return on_draft

    with_worker = _run(ahead, tmp_path / "a.jsonl", on_draft=editing(ahead, True))
    # the worker's draft of alpha_4 was the last one asked of it
    assert marker.exists() and all(takes) and len(takes) == handled.index("alpha_4") + 1
    _in_one_process(monkeypatch)
    without = _run(alone, tmp_path / "b.jsonl", on_draft=editing(alone, False))
    assert with_worker == without
    assert _records(tmp_path / "a.jsonl") == _records(tmp_path / "b.jsonl")
    assert _logged(ahead) == _logged(alone)
    assert "-" in next(r for r in _logged(ahead) if r[1] == "alpha_4")[4]  # the new code


def test_a_target_the_worker_fails_on_is_drafted_and_reported_here(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, takes: list[bool]
) -> None:
    ahead, alone = _pair(repo_factory, tmp_path)
    real = Drafter.draft

    async def failing(self, facts, target, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if target.qualname == "alpha_7":
            raise RuntimeError("the drafter broke on alpha_7")
        return await real(self, facts, target, *args, **kwargs)

    monkeypatch.setattr(Drafter, "draft", failing)
    with_worker = _run(ahead, tmp_path / "a.jsonl")
    assert False in takes
    assert with_worker["failures"] == [
        {
            "path": "pkg/alpha.py",
            "qualname": "alpha_7",
            "reason": "internal error: RuntimeError: the drafter broke on alpha_7",
        }
    ]
    _in_one_process(monkeypatch)
    without = _run(alone, tmp_path / "b.jsonl")
    assert with_worker == without
    assert _records(tmp_path / "a.jsonl") == _records(tmp_path / "b.jsonl")


def test_no_worker_for_a_small_run_or_a_model(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, takes: list[bool]
) -> None:
    small = repo_factory({"m.py": "def f(x):\n    return x\n"}, name="small")
    _run(small, tmp_path / "s.jsonl")
    assert not takes  # one target: drafted here
    root = repo_factory(FILES, name="apply")
    summary = _run(root, None, apply=True)  # --apply: drafts are applied as files are done
    assert not takes and summary["applied"] > draft_ahead.MIN_ITEMS


def test_kill_9_of_the_run_leaves_no_worker_and_the_next_run_completes(
    repo_factory, tmp_path: Path
) -> None:
    from killing import run_killed

    root = repo_factory(FILES, name="killed")
    out = tmp_path / "p.jsonl"
    argv = ["batch", str(root), "--provider", "offline", "--out", str(out)]
    proc = run_killed("docagent.store.api.Store.record_draft", 40, argv)
    assert proc.returncode == -9, proc.stderr
    deadline = time.monotonic() + 10
    while _workers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _workers()
    lines = out.read_text().splitlines()
    assert 0 < len(lines) < 40 and all(json.loads(line) for line in lines)
    summary = _run(root, out)
    assert summary["failed"] == 0 and summary["reused"] >= len(lines)
    assert summary["drafted"] + summary["reused"] == summary["targets"] == len(_records(out))


def _workers() -> list[int]:
    """Live processes running the killed run's script (its worker outlives it otherwise)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if b"Store.record_draft" in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def test_a_worker_that_cannot_read_a_target_hands_it_back_without_a_traceback(
    repo_factory, tmp_path: Path
) -> None:
    """The worker fails to read a target (here: an error raised in the worker only): the run
    drafts it and the rest itself, with nothing on stderr but its usual lines."""
    import subprocess
    import sys
    import textwrap

    ahead, alone = _pair(repo_factory, tmp_path)
    script = textwrap.dedent(
        """
        import os, sys
        from docagent import batch, draft_ahead
        from docagent.cli import main
        from docagent.session import Session
        here, real = os.getpid(), Session.target
        def unreadable_in_worker(self, item):
            if item.qualname == "gamma_2" and os.getpid() != here:
                raise OSError("the worker cannot read pkg/gamma.py")
            return real(self, item)
        Session.target = unreadable_in_worker
        if sys.argv[3] == "alone":
            draft_ahead.MIN_ITEMS = 10**9
        taken = []
        take = draft_ahead.DraftAhead.take
        def counting(self, item):
            draft = take(self, item)
            taken.append(draft is not None)
            return draft
        draft_ahead.DraftAhead.take = counting
        code = main(["batch", sys.argv[1], "--provider", "offline", "--out", sys.argv[2]])
        print("TAKEN", len(taken), taken.count(False), file=sys.stderr)
        sys.exit(code)
        """
    )
    runs = {}
    for root, mode in ((ahead, "ahead"), (alone, "alone")):
        out = tmp_path / f"{mode}.jsonl"
        proc = subprocess.run(
            [sys.executable, "-c", script, str(root), str(out), mode],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        runs[mode] = (proc.stderr, _records(out))
    err, records = runs["ahead"]
    assert "Traceback" not in err and "Error" not in err, err
    taken = next(line for line in err.splitlines() if line.startswith("TAKEN")).split()
    assert int(taken[1]) < len(records) and taken[2] == "1"  # handed back, then stopped
    assert records == runs["alone"][1]


def test_a_worker_only_for_a_drafter_without_a_model_on_two_cpus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    def session(name: str) -> SimpleNamespace:
        return SimpleNamespace(provider=SimpleNamespace(name=name))

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert draft_ahead.available(session("offline"), draft_ahead.MIN_ITEMS)
    assert not draft_ahead.available(session("offline"), draft_ahead.MIN_ITEMS - 1)
    for model in ("anthropic", "openai"):  # their drafts wait on a model: no worker
        assert not draft_ahead.available(session(model), 10_000)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert not draft_ahead.available(session("offline"), 10_000)  # one CPU: nothing to gain
