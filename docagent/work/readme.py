"""README work: the kind of work that drafts and applies README sections.

Sections are found by :func:`docagent.readme.scan_readme`, drafted by
:func:`docagent.readme.draft_section`, checked again by :func:`docagent.readme.check_section`
before they are written, applied by :func:`docagent.readme.apply_section`, and logged and undone
like docstrings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docagent import observability
from docagent.code.targets import FileFacts, Target
from docagent.draft.cache import hash_key
from docagent.draft.models import Check, Draft
from docagent.work.items import (
    README_KIND,
    Outcome,
    WorkItem,
    accept_decision,
    draft_from_record,
    draft_record,
)

if TYPE_CHECKING:
    from docagent.readme import ProjectFacts, ReadmeTarget
    from docagent.session import Session


class ReadmeWork:
    """The README sections of one session: found, drafted from project facts, checked, applied."""

    def __init__(self, session: Session) -> None:
        """Work for ``session`` (no sections until :meth:`prepare`)."""
        self.session = session
        self.sections: dict[tuple[str, str], ReadmeTarget] = {}
        #: the project facts sections are drafted from (after :meth:`prepare`)
        self.facts: ProjectFacts | None = None
        self.facts_hash = ""

    def prepare(self) -> list[WorkItem]:
        """Find the README's missing and stale sections; return them as work items.

        Notices for the person (say, a README that is not Markdown) go to the session's
        ``notices``.
        """
        from docagent.readme import facts_hash, scan_readme

        session = self.session
        scan = scan_readme(session.root, session.settings)
        session.notices.extend(n for n in scan.notices if n not in session.notices)
        self.facts = scan.facts
        self.facts_hash = facts_hash(scan.facts)
        items: list[WorkItem] = []
        for target in scan.targets:
            item = WorkItem(
                path=target.path,
                qualname=target.qualname,
                kind=README_KIND,
                line=target.line or 0,
                status=target.status,
                problems=list(target.reasons),
                old_docstring=target.current or None,
            )
            self.sections[item.key] = target
            items.append(item)
        return items

    def section(self, item: WorkItem) -> ReadmeTarget | None:
        """The README target behind ``item`` (None for other items)."""
        return self.sections.get(item.key) if item.kind == README_KIND else None

    def target(self, item: WorkItem) -> tuple[FileFacts, Target] | None:
        """Always None: a README section has no code target (see :meth:`section`)."""
        return None

    def cache_key(self, item: WorkItem) -> str:
        """The draft cache key of a README item ("" when it is not one).

        It covers the section (path, heading, kind, status), the hash of its current body,
        the hash of the project facts the prompt is built from, the prompt version, provider
        and model: a draft is reused only when all of them are unchanged.
        """
        from docagent.readme import readme_prompt_version

        target = self.section(item)
        if target is None:
            return ""
        provider = self.session.provider
        return hash_key(
            README_KIND,
            target.path,
            target.qualname,
            target.section,
            target.status,
            target.code_sha,
            self.facts_hash,
            readme_prompt_version(),
            provider.name,
            provider.model,
        )

    def cached_draft(self, item: WorkItem) -> Draft | None:
        """The logged draft ``item`` may reuse (never one a person rejected), or None."""
        key = self.cache_key(item)
        row = self.session.store.cached_draft(key) if key else None
        if row is None or not row.text:
            return None
        return draft_from_record(row)

    async def draft(self, item: WorkItem, hint: str | None = None, fresh: bool = False) -> Draft:
        """Draft a README section (or reuse its logged draft unless ``hint`` or ``fresh``)."""
        from docagent.readme import draft_section, readme_prompt_version

        session = self.session
        target = self.section(item)
        facts = self.facts
        if target is None or facts is None:
            return Draft(
                path=item.path,
                qualname=item.qualname,
                kind=README_KIND,
                error=f"{item.path}: section `{item.qualname}` is not a README target",
                error_kind="gone",
            )
        key = self.cache_key(item)
        if hint is None and not fresh:
            cached = self.cached_draft(item)
            if cached is not None:
                return cached
        provider = session.provider
        with observability.draft_span(
            f"{item.path}::{item.qualname}",
            provider.name,
            provider.model,
            readme_prompt_version(),
            kind=README_KIND,
        ) as span:
            draft = await draft_section(
                target,
                facts,
                provider,
                hint=hint,
                interactive=session.interactive,
                batch=session.batch_pricing,
                redact_prompt=session.settings.redact_prompts,
            )
            draft.cache_key = key
            record = draft_record(
                draft,
                hint,
                kind=README_KIND,
                status=target.status,
                style="markdown",
                prompt_version=draft.prompt_version or readme_prompt_version(),
                context_hash=self.facts_hash,
                original_docstring=target.current or None,
                cache_key=key,
            )
            draft.draft_id = session.record_paid(draft, record)
            session.observe_draft(span, draft)
        return draft

    def check(self, item: WorkItem, text: str) -> list[Check]:
        """Run the README section checks on ``text`` as the body of ``item``'s section.

        Problems the section's current body already has are not held against ``text``.
        """
        from docagent.readme import check_section

        target = self.section(item)
        if target is None or self.facts is None:
            return []
        return check_section(
            text, self.facts, target.level, target.qualname, baseline=target.current
        )

    def accept(
        self,
        item: WorkItem,
        draft: Draft,
        text: str | None = None,
        review_ms: int | None = None,
        reviewer: str | None = None,
        confirm: bool = False,
    ) -> Outcome:
        """Check, then insert or replace one README section; log it and keep its undo.

        Refused when a hard check fails on the text (:meth:`check`) or the section changed
        since the draft was made. ``confirm`` has no effect (a section is replaced whole).
        """
        from docagent.readme import apply_section

        session = self.session
        final = text if text is not None else draft.text
        if not final.strip():
            return Outcome(False, "the section is empty")
        failed = [c for c in self.check(item, final) if c.hard and not c.ok]
        if failed:
            return Outcome(False, "; ".join(f"{c.name}: {c.detail}" for c in failed))
        target = self.section(item)
        code_sha = draft.code_sha or (target.code_sha if target else "") or None
        full = session.root / item.path
        decision = accept_decision(draft, text)
        with session.lock:
            try:
                old_bytes = full.read_bytes() if full.exists() else None
            except OSError as exc:
                return Outcome(False, f"{item.path}: cannot read: {exc.strerror or exc}")
            intent, refusal = session.intend(item, draft, decision, final, reviewer, review_ms)
            if refusal is not None:
                return refusal
            result = apply_section(session.root, item.path, item.qualname, final, code_sha=code_sha)
            outcome, reason = result.outcomes[0] if result.outcomes else ("refused", "no outcome")
            if outcome == "refused":
                session.forget_intent(intent)
                return Outcome(False, reason or "the edit was refused")
            new_bytes = full.read_bytes() if result.written else None
            session.wrote(item, draft, old_bytes, new_bytes)
        session.decide(
            draft,
            decision,
            final_text=final,
            reviewer=reviewer,
            review_ms=review_ms,
            intent=intent,
        )
        item.state = "done"
        message = "applied" if result.written else reason
        return Outcome(True, message, result.written, decision=decision)

    def undone(self, item: WorkItem) -> None:
        """Nothing to forget: README sections teach the drafter nothing."""
