"""Batch never crashes on one target: a whole-stdlib run lists failures and goes on (slow)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import STDLIB, git

from docagent.cli import main

RPC_LIKE = """class RPCServer:
    def __init__(self, addr):
        ""
        self.addr = addr

    def serve(self, n):
        return n


def register(name):
    ""
    return name


def lookup(key):
    return key
"""


def test_an_empty_docstring_in_a_class_or_module_does_not_stop_batch(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # idlelib/rpc.py: members and functions whose docstring is "" crashed the context pack
    root = repo_factory({"rpc.py": RPC_LIKE})
    out = tmp_path / "p.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["failed"] == 0 and summary["targets"] == summary["drafted"]
    drafted = {json.loads(line)["qualname"] for line in out.read_text().splitlines()}
    assert {"RPCServer", "RPCServer.serve", "lookup", "<module>"} <= drafted


@pytest.mark.slow
def test_offline_batch_over_the_whole_standard_library(tmp_path: Path) -> None:
    root = tmp_path / "stdlib"
    shutil.copytree(
        STDLIB,
        root,
        ignore=shutil.ignore_patterns("site-packages", "__pycache__", "test", "tests", "*.so"),
    )
    git(root, "init", "-q", "-b", "main")
    out = tmp_path / "p.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "docagent", "batch", str(root), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert summary["targets"] > 5_000  # 7,713 public targets on CPython 3.11
    assert summary["drafted"] + summary["reused"] + summary["failed"] == summary["targets"]
    assert all(f["reason"] for f in summary["failures"])
    records = out.read_text(encoding="utf-8").splitlines()
    assert len(records) == summary["proposed"] + summary["applied"]
