"""Test helpers: ``batch --out`` then ``apply`` of its records (facts cache tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docagent.apply_proposals import apply_proposals
from docagent.cli import main
from docagent.code.factscache import CACHE_NAME
from docagent.proposals import read_proposals

#: a module of two functions whose drafts the apply tests write back
MOD = '''"""Shapes."""


def area(width, height):
    return width * height


def perimeter(width, height):
    return 2 * (width + height)
'''
#: ``area``'s code changed after its draft
CHANGED = MOD.replace("return width * height", "return abs(width * height)")


def batch_out(root: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """``batch --out`` (offline drafts) on ``root``: the proposals file, and the facts cache."""
    out = root.parent / "p.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    capsys.readouterr()
    assert (root / ".docagent" / CACHE_NAME).is_file()
    return out


def apply_all(root: Path, out: Path, dry_run: bool = False) -> dict[str, tuple[str, str]]:
    """Apply every record of ``out``; each qualname's outcome and reason."""
    report = apply_proposals(root, read_proposals(out), include_all=True, dry_run=dry_run)
    return {o.proposal.qualname: (o.outcome, o.reason) for o in report.outcomes}
