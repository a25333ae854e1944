"""The project's own promises: README's first commands, CI running them, the sample job."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import git

from docagent.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_one() -> None:
    setup, tests = _readme_commands()
    assert "pip install" in setup and "docagent batch examples/sample" in setup
    assert tests.startswith(".venv/bin/python -m pytest")
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_main_job_runs_offline_on_the_sample(tmp_path: Path, capsys, monkeypatch) -> None:
    """What the README's first command runs, in a fresh copy: offline drafts, no file changed."""
    repo = tmp_path / "clone"
    shutil.copytree(ROOT / "examples", repo / "examples")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "sample")
    monkeypatch.chdir(repo)
    before = (repo / "examples/sample/inventory.py").read_bytes()
    out = ".docagent/sample-proposals.jsonl"
    assert main(["batch", "examples/sample", "--out", out]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["provider"] == "offline" and "offline" in captured.err
    assert summary["drafted"] == summary["targets"] > 5 and summary["failed"] == 0
    records = [json.loads(line) for line in (repo / out).read_text().splitlines()]
    assert {r["qualname"] for r in records} >= {"Inventory.remove", "parse_line", "Item"}
    assert (repo / "examples/sample/inventory.py").read_bytes() == before
