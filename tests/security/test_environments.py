"""Untracked virtual environments and caches are not the project's code: skipped by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_repo

from docagent.cli import main

INSTALLED = "def installed(a):\n    return a\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", {"app.py": "def mine(a):\n    return a\n"})
    untracked = {
        "venv/lib/python3.11/site-packages/lib1.py": INSTALLED,
        ".venv/lib/lib2.py": INSTALLED,
        "env/lib3.py": INSTALLED,
        "pkg/__pycache__/lib4.py": INSTALLED,
        "vendor/site-packages/lib5.py": INSTALLED,
        "myenv/lib/python3.11/lib6.py": INSTALLED,  # a venv by its pyvenv.cfg, any name
        "myenv/pyvenv.cfg": "home = /usr/bin\n",
        "newcode/fresh.py": INSTALLED,  # untracked but the project's own: still scanned
    }
    for rel, text in untracked.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _paths(capsys, *args: str) -> set[str]:
    assert main(["scan", "--json", *args]) in (0, 1)
    return {t["path"] for t in json.loads(capsys.readouterr().out)["targets"]}


def test_environments_are_skipped_by_default(repo: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    assert _paths(capsys) == {"app.py", "newcode/fresh.py"}


def test_a_setting_includes_them(repo: Path, capsys, monkeypatch) -> None:
    (repo / "pyproject.toml").write_text("[tool.docagent]\ninclude_environments = true\n")
    monkeypatch.chdir(repo)
    assert len(_paths(capsys)) == 8


def test_batch_apply_never_writes_into_a_venv(repo: Path, capsys) -> None:
    lib = repo / "venv/lib/python3.11/site-packages/lib1.py"
    assert main(["batch", str(repo), "--provider", "offline", "--apply"]) in (0, 1)
    capsys.readouterr()
    assert lib.read_text() == INSTALLED
    assert '"""' in (repo / "app.py").read_text()
