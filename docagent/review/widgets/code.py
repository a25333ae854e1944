"""The code view: the target's code (or README) with the draft shown in place, like a diff."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
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


#: preview lines kept above the first change when scrolling to it (at most a third of the view)
CONTEXT = 3


class CodeView(VerticalScroll):
    """Scrollable code with the draft in place; ``loading`` shows a spinner while drafting."""

    def __init__(self, **kwargs: object) -> None:
        """Create an empty view."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._first_change: int | None = None

    def compose(self) -> ComposeResult:
        """One static holding the rendered preview."""
        yield Static(id="code-text")

    def show_preview(self, preview: Preview) -> None:
        """Render ``preview`` and scroll to its first changed line (once the layout is done)."""
        self.query_one("#code-text", Static).update(render_preview(preview))
        self._first_change = preview.first_change or 0
        self.call_after_refresh(self.scroll_to_change)

    def on_resize(self) -> None:
        """Scroll to the change again once laid out: the view or its content changed size.

        A scrollbar appearing or the terminal being resized makes lines wrap anew.
        """
        self.call_after_refresh(self.scroll_to_change)

    def rows_before(self, count: int) -> list[int]:
        """The screen row where each of the first ``count`` code lines starts, wrapping included.

        Long lines wrap at the view's width, so a line's row is the sum of the heights of the
        lines above it, measured the way the view draws them.
        """
        text = self.query_one("#code-text", Static)
        width = text.content_size.width
        visual = text.visual
        if width <= 0:
            return []  # not laid out yet: the resize that follows scrolls
        if not isinstance(visual, Content):
            return list(range(count))
        rows, row = [], 0
        for line in visual.split("\n", allow_blank=True)[:count]:
            rows.append(row)
            row += max(1, line.get_height(text.styles, width))  # type: ignore[arg-type]
        return rows

    def scroll_to_change(self) -> None:
        """Scroll so the first changed line is near the top, with a little context above it."""
        first = self._first_change
        if first is None:
            return
        rows = self.rows_before(first + 1)
        if len(rows) <= first:
            return
        context = rows[first] - rows[max(0, first - CONTEXT)]
        context = min(context, max(1, self.scrollable_content_region.height // 3))
        self.scroll_to(y=max(0, rows[first] - context), animate=False, immediate=True)

    def show_message(self, message: str | Text) -> None:
        """Show a message instead of code (an error, or that everything is decided)."""
        self._first_change = None
        self.query_one("#code-text", Static).update(message)
        self.scroll_home(animate=False)
