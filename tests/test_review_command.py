"""``docagent review`` the command: flag handling, --proposals and --readme."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from review_helpers import FILES, decisions, docstring_of, make_session, wait_for, wait_shown

from docagent.cli import main
from docagent.review import ReviewApp
from docagent.review.screens import SummaryScreen


def test_bad_proposals_file_is_a_usage_error(
    repo_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repo_factory(FILES)
    bad = tmp_path / "p.jsonl"
    bad.write_text("{not json\n")
    assert main(["review", str(repo), "--proposals", str(bad)]) == 2
    assert "p.jsonl" in capsys.readouterr().err


def test_review_is_not_imported_by_the_library() -> None:
    import subprocess
    import sys

    code = "import docagent.session, docagent.cli, sys; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "False"


async def test_proposals_file_is_reviewed_with_its_own_texts(repo_factory: Any) -> None:
    from docagent.proposals import read_proposals

    repo = repo_factory(FILES)
    path = repo.parent / "proposals.jsonl"
    records = [
        {"path": "calc.py", "qualname": "add", "text": "Add a and b.", "status": "proposed"},
        {"path": "calc.py", "qualname": "sub", "text": "Subtract b from a.", "status": "proposed"},
        {"path": "calc.py", "qualname": "gone", "text": "Nothing.", "status": "proposed"},
        {"path": "calc.py", "qualname": "mul", "text": "No.", "status": "rejected"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    proposals = read_proposals(path)
    app = ReviewApp(
        make_session(repo), prepare=lambda s: s.prepare_proposals(proposals), clock=lambda: 0.0
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_shown(pilot, app)
        assert [i.qualname for i in app.items] == ["add", "sub"]
        await pilot.press("a")
        await wait_shown(pilot, app)
        await pilot.press("r", "enter")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("enter")
    assert docstring_of(repo, "add") == "Add a and b."
    assert docstring_of(repo, "sub") is None
    assert decisions(repo) == [("add", "accept", ""), ("sub", "reject", "wrong")]
