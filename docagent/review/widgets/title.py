"""The title line above the code: where the target is, its name, status and why.

Rendered for the width it has: when the whole title does not fit, the parts are shortened in
the middle (never at the end), least important first: the kind word goes, then the path
(``src/…/module.py:120``), then the reason, and the name last, so the target's name and the
stale reason (or the reason it was rejected) stay readable at 80 columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static

from docagent.review.widgets.target_list import item_label
from docagent.session import README_KIND, WorkItem

ELLIPSIS = "…"
#: a part shortened to fewer characters than this is dropped instead
USEFUL = 8


@dataclass(frozen=True)
class TargetTitle:
    """The parts of a target's title, most important first: name, status, reason, place."""

    where: str
    name: str
    kind: str
    status: str
    reason: str = ""
    rejected: bool = False


def target_title(item: WorkItem) -> TargetTitle:
    """The title parts of ``item``: ``path:line``, qualname, kind, status and why.

    A stale target keeps its first problem until it is done; a rejected one says why it was
    rejected (the reason the person picked).
    """
    where = f"{item.path}:{item.line}" if item.line else item.path
    kind = "README section" if item.kind == README_KIND else item.kind
    status = item_label(item)
    reason = ""
    rejected = item.state == "rejected"
    if rejected and item.reason:
        status = f"rejected: {item.reason}"
    if item.status == "stale" and item.problems and item.state != "done":
        reason = item.problems[0]
    return TargetTitle(where, item.qualname, kind, status, reason, rejected)


def shorten_middle(text: str, width: int, head_share: float = 0.5) -> str:
    """``text`` cut to ``width`` characters by replacing its middle with ``…``.

    ``head_share`` is the part of the kept characters taken from the start (a path keeps
    more of its end: the file name and line).
    """
    if len(text) <= width:
        return text
    if width <= 0:
        return ""
    keep = width - 1
    head = round(keep * head_share)
    tail = keep - head
    return text[:head] + ELLIPSIS + (text[len(text) - tail :] if tail else "")


#: (part, shortest length) in the order the parts give way when the title is too long; at a
#: shortest length of 0 the part is dropped unless a useful piece of it still fits.
GIVE_WAY = (
    ("kind", 0),
    ("where", 16),
    ("reason", 24),
    ("status", 24),
    ("where", 0),
    ("reason", 12),
    ("status", 10),
    ("name", 12),
    ("reason", 0),
    ("name", 1),
)


def _length(parts: dict[str, str]) -> int:
    """The cells ``where name  kind · status  (reason)`` takes."""
    size = len(parts["where"]) + 1 if parts["where"] else 0
    size += len(parts["name"]) + 2 + len(parts["status"])
    size += len(parts["kind"]) + 3 if parts["kind"] else 0
    return size + (len(parts["reason"]) + 4 if parts["reason"] else 0)


def fit_title(title: TargetTitle, width: int) -> Text:
    """Render ``title`` in at most ``width`` cells, shortening parts in the middle as needed."""
    parts = {
        "where": title.where,
        "name": title.name,
        "kind": title.kind,
        "status": title.status,
        "reason": title.reason,
    }
    for part, shortest in GIVE_WAY:
        over = _length(parts) - width
        if over <= 0:
            break
        value = parts[part]
        if len(value) <= shortest:
            continue
        size = max(shortest, len(value) - over)
        if shortest == 0 and (part == "kind" or size < USEFUL):
            parts[part] = ""
        else:
            parts[part] = shorten_middle(value, size, 0.3 if part == "where" else 0.5)
    for part in ("name", "reason", "status"):  # give back room a dropped part left
        room = width - _length(parts)
        original = getattr(title, part)
        if room > 0 and parts[part] and parts[part] != original:
            parts[part] = shorten_middle(original, len(parts[part]) + room)
    out = Text(no_wrap=True, overflow="crop", end="")
    if parts["where"]:
        out.append(f"{parts['where']} ", style="dim")
    out.append(parts["name"], style="bold")
    out.append(f"  {parts['kind']} · " if parts["kind"] else "  ", style="dim")
    out.append(parts["status"], style="bold red" if title.rejected else "dim")
    if parts["reason"]:
        out.append(f"  ({parts['reason']})", style="magenta")
    return out


class TitleLine(Static):
    """One line naming the current target, fitted to its width (a plain message otherwise)."""

    def __init__(self, **kwargs: object) -> None:
        """Create an empty title."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.title_parts: TargetTitle | None = None

    def update(self, content: VisualType | TargetTitle = "", *, layout: bool = True) -> None:
        """Show a :class:`TargetTitle` (fitted at each render) or any other content as is."""
        if isinstance(content, TargetTitle):
            self.title_parts = content
            super().update("", layout=False)
            self.refresh()
            return
        self.title_parts = None
        super().update(content, layout=layout)

    def render(self) -> VisualType:
        """The fitted title for the current width, or the plain content."""
        if self.title_parts is not None:
            return fit_title(self.title_parts, max(1, self.content_size.width))
        return super().render()

    def on_resize(self) -> None:
        """Fit the title again for the new width."""
        self.refresh()
