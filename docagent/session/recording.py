"""What a session writes to the decision log: drafts with their model calls, edit intents and
decisions (with their observability events); the log as the drafter's cache.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from docagent import observability
from docagent.draft.models import Draft
from docagent.draft.providers.registry import makes_model_calls
from docagent.errors import DocagentError
from docagent.session.files import FileReading
from docagent.store import CallRecord, DraftRecord, Store
from docagent.store.prepared import PreparedDraft
from docagent.work import (
    Outcome,
    WorkItem,
    draft_from_record,
)

if TYPE_CHECKING:
    pass


class StoreCache:
    """The decision log as a :class:`~docagent.draft.cache.DraftSource`: drafts are found by
    their cache key. The drafter stores nothing here: the session records every draft itself.
    """

    def __init__(self, store: Store):
        """Wrap ``store``."""
        self.store = store

    def get(self, key: str) -> Draft | None:
        """Return the newest usable stored draft for ``key`` (never one a person rejected)."""
        row = self.store.cached_draft(key)
        if row is None:
            return None
        return draft_from_record(row)


class Recording(FileReading):
    """Drafts, intents and decisions written to the log (and counted in the totals)."""

    def store_rejections(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(path, qualname) -> (reason, rejected text) of targets whose latest decision is a
        rejection (an undone rejection does not count)."""
        latest: dict[tuple[str, str], Any] = {}
        for r in self.store.decisions():
            if r.decision in ("accept", "edit", "reject"):
                latest[(r.path, r.qualname)] = r
            elif r.decision == "undo":
                latest.pop((r.path, r.qualname), None)
        return {
            k: (r.reason or "", r.draft_text or "")
            for k, r in latest.items()
            if r.decision == "reject"
        }

    def record_paid(self, draft: Draft, record: DraftRecord | PreparedDraft) -> str:
        """Add a new draft's cost to the totals; store it and (unless offline) its model call.

        Draft and call are written in one transaction. When the log cannot be written, the
        store keeps both in its journal (a paid call is never forgotten) and raises.
        ``record`` may be prepared already (:func:`~docagent.store.prepared.prepare_draft`,
        where the draft was made): then only its row is written here.
        """
        self._count(draft)
        call = self._call_record(draft)
        if call is None:
            return self.store.record_draft(self.run_id or None, record)
        return self.store.record_paid(self.run_id or None, record, call)

    def _count(self, draft: Draft) -> None:
        """Add a new draft's cost and tokens to the totals (first: the budget sees the spend
        even when logging fails)."""
        with self._lock:
            self.totals["cost_usd"] += draft.cost_usd
            if not draft.usage.unknown:
                self.totals["input_tokens"] += draft.usage.input_tokens
                self.totals["output_tokens"] += draft.usage.output_tokens

    def _call_record(self, draft: Draft) -> CallRecord | None:
        """The model call behind a new draft (None for the offline drafter, which makes none).

        A call whose usage is unknown (a malformed reply, implausible token counts) has status
        ``usage_unknown``, 0 tokens and the conservative cost bound the budget counted.
        """
        if makes_model_calls(draft.provider):
            u = draft.usage
            status = "usage_unknown" if u.unknown else "error" if draft.error else "ok"
            return CallRecord(
                provider=draft.provider,
                model=draft.model,
                status=status,
                retries=max(0, draft.attempts - 1),
                duration_ms=draft.latency_ms,
                tokens_in=0 if u.unknown else u.input_tokens,
                tokens_out=0 if u.unknown else u.output_tokens,
                cache_read_tokens=0 if u.unknown else u.cache_read_tokens,
                cache_write_tokens=0 if u.unknown else u.cache_write_tokens,
                cost_usd=draft.cost_usd,
                error_type=draft.error_kind,
                request_id=draft.request_id,
            )
        return None

    def observe_draft(self, span: Any, draft: Draft) -> None:
        """Put a new draft's usage and outcome on its span."""
        span.set_usage(
            draft.usage.input_tokens,
            draft.usage.output_tokens,
            draft.usage.cache_read_tokens,
            draft.usage.cache_write_tokens,
            cost_usd=draft.cost_usd,
        )
        span.set_response(model=draft.model, response_id=draft.response_id or None)
        span.set_checks(draft.ok, [c.name for c in draft.failed_checks])
        span.set_draft_id(draft.draft_id)
        if draft.error:
            span.set_error(draft.error_kind or draft.error)

    def intend(
        self,
        item: WorkItem,
        draft: Draft,
        decision: str,
        final: str,
        reviewer: str | None,
        review_ms: int | None,
    ) -> tuple[int, Outcome | None]:
        """Record the decision a write is about to carry, before the write.

        Returns ``(intent id, None)``, or ``(0, refusal)`` when the log cannot be written: then
        nothing is written to the file, and no later accept of this session edits a file
        either (:attr:`log_failure`), so no edit is ever made that the log does not know of.
        """
        if self.log_failure:
            return 0, Outcome(False, f"not written: {self.log_failure}")
        try:
            intent = self.store.record_intent(
                draft.draft_id,
                decision,
                path=item.path,
                qualname=item.qualname,
                final_text=final,
                reviewer=reviewer or self.reviewer,
                review_ms=review_ms,
                mode=self.mode,
            )
        except DocagentError as exc:
            self._log_failed(exc)
            return 0, Outcome(False, f"not written: {self.log_failure}")
        return intent, None

    def _log_failed(self, exc: Exception) -> None:
        self.log_failure = f"the decision log cannot be written ({exc}); no edits after this"

    def forget_intent(self, intent: int) -> None:
        """The write did not happen: drop its intent (a leftover is settled on the next run)."""
        with contextlib.suppress(DocagentError):
            self.store.drop_intent(intent)

    def _reconcile_intents(self) -> None:
        """Settle writes a killed run made without confirming them (see :meth:`_intend`)."""
        if not self.store.intents():
            return

        from docagent.apply_proposals import intent_written

        confirmed, _ = self.store.reconcile_intents(lambda i: intent_written(self.root, i))
        if confirmed:
            what = "edit" if confirmed == 1 else "edits"
            self.notices.append(
                f"{confirmed} {what} of an interrupted run found in the files; decisions recorded"
            )

    def decide(
        self,
        draft: Draft,
        decision: str,
        *,
        final_text: str | None = None,
        reason: str = "",
        reviewer: str | None = None,
        review_ms: int | None = None,
        intent: int = 0,
    ) -> None:
        """Commit one decision to the log (confirming its ``intent``) and emit its event.

        When confirming fails after the file was written, the intent stays in the log and the
        next run records the decision (:meth:`_reconcile_intents`); this session makes no
        further edits.
        """
        if intent:
            try:
                self.store.confirm_intent(intent)
            except DocagentError as exc:
                self._log_failed(exc)
                raise
        else:
            self.store.record_decision(
                draft.draft_id,
                decision,
                final_text=final_text,
                reason=reason,
                reviewer=reviewer or self.reviewer,
                review_ms=review_ms,
                mode=self.mode,
            )
        self.tally.add(draft.draft_id, decision)
        observability.decision_event(
            decision,
            draft_id=draft.draft_id,
            target=f"{draft.path}::{draft.qualname}",
            kind=draft.kind,
            reason=reason,
            review_ms=review_ms,
            mode=self.mode,
        )
