"""What a session works on and what comes of it: work items, outcomes, draft records.

Shared by the session and its kinds of work (:mod:`docagent.work`), and by both front ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docagent.code.docstrings import docstring_sha
from docagent.code.targets import FileFacts, Target
from docagent.draft.models import Check, Draft, StructuredDraft, Usage
from docagent.store import DraftRecord
from docagent.vocab import README_KIND


@dataclass
class WorkItem:
    """One target to document, with where it stands in this session."""

    path: str
    qualname: str
    kind: str
    line: int
    status: str
    problems: list[str] = field(default_factory=list)
    old_docstring: str | None = None
    state: str = "pending"  # pending | done | rejected | skipped | failed
    reason: str = ""  # why the person rejected it (state "rejected")

    @property
    def key(self) -> tuple[str, str]:
        """``(path, qualname)``: the target's identity."""
        return (self.path, self.qualname)


@dataclass
class Outcome:
    """The result of a decision: whether the file changed, and why not when it did not.

    ``needs_confirmation`` is set when an accept was refused only because the draft would
    replace ``dropped`` hand-written lines: accepting again with ``confirm=True`` replaces them.
    """

    ok: bool
    message: str = ""
    applied: bool = False
    needs_confirmation: bool = False
    dropped: int = 0
    #: the decision logged by an accept: ``accept``, or ``edit`` when the person's text differs
    #: from the draft ("" when nothing was logged)
    decision: str = ""


@dataclass
class UndoRecord:
    """What undoing one accept restores: the file's bytes before and after it."""

    item: WorkItem
    draft: Draft
    path: str
    old_bytes: bytes | None  # None: the accept created the file
    new_bytes: bytes


def accept_decision(draft: Draft, text: str | None) -> str:
    """``edit`` when the person's ``text`` differs from the draft (whitespace aside), else
    ``accept``."""
    return "edit" if text is not None and text.strip() != draft.text.strip() else "accept"


def checks_from_dicts(items: list[dict[str, Any]]) -> list[Check]:
    """Check results from their logged or proposals-file form (``{name, ok, detail, hard}``)."""
    return [
        Check(
            str(c.get("name", "")),
            bool(c.get("ok")),
            str(c.get("detail", "")),
            bool(c.get("hard", True)),
        )
        for c in items
    ]


def draft_from_record(row: Any) -> Draft:
    """Rebuild a drafting-engine :class:`Draft` from a stored draft row."""
    structured = None
    if row.structured:
        try:
            structured = StructuredDraft.from_json(row.structured)
        except ValueError:
            structured = None
    checks = checks_from_dicts(row.checks or [])
    return Draft(
        path=row.path,
        qualname=row.qualname,
        kind=row.kind,
        code_sha=row.code_sha,
        style=row.style,
        structured=structured,
        text=row.text,
        checks=checks,
        provider=row.provider,
        model=row.model,
        prompt_version=row.prompt_version,
        usage=Usage(row.tokens_in, row.tokens_out, row.cache_read_tokens, row.cache_write_tokens),
        cost_usd=row.cost_usd,
        latency_ms=row.latency_ms,
        error=row.error or "",
        context=row.context if isinstance(row.context, str) else "",
        cache_key=row.cache_key,
        attempts=row.attempts,
        cached=True,
        draft_id=row.id,
        original_sha=None if row.kind == README_KIND else docstring_sha(row.original_docstring),
    )


def draft_record(draft: Draft, hint: str | None = None, **fields: Any) -> DraftRecord:
    """The decision-log record of ``draft``: identity, text, checks, usage, cost, timing.

    ``fields`` add or override what only the caller knows (status, source, README specifics).
    """
    base: dict[str, Any] = {
        "path": draft.path,
        "qualname": draft.qualname,
        "kind": draft.kind,
        "text": draft.text,
        "code_sha": draft.code_sha,
        "style": draft.style,
        "provider": draft.provider,
        "model": draft.model,
        "prompt_version": draft.prompt_version,
        "context": {
            "text": draft.context,
            "tokens": draft.context_tokens,
            "hint": hint,
            "effort": draft.effort,
        },
        "context_hash": draft.cache_key,
        "checks": [c.to_dict() for c in draft.checks],
        # unknown usage is logged as 0 tokens; cost_usd holds the conservative bound
        "tokens_in": 0 if draft.usage.unknown else draft.usage.input_tokens,
        "tokens_out": 0 if draft.usage.unknown else draft.usage.output_tokens,
        "cache_read_tokens": 0 if draft.usage.unknown else draft.usage.cache_read_tokens,
        "cache_write_tokens": 0 if draft.usage.unknown else draft.usage.cache_write_tokens,
        "cost_usd": draft.cost_usd,
        "latency_ms": draft.latency_ms,
        "attempts": max(1, draft.attempts),
        "error": draft.error or None,
        "cache_key": draft.cache_key,
    }
    return DraftRecord(**{**base, **fields})


def docstring_record(
    draft: Draft, facts: FileFacts, target: Target, hint: str | None = None
) -> DraftRecord:
    """The decision-log record of a docstring draft (with the eval-case source).

    The source goes to the log as the file's text (stored once per file version) and the
    cut that removes the target's docstring (see :mod:`docagent.store.sources`).
    """
    from docagent.store.sources import NO_CUT, docstring_cut

    doc = target.docstring
    bodies = None if doc is None else _docstring_bodies(facts)
    return draft_record(
        draft,
        hint,
        status="stale" if doc is not None else "missing",
        structured=draft.structured.to_json() if draft.structured else None,
        file_text=facts.text,
        source_cut=NO_CUT
        if doc is None
        else docstring_cut(facts.text, doc.start_byte, doc.end_byte, bodies),
        original_docstring=doc.text if doc else None,
    )


def _docstring_bodies(facts: FileFacts) -> dict[int, tuple[int, bool]]:
    """How the docstrings of ``facts`` sit in their bodies, from the file's one parse (kept on
    the facts: once per file version, not once per draft); empty when the file does not parse."""
    from docagent.code.astfacts import ast_facts
    from docagent.store.sources import docstring_bodies

    found = facts.__dict__.get("_docstring_bodies")
    if found is None:
        tree = ast_facts(facts).tree
        found = {} if tree is None else docstring_bodies(facts.source, tree)
        facts.__dict__["_docstring_bodies"] = found
    return found
