"""The reason picker shown on reject: a fixed list of reasons, and "other" with a note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from docagent.session import REJECT_REASONS


class ReasonScreen(ModalScreen[str | None]):
    """Pick why a draft is rejected; dismisses with the reason (``other: note``) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, reasons: tuple[str, ...] = REJECT_REASONS) -> None:
        """Offer ``reasons`` (the last one, ``other``, asks for a note)."""
        super().__init__()
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        """A title, the reasons and a hidden note input."""
        with Vertical(id="reason-box", classes="dialog"):
            yield Label("Reject: why is this draft not good enough?", classes="dialog-title")
            yield OptionList(*[Option(r, id=r) for r in self.reasons], id="reasons")
            note = Input(placeholder="note (enter to reject, escape to go back)", id="note")
            note.display = False
            yield note
            yield Label("↑↓ choose · enter picks · escape cancels", classes="dialog-help")

    def on_mount(self) -> None:
        """Highlight the first reason."""
        options = self.query_one("#reasons", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#reasons")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        reason = event.option.id or ""
        if reason == "other":
            note = self.query_one("#note", Input)
            note.display = True
            note.focus()
            return
        self.dismiss(reason)

    @on(Input.Submitted, "#note")
    def _noted(self, event: Input.Submitted) -> None:
        event.stop()
        note = event.value.strip()
        self.dismiss(f"other: {note}" if note else "other")

    def action_cancel(self) -> None:
        """Escape: leave the note, or cancel the rejection."""
        note = self.query_one("#note", Input)
        if note.display:
            note.display = False
            self.query_one("#reasons", OptionList).focus()
            return
        self.dismiss(None)
