"""The main review screen: target list, code with the draft in place, checks and status."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from docagent.review.widgets import ChecksPanel, CodeView, OfflineBanner, StatusLine, TargetList


class MainScreen(Screen[None]):
    """Where a person reviews drafts; every key maps to an action of the app."""

    BINDINGS = [
        Binding("a", "app.accept", "Accept"),
        Binding("A", "app.accept_replace", "Replace", show=False),
        Binding("e", "app.edit", "Edit"),
        Binding("r", "app.reject", "Reject"),
        Binding("s", "app.skip", "Skip"),
        Binding("g", "app.regenerate", "Regen"),
        Binding("u", "app.undo", "Undo"),
        Binding("n", "app.next", "Next", show=False),
        Binding("p", "app.previous", "Prev", show=False),
        Binding("q", "app.quit_review", "Quit"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("slash", "app.filter", "Filter", key_display="/"),
    ]

    def __init__(self, offline: bool = False) -> None:
        """Create the screen; ``offline`` shows the offline-drafter banner."""
        super().__init__()
        self.offline = offline

    def compose(self) -> ComposeResult:
        """Banner, status line, list | (title, code, checks), footer."""
        banner = OfflineBanner(id="banner")
        banner.display = self.offline
        yield banner
        yield StatusLine(id="status")
        with Horizontal(id="body"):
            yield TargetList(id="targets")
            with Vertical(id="detail"):
                yield Static(id="title")
                yield CodeView(id="code")
                yield ChecksPanel(id="checks")
        yield Footer()

    def on_mount(self) -> None:
        """Start with the list focused so arrows move between targets."""
        self.query_one(TargetList).options.focus()
