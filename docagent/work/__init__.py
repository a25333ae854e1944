"""Kinds of work a session does: docstrings, and README sections.

A :class:`~docagent.session.Session` holds what every kind shares (the repository, settings,
provider, decision log, intents, decisions, undo) and hands each work item to its kind:
:class:`DocstringWork` for docstrings, :class:`ReadmeWork` for README sections. A kind knows
how to find an item's target, draft it, and accept it; the session's ``draft``, ``accept``,
``target`` and ``undo`` do not branch on the kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from docagent.work.items import (
    README_KIND,
    Outcome,
    UndoRecord,
    WorkItem,
    accept_decision,
    checks_from_dicts,
    docstring_record,
    draft_from_record,
    draft_record,
)

if TYPE_CHECKING:
    from docagent.code.targets import FileFacts, Target
    from docagent.draft.models import Draft

__all__ = [
    "README_KIND",
    "Outcome",
    "UndoRecord",
    "WorkItem",
    "WorkKind",
    "accept_decision",
    "checks_from_dicts",
    "docstring_record",
    "draft_from_record",
    "draft_record",
]


class WorkKind(Protocol):
    """What a session asks of one kind of work."""

    def target(self, item: WorkItem) -> tuple[FileFacts, Target] | None:
        """The file facts and current code target of ``item`` (None when it has none)."""
        ...

    async def draft(self, item: WorkItem, hint: str | None, fresh: bool) -> Draft:
        """Draft ``item`` (or reuse a logged draft), record it, and return it."""
        ...

    def accept(
        self,
        item: WorkItem,
        draft: Draft,
        text: str | None,
        review_ms: int | None,
        reviewer: str | None,
        confirm: bool,
    ) -> Outcome:
        """Write ``draft`` (or the person's ``text``) into the file and log the decision."""
        ...

    def undone(self, item: WorkItem) -> None:
        """The session restored ``item``'s file: forget what the accept taught the drafter."""
        ...
