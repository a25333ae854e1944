"""The help screen: every key of the review TUI."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS = [
    ("a", "accept the draft: write it into the file now"),
    ("A", "accept a draft that replaces hand-written lines"),
    ("e", "edit the draft; ctrl+s saves and accepts"),
    ("r", "reject the draft and say why"),
    ("s", "skip this target for now"),
    ("g", "draft again (optionally with a hint for the model)"),
    ("u", "undo the last accept (the file is restored)"),
    ("n / p, ↑ / ↓", "next / previous target"),
    ("PgDn / PgUp", "scroll the code a page down / up"),
    ("shift+↓ / ↑", "scroll the code a few lines down / up"),
    ("/", "find: filter the target list (escape clears it)"),
    ("ctrl+p", "command palette: the same actions by name"),
    ("?", "this help"),
    ("q", "quit to the summary"),
]


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of escape, ``?`` or ``q`` closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close", priority=True),
        Binding("question_mark", "close", "Close", priority=True),
        Binding("q", "close", "Close", priority=True),
    ]

    def compose(self) -> ComposeResult:
        """The key table."""
        with Vertical(id="help-box", classes="dialog"):
            yield Label("docagent review: keys", classes="dialog-title")
            width = max(len(k) for k, _ in KEYS)
            yield Static("\n".join(f"{k:>{width}}  {v}" for k, v in KEYS))
            yield Label("escape closes", classes="dialog-help")

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
