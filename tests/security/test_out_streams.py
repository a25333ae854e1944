"""``--out`` of batch, report, eval and export: devices, FIFOs and ``-`` are written as streams."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from conftest import make_repo

from docagent.cli import main

MODULE = (
    '"""Helpers."""\n\n\ndef add(a, b):\n    """Return a plus b."""\n    return a + b\n\n\n'
    "def sub(a, b):\n    return a - b\n"
)
CASE = {
    "id": "calc.py::add",
    "path": "calc.py",
    "qualname": "add",
    "kind": "function",
    "source": "def add(a, b):\n    return a + b\n",
    "reference": "Return a plus b.",
    "style": "google",
    "tags": ["function"],
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", {"calc.py": MODULE})
    (root / "evals").mkdir()
    (root / "evals" / "cases.jsonl").write_text(json.dumps(CASE) + "\n", encoding="utf-8")
    return root


def _commands(root: Path, out: str) -> dict[str, list[str]]:
    return {
        "batch": ["batch", str(root), "--provider", "offline", "--out", out],
        "report": ["report", "--repo", str(root), "--format", "json", "--out", out],
        "eval": ["eval", "--provider", "offline", "--repo", str(root), "--out", out],
        "export": ["export", "--repo", str(root), "--out", out],
    }


@pytest.mark.parametrize("command", ["batch", "report", "eval", "export"])
def test_out_to_a_fifo_streams_into_it(repo: Path, tmp_path: Path, command: str, capsys) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    assert main(_commands(repo, str(fifo))[command]) in (0, 1)
    thread.join(timeout=30)
    assert not thread.is_alive(), "the reader never saw the end of the stream"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO, not replaced by a file
    if command == "batch":  # every proposal arrived through the one stream
        records = [json.loads(line) for line in received[0].decode().splitlines()]
        assert {r["qualname"] for r in records} >= {"sub"}
    elif command != "export":
        assert received[0].strip()


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root")
@pytest.mark.parametrize("command", ["batch", "report", "eval", "export"])
def test_out_to_a_device_keeps_the_device(repo: Path, tmp_path: Path, command: str) -> None:
    null = tmp_path / "mynull"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    assert main(_commands(repo, str(null))[command]) in (0, 1)
    st = os.stat(null)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)


def test_batch_out_dash_writes_proposals_to_stdout(repo: Path, capsys) -> None:
    assert main(["batch", str(repo), "--provider", "offline", "--out", "-"]) in (0, 1)
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert {r["qualname"] for r in records} >= {"sub"}
    assert '"targets"' in captured.err  # the summary moved to stderr


@pytest.mark.parametrize("command", ["report", "eval", "export"])
def test_out_dash_is_stdout(repo: Path, command: str, capsys) -> None:
    assert main(_commands(repo, "-")[command]) in (0, 1)
    captured = capsys.readouterr()
    assert not (Path.cwd() / "-").exists()
    if command != "export":
        assert captured.out.strip()
