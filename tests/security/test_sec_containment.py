"""A repository cannot make docagent write outside it: tracked symlinks are never followed.

Attack: a tracked ``ext.py -> /outside/victim.py``; ``batch --apply`` wrote docstrings into the
outside file (``apply`` refused the same records, but the check lived only in apply.py). The
containment check now sits in the edit engine, the one place every write goes through, and
symlinked files are not targets at all (an in-repo alias is drafted once, not twice).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import git

from docagent.cli import main
from docagent.code.edit import DocEdit, apply_file_edits

VICTIM = "def stolen(x):\n    return x\n"
REAL = '"""Real module."""\n\n\ndef real(y):\n    return y\n'


@pytest.fixture
def hostile(repo_factory: Any, tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.py"
    victim.write_text(VICTIM)
    root = repo_factory({"real.py": REAL}, commit=False)
    os.symlink(victim, root / "ext.py")
    os.symlink("real.py", root / "alias.py")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "symlinks")
    return root, victim


def test_batch_apply_never_writes_through_a_symlink(
    hostile: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, victim = hostile
    main(["batch", str(root), "--apply"])
    summary = json.loads(capsys.readouterr().out)
    assert victim.read_text() == VICTIM
    assert (root / "ext.py").is_symlink() and (root / "alias.py").is_symlink()
    # real.py is drafted once (not again through alias.py); ext.py is not a target at all
    assert summary["targets"] == 1  # `real`, once
    assert summary["changed_files"] == ["real.py"]


def test_scan_lists_no_symlinked_file(hostile: tuple[Path, Path], capsys: Any) -> None:
    root, _ = hostile
    main(["scan", str(root), "--json"])
    paths = {t["path"] for t in json.loads(capsys.readouterr().out)["targets"]}
    assert paths == {"real.py"}


def test_the_edit_engine_refuses_a_path_that_resolves_outside(hostile: tuple[Path, Path]) -> None:
    root, victim = hostile
    result = apply_file_edits(root, "ext.py", [DocEdit("stolen", "Steal.")])
    assert not result.written
    assert result.refused == [("stolen", "ext.py: resolves outside the repository")]
    assert victim.read_text() == VICTIM
