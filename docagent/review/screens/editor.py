"""The editor: change a draft in a TextArea; ``ctrl+s`` saves and accepts, ``escape`` cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, TextArea


class EditorScreen(ModalScreen[str | None]):
    """Edit a draft's text; dismisses with the edited text, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save & accept", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, text: str, title: str, what: str = "docstring") -> None:
        """Edit ``text``; ``title`` names the target, ``what`` the text (docstring, section)."""
        super().__init__()
        self.text = text
        self.title_text = title
        self.what = what

    def compose(self) -> ComposeResult:
        """A title, the text area and the footer with the two keys."""
        with Vertical(id="editor-box", classes="dialog"):
            yield Label(f"Edit {self.what}: {self.title_text}", classes="dialog-title")
            yield TextArea(self.text, id="editor", soft_wrap=True, tab_behavior="indent")
            yield Label("ctrl+s save & accept · escape cancel", classes="dialog-help")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the text area."""
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        """Save: dismiss with the edited text (an empty text is not accepted)."""
        text = self.query_one(TextArea).text
        if not text.strip():
            self.notify(f"The {self.what} is empty; type one or press escape.", severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        """Cancel the edit."""
        self.dismiss(None)
