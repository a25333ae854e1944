"""An edited file stays the same file: owner, group, mode, hard links; no stray temp files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_repo

from docagent.cli import main

SOURCE = "def f(x):\n    return x\n"
TEXT = "Return x unchanged."


def _apply(root: Path, tmp_path: Path, qualname: str = "f", text: str = TEXT) -> int:
    proposals = tmp_path / "p.jsonl"
    record = {"path": "mod.py", "qualname": qualname, "text": text, "status": "accepted"}
    proposals.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return main(["apply", str(proposals), "--repo", str(root)])


def _strays(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".tmp"))


def test_edit_keeps_mode_and_hard_links(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"mod.py": SOURCE})
    mod = root / "mod.py"
    os.chmod(mod, 0o640)
    link = tmp_path / "linked-copy.py"
    os.link(mod, link)
    inode = mod.stat().st_ino
    assert _apply(root, tmp_path) == 0
    assert mod.stat().st_ino == inode  # the same file, so the other link sees the edit
    assert link.read_text() == mod.read_text() and TEXT in mod.read_text()
    assert mod.stat().st_nlink == 2
    assert oct(mod.stat().st_mode & 0o777) == oct(0o640)
    assert _strays(root) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file another owner needs root")
def test_edit_as_root_keeps_owner_and_group(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"mod.py": SOURCE})
    mod = root / "mod.py"
    os.chown(mod, 4321, 8765)
    os.chmod(mod, 0o604)
    assert _apply(root, tmp_path) == 0
    st = mod.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (4321, 8765, 0o604)
    assert TEXT in mod.read_text()


_KILLED_WRITER = """
import os, sys, time
from docagent import writes
stage = sys.argv[2]
if stage == "rename":
    os.replace = lambda *a: (print("ready", flush=True), time.sleep(60))
else:  # kill halfway through rewriting a hard-linked file in place
    def half(real, data):
        with open(real, "r+b") as fh:
            fh.write(data[: len(data) // 2])
            fh.truncate()
            fh.flush()
        print("ready", flush=True)
        time.sleep(60)
    writes._copy_into = half
writes.write_atomic(sys.argv[1], sys.argv[3].encode())
"""


@pytest.mark.parametrize("stage", ["rename", "in-place"])
def test_kill_mid_write_leaves_no_stray_temp(tmp_path: Path, stage: str) -> None:
    root = make_repo(tmp_path / "repo", {"mod.py": SOURCE, "other.py": "def g():\n    pass\n"})
    mod = root / "mod.py"
    if stage == "in-place":
        os.link(mod, tmp_path / "second-link.py")
    new = '"""Module."""\n' + SOURCE
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(mod), stage, new],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()  # waits, and closes the pipe
    assert _strays(root)  # the kill left a temporary file behind ...
    # ... which the next run finishes or removes (an edit of another file in the folder)
    proposals = tmp_path / "p.jsonl"
    record = {"path": "other.py", "qualname": "g", "text": "G.", "status": "accepted"}
    proposals.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["apply", str(proposals), "--repo", str(root)]) == 0
    assert _strays(root) == []
    assert mod.read_text() in (SOURCE, new)  # old or new, never torn
    if stage == "in-place":
        assert mod.read_text() == new and (tmp_path / "second-link.py").read_text() == new


def test_temp_files_are_invisible_to_git(tmp_path: Path, capsys) -> None:
    root = make_repo(tmp_path / "repo", {"mod.py": SOURCE})
    assert main(["scan", str(root)]) in (0, 1)
    capsys.readouterr()
    (root / ".mod.py.docagent-999999-0123abcd.tmp").write_text("x")
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert "docagent" not in status
