"""Regenerate: ask for an optional hint to pass to the model."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class HintScreen(ModalScreen[str | None]):
    """Dismisses with the hint ('' for none) on enter, None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def compose(self) -> ComposeResult:
        """A title and one input."""
        with Vertical(id="hint-box", classes="dialog"):
            yield Label("Regenerate: hint for the model (optional)", classes="dialog-title")
            yield Input(placeholder="e.g. mention the retry behaviour", id="hint")
            yield Label("enter regenerates · escape cancels", classes="dialog-help")

    def on_mount(self) -> None:
        """Focus the input."""
        self.query_one(Input).focus()

    @on(Input.Submitted, "#hint")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Cancel regenerating."""
        self.dismiss(None)
