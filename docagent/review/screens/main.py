"""The main review screen: target list, code with the draft in place, checks and status."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from docagent.review.widgets import (
    ChecksPanel,
    CodeView,
    OfflineBanner,
    StatusLine,
    TargetList,
    TitleLine,
)


class MainScreen(Screen[None]):
    """Where a person reviews drafts; every key maps to an action of the app."""

    #: Footer order at 80 columns: the decisions, scrolling, then finding, help and quitting.
    BINDINGS = [
        Binding("a", "app.accept", "Accept"),
        Binding("A", "app.accept_replace", "Replace", show=False),
        Binding("e", "app.edit", "Edit"),
        Binding("r", "app.reject", "Reject"),
        Binding("s", "app.skip", "Skip"),
        Binding("g", "app.regenerate", "Regen"),
        Binding("u", "app.undo", "Undo"),
        Binding("pagedown", "scroll_code(1)", "Scroll", key_display="PgDn"),
        Binding("pageup", "scroll_code(-1)", "Scroll up", show=False),
        Binding("shift+down", "scroll_code_lines(3)", "Scroll down", show=False),
        Binding("shift+up", "scroll_code_lines(-3)", "Scroll up", show=False),
        Binding("n", "app.next", "Next", show=False),
        Binding("p", "app.previous", "Prev", show=False),
        Binding("slash", "app.filter", "Find", key_display="/"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit_review", "Quit"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
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
                yield TitleLine(id="title")
                yield CodeView(id="code")
                yield ChecksPanel(id="checks")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Start with the list focused so arrows move between targets."""
        self.query_one(TargetList).options.focus()

    def action_scroll_code(self, pages: int) -> None:
        """PgDn / PgUp: scroll the code view by ``pages`` pages (the list keeps its place)."""
        code = self.query_one(CodeView)
        if pages > 0:
            code.scroll_page_down(animate=False)
        else:
            code.scroll_page_up(animate=False)

    def action_scroll_code_lines(self, lines: int) -> None:
        """shift+↓ / shift+↑: scroll the code view by ``lines`` lines."""
        code = self.query_one(CodeView)
        code.scroll_to(y=code.scroll_y + lines, animate=False)

    def action_clear_filter(self) -> None:
        """Escape, wherever the focus is: clear the target filter and show every target."""
        self.query_one(TargetList).clear_filter()
