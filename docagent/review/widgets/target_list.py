"""The target list: work items grouped by file, each with its status, and a ``/`` filter."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from docagent.session import WorkItem

#: (glyph, style, label) per item state; pending items show their scan status instead.
STATE_LOOK = {
    "done": ("✓", "green", "done"),
    "rejected": ("✗", "red", "rejected"),
    "skipped": ("»", "yellow", "skipped"),
    "failed": ("!", "red", "failed"),
}
STATUS_LOOK = {
    "missing": ("○", "bold", "missing"),
    "stale": ("◐", "magenta", "stale"),
}


def item_label(item: WorkItem) -> str:
    """The one-word status a person sees for ``item`` (missing, stale, done, …)."""
    if item.state in STATE_LOOK:
        return STATE_LOOK[item.state][2]
    return STATUS_LOOK.get(item.status, ("○", "", item.status))[2]


def item_prompt(item: WorkItem) -> Text:
    """The list line of ``item``: a status glyph and its qualname."""
    glyph, style, _ = STATE_LOOK.get(item.state) or STATUS_LOOK.get(item.status, ("○", "", ""))
    text = Text(f" {glyph} ", style=style)
    text.append(item.qualname, style="dim" if item.state != "pending" else "")
    return text


class TargetOptions(OptionList):
    """The list's options; PgUp/PgDn are left to the screen (they scroll the code view)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Give up the page keys so the screen's bindings get them."""
        if action in ("page_up", "page_down"):
            return False
        return super().check_action(action, parameters)


class TargetList(Vertical):
    """Work items grouped by file; highlighting one posts :class:`TargetList.Picked`."""

    class Picked(Message):
        """The person moved to the item at ``index``."""

        def __init__(self, index: int) -> None:
            """Carry the picked item's index."""
            super().__init__()
            self.index = index

    def __init__(self, **kwargs: object) -> None:
        """Create an empty list; fill it with :meth:`set_items`."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.items: list[WorkItem] = []
        self.filter_text = ""
        self._current = -1
        self._quiet = False

    def compose(self) -> ComposeResult:
        """The filter input (hidden until ``/``) and the option list."""
        yield Input(placeholder="filter: path, name or status", id="filter")
        yield TargetOptions(id="target-options")

    @property
    def options(self) -> OptionList:
        """The option list widget."""
        return self.query_one("#target-options", OptionList)

    def set_items(self, items: Sequence[WorkItem]) -> None:
        """Show ``items`` (grouped by file, in the given order within each file)."""
        self.items = list(items)
        self._rebuild()

    def _matches(self, item: WorkItem) -> bool:
        needle = self.filter_text.strip().lower()
        if not needle:
            return True
        hay = f"{item.path} {item.qualname} {item_label(item)} {item.kind}".lower()
        return all(part in hay for part in needle.split())

    def shown_indexes(self) -> list[int]:
        """Indexes of the items the filter lets through, in display order."""
        order: dict[str, list[int]] = {}
        for i, item in enumerate(self.items):
            if self._matches(item):
                order.setdefault(item.path, []).append(i)
        return [i for path in order for i in order[path]]

    def _rebuild(self) -> None:
        options: list[Option | None] = []
        last_path = None
        for i in self.shown_indexes():
            item = self.items[i]
            if item.path != last_path:
                header = Text(item.path, style="bold underline")
                if item.kind == "readme_section":
                    header.append(" sections", style="dim")
                options.append(Option(header, disabled=True))
                last_path = item.path
            options.append(Option(item_prompt(item), id=f"item-{i}"))
        self._quiet = True
        try:
            self.options.set_options(options)
            self._highlight(self._current)
        finally:
            self._quiet = False

    def _highlight(self, index: int) -> None:
        try:
            at = self.options.get_option_index(f"item-{index}")
        except Exception:  # filtered out or not listed
            return
        if self.options.highlighted != at:
            self.options.highlighted = at

    def select(self, index: int) -> None:
        """Highlight item ``index`` without posting :class:`Picked`."""
        self._current = index
        self._quiet = True
        try:
            self._highlight(index)
        finally:
            self._quiet = False

    def update_item(self, index: int) -> None:
        """Redraw item ``index`` after its state changed."""
        with contextlib.suppress(Exception):  # filtered out
            self.options.replace_option_prompt(f"item-{index}", item_prompt(self.items[index]))

    def open_filter(self) -> None:
        """Show and focus the filter input."""
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._rebuild()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.filter_text:
            self.query_one("#filter", Input).display = False
        self.options.focus()
        vis = self.shown_indexes()
        if vis and self._current not in vis:
            self.post_message(self.Picked(vis[0]))

    def clear_filter(self) -> bool:
        """Clear and hide the filter and focus the list; False when there was none."""
        box = self.query_one("#filter", Input)
        had = bool(box.display or box.value or self.filter_text)
        box.value = ""
        box.display = False
        if self.filter_text:
            self.filter_text = ""
            self._rebuild()
        self.options.focus()
        return had

    def next_pending(self, after: int) -> int | None:
        """The first pending item after ``after`` (in work order, wrapping) the filter shows."""
        shown = set(self.shown_indexes())
        n = len(self.items)
        for step in range(1, n + 1):
            index = (after + step) % n
            if index in shown and self.items[index].state == "pending":
                return index
        return None

    @on(OptionList.OptionHighlighted, "#target-options")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self._quiet or event.option.id is None:
            return
        index = int(event.option.id.split("-", 1)[1])
        if index != self._current:
            self._current = index
            self.post_message(self.Picked(index))

    @on(OptionList.OptionSelected, "#target-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    def step(self, delta: int, only_pending: bool = False) -> int | None:
        """Return the visible item ``delta`` steps from the current one (wrapping), or None."""
        vis = self.shown_indexes()
        if only_pending:
            vis = [i for i in vis if self.items[i].state == "pending" or i == self._current]
        if not vis:
            return None
        if self._current not in vis:
            return vis[0] if delta > 0 else vis[-1]
        at = vis.index(self._current)
        return vis[(at + delta) % len(vis)]
