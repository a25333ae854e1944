"""One drafting session over a repository: the library layer that batch and the TUI share.

A :class:`Session` finds the work (missing and stale targets, callees first), drafts through the
drafting engine with the decision log as its cache, records every draft, applies accepted
docstrings through the safe edit engine, records every decision, and can undo an accept.
Neither front end contains domain logic: they call these methods.

Each work item belongs to a kind of work (:mod:`docagent.work`): docstrings
(:class:`~docagent.work.docstrings.DocstringWork`) or README sections
(:class:`~docagent.work.readme.ReadmeWork`, :meth:`Session.prepare_readme`). The session holds
what the kinds share — the log, intents, decisions, undo, the ``--commit`` commit — and its
``draft``, ``accept``, ``target`` and ``undo`` hand each item to its kind.
"""

from __future__ import annotations

import asyncio

from docagent.code.targets import FileFacts, Target
from docagent.draft.models import Draft
from docagent.session.closing import Closing, commit_message
from docagent.session.recording import StoreCache
from docagent.store import BATCH_REVIEWER
from docagent.work import (
    README_KIND,
    Outcome,
    WorkItem,
    checks_from_dicts,
    draft_from_record,
    draft_record,
)

__all__ = [
    "BATCH_REVIEWER",
    "README_KIND",
    "REJECT_REASONS",
    "Outcome",
    "Session",
    "StoreCache",
    "WorkItem",
    "checks_from_dicts",
    "commit_message",
    "draft_from_record",
    "draft_record",
    "source_without_docstring",
]

REJECT_REASONS = ("wrong", "vague", "invented detail", "style", "too long", "other")


def source_without_docstring(facts: FileFacts, target: Target) -> str:
    """The module text with ``target``'s docstring removed (the eval-case ``source``)."""
    from docagent.store.export import source_without_docstring as strip

    doc = target.docstring
    return facts.text if doc is None else strip(facts.text, doc.start_byte, doc.end_byte)


class Session(Closing):
    """A drafting and deciding session over one repository (TUI or batch).

    Its layers, each in its own module: :class:`~docagent.session.base.SessionState` (what it
    holds), :class:`~docagent.session.files.FileReading`,
    :class:`~docagent.session.recording.Recording` (the decision log),
    :class:`~docagent.session.preparing.Preparing` (the work and the drafter),
    :class:`~docagent.session.deciding.Deciding` and :class:`~docagent.session.closing.Closing`.
    """

    async def draft(self, item: WorkItem, hint: str | None = None, fresh: bool = False) -> Draft:
        """Draft (or reuse a logged draft for) ``item`` and record it in the decision log.

        A ``hint`` (a reviewer's typed request) always drafts anew and, for a stale docstring,
        asks for a rewrite; ``fresh`` drafts anew too but still repairs a stale docstring in
        place (``g`` without a hint).
        """
        return await self.work(item).draft(item, hint, fresh)

    def draft_sync(self, item: WorkItem, hint: str | None = None, fresh: bool = False) -> Draft:
        """Synchronous :meth:`draft` for worker threads."""
        return asyncio.run(self.draft(item, hint, fresh))
