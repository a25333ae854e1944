"""Typed records that go into the decision log and come out of it.

Writers build :class:`DraftRecord` and :class:`CallRecord`; readers get :class:`LoggedDraft`,
:class:`Decision`, :class:`Call`, :class:`Run`, :class:`Reviewed`, :class:`LogEntry`,
:class:`CoverageSnapshot` and :class:`EvalRun`. Every record has ``to_dict()`` for JSON output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

MODES = ("tui", "batch", "eval", "other")
DECISIONS = ("accept", "edit", "reject", "skip", "undo")
#: The reviewer recorded for decisions made by the batch policy rather than a person.
BATCH_REVIEWER = "batch-policy"
#: the mode of decisions ``docagent apply`` records (a file of proposals applied as a whole)
APPLY_MODE = "apply"


def unreviewed(reviewer: str, mode: str) -> bool:
    """True for a decision no person made by reading the draft in review.

    The batch policy's accepts and ``docagent apply``'s writes are counted apart in reports
    (``auto_applied``) and are never eval references.
    """
    return reviewer == BATCH_REVIEWER or mode == APPLY_MODE


class _Dict:
    """Mixin: ``to_dict()`` for dataclass records."""

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]


@dataclass
class DraftRecord(_Dict):
    """One draft as the drafting engine hands it to :meth:`Store.record_draft`.

    ``text`` is the rendered docstring content (``inspect.cleandoc`` form; Markdown for README
    sections). ``source`` is the module text *without the target's docstring* at draft time: it
    lets ``docagent export`` build eval cases after the file has changed. ``checks`` is a list of
    ``{"name", "ok", "detail"}``. ``context`` and ``structured`` are any JSON-able values.
    """

    path: str
    qualname: str
    kind: str
    text: str = ""
    code_sha: str = ""
    status: str = ""
    style: str = ""
    provider: str = ""
    model: str = ""
    prompt_version: str = ""
    context: Any = None
    context_hash: str = ""
    structured: Any = None
    checks: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    original_docstring: str | None = None
    #: instead of ``source``: the module's text, stored once per version, and the cut that
    #: removes the target's docstring from it (see :mod:`docagent.store.sources`)
    file_text: str | None = None
    source_cut: tuple[int, int, str] | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: int = 0
    attempts: int = 1
    error: str | None = None
    cache_key: str = ""

    @property
    def checks_ok(self) -> bool:
        """True when every check passed (also when there were none)."""
        return all(bool(c.get("ok")) for c in self.checks)


@dataclass
class LoggedDraft(DraftRecord):
    """A stored draft: a :class:`DraftRecord` plus its id, run and creation time (UTC ISO)."""

    id: str = ""
    run_id: str | None = None
    created_at: str = ""
    #: the repository (normalised remote URL or ``repo_name``) and who ran docagent
    repo: str = ""
    reviewer: str = ""


@dataclass
class Decision(_Dict):
    """One stored decision on a draft (``undo`` cancels the draft's previous decision)."""

    id: int
    draft_id: str
    created_at: str
    decision: str
    final_text: str | None
    reason: str
    reviewer: str
    review_ms: int | None
    mode: str
    repo: str = ""


@dataclass
class Intent(_Dict):
    """A file-changing decision recorded before its write (see :meth:`Store.record_intent`)."""

    id: int
    draft_id: str
    created_at: str
    path: str
    qualname: str
    decision: str
    final_text: str | None
    reviewer: str
    review_ms: int | None
    mode: str
    repo: str = ""


@dataclass
class CallRecord(_Dict):
    """One model call as a provider reports it to :meth:`Store.record_call` (no headers)."""

    provider: str = ""
    model: str = ""
    request_id: str = ""
    status: str = "ok"
    retries: int = 0
    duration_ms: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    error_type: str = ""
    draft_id: str | None = None


@dataclass
class Call(CallRecord):
    """A stored model call."""

    id: int = 0
    run_id: str | None = None
    created_at: str = ""
    repo: str = ""
    reviewer: str = ""


@dataclass
class Run(_Dict):
    """A stored run (one review session, batch or eval invocation)."""

    id: str
    mode: str
    provider: str
    model: str
    prompt_version: str
    config: dict[str, Any]
    docagent_version: str
    started_at: str
    ended_at: str | None
    summary: dict[str, Any]
    repo: str = ""
    reviewer: str = ""


@dataclass
class Reviewed(_Dict):
    """A decision joined with its draft: one row per decided draft, what reports slice.

    ``decision`` is the draft's effective decision (``undo`` already applied); ``day`` is the
    UTC date of the decision. ``draft_text`` is what the model proposed, ``final_text`` what the
    person kept (equal for ``accept``).
    """

    decision_id: int
    draft_id: str
    run_id: str | None
    decided_at: str
    day: str
    decision: str
    final_text: str | None
    reason: str
    reviewer: str
    review_ms: int | None
    mode: str
    path: str
    qualname: str
    kind: str
    style: str
    status: str
    provider: str
    model: str
    prompt_version: str
    code_sha: str
    draft_text: str
    checks: list[dict[str, Any]]
    checks_ok: bool
    tokens_in: int
    tokens_out: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float
    latency_ms: int
    drafted_at: str
    source: str | None
    repo: str = ""


#: what became of an applied or proposed draft in the repository (docs/reports.md#retention)
OUTCOMES = ("kept", "edited", "removed", "gone")
#: how a draft's text got into the repository
VIAS = ("review", "batch", "apply", "pr")


@dataclass
class Outcome(_Dict):
    """What became of one applied (or proposed) draft when the repository was compared.

    ``outcome`` is ``kept`` (the text is there), ``edited`` (``current_text`` replaced it,
    ``similarity`` says how much survived), ``removed`` (the target has no docstring) or
    ``gone`` (the target or its file no longer exists). ``changed_at`` is when this outcome
    began (the time of ``commit_sha`` when git names one, else the first comparison that saw
    it); ``checked_at`` the latest comparison.
    """

    draft_id: str
    via: str
    outcome: str
    applied_at: str
    changed_at: str
    checked_at: str
    applied_text: str = ""
    similarity: float | None = None
    current_text: str | None = None
    commit_sha: str = ""


@dataclass
class OutcomeCandidate(_Dict):
    """A draft ``docagent outcomes`` may follow: its target, text and standing decision.

    ``decision`` is its standing decision (None when it has none); ``known`` the outcome
    recorded for it before, if any.
    """

    draft_id: str
    path: str
    qualname: str
    kind: str
    text: str
    created_at: str
    decision: str | None
    final_text: str | None
    reviewer: str
    mode: str
    decided_at: str | None
    error: str | None
    known: Outcome | None = None


@dataclass
class LogEntry(_Dict):
    """What ``docagent log`` shows per draft: the draft, its decisions and its model calls."""

    draft: LoggedDraft
    decision: str | None
    decisions: list[Decision]
    calls: list[Call]
    last_activity: str


@dataclass
class CoverageSnapshot(_Dict):
    """Docstring coverage (percent) before and after one run."""

    id: int
    run_id: str | None
    created_at: str
    scope: str
    before: float
    after: float
    total: int | None
    documented_before: int | None
    documented_after: int | None
    repo: str = ""
    reviewer: str = ""


@dataclass
class EvalRun(_Dict):
    """A stored eval run: its score, metrics and per-case results."""

    id: str
    run_id: str | None
    created_at: str
    datasets: list[str]
    provider: str
    model: str
    prompt_version: str
    score: float
    n_cases: int
    metrics: dict[str, Any]
    cases: list[dict[str, Any]]
    repo: str = ""
    reviewer: str = ""
