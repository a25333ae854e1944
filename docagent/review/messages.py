"""The messages the review app's drafting workers post when a draft is done.

A worker awaits the :class:`~docagent.draft_queue.DraftQueue` and posts one of these; the app's
handlers show the result. Keeping them here (as toolong and frogmouth do) keeps the app module
to handling.
"""

from __future__ import annotations

from textual.message import Message

from docagent.draft_queue import Ready
from docagent.review.preview import Preview
from docagent.session import WorkItem


class DraftReady(Message):
    """``item``'s draft and preview are ready (the draft may carry a model error)."""

    def __init__(self, item: WorkItem, ready: Ready[Preview]) -> None:
        """Say that ``ready`` is ``item``'s draft."""
        super().__init__()
        self.item = item
        self.ready = ready


class DraftFailed(Message):
    """Drafting ``item`` raised an error; ``error`` is one line for the person."""

    def __init__(self, item: WorkItem, error: str) -> None:
        """Say that drafting ``item`` failed with ``error``."""
        super().__init__()
        self.item = item
        self.error = error


class PreviewRefreshed(Message):
    """``item``'s preview was rebuilt on the file as it is now (or could not be: ``error``)."""

    def __init__(self, item: WorkItem, error: str = "") -> None:
        """Say that ``item``'s preview was rebuilt (``error``: why it could not be)."""
        super().__init__()
        self.item = item
        self.error = error
