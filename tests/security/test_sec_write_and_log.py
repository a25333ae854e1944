"""Write and log as one act: no docstring is ever in a file without its decision in the log.

The decision a write carries is recorded (as an *intent*) before the write and confirmed after
it; a process killed in between leaves an intent that the next run settles by looking at the
file. When the log cannot be written, nothing is written to any file from then on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from killing import run_killed
from review_helpers import make_session

from docagent.errors import DocagentError
from docagent.store import Store

MOD = '''"""Shapes."""


def area(width, height):
    return width * height


def perimeter(width, height):
    return 2 * (width + height)
'''


#: where a ``batch --apply`` process is SIGKILLed: (patched target, kill on which call)
_KILLS = {
    # the file's two accepts are written in one write; the kill comes before any is confirmed
    "after the write": ("docagent.store.Store.confirm_intent", 1),
    # one decision is confirmed, the other is still an intent
    "between confirms": ("docagent.store.Store.confirm_intent", 2),
    # both intents are recorded, the file is not written
    "before the write": ("docagent.code.edit.write_atomic", 1),
}


def _killed_run(root: Path, where: str) -> subprocess.CompletedProcess[str]:
    """``batch --apply`` in a process that is SIGKILLed at ``where`` (see :data:`_KILLS`)."""
    target, nth = _KILLS[where]
    return run_killed(target, nth, ["batch", str(root), "--apply"])


@pytest.mark.parametrize("where", list(_KILLS))
def test_a_kill_during_a_files_write_is_settled_by_the_next_run(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    root = repo_factory({"m.py": MOD})
    proc = _killed_run(root, where)
    assert proc.returncode == -9, proc.stderr
    text = (root / "m.py").read_text()
    written = where != "before the write"
    assert text.count('"""') == (6 if written else 2)  # both docstrings in one write, or none
    with Store.open(root) as store:
        decided = len(store.decisions())
        assert (decided, len(store.intents())) == (
            (1, 1) if where == "between confirms" else (0, 2)
        )
    from docagent.cli import main

    assert main(["batch", str(root), "--apply"]) == 0
    capsys.readouterr()
    with Store.open(root) as store:
        decided_now = sorted((r.qualname, r.decision) for r in store.decisions())
        assert store.intents() == []
    assert decided_now == [("area", "accept"), ("perimeter", "accept")]
    assert (root / "m.py").read_text().count('"""') == 6


def test_when_the_log_cannot_be_written_no_file_is_edited(
    repo_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo_factory({"m.py": MOD})
    session = make_session(root)
    session.prepare()
    drafts = {i.qualname: (i, session.draft_sync(i)) for i in session.items}

    def full(*args: Any, **kwargs: Any) -> int:
        raise DocagentError("database or disk is full")

    monkeypatch.setattr(session.store, "record_intent", full)
    before = (root / "m.py").read_bytes()
    outcome = session.accept(*drafts["area"])
    assert not outcome.ok and "decision log cannot be written" in outcome.message
    monkeypatch.undo()  # the disk has room again, but this session stays stopped
    assert not session.accept(*drafts["perimeter"]).ok
    assert (root / "m.py").read_bytes() == before
    session.close()


def test_batch_on_a_failing_log_edits_nothing_and_still_prints_its_summary(
    repo_factory: Any,
) -> None:
    root = repo_factory({"m.py": MOD})
    script = textwrap.dedent(
        f"""
        from docagent.errors import DocagentError
        from docagent.store import Store
        def full(self, *a, **k):
            raise DocagentError("database or disk is full")
        Store.record_intent = full
        from docagent.cli import main
        raise SystemExit(main(["batch", {str(root)!r}, "--apply"]))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["applied"] == 0 and summary["failed"] == 2
    assert all("decision log cannot be written" in f["reason"] for f in summary["failures"])
    assert (root / "m.py").read_text() == MOD


def test_apply_records_its_decisions_as_the_invoking_user(
    repo_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from docagent.cli import main

    root = repo_factory({"m.py": MOD})
    out = root.parent / "p.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    hand = root.parent / "hand.jsonl"  # a record no run of this log drafted
    record = {"path": "m.py", "qualname": "<module>", "text": "Shapes.\n\nAreas."}
    hand.write_text(json.dumps(record))
    assert main(["apply", str(out), "--all", "--repo", str(root)]) == 0
    assert main(["apply", str(hand), "--all", "--repo", str(root)]) == 0
    assert main(["apply", str(out), "--all", "--repo", str(root)]) == 0  # already applied
    capsys.readouterr()
    with Store.open(root) as store:
        rows = sorted((r.qualname, r.decision, r.mode) for r in store.decisions())
        reviewer = store.default_reviewer()
        assert {r.reviewer for r in store.decisions()} == {reviewer}
    assert rows == [
        ("<module>", "accept", "apply"),
        ("area", "accept", "apply"),
        ("perimeter", "accept", "apply"),
    ]
    assert main(["report", "--repo", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["auto_applied"] == 3 and report["overall"]["accepted"] == 0
