"""Docstrings docagent writes pass the formatter and docstring linter teams already run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docagent.batch import run_batch

FIXTURE = Path(__file__).parent / "fixtures" / "toolchain"
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


def _ruff(root: Path, *args: str) -> subprocess.CompletedProcess:
    assert RUFF, "ruff is a dev dependency"
    return subprocess.run([RUFF, *args], cwd=root, capture_output=True, text=True)


@pytest.mark.parametrize("style", ["google", "numpy"])
def test_applied_drafts_pass_ruff_format_and_pydocstyle(repo_factory, style):
    files = {f"pkg/{p.name}": p.read_text() for p in FIXTURE.glob("*.py")}
    files["pyproject.toml"] = f'[tool.docagent]\nstyle = "{style}"\n'
    root = repo_factory(files)
    before = _ruff(root, "format", "--isolated", "--check", ".")
    assert before.returncode == 0, before.stdout  # the fixture itself is formatted
    summary = run_batch(root, apply=True, progress=False, quiet=True)
    assert summary["applied"] >= 12, summary
    fmt = _ruff(root, "format", "--isolated", "--check", "--diff", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    # D1xx (missing docstrings) is coverage, which docagent scan measures; the rest is layout
    lint = _ruff(
        root,
        "check",
        "--isolated",
        "--select",
        "D",
        "--ignore",
        "D1",
        "--config",
        f'lint.pydocstyle.convention="{style}"',
        ".",
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
