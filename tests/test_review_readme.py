"""Pilot tests of ``docagent review --readme``: README sections in the review TUI.

A fixture project has a README with only a title, an intro and a License section, and a small
documented package with a console script. The tests drive the real app with keys and check
what a person would: the README on disk, the screen, and the decision log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from review_helpers import make_session, wait_for, wait_shown
from textual.widgets import Static, TextArea

from docagent.review import ReviewApp
from docagent.review.screens import EditorScreen, ReasonScreen, SummaryScreen
from docagent.review.widgets import ChecksPanel, TargetList
from docagent.review.widgets.checks_panel import render_checks
from docagent.store import Store

SIZE = (100, 30)

PYPROJECT = """\
[project]
name = "tally-tool"
version = "0.3"
description = "Count words in files."
requires-python = ">=3.10"

[project.scripts]
tally = "tally.cli:main"
"""

CLI = '''"""Command line of tally."""

import argparse


def main(argv=None):
    """Count the words of each file."""
    parser = argparse.ArgumentParser(prog="tally")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--lines", action="store_true", help="Count lines instead.")
    return parser.parse_args(argv)
'''

README = "# tally\n\nA small tool that counts the words in files.\n\n## License\n\nMIT.\n"
UNCLOSED = "Run it:\n\n```bash\ntally notes.txt\n"


@pytest.fixture
def project(repo_factory: Any) -> Path:
    """The fixture project (its code is fully documented: only README sections are missing)."""
    return repo_factory(
        {
            "pyproject.toml": PYPROJECT,
            "tally/__init__.py": '"""Word counts."""\n',
            "tally/cli.py": CLI,
            "README.md": README,
        }
    )


def readme_app(root: Path) -> ReviewApp:
    """The app ``docagent review --readme`` builds, with a fixed clock."""
    return ReviewApp(
        make_session(root),
        prepare=lambda s: s.prepare() + s.prepare_readme(),
        clock=lambda: 0.0,
    )


def in_order(small: list[str], big: list[str]) -> bool:
    """True when ``small`` is a subsequence of ``big``."""
    it = iter(big)
    return all(line in it for line in small)


def list_lines(app: ReviewApp) -> list[str]:
    """The target list as displayed: group headers and item lines."""
    options = app.main.query_one(TargetList).options
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_review_readme_accept_reject_undo_and_a_refused_edit(project: Path) -> None:
    """Installation and Usage are listed and previewed; accept, refused edit, reject, undo."""
    app = readme_app(project)
    readme = project / "README.md"
    original = README.splitlines()
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        assert [(i.qualname, i.kind) for i in app.items] == [
            ("Installation", "readme_section"),
            ("Usage", "readme_section"),
        ]
        lines = list_lines(app)
        assert lines[0].startswith("README.md")  # grouped under the README file
        assert [line.strip()[2:] for line in lines[1:]] == ["Installation", "Usage"]

        # The main pane: the section in place, in Markdown, inserted lines marked.
        install = app.items[0]
        ready = app.queue.ready[install.key]
        assert ready.preview.language == "markdown"
        added = [line.text for line in ready.preview.lines if line.mark == "+"]
        kept = [line.text for line in ready.preview.lines if line.mark == " "]
        assert added[0] == "## Installation" and "pip install tally-tool" in added
        assert "## License" in kept  # shown in place, before the License section
        assert "Installation" in str(app.main.query_one("#title", Static).render())
        checks = str(render_checks(ready.draft).renderables[0])
        assert "fences" in checks and "install" in checks
        assert app.main.query_one(ChecksPanel).display

        # Accept Installation: inserted before License, every original line kept in order.
        await pilot.press("a")
        await wait_shown(pilot, app)
        text = readme.read_text()
        assert text.index("## Installation") < text.index("## License")
        assert in_order(original, text.splitlines())
        assert "pip install tally-tool" in text
        usage = app.current_item()
        assert usage is not None and usage.qualname == "Usage"
        usage_preview = app.queue.ready[usage.key].preview
        assert "## Usage" in [line.text for line in usage_preview.lines if line.mark == "+"]
        after_accept = readme.read_bytes()

        # An edit with an unclosed fence is refused: notification, file untouched, editor kept.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        app.screen.query_one(TextArea).text = UNCLOSED
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: any("never closed" in text for text in app.notification_texts),
        )
        assert readme.read_bytes() == after_accept
        assert usage.state == "pending"
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.screen.query_one(TextArea).text == UNCLOSED  # nothing typed is lost
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditorScreen))

        # Reject Usage with a reason.
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonScreen))
        await pilot.press("down", "enter")  # wrong, [vague]
        await wait_for(pilot, lambda: not isinstance(app.screen, ReasonScreen))
        assert usage.state == "rejected"
        assert readme.read_bytes() == after_accept

        # Undo the accept: the README is back to its original bytes.
        await pilot.press("u")
        await wait_for(pilot, lambda: install.state == "pending")
        assert readme.read_text() == README

        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("enter")

    with Store.open(project) as store:
        drafts = {d.qualname: d for d in store.drafts()}
        assert set(drafts) == {"Installation", "Usage"}
        assert {d.kind for d in drafts.values()} == {"readme_section"}
        assert all(d.style == "markdown" for d in drafts.values())
        install_history = store.history(drafts["Installation"].id)
        assert [d.decision for d in install_history] == ["accept", "undo"]
        rejected = store.history(drafts["Usage"].id)
        assert [(d.decision, d.reason) for d in rejected] == [("reject", "vague")]


async def test_stale_section_shows_the_old_body_removed(repo_factory: Any) -> None:
    """A stale Installation shows the wrong install line removed and the fixed one added."""
    readme = README.replace(
        "## License", "## Installation\n\n```bash\npip install tallytool\n```\n\n## License"
    )
    root = repo_factory(
        {
            "pyproject.toml": PYPROJECT,
            "tally/__init__.py": '"""Word counts."""\n',
            "tally/cli.py": CLI,
            "README.md": readme,
        }
    )
    app = readme_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_shown(pilot, app)
        while app.current_item().qualname != "Installation":
            await pilot.press("n")
            await wait_shown(pilot, app)
        item = app.current_item()
        assert item.status == "stale" and item.line == 5
        preview = app.queue.ready[item.key].preview
        removed = [line.text for line in preview.lines if line.mark == "-"]
        added = [line.text for line in preview.lines if line.mark == "+"]
        assert removed == ["pip install tallytool"] and added == ["pip install tally-tool"]
        assert preview.lines[0].number <= 5  # the section's heading is on screen
        await pilot.press("a")
        await wait_for(pilot, lambda: item.state == "done")
    assert (root / "README.md").read_text() == readme.replace("tallytool", "tally-tool")


def test_commit_message_counts_readme_sections() -> None:
    """The --commit subject names README sections apart from docstrings."""
    from docagent.review.session_counts import commit_message

    both = commit_message([("calc.py", "add"), ("README.md", "Usage")])
    assert both.splitlines()[0] == "docs: add docstrings to 1 target and 1 README section"
    only = commit_message([("README.md", "Usage"), ("README.md", "Installation")])
    assert only.splitlines()[0] == "docs: add 2 README sections"
    assert (
        commit_message([("calc.py", "add")]).splitlines()[0] == "docs: add docstrings to 1 target"
    )
