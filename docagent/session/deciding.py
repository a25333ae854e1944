"""Deciding on drafts: accept (applied through the item's kind of work), reject, skip and undo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docagent.code.edit import restore_file
from docagent.draft.models import Draft
from docagent.session.preparing import Preparing
from docagent.work import (
    Outcome,
    UndoRecord,
    WorkItem,
)

if TYPE_CHECKING:
    pass


def _remove_created(path: Path, expected: bytes) -> None:
    """Undo the creation of ``path``: delete it, unless it changed since it was written."""
    from docagent.code.edit import RefusedEdit

    if path.read_bytes() != expected:
        raise RefusedEdit(f"{path}: the file changed since the edit; not removing it")
    path.unlink()


class Deciding(Preparing):
    """A person's (or the batch policy's) decisions, and undoing an accept."""

    def accept(
        self,
        item: WorkItem,
        draft: Draft,
        text: str | None = None,
        review_ms: int | None = None,
        reviewer: str | None = None,
        *,
        confirm: bool = False,
    ) -> Outcome:
        """Apply the draft (or a person's edited ``text``) to the file and log the decision.

        The decision is ``edit`` when ``text`` differs from the draft, else ``accept``; the
        outcome says which (:attr:`Outcome.decision`). A refused edit leaves the file untouched,
        logs nothing and says why: the target's code or docstring changed since the draft was
        made, or — unless ``confirm`` — the draft is not an in-place repair and would remove
        lines of the hand-written docstring (:attr:`Outcome.needs_confirmation`). README
        sections are checked again first (:meth:`check_readme`) and refused when a hard check
        fails.
        """
        return self.work(item).accept(item, draft, text, review_ms, reviewer, confirm)

    def wrote(
        self, item: WorkItem, draft: Draft, old_bytes: bytes | None, new_bytes: bytes | None
    ) -> None:
        """Note an accept of ``item``: its file is read again; a write can be undone.

        ``new_bytes`` None: nothing was written. ``old_bytes`` None: the accept created the
        file. A batch session keeps no copies (it never undoes), only the changed path.
        """
        with self._lock:
            self._facts.pop(item.path, None)
            if new_bytes is None:
                return
            if self.mode == "batch":
                self._changed.add(item.path)
            else:
                self._undo.append(UndoRecord(item, draft, item.path, old_bytes, new_bytes))

    def wrote_without_undo(self, path: str, written: bool) -> None:
        """Note a write of ``path`` that keeps no undo copy (one write for a whole file).

        The file is read again; when ``written``, it counts as changed by this session.
        """
        with self._lock:
            self._facts.pop(path, None)
            if written:
                self._changed.add(path)

    def accept_file(
        self, accepts: list[tuple[WorkItem, Draft]], reviewer: str | None = None
    ) -> list[Outcome]:
        """Apply several docstring drafts of one file in one verified write; log each decision.

        What :meth:`accept` does for each draft, with one read, one verification and one
        atomic write for the whole file (``batch --apply`` groups a file's accepts this way);
        see :meth:`DocstringWork.accept_file <docagent.work.docstrings.DocstringWork.accept_file>`.
        Returns one :class:`Outcome` per draft, in order.
        """
        return self.docstrings.accept_file(accepts, reviewer)

    def reject(
        self,
        item: WorkItem,
        draft: Draft,
        reason: str,
        review_ms: int | None = None,
        reviewer: str | None = None,
    ) -> Outcome:
        """Log a rejection with its reason (a picked reason, or ``other: note``)."""
        self.decide(draft, "reject", reason=reason, reviewer=reviewer, review_ms=review_ms)
        if self.drafter is not None:  # the target's next draft sees why
            self.drafter.rejections[(item.path, item.qualname)] = (reason, draft.text)
        item.state = "rejected"
        item.reason = reason
        return Outcome(True, "rejected")

    def skip(self, item: WorkItem, draft: Draft | None, review_ms: int | None = None) -> Outcome:
        """Log a skip (when there is a draft to attach it to) and move on."""
        if draft is not None and draft.draft_id and self.store.draft(draft.draft_id):
            self.decide(draft, "skip", review_ms=review_ms)
        else:
            self.tally.add(item.key, "skip")
        item.state = "skipped"
        return Outcome(True, "skipped")

    def can_undo(self) -> bool:
        """True when there is an accept to undo."""
        return bool(self._undo)

    def undo(self) -> tuple[WorkItem | None, Outcome]:
        """Restore the file of the last accept and log ``undo`` (refused if edited since)."""
        with self._lock:
            if not self._undo:
                return None, Outcome(False, "nothing to undo")
            last = self._undo[-1]
        try:
            if last.old_bytes is None:
                _remove_created(self.root / last.path, last.new_bytes)
            else:
                restore_file(self.root / last.path, last.old_bytes, expected_current=last.new_bytes)
        except Exception as exc:  # RefusedEdit or OSError: the file is left as it is
            return last.item, Outcome(False, f"cannot undo: {exc}")
        with self._lock:
            self._undo.pop()
            self._facts.pop(last.path, None)
        self.decide(last.draft, "undo")
        self.work(last.item).undone(last.item)
        last.item.state = "pending"
        return last.item, Outcome(True, "undone")
