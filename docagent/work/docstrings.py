"""Docstring work: the kind of work that drafts and applies Python docstrings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docagent import observability
from docagent.code.docstrings import docstring_sha
from docagent.code.edit import DocEdit, apply_file_edits, docstring_text
from docagent.code.targets import FileFacts, Target
from docagent.draft.models import Draft
from docagent.store import BATCH_REVIEWER
from docagent.vocab import README_KIND
from docagent.work.items import (
    Outcome,
    WorkItem,
    accept_decision,
    checks_from_dicts,
    docstring_record,
)

if TYPE_CHECKING:
    from docagent.session import Session


class DocstringWork:
    """Draft docstrings with the session's drafter; apply them through the safe edit engine."""

    def __init__(self, session: Session) -> None:
        """Work for ``session``."""
        self.session = session
        self._batch_drafts: Any = None  # batch's index of logged drafts, built on first use

    def target(self, item: WorkItem) -> tuple[FileFacts, Target] | None:
        """The file facts and current target of ``item``, or None when it is gone."""
        facts = self.session.facts(item.path)
        if facts is None:
            return None
        t = facts.target(item.qualname)
        return (facts, t) if t is not None else None

    async def draft(self, item: WorkItem, hint: str | None = None, fresh: bool = False) -> Draft:
        """Draft (or reuse a cached or batch-logged draft for) ``item`` and log it.

        A ``hint`` (a reviewer's typed request) always drafts anew and, for a stale docstring,
        asks for a rewrite; ``fresh`` drafts anew too but still repairs a stale docstring in
        place (``g`` without a hint).
        """
        session = self.session
        drafter = session.ensure_drafter()
        found = self.target(item)
        if found is None:
            return Draft(
                path=item.path,
                qualname=item.qualname,
                kind=item.kind,
                error=f"{item.path}: {item.qualname} no longer exists",
                error_kind="gone",
            )
        facts, target = found
        if not hint and not fresh and session.mode != "batch":
            reused = self._batch_draft(item)
            if reused is not None:  # checked by an earlier batch run: not paid for twice
                return reused
        provider = session.provider
        with observability.draft_span(
            target, provider.name, provider.model, drafter.prompt_version
        ) as span:
            draft = await drafter.draft(facts, target, hint=hint, fresh=fresh)
            return self._logged(draft, facts, target, hint, span)

    def adopt(self, item: WorkItem, made: Draft) -> Draft | None:
        """Log ``made``, the draft a copy of this session's drafter made for ``item`` in
        another process (:mod:`docagent.draft_ahead`), as :meth:`draft` logs its own.

        As in :meth:`draft`, a usable draft the log holds under the same cache key is reused
        instead (the caller compares it with ``made``). Returns None, logging nothing, when
        ``made`` is not what :meth:`draft` would draft now: the target is gone, or its code or
        docstring is no longer the one ``made`` was drafted from.
        """
        session = self.session
        drafter = session.ensure_drafter()
        found = self.target(item)
        if found is None:
            return None
        facts, target = found
        current = docstring_sha(target.docstring.text if target.docstring else None)
        if made.code_sha != drafter.code_sha(facts, target) or made.original_sha != current:
            return None
        provider = session.provider
        with observability.draft_span(
            target, provider.name, provider.model, drafter.prompt_version
        ) as span:
            hit = drafter.cached(made.cache_key, made.original_sha)
            return self._logged(hit or made, facts, target, None, span)

    def _logged(
        self,
        draft: Draft,
        facts: FileFacts,
        target: Target,
        hint: str | None,
        span: observability.DraftSpan,
    ) -> Draft:
        """Record a new ``draft`` in the log (and in ``span``); a cached one the log still
        holds is returned as it is."""
        session = self.session
        if draft.cached and draft.draft_id and session.store.draft(draft.draft_id) is not None:
            span.set_attribute("docagent.cached", True)
            span.set_draft_id(draft.draft_id)
            return draft
        record = docstring_record(draft, facts, target, hint)
        draft.draft_id = session.record_paid(draft, record)
        session.observe_draft(span, draft)
        return draft

    def _batch_draft(self, item: WorkItem) -> Draft | None:
        """The draft an earlier batch run logged for ``item`` while its code, prompt version,
        model, style and docstring are unchanged (never one a person rejected), else None."""
        from docagent.batch import _Resume

        if self._batch_drafts is None:
            self._batch_drafts = _Resume(self.session)
        return self._batch_drafts.find(item)

    def from_proposals(self, proposals: list[Any]) -> tuple[list[WorkItem], int]:
        """Work items for the records of a proposals file, with their drafts in ``preset``.

        Each record (not ``rejected``, not a README section) whose target still exists becomes
        a work item; its draft is the logged one when the record's ``draft_id`` is in the
        decision log, else it is logged now. Records whose file or target is gone are listed in
        the session's ``errors``. Returns the items and how many records are already applied
        (the target's docstring is the record's text).
        """
        session = self.session
        items: list[WorkItem] = []
        applied = 0
        for p in proposals:
            if p.status == "rejected" or p.kind == README_KIND:
                continue
            facts = session.facts(p.path)
            target = facts.target(p.qualname) if facts is not None else None
            if facts is None or target is None:
                session.errors.append((p.path, f"{p.qualname}: not found; record skipped"))
                continue
            if target.docstring is not None and target.docstring.text == docstring_text(p.text):
                applied += 1
                continue
            checks = checks_from_dicts(p.checks)
            draft = Draft(
                path=p.path,
                qualname=target.qualname,
                kind=target.kind,
                code_sha=p.code_sha or "",
                style=p.style or session.style,
                text=p.text,
                checks=checks,
                provider=p.provider or "proposals",
                model=p.model or "",
                prompt_version=p.prompt_version or "",
                original_sha=p.original_sha
                or docstring_sha(target.docstring.text if target.docstring else None),
            )
            if p.draft_id and session.store.draft(p.draft_id) is not None:
                draft.draft_id = p.draft_id
            else:
                draft.draft_id = session.store.record_draft(
                    session.run_id or None, docstring_record(draft, facts, target)
                )
            item = WorkItem(
                path=p.path,
                qualname=target.qualname,
                kind=target.kind,
                line=target.line,
                status="stale" if target.docstring is not None else "missing",
                old_docstring=target.docstring.text if target.docstring else None,
            )
            session.preset[item.key] = draft
            items.append(item)
        return items, applied

    def accept(
        self,
        item: WorkItem,
        draft: Draft,
        text: str | None = None,
        review_ms: int | None = None,
        reviewer: str | None = None,
        confirm: bool = False,
    ) -> Outcome:
        """Write the docstring through the edit engine and log ``accept`` or ``edit``.

        Refused (file untouched, nothing logged) when the target's code or docstring changed
        since the draft was made, or — unless ``confirm`` — when the draft is not an in-place
        repair and would remove lines of the hand-written docstring.
        """
        session = self.session
        final = text if text is not None else draft.text
        if not final.strip():
            return Outcome(False, "the docstring is empty")
        decision = accept_decision(draft, text)
        edit = DocEdit(
            item.qualname,
            final,
            draft.code_sha or None,
            original_sha=draft.original_sha,
            keep_existing=not (confirm or draft.repairs),
        )
        intent, refusal = session.intend(item, draft, decision, final, reviewer, review_ms)
        if refusal is not None:
            return refusal
        result = apply_file_edits(
            session.root, item.path, [edit], line_length=session.settings.line_length
        )
        applied = bool(result.written)
        if result.refused or (not applied and not result.skipped):
            session.forget_intent(intent)
            if result.refused:
                message = "; ".join(reason for _, reason in result.refused)
                dropped = result.would_drop.get(item.qualname, 0)
                return Outcome(False, message, needs_confirmation=dropped > 0, dropped=dropped)
            return Outcome(False, result.error or "nothing was written")
        session.decide(
            draft,
            decision,
            final_text=final,
            reviewer=reviewer,
            review_ms=review_ms,
            intent=intent,
        )
        session.wrote(item, draft, result.old_bytes, result.new_bytes if applied else None)
        session.record_proposed(
            item.path, item.qualname, final, reviewed=reviewer != BATCH_REVIEWER
        )
        item.state = "done"
        message = "applied" if applied else "; ".join(r for _, r in result.skipped)
        return Outcome(True, message, applied, decision=decision)

    def accept_file(
        self, accepts: list[tuple[WorkItem, Draft]], reviewer: str | None = None
    ) -> list[Outcome]:
        """Apply several drafts of one file in one verified write and log each decision.

        What :meth:`accept` does for each draft, with one read, one verification and one
        atomic write for the whole file (``batch --apply`` groups a file's accepts this way).
        Every decision is recorded as an intent before the write and confirmed after it, so a
        kill at any point leaves the log and the file in agreement once the next run settles
        the intents. No undo copy is kept (batch never undoes). Returns one :class:`Outcome`
        per draft, in order.

        Raises:
            ValueError: The drafts are not docstring drafts of one file.
        """
        if not accepts:
            return []
        session = self.session
        path = accepts[0][0].path
        intents: dict[str, int] = {}
        outcomes: dict[str, Outcome] = {}
        edits: list[DocEdit] = []
        for item, draft in accepts:
            if item.path != path or item.kind == README_KIND:
                raise ValueError("accept_file takes docstring drafts of one file")
            if not draft.text.strip():
                outcomes[item.qualname] = Outcome(False, "the docstring is empty")
                continue
            intent, refusal = session.intend(item, draft, "accept", draft.text, reviewer, None)
            if refusal is not None:
                outcomes[item.qualname] = refusal
                continue
            intents[item.qualname] = intent
            edits.append(
                DocEdit(
                    item.qualname,
                    draft.text,
                    draft.code_sha or None,
                    original_sha=draft.original_sha,
                    keep_existing=not draft.repairs,
                )
            )
        result = (
            apply_file_edits(
                session.root,
                path,
                edits,
                line_length=session.settings.line_length,
                # the fingerprints drafting computed: the file is not parsed again for them
                facts_cache=session.held_fingerprints(path),
            )
            if edits
            else None
        )
        refused = dict(result.refused) if result is not None else {}
        skipped = dict(result.skipped) if result is not None else {}
        applied = set(result.applied) if result is not None and result.written else set()
        out: list[Outcome] = []
        for item, draft in accepts:
            q = item.qualname
            if q in outcomes:
                out.append(outcomes[q])
                continue
            if q in refused or (q not in applied and q not in skipped):
                session.forget_intent(intents[q])
                if q in refused:
                    dropped = result.would_drop.get(q, 0) if result is not None else 0
                    out.append(
                        Outcome(False, refused[q], needs_confirmation=dropped > 0, dropped=dropped)
                    )
                else:
                    error = result.error if result is not None else None
                    out.append(Outcome(False, error or "nothing was written"))
                continue
            session.decide(
                draft, "accept", final_text=draft.text, reviewer=reviewer, intent=intents[q]
            )
            session.record_proposed(path, q, draft.text, reviewed=reviewer != BATCH_REVIEWER)
            item.state = "done"
            message = "applied" if q in applied else skipped[q]
            out.append(Outcome(True, message, q in applied, decision="accept"))
        session.wrote_without_undo(path, bool(applied))
        return out

    def undone(self, item: WorkItem) -> None:
        """The drafter's team examples go back to the docstring the file has again."""
        session = self.session
        if session.drafter is None or session.symbols is None:
            return
        found = self.target(item)
        old = found[1].docstring.text if found and found[1].docstring else ""
        session.drafter.record_accepted(item.path, item.qualname, old)
