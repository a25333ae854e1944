"""Pilot tests of every review flow, against the offline drafter and the loopback Messages API.

Each test drives the real app with keys and then checks what a user would: the file on disk
and the decision log.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from review_helpers import (
    CALC,
    FILES,
    decisions,
    docstring_of,
    history,
    make_app,
    shown,
    wait_for,
    wait_shown,
)
from servers import MessagesServer, reply_error
from textual.widgets import TextArea

from docagent.review.screens import EditorScreen, ReasonScreen, SummaryScreen
from docagent.review.widgets import CodeView

SIZE = (100, 30)
EDITED = "Add two integers.\n\nArgs:\n    a: Left.\n    b: Right.\n\nReturns:\n    a + b."
GOOD_TEXT = (  # servers.GOOD_DRAFT rendered in Google style
    "Add two numbers.\n\nArgs:\n    a: The first number.\n    b: The second number.\n\n"
    "Returns:\n    The sum of a and b."
)


@pytest.fixture(params=["offline", "anthropic"])
def provider(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the test with the offline drafter, then with the real SDK on a loopback server."""
    if request.param == "offline":
        yield None
        return
    server = MessagesServer()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def repo(repo_factory: Any) -> Path:
    """The fixed calculator repository."""
    return repo_factory(FILES)


async def test_accept_writes_the_docstring_and_logs_it(repo: Path, provider: Any) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        first = app.current_item()
        assert first is not None and first.qualname == "add"
        draft = app.queue.ready[first.key].draft
        expected_provider = "offline" if provider is None else "anthropic"
        assert draft.provider == expected_provider
        await pilot.press("a")
        await wait_shown(pilot, app)
        assert app.current_item() is not first  # moved on to the next target
        assert docstring_of(repo, "add") == draft.text
        assert first.state == "done"
    assert decisions(repo) == [("add", "accept", "")]
    if provider is not None:
        assert provider.calls("/v1/messages")  # drafts came from the Messages API


async def test_edit_then_ctrl_s_saves_the_persons_text(repo: Path, provider: Any) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        area = app.screen.query_one(TextArea)
        assert area.has_focus  # ctrl+s must work while the editor has focus
        area.text = EDITED
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditorScreen))
        await wait_shown(pilot, app)
    assert docstring_of(repo, "add") == EDITED
    assert decisions(repo) == [("add", "edit", "")]


async def test_escape_in_the_editor_cancels(repo: Path) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("x", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditorScreen))
        assert app.current_item().qualname == "add"
    assert (repo / "calc.py").read_text() == CALC
    assert decisions(repo) == []


async def test_reject_with_a_picked_reason(repo: Path, provider: Any) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonScreen))
        await pilot.press("down", "down", "enter")  # wrong, vague, [invented detail]
        await wait_for(pilot, lambda: not isinstance(app.screen, ReasonScreen))
        await wait_shown(pilot, app)
        assert app.items[0].state == "rejected"
    assert (repo / "calc.py").read_text() == CALC
    assert decisions(repo) == [("add", "reject", "invented detail")]


async def test_reject_other_takes_a_note(repo: Path) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonScreen))
        await pilot.press("end", "enter")
        await pilot.press(*"needs an example", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ReasonScreen))
    assert decisions(repo) == [("add", "reject", "other: needs an example")]


async def test_skip_moves_on_without_touching_the_file(repo: Path, provider: Any) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("s")
        await wait_shown(pilot, app)
        assert app.current_item().qualname != "add"
    assert (repo / "calc.py").read_text() == CALC
    assert decisions(repo) == [("add", "skip", "")]


async def test_regenerate_passes_the_hint_to_the_model(repo: Path, provider: Any) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        before = app.queue.ready[app.current_item().key].draft.draft_id
        await pilot.press("g")
        await pilot.press(*"mention overflow", "enter")
        await wait_for(
            pilot,
            lambda: shown(app) and app.queue.ready[app.current_item().key].draft.draft_id != before,
        )
        await pilot.press("a")
        await wait_shown(pilot, app)
    from docagent.store import Store

    with Store.open(repo) as store:
        hints = [d.context.get("hint") for d in store.drafts() if d.qualname == "add"]
    assert hints == [None, "mention overflow"]
    assert decisions(repo) == [("add", "accept", "")]
    if provider is not None:
        bodies = [json.dumps(r.json) for r in provider.calls("/v1/messages")]
        assert sum("mention overflow" in b for b in bodies) == 1


async def test_undo_restores_the_file_and_logs_undo(repo: Path, provider: Any) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("a")
        await wait_shown(pilot, app)
        assert docstring_of(repo, "add")
        await pilot.press("u")
        await wait_shown(pilot, app)
        assert app.current_item().qualname == "add"  # back on the undone target
        assert app.items[0].state == "pending"
        assert app.tally.accept_rate is None
    assert (repo / "calc.py").read_text() == CALC
    assert history(repo, "add") == ["accept", "undo"]
    assert decisions(repo) == [("add", "accept", "")]  # the row stays; reports see it undone


async def test_quit_shows_the_summary_then_exits(repo: Path, provider: Any) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("a")
        await wait_shown(pilot, app)
        await pilot.press("r", "enter")  # wrong
        await wait_shown(pilot, app)
        await pilot.press("s")
        await wait_shown(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        text = str(app.screen.query_one("#summary").render())
        assert "accept rate  50%" in text
        await pilot.press("enter")
    summary = app.return_value
    assert summary is not None
    assert (summary.accepted, summary.rejected, summary.skipped, summary.pending) == (1, 1, 1, 1)
    assert summary.changed_paths == ["calc.py"]
    assert [d[1] for d in decisions(repo)] == ["accept", "reject", "skip"]
    from docagent.store import Store

    with Store.open(repo) as store:
        (run,) = store.runs()
        assert run.mode == "tui" and run.ended_at


async def test_commit_on_quit_lists_targets_without_ai_attribution(repo: Path) -> None:
    app = make_app(repo, commit=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("a")
        await wait_shown(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("enter")
    assert app.return_value.commit.startswith("committed ")
    log = subprocess.run(
        ["git", "log", "-1", "--format=%B"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert log.startswith("docs: add docstrings to 1 target\n")
    assert "- calc.py: add" in log
    assert "docagent" not in log.lower() and "claude" not in log.lower()
    status = subprocess.run(
        ["git", "status", "--porcelain", "calc.py"], cwd=repo, capture_output=True, text=True
    ).stdout
    assert status == ""


async def test_model_error_is_a_notification_and_retry_works(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = MessagesServer()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
    monkeypatch.setenv("DOCAGENT_MAX_RETRIES", "0")
    server.queue(*[reply_error(400, "invalid_request_error", "bad thing")] * 4)
    try:
        app = make_app(repo, prefetch=0)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.loaded and app.queue.ready)
            item = app.current_item()
            assert app.queue.ready[item.key].draft.error
            await wait_for(  # notify() posts a message: the notification follows the draft
                pilot,
                lambda: any("press g to retry" in text.lower() for text in app.notification_texts),
            )
            await pilot.press("a")  # refused: nothing to accept
            assert (repo / "calc.py").read_text() == CALC
            server.replies.clear()
            await pilot.press("g", "enter")
            await wait_for(pilot, lambda: shown(app) and not app.queue.ready[item.key].draft.error)
            await pilot.press("a")
            await wait_shown(pilot, app)
        assert docstring_of(repo, "add") == GOOD_TEXT
    finally:
        server.close()


async def test_navigation_and_filter(repo: Path) -> None:
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        names = [i.qualname for i in app.items]
        await pilot.press("n")
        assert app.current_item().qualname == names[1]
        await pilot.press("down")
        assert app.current_item().qualname == names[2]
        await pilot.press("p")
        assert app.current_item().qualname == names[1]
        await pilot.press("slash", *"bump", "enter")
        await wait_shown(pilot, app)
        assert app.current_item().qualname == "Counter.bump"
        await pilot.press("question_mark")
        await pilot.press("escape")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.items[names.index("Counter.bump")].state == "done")
    assert docstring_of(repo, "Counter.bump")


async def test_works_at_80x24_and_stale_shows_old_docstring_removed(repo: Path) -> None:
    """Works at 80×24 and stale shows old docstring removed."""
    app = make_app(repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_shown(pilot, app)
        while app.current_item().qualname != "mul":
            await pilot.press("n")
        await wait_shown(pilot, app)
        preview = app.queue.ready[app.current_item().key].preview
        removed = [line.text.strip() for line in preview.lines if line.mark == "-"]
        assert "c: A number that is not there." in removed
        assert any(line.mark == "+" for line in preview.lines)
        assert app.main.query_one(CodeView).region.height >= 8


async def test_commit_on_a_new_branch(repo: Path) -> None:
    """``--commit --branch NAME`` commits the accepted docstring on a new branch."""
    app = make_app(repo, commit=True, commit_branch="docs/docstrings")
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("a")
        await wait_shown(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("enter")
    branch = subprocess.run(
        ["git", "branch", "--show-current"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert branch == "docs/docstrings"
    log = subprocess.run(
        ["git", "log", "-1", "--format=%B"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert "- calc.py: add" in log


def test_branch_without_commit_is_a_usage_error(repo: Path, capsys) -> None:
    """``--branch`` alone is refused with a one-line error before anything starts."""
    from docagent.cli import main

    assert main(["review", str(repo), "--branch", "x"]) == 2
    assert "--branch needs --commit" in capsys.readouterr().err
