"""The decision keys of a review: accept, replace, edit, reject, skip, regenerate, undo.

:class:`DecisionActions` is a mixin of :class:`~docagent.review.app.ReviewApp` (which holds the
state it reads); Textual finds its ``action_*`` methods by name on the app. The session decides
(:mod:`docagent.decisions`) and writes; these methods turn keys into session calls and move on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docagent.review.screens import EditorScreen, HintScreen, ReasonScreen
from docagent.review.widgets import TargetList
from docagent.session import README_KIND, Session, WorkItem

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App

    from docagent.draft_queue import DraftQueue, Ready
    from docagent.review.preview import Preview
    from docagent.review.screens import MainScreen
    from docagent.review.session_counts import SessionSummary

    _Base = App[SessionSummary]
else:
    _Base = object


class DecisionActions(_Base):
    """The keys that decide the current item (and undo the last accept)."""

    if TYPE_CHECKING:  # held and defined by ReviewApp
        session: Session | None
        queue: DraftQueue[Preview]
        items: list[WorkItem]
        current: int
        loaded: bool
        clock: Callable[[], float]
        _warned: set[str]
        _shown_at: float | None

        @property
        def main(self) -> MainScreen:
            """The main screen."""

        def current_item(self) -> WorkItem | None:
            """The item on screen."""

        def show(self, index: int) -> None:
            """Make item ``index`` the current one."""

        def _render_current(self) -> None: ...

        def _update_status(self) -> None: ...

        def _request(
            self, item: WorkItem, hint: str | None = None, force: bool = False, fresh: bool = False
        ) -> None: ...

    def _review_ms(self) -> int | None:
        if self._shown_at is None:
            return None
        return int((self.clock() - self._shown_at) * 1000)

    def _decidable(self) -> tuple[WorkItem, Ready] | None:
        """The current item and its ready draft, or None (with a notification saying why)."""
        if not self.loaded or self.session is None:
            return None
        item = self.current_item()
        if item is None:
            return None
        ready = self.queue.ready.get(item.key)
        if ready is None:
            self.notify("The draft is not ready yet.", severity="warning", timeout=2)
            return None
        if ready.draft.error or not ready.draft.text:
            self.notify("This draft failed; press g to retry or s to skip.", severity="warning")
            return None
        return item, ready

    def _after_decision(self) -> None:
        """The current item is decided: redraw its row and move to the next pending one."""
        self.main.query_one(TargetList).update_item(self.current)
        self._advance()

    def _advance(self) -> None:
        """Move to the next pending item the filter shows (wrapping), or say all done."""
        targets = self.main.query_one(TargetList)
        index = targets.next_pending(self.current)
        if index is not None:
            self.show(index)
            return
        self._update_status()
        self._render_current()
        hidden = sum(1 for i in self.items if i.state == "pending")
        if hidden:
            self.notify(
                f"Every target the filter shows is decided; {hidden} more outside it."
                " Press escape to clear the filter.",
                timeout=6,
            )
            return
        self.notify("Every target is decided. Press q for the summary.", timeout=4)

    def action_accept(self) -> None:
        """Apply the current draft to its file and log ``accept``.

        A draft that would replace hand-written lines (not an in-place repair) is not
        applied: a notification says how many lines would go, and ``A`` confirms.
        """
        self._accept(confirm=False)

    def action_accept_replace(self) -> None:
        """``A``: accept a draft that replaces the hand-written docstring, once warned.

        The person has been told how many lines go: by the checks panel (the draft fails
        ``preserves_existing``) or by a refused ``a`` on this draft.
        """
        found = self._decidable()
        if found is None:
            return
        item, ready = found
        if not (ready.draft.replaces_prose or ready.draft.draft_id in self._warned):
            self.notify("Nothing to confirm: press a to accept.", timeout=3)
            return
        self._accept(confirm=True)

    def _accept(self, *, confirm: bool) -> None:
        found = self._decidable()
        if found is None:
            return
        item, ready = found
        assert self.session is not None
        outcome = self.session.accept(
            item, ready.draft, review_ms=self._review_ms(), confirm=confirm
        )
        if not outcome.ok:
            if outcome.needs_confirmation:
                self._warned.add(ready.draft.draft_id)
                lines = "line" if outcome.dropped == 1 else "lines"
                self.notify(
                    f"This draft replaces the hand-written docstring: {outcome.dropped} "
                    f"{lines} would go. Press A to replace them, g for a fresh repair, "
                    "e to edit.",
                    title="hand-written docstring",
                    severity="warning",
                    timeout=10,
                )
                return
            self.notify(f"Not applied: {outcome.message}", severity="error", timeout=8)
            return
        self.queue.changed(item.path)
        self._after_decision()

    def action_edit(self) -> None:
        """Open the editor on the current draft; saving accepts the edited text.

        When the edited text cannot be applied (a README section that fails a check, say),
        a notification says why and the editor opens again on the text, so nothing typed is
        lost.
        """
        found = self._decidable()
        if found is None:
            return
        item, ready = found
        what = "section" if item.kind == README_KIND else "docstring"
        # Saving an edit of a draft that replaces the hand-written docstring is informed: the
        # editor's title says so. Otherwise a refusal for dropped lines asks for a second save.
        informed = {"confirm": ready.draft.replaces_prose}

        def saved(text: str | None) -> None:
            if text is None or self.session is None:
                return
            outcome = self.session.accept(
                item,
                ready.draft,
                text=text,
                review_ms=self._review_ms(),
                confirm=informed["confirm"],
            )
            if not outcome.ok:
                if outcome.needs_confirmation:
                    informed["confirm"] = True
                    message = (
                        f"This text drops {outcome.dropped} hand-written line(s) of the "
                        "current docstring. Save again (ctrl+s) to replace them."
                    )
                    self.notify(message, severity="warning", timeout=10)
                else:
                    self.notify(f"Not applied: {outcome.message}", severity="error", timeout=8)
                self.push_screen(EditorScreen(text, title, what), saved)
                return
            self.queue.changed(item.path)
            self._after_decision()

        title = f"{item.path}: {item.qualname}"
        if ready.draft.replaces_prose:
            title += " — replaces the hand-written docstring on save"
        self.push_screen(EditorScreen(ready.draft.text, title, what), saved)

    def action_reject(self) -> None:
        """Ask for a reason, then log ``reject``."""
        found = self._decidable()
        if found is None:
            return
        item, ready = found

        def picked(reason: str | None) -> None:
            if reason is None or self.session is None:
                return
            self.session.reject(item, ready.draft, reason, review_ms=self._review_ms())
            self._after_decision()

        self.push_screen(ReasonScreen(), picked)

    def action_skip(self) -> None:
        """Log ``skip`` (when there is a draft) and move on."""
        if not self.loaded or self.session is None:
            return
        item = self.current_item()
        if item is None:
            return
        ready = self.queue.ready.get(item.key)
        draft = ready.draft if ready and not ready.draft.error else None
        self.session.skip(item, draft, review_ms=self._review_ms())
        self._after_decision()

    def action_regenerate(self) -> None:
        """Ask for an optional hint and draft the current item again.

        A typed hint asks for a rewrite (a stale docstring is replaced); without one the
        draft is only made anew (a stale docstring is still repaired in place).
        """
        if not self.loaded:
            return
        item = self.current_item()
        if item is None:
            return

        def hinted(hint: str | None) -> None:
            if hint is None:
                return
            self.queue.discard(item)
            self._request(item, hint or None, force=True, fresh=True)
            if self.current_item() is item:
                self._render_current()

        self.push_screen(HintScreen(), hinted)

    def action_undo(self) -> None:
        """Restore the file of the last accept and log ``undo``."""
        if not self.loaded or self.session is None:
            return
        item, outcome = self.session.undo()
        if not outcome.ok or item is None:
            self.notify(outcome.message, severity="warning", timeout=5)
            return
        self.queue.changed(item.path)
        index = self.items.index(item)
        self.main.query_one(TargetList).update_item(index)
        self.notify(f"Undone: {item.path}: {item.qualname}", timeout=3)
        self.show(index)
