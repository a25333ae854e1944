"""What became of drafts nobody judged in review: ``docagent outcomes`` (docs/reports.md#retention).

Drafts applied by ``batch --apply``, by ``docagent apply`` or accepted in review, and drafts
only proposed (``batch --out``) whose text later appears in the repository (a suggestion
committed on a pull request), are compared with the working tree: the text is **kept**,
**edited** (with the similarity of what is there now), **removed** (the target has no
docstring any more) or **gone** (the target or its file no longer exists).

The newest such draft of each target is followed; an older one that a newer draft replaced
keeps the outcome recorded last. Each draft has one outcome row: running again changes
nothing but the time of the check, and a later change replaces the outcome (with the commit
that made it when ``git log -S`` finds one cheaply).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from docagent.store.api import Store, now
from docagent.store.records import (
    APPLY_MODE,
    BATCH_REVIEWER,
    Outcome,
    OutcomeCandidate,
)

if TYPE_CHECKING:
    from docagent.code.targets import FileFacts


@dataclass
class Followed:
    """The draft followed for one target, the text expected in the repository and how it got in.

    ``proposals`` are newer drafts only proposed, whose text counts as applied on a pull
    request when the repository has it.
    """

    draft: OutcomeCandidate | None
    expected: str
    via: str
    applied_at: str
    proposals: list[OutcomeCandidate] = field(default_factory=list)


@dataclass
class Summary:
    """What one ``docagent outcomes`` run found: counts and the outcomes that changed."""

    counts: dict[str, int] = field(default_factory=dict)
    changed: list[Outcome] = field(default_factory=list)
    followed: int = 0
    #: ``path::qualname`` of each draft in ``changed``
    targets: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The ``--json`` document."""
        return {
            "followed": self.followed,
            "counts": self.counts,
            "changed": [
                {"target": self.targets.get(o.draft_id, ""), **o.to_dict()} for o in self.changed
            ],
        }


def _via(c: OutcomeCandidate) -> str:
    if c.reviewer == BATCH_REVIEWER:
        return "batch"
    if c.mode == APPLY_MODE:
        return "apply"
    return "review"


def same_text(a: str | None, b: str | None) -> bool:
    """Docstring texts compare equal when they differ only in surrounding whitespace."""
    return (a or "").strip() == (b or "").strip()


def follow(candidates: Iterable[OutcomeCandidate]) -> Iterator[Followed]:
    """The draft followed for each target (``candidates`` sorted by target, oldest first).

    The newest applied draft (standing accept or edit), or the newest draft an earlier run
    found applied on a pull request, whichever is newer; drafts only proposed after it are
    kept as ``proposals``.
    """
    for _, group in groupby(candidates, key=lambda c: (c.path, c.qualname)):
        followed: Followed | None = None
        proposals: list[OutcomeCandidate] = []
        for c in group:
            if c.decision in ("accept", "edit"):
                text = c.final_text if c.final_text is not None else c.text
                followed = Followed(c, text, _via(c), c.decided_at or c.created_at)
                proposals = []
            elif c.known is not None and c.known.via == "pr":
                followed = Followed(c, c.known.applied_text, "pr", c.known.applied_at)
                proposals = []
            elif c.decision in (None, "skip") and not c.error and c.text:
                proposals.append(c)
        if followed is None:
            if not proposals:
                continue
            followed = Followed(None, "", "", "")
        followed.proposals = proposals
        yield followed


def _current(root: Path, path: str, cache: dict[str, FileFacts | None]) -> FileFacts | None:
    """The file's facts (None when it is gone or unreadable), read once per run."""
    if path not in cache:
        from docagent.code.targets import SourceError, read_file

        full = root / path
        try:
            cache[path] = read_file(str(full), path) if full.is_file() else None
        except (SourceError, OSError):
            cache[path] = None
    return cache[path]


def _line_of(text: str, absent_from: str | None = None) -> str:
    """A line of ``text`` to find with ``git log -S``: one not in ``absent_from`` when given."""
    lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) >= 8]
    if absent_from is not None:
        lines = [ln for ln in lines if ln not in absent_from]
    return lines[0] if lines else ""


def check(root: Path, store: Store, *, at: str | None = None, use_git: bool = True) -> Summary:
    """Compare the followed drafts of ``store`` with the repository at ``root``; record outcomes.

    Returns the counts of standing outcomes of the followed drafts and the outcomes that are
    new or changed in this run. ``at`` is the time of the check (default: now); ``use_git``
    looks up the commit of each change with ``git log -S``.
    """
    from docagent.repo import change_commit
    from docagent.report.stats import edit_similarity

    stamp = at or now()
    files: dict[str, FileFacts | None] = {}
    summary = Summary(counts={"kept": 0, "edited": 0, "removed": 0, "gone": 0})
    write: list[Outcome] = []
    for f in follow(store.outcome_candidates()):
        facts = _current(root, (f.draft or f.proposals[0]).path, files)
        qualname = (f.draft or f.proposals[0]).qualname
        target = facts.target(qualname) if facts is not None else None
        current = target.docstring.text if target is not None and target.docstring else None
        draft = f.draft
        if draft is None or not same_text(current, f.expected):
            # a newer proposal whose text is in the repository: applied on a pull request
            match = [p for p in f.proposals if current is not None and same_text(current, p.text)]
            if match:
                draft = match[-1]
                f = Followed(draft, draft.text, "pr", draft.created_at)
        if draft is None:
            continue
        summary.followed += 1
        if target is None:
            outcome, similarity, now_text = "gone", None, None
        elif current is None:
            outcome, similarity, now_text = "removed", None, None
        elif same_text(current, f.expected):
            outcome, similarity, now_text = "kept", None, None
        else:
            outcome = "edited"
            similarity = round(edit_similarity(f.expected, current), 4)
            now_text = current
        summary.counts[outcome] += 1
        known = draft.known
        if (
            known is not None
            and known.outcome == outcome
            and known.via == f.via
            and (known.current_text or "") == (now_text or "")
        ):
            write.append(Outcome(**{**known.to_dict(), "checked_at": stamp}))
            continue
        commit, changed_at = "", stamp
        if use_git and (outcome != "kept" or f.via == "pr"):
            line = _line_of(f.expected, None if outcome == "kept" else (now_text or ""))
            found = change_commit(root, draft.path, line, present=outcome == "kept")
            if found is not None:
                commit, changed_at = found[0], _utc(found[1]) or stamp
        new = Outcome(
            draft_id=draft.draft_id,
            via=f.via,
            outcome=outcome,
            applied_at=f.applied_at,
            changed_at=changed_at,
            checked_at=stamp,
            applied_text=f.expected,
            similarity=similarity,
            current_text=now_text,
            commit_sha=commit,
        )
        write.append(new)
        summary.changed.append(new)
        summary.targets[new.draft_id] = f"{draft.path}::{draft.qualname}"
    store.record_outcomes(write)
    return summary


def _utc(iso: str) -> str | None:
    """A git ISO 8601 time in the log's UTC form."""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).isoformat(timespec="milliseconds")
    except ValueError:
        return None


def days_between(start: str, end: str) -> float | None:
    """Days from ``start`` to ``end`` (stored ISO times), None when either is unreadable."""
    try:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 86400
    except (TypeError, ValueError):
        return None
