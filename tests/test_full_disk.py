"""A full disk: a clear one-line error, the user's files untouched, nothing already saved lost."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.code.edit import DocEdit, apply_file_edits
from docagent.errors import DocagentError
from docagent.store import DraftRecord, Store

SRC = "def f(x):\n    return x\n"


def _no_space(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_edit_on_a_full_disk_is_refused_and_the_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.py").write_text(SRC)
    monkeypatch.setattr("docagent.code.edit.os.fsync", _no_space)
    result = apply_file_edits(tmp_path, "m.py", [DocEdit("f", "Return x.")])
    assert not result.written
    assert result.refused == [("f", "m.py: cannot write: No space left on device")]
    assert (tmp_path / "m.py").read_text() == SRC
    assert sorted(os.listdir(tmp_path)) == ["m.py"]  # no temporary file left behind


def test_decision_log_full_keeps_what_was_saved(tmp_path: Path) -> None:
    store = Store.open(tmp_path, str(tmp_path / "log.db"))
    run = store.start_run("tui", "offline", "offline-2", "p")
    kept = store.record_draft(run, DraftRecord("m.py", "f", "function", "Return x."))
    store.record_decision(kept, "accept", reviewer="ana")
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now "full"
    with pytest.raises(DocagentError) as info:
        for n in range(200):
            store.record_draft(run, DraftRecord("m.py", f"g{n}", "function", "x" * 4000))
    message = str(info.value)
    assert "disk is full" in message and "\n" not in message and "log.db" in message
    store.close()
    with Store.open(tmp_path, str(tmp_path / "log.db")) as again:
        assert [d.decision for d in again.history(kept)] == ["accept"]


def test_proposals_out_on_a_full_disk_is_one_line(
    repo_factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo_factory({"m.py": SRC})
    monkeypatch.chdir(root)
    import docagent.proposals as proposals

    monkeypatch.setattr(proposals, "append_proposal", _no_space)
    monkeypatch.setattr(proposals, "write_proposals", _no_space)
    code = main(["batch", "--out", "p.jsonl"])
    err = capsys.readouterr().err
    assert code == 1
    assert "No space left on device" in err
    assert "Traceback" not in err
    assert (root / "m.py").read_text() == SRC
