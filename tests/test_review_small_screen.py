"""The review TUI at 80x24: the change on screen, a readable title, the keys, the filter.

Each test reads what the terminal shows (or where keys lead) at the smallest supported size.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from review_helpers import (
    FILES,
    code_rows,
    make_app,
    screen_rows,
    title_row,
    wait_for,
    wait_shown,
)

from docagent.review.screens import HelpScreen, ReasonScreen
from docagent.review.widgets import CodeView

SIZE = (80, 24)

#: a function whose signature lines wrap three times in the code view at 80 columns
LONG_PARAMS = "\n".join(
    f'    option_{n}: str = "a rather long default value number {n} that wraps around the'
    f' narrow code view several times",'
    for n in range(8)
)
WIDE = f'''"""Settings."""


def configure(
{LONG_PARAMS}
) -> int:
    return 1
'''

#: a stale docstring with a long reason, deep in a long path
DEEP = "src/somepackage/subpackage/internal/helpers/formatting.py"
STALE = '''"""Formatting."""


def naturalsize(value: float, binary: bool) -> str:
    """Format a size.

    Args:
        value: The size.
        an_option_that_was_removed_long_ago: Gone.
    """
    return str(value)
'''


@pytest.fixture
def repo(repo_factory: Any) -> Path:
    """The fixed calculator repository."""
    return repo_factory(FILES)


def _gutter(row: str) -> str | None:
    """The diff mark of a code row (``+``, ``-`` or `` ``), None for a wrapped continuation."""
    found = re.match(r"^\s*\d+ ([+\- ]) ", row)
    return found.group(1) if found else None


async def test_wrapped_lines_never_push_the_change_below_the_fold(repo_factory: Any) -> None:
    """Long wrapped lines above the docstring: the view scrolls to the first inserted line."""
    root = repo_factory({"settings.py": WIDE})
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.pause()
        rows = code_rows(app)
        marks = [_gutter(row) for row in rows]
        assert "+" in marks, "\n".join(rows)
        # the first change sits near the top, with a little context above it
        assert marks.index("+") <= len(rows) // 3 + 1


async def test_title_keeps_name_and_stale_reason_cut_in_the_middle(repo_factory: Any) -> None:
    """A long path and reason are shortened in the middle; name and reason's end stay."""
    root = repo_factory({DEEP: STALE})
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.pause()
        title = title_row(app)
    assert "naturalsize" in title
    assert "stale" in title
    assert "(documents" in title and "signature)" in title  # both ends of the reason
    assert "…" in title


async def test_title_line_follows_an_earlier_accept_in_the_file(repo: Path) -> None:
    """After accepting ``add``, ``mul`` further down is titled with its new line number."""
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        assert app.current_item().qualname == "add"
        await pilot.press("a")
        await wait_shown(pilot, app)
        while app.current_item().qualname != "mul":
            await pilot.press("n")
            await wait_shown(pilot, app)
        await pilot.pause()
        line = 1 + (repo / "calc.py").read_text().splitlines().index(
            "def mul(a: int, b: int) -> int:"
        )
        assert line > 8  # the docstring of add went in above it
        assert title_row(app).startswith(f"calc.py:{line} mul")
        shown = [row for row in code_rows(app) if "def mul(" in row]
        assert shown and shown[0].split()[0] == str(line)


async def test_scroll_keys_are_in_the_footer_and_help_and_scroll_the_code(
    repo_factory: Any,
) -> None:
    """PgDn/PgUp are shown in the footer and in ``?``, and move the code view."""
    root = repo_factory({"settings.py": WIDE})
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.pause()
        footer = screen_rows(app)[-1]
        assert "PgDn Scroll" in footer
        for word in ("Accept", "Edit", "Reject", "Skip", "Regen", "Undo", "Help", "Quit"):
            assert word in footer
        code = app.main.query_one(CodeView)
        # the view scrolls to the change once laid out (after a refresh): wait for it
        await wait_for(pilot, lambda: code.scroll_y > 0)
        top = code.scroll_y
        await pilot.press("pageup")
        await wait_for(pilot, lambda: code.scroll_y < top)
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: code.scroll_y > 0)
        assert app.current_item().qualname == "configure"  # the list did not move
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        text = "\n".join(screen_rows(app))
        assert "PgDn / PgUp" in text and "escape closes" in text


async def test_after_a_filter_accept_and_skip_stay_on_shown_targets(repo: Path) -> None:
    """Filtered to missing targets, accept and skip never land on the stale ``mul``."""
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        names = [i.qualname for i in app.items]
        assert names.index("add") < names.index("mul") < names.index("sub")
        await pilot.press("slash", *"missing", "enter")
        await wait_shown(pilot, app)
        assert app.current_item().qualname == "add"
        await pilot.press("a")
        await wait_shown(pilot, app)
        assert app.current_item().qualname == "sub"
        await pilot.press("s")
        await wait_shown(pilot, app)
        assert app.current_item().qualname == "Counter.bump"
        await pilot.press("s")
        await pilot.pause()
        # nothing shown is pending: stay, and never jump to the hidden stale target
        assert app.current_item().qualname != "mul"
        assert app.items[names.index("mul")].state == "pending"


async def test_escape_clears_the_filter_from_the_list(repo: Path) -> None:
    """Escape clears the filter even after enter moved the focus back to the list."""
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("slash", *"bump", "enter")
        await wait_shown(pilot, app)
        targets = app.main.query_one("#targets")
        assert targets.shown_indexes() == [len(app.items) - 1]
        assert not targets.query_one("#filter").has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert targets.filter_text == ""
        assert len(targets.shown_indexes()) == len(app.items)
        assert not targets.query_one("#filter").display


async def test_a_rejected_target_shown_again_says_why(repo: Path) -> None:
    """Back on a rejected target, the title says it was rejected and the picked reason."""
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonScreen))
        await pilot.press("down", "enter")  # wrong, [vague]
        await wait_for(pilot, lambda: not isinstance(app.screen, ReasonScreen))
        await wait_shown(pilot, app)
        assert app.current_item().qualname != "add"
        await pilot.press("p")
        await wait_shown(pilot, app)
        await pilot.pause()
        assert app.current_item().qualname == "add"
        assert "rejected: vague" in title_row(app)


@pytest.mark.parametrize("width", range(12, 121, 12))
def test_a_fitted_title_never_overflows_and_keeps_the_name(width: int) -> None:
    """Whatever the width, the title fits; the name stays whole from 24 columns up."""
    from docagent.review.widgets.title import TargetTitle, fit_title

    title = TargetTitle(f"{DEEP}:120", "naturalsize", "function", "stale", "documents " * 6)
    text = fit_title(title, width).plain
    assert len(text) <= width
    if width >= 24:
        assert "naturalsize" in text
