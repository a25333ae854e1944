"""`apply` writes its files in groups synced together, with the crash safety of one-by-one writes.

Each file of a group is written next to its target and every one of them is synced before any
is renamed; each folder is synced once after the renames. So a kill or a power loss leaves each
file with its old bytes or its new ones. Every decision of a group is an intent before the
group is written and confirmed (in one transaction) after it: a killed `apply` leaves intents
that the next run settles from the files.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from killing import run_killed

from docagent import writes
from docagent.apply_proposals import apply_proposals
from docagent.cli import main
from docagent.proposals import Proposal
from docagent.store import Store

FILES = {
    "a.py": "def area(w, h):\n    return w * h\n",
    "pkg/b.py": "def base(x):\n    return x\n\n\ndef top(x):\n    return base(x)\n",
}
RECORDS = [("a.py", "area", "Area."), ("pkg/b.py", "base", "Base."), ("pkg/b.py", "top", "Top.")]


def _proposals(path: Path) -> Path:
    path.write_text(
        "".join(
            json.dumps({"path": p, "qualname": q, "text": t, "status": "accepted"}) + "\n"
            for p, q, t in RECORDS
        )
    )
    return path


def _docstrings(root: Path) -> int:
    return sum((root / p).read_text().count('"""') // 2 for p in FILES)


def test_a_group_is_synced_before_any_file_is_replaced(
    repo_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All new files are synced, then renamed, then each folder synced once: fewer syncs than
    a synced write per file, and none of a file's new bytes can be lost after its rename."""
    root = repo_factory(FILES)
    events: list[tuple[str, str]] = []
    real_sync, real_replace, real_dir = writes._sync_paths, os.replace, writes._fsync_dir

    def sync_paths(paths: list[str]) -> list[OSError | None]:
        events.extend(("sync", p) for p in paths)
        return real_sync(paths)

    def replace(src: Any, dst: Any) -> None:
        events.append(("replace", str(src)))
        real_replace(src, dst)

    def fsync_dir(directory: str) -> None:
        events.append(("dir", directory))
        real_dir(directory)

    monkeypatch.setattr(writes, "_sync_paths", sync_paths)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(writes, "_fsync_dir", fsync_dir)
    records = [Proposal(p, q, t, status="accepted") for p, q, t in RECORDS]
    report = apply_proposals(root, records)
    assert len(report.applied) == 3 and _docstrings(root) == 3
    kinds = [k for k, _ in events]
    assert kinds == ["sync", "sync", "replace", "replace", "dir", "dir"]
    assert [p for k, p in events if k == "sync"] == [p for k, p in events if k == "replace"]
    folders = {str(root.resolve()), str(root.resolve() / "pkg")}
    assert {p for k, p in events if k == "dir"} == folders


def test_a_file_changed_during_the_groups_sync_is_left_alone(
    repo_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file someone saves while the group is being written keeps their bytes; its records
    are refused, the other files are written and no temporary file stays behind."""
    root = repo_factory(FILES)
    theirs = "def area(w, h):\n    return h * w\n"
    real_sync = writes._sync_paths

    def sync_paths(paths: list[str]) -> list[OSError | None]:
        (root / "a.py").write_text(theirs)
        return real_sync(paths)

    monkeypatch.setattr(writes, "_sync_paths", sync_paths)
    report = apply_proposals(root, [Proposal(p, q, t, status="accepted") for p, q, t in RECORDS])
    assert (root / "a.py").read_text() == theirs
    outcomes = {o.proposal.qualname: (o.outcome, o.reason) for o in report.outcomes}
    assert outcomes["area"] == ("refused", "a.py: the file changed while the edit was prepared")
    assert outcomes["base"][0] == outcomes["top"][0] == "applied"
    assert not [p for p in root.rglob("*.tmp")]


def test_a_file_whose_sync_fails_keeps_its_old_bytes(
    repo_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo_factory(FILES)
    real_sync = writes._sync_paths

    def sync_paths(paths: list[str]) -> list[OSError | None]:
        found = real_sync(paths)
        failed = OSError(5, "Input/output error")
        return [failed if "b.py" in p else e for p, e in zip(paths, found, strict=True)]

    monkeypatch.setattr(writes, "_sync_paths", sync_paths)
    report = apply_proposals(root, [Proposal(p, q, t, status="accepted") for p, q, t in RECORDS])
    assert (root / "pkg/b.py").read_text() == FILES["pkg/b.py"]
    outcomes = {o.proposal.qualname: (o.outcome, o.reason) for o in report.outcomes}
    assert outcomes["base"] == ("refused", "pkg/b.py: cannot write: Input/output error")
    assert outcomes["area"][0] == "applied" and '"""Area."""' in (root / "a.py").read_text()
    assert report.changed_files == ["a.py"]
    assert not [p for p in root.rglob("*.tmp")]


#: where an ``apply`` process is SIGKILLed: (patched target, kill on which call)
_KILLS = {
    # every intent of the group is recorded; no file is written
    "before the write": ("docagent.code.edit.write_atomic_many", 1),
    # the first file is renamed, the second is not (its synced temporary file is left)
    "between renames": ("os.replace", 2),
    # both files are written; no decision is confirmed (the group's are one transaction)
    "after the write": ("docagent.store.Store.confirm_intents", 1),
}


def _killed_apply(root: Path, proposals: Path, where: str) -> subprocess.CompletedProcess[str]:
    target, nth = _KILLS[where]
    return run_killed(target, nth, ["apply", str(proposals), "--repo", str(root)])


@pytest.mark.parametrize("where", list(_KILLS))
def test_a_killed_apply_leaves_old_or_new_files_and_the_next_run_settles_the_log(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    root = repo_factory(FILES)
    proposals = _proposals(root.parent / "p.jsonl")
    proc = _killed_apply(root, proposals, where)
    assert proc.returncode == -9, proc.stderr
    for path, text in FILES.items():  # each file is its old bytes or its whole new text
        now = (root / path).read_text()
        assert now == text or now.count('"""') == 2 * sum(p == path for p, _, _ in RECORDS)
    written = {"before the write": 0, "between renames": 1}.get(where, 3)
    assert _docstrings(root) == written
    with Store.open(root) as store:
        assert (len(store.decisions()), len(store.intents())) == (0, 3)
    assert main(["apply", str(proposals), "--repo", str(root)]) == 0
    capsys.readouterr()
    assert _docstrings(root) == 3
    assert not [p for p in root.rglob("*.tmp")]
    with Store.open(root) as store:
        assert store.intents() == []
        decided = sorted((r.qualname, r.decision) for r in store.decisions())
    assert decided == [("area", "accept"), ("base", "accept"), ("top", "accept")]


def test_a_groups_intents_are_recorded_and_confirmed_all_or_none(tmp_path: Path) -> None:
    """One transaction each: a confirmation that cannot be made (an unknown intent) confirms
    none of the group, and the intents stay for the next run to settle."""
    from docagent.errors import DocagentError
    from docagent.store import DraftRecord

    with Store(tmp_path / "log.db") as store:
        run = store.start_run("apply")
        drafts = [
            store.record_draft(run, DraftRecord(path="m.py", qualname=q, kind="function", text=t))
            for q, t in (("f", "F."), ("g", "G."))
        ]
        ids = store.record_intents(
            [(d, "accept", "m.py", q, t) for d, q, t in zip(drafts, "fg", "FG", strict=True)],
            mode="apply",
        )
        assert [i.qualname for i in store.intents()] == ["f", "g"]
        with pytest.raises(DocagentError):
            store.confirm_intents([ids[0], 999_999])
        assert store.decisions() == [] and len(store.intents()) == 2
        store.confirm_intents(ids[:1])
        store.drop_intents(ids[1:])
        assert [(r.decision, r.mode) for r in store.decisions()] == [("accept", "apply")]
        assert store.intents() == []
