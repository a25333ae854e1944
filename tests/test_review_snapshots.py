"""Snapshot tests of the review TUI: main screen, reason picker, editor and summary (100x30).

Deterministic: a fixed repository, the offline drafter, a fixed clock, no spinner (every
screenshot waits for the draft), no cursor blink.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from review_helpers import FILES, make_app, wait_for, wait_shown
from textual.widgets import TextArea

from docagent.review.screens import EditorScreen, ReasonScreen, SummaryScreen

SIZE = (100, 30)


@pytest.fixture
def repo(repo_factory: Any) -> Path:
    """The fixed calculator repository."""
    return repo_factory(FILES)


async def _ready(pilot: Any) -> None:
    await wait_shown(pilot, pilot.app)
    await pilot.pause()


def test_main_screen(repo: Path, snap_compare: Any) -> None:
    """A missing target: the draft is shown in place as inserted lines, checks pass."""
    assert snap_compare(make_app(repo), terminal_size=SIZE, run_before=_ready)


def test_main_screen_stale_target(repo: Path, snap_compare: Any) -> None:
    """A stale target: the old docstring is shown as removed, the new one as inserted."""

    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        await pilot.press("n")
        await _ready(pilot)

    assert snap_compare(make_app(repo), terminal_size=SIZE, run_before=run_before)


def test_reason_picker(repo: Path, snap_compare: Any) -> None:
    """``r`` opens the reason picker over the main screen."""

    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReasonScreen))
        await pilot.pause()

    assert snap_compare(make_app(repo), terminal_size=SIZE, run_before=run_before)


def test_editor(repo: Path, snap_compare: Any) -> None:
    """``e`` opens the editor on the draft text."""

    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, EditorScreen))
        pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(repo), terminal_size=SIZE, run_before=run_before)


def test_summary(repo: Path, snap_compare: Any) -> None:
    """``q`` after accept, reject and skip shows the summary."""

    async def run_before(pilot: Any) -> None:
        await _ready(pilot)
        await pilot.press("a")
        await _ready(pilot)
        await pilot.press("r", "enter")
        await _ready(pilot)
        await pilot.press("s")
        await _ready(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
        await pilot.pause()

    assert snap_compare(make_app(repo), terminal_size=SIZE, run_before=run_before)
