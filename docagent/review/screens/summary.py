"""The summary shown on quit: counts, accept rate, time spent, cost, changed files, commit."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from docagent.review.session_counts import SessionSummary


def render_summary(s: SessionSummary) -> Text:
    """The summary as aligned lines."""
    rate = "–" if s.accept_rate is None else f"{s.accept_rate:.0%}"
    minutes, seconds = divmod(int(round(s.seconds)), 60)
    rows = [
        ("accepted", str(s.accepted)),
        ("edited", str(s.edited)),
        ("rejected", str(s.rejected)),
        ("skipped", str(s.skipped)),
        ("undone", str(s.undone)),
        ("not decided", str(s.pending)),
        ("accept rate", rate),
        ("time spent", f"{minutes}m {seconds:02d}s"),
        ("cost", f"${s.cost_usd:.4f}"),
        ("files changed", str(len(s.changed_paths))),
    ]
    out = Text()
    for label, value in rows:
        out.append(f"{label:>14}  ", style="dim")
        out.append(value + "\n", style="bold")
    for path in s.changed_paths:
        out.append(f"{'':>16}{path}\n")
    if s.commit:
        out.append(f"\n{s.commit}\n", style="green")
    if s.commit_error:
        out.append(f"\ncommit failed: {s.commit_error}\n", style="bold red")
    return out


class SummaryScreen(Screen[None]):
    """The last screen: enter, q or escape exits."""

    BINDINGS = [
        Binding("enter", "app.exit_review", "Exit", priority=True),
        Binding("q", "app.exit_review", "Exit", priority=True),
        Binding("escape", "app.exit_review", "Exit", priority=True),
    ]

    def __init__(self, summary: SessionSummary) -> None:
        """Show ``summary``."""
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        """Title, the summary and how to leave."""
        with Vertical(id="summary-box", classes="dialog"):
            yield Label("Review session summary", classes="dialog-title")
            yield Static(render_summary(self.summary), id="summary")
            yield Label("enter exits", classes="dialog-help")
