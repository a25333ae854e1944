"""The code view: the target's code (or README) with the draft shown in place, like a diff."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from docagent.review.preview import Preview

ADDED = "on #1d3b24"
REMOVED = "on #4a1c1f"


def render_preview(preview: Preview) -> Text:
    """Highlight ``preview``'s lines (Python or Markdown), with a gutter and diff backgrounds."""
    if not preview.lines:
        return Text(preview.problem or preview.note or "(nothing to show)", style="italic")
    code = "\n".join(line.text for line in preview.lines)
    syntax = Syntax("", preview.language, theme="ansi_dark", background_color="default", tab_size=4)
    highlighted = syntax.highlight(code).split("\n", allow_blank=True)
    width = max(3, len(str(max(line.number for line in preview.lines))))
    out = Text(no_wrap=True, overflow="ellipsis")
    for i, line in enumerate(preview.lines):
        body = highlighted[i] if i < len(highlighted) else Text(line.text)
        body.rstrip()
        gutter_style = {"+": "green", "-": "red"}.get(line.mark, "dim")
        out.append(f"{line.number:>{width}} {line.mark} ", style=gutter_style)
        if line.mark == "-":
            body.stylize("strike dim")
            body.stylize(REMOVED)
        elif line.mark == "+":
            body.stylize(ADDED)
        out.append(body)
        if i < len(preview.lines) - 1:
            out.append("\n")
    if preview.problem:
        out.append("\n\n")
        out.append(f"cannot apply: {preview.problem}", style="bold red")
    elif preview.note:
        out.append("\n\n")
        out.append(f"nothing to change: {preview.note}", style="italic yellow")
    return out


class CodeView(VerticalScroll):
    """Scrollable code with the draft in place; ``loading`` shows a spinner while drafting."""

    def compose(self) -> ComposeResult:
        """One static holding the rendered preview."""
        yield Static(id="code-text")

    def show_preview(self, preview: Preview) -> None:
        """Render ``preview`` and scroll to its first changed line."""
        self.query_one("#code-text", Static).update(render_preview(preview))
        first = next((i for i, line in enumerate(preview.lines) if line.mark != " "), 0)
        self.scroll_to(y=max(0, first - 3), animate=False)

    def show_message(self, message: str | Text) -> None:
        """Show a message instead of code (an error, or that everything is decided)."""
        self.query_one("#code-text", Static).update(message)
        self.scroll_home(animate=False)
