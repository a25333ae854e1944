"""Which decision stands on a draft: the one rule every reader of the decision log uses.

A draft's history is its decisions in the order they were made: ``accept``, ``edit``,
``reject``, ``skip`` and ``undo``. The rule:

- ``undo`` cancels the latest accept or edit that still stands (only those change a file, so
  only those can be undone); an ``undo`` with nothing to cancel is ignored;
- of the decisions left, the latest accept, edit or reject stands: a person may change their
  mind (reject, then accept the same draft);
- a ``skip`` stands only when nothing else does: moving on never cancels an accept or a reject.

The session's live counts (:class:`Tally`), the draft cache, batch's resume and ``docagent
log`` call :func:`standing_decision`; so does the decision log for each draft it writes a
decision on, keeping the result as ``drafts.standing_id`` (:mod:`docagent.store.standing`),
which reports read. ``docagent outcomes`` and the migration that filled that column for older
logs run the same rule in the database as :data:`STANDING_SQL` (tested equal to
:func:`standing_decision`), so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

Decision = Literal["accept", "edit", "reject", "skip", "undo"]
#: decisions that write a file and can be undone
UNDOABLE: tuple[str, ...] = ("accept", "edit")
#: decisions a person makes about a draft's text (a skip is not one)
VERDICTS: tuple[str, ...] = ("accept", "edit", "reject")

T = TypeVar("T")


def _name(entry: object) -> str:
    return str(getattr(entry, "decision", entry))


def standing_decision(history: Iterable[T], name: Callable[[T], str] = _name) -> T | None:
    """Return the entry of ``history`` (oldest first) whose decision stands, or None.

    ``name`` reads an entry's decision (default: its ``decision`` attribute, or the entry
    itself when it is a string).
    """
    stack: list[T] = []
    for entry in history:
        if name(entry) != "undo":
            stack.append(entry)
            continue
        for i in range(len(stack) - 1, -1, -1):
            if name(stack[i]) in UNDOABLE:
                del stack[i]
                break
    for entry in reversed(stack):
        if name(entry) in VERDICTS:
            return entry
    return stack[-1] if stack else None


#: The rule of :func:`standing_decision` as one SQL query over the ``decisions`` table: one row
#: per draft with a standing decision (the decision row's columns, ``created_at`` as
#: ``decided_at``). Standard SQL with window functions (SQLite >= 3.25, PostgreSQL >= 12).
#:
#: In a draft without an undo (nearly all), a decision stands unless a later accept, edit or
#: reject follows it, or it is a skip and the draft has a verdict or a later skip: one index
#: probe per decision. In a draft with an undo, an accept or edit is cancelled when a later
#: undo matches it: reading accept/edit as ``(`` and undo as ``)`` with ``level`` the running
#: count of ``)`` minus ``(``, the ``(`` at a row is matched exactly when ``level`` rises above
#: its own value at some later row (an undo with nothing to cancel lies before every ``(`` it
#: could match, so it never counts). Of the rows left, the latest accept, edit or reject
#: stands, else the latest skip.
STANDING_SQL = """SELECT c.draft_id, c.id AS decision_id, c.decision, c.final_text, c.reason,
    c.reviewer, c.review_ms, c.mode, c.created_at AS decided_at
FROM decisions c
WHERE c.decision <> 'undo'
  AND NOT EXISTS (
    SELECT 1 FROM decisions c2
    WHERE c2.draft_id = c.draft_id AND c2.id <> c.id AND (
        c2.decision = 'undo'
        OR (c2.id > c.id AND (c2.decision IN ('accept', 'edit', 'reject') OR c.decision = 'skip'))
        OR (c.decision = 'skip' AND c2.decision IN ('accept', 'edit', 'reject'))
    )
  )
UNION ALL
SELECT draft_id, id AS decision_id, decision, final_text, reason, reviewer, review_ms, mode,
    created_at AS decided_at
FROM (
    SELECT lv.*, ROW_NUMBER() OVER (
        PARTITION BY draft_id
        ORDER BY CASE WHEN decision IN ('accept', 'edit', 'reject') THEN 0 ELSE 1 END, id DESC
    ) AS rank_
    FROM (
        SELECT rl.*, MAX(level) OVER (
            PARTITION BY draft_id ORDER BY id
            ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
        ) AS later_level
        FROM (
            SELECT u.*, SUM(
                CASE WHEN decision = 'undo' THEN 1
                     WHEN decision IN ('accept', 'edit') THEN -1 ELSE 0 END
            ) OVER (PARTITION BY draft_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS level
            FROM decisions u
            WHERE u.draft_id IN (SELECT draft_id FROM decisions WHERE decision = 'undo')
        ) rl
    ) lv
    WHERE decision <> 'undo'
      AND NOT (decision IN ('accept', 'edit') AND later_level IS NOT NULL AND later_level > level)
) undone
WHERE rank_ = 1"""


@dataclass
class SessionSummary:
    """What the summary screen shows and ``docagent review`` returns."""

    accepted: int = 0
    edited: int = 0
    rejected: int = 0
    skipped: int = 0
    undone: int = 0
    pending: int = 0
    total: int = 0
    seconds: float = 0.0
    cost_usd: float = 0.0
    changed_paths: list[str] = field(default_factory=list)
    documented: list[tuple[str, str]] = field(default_factory=list)
    commit: str = ""
    commit_error: str = ""

    @property
    def accept_rate(self) -> float | None:
        """(accepted + edited) / (accepted + edited + rejected); None before any of those."""
        decided = self.accepted + self.edited + self.rejected
        return (self.accepted + self.edited) / decided if decided else None


class Tally:
    """The decisions of one session, counted by the rule reports use.

    Entries are keyed by draft (a draft id, or the item key when a skip had no draft); each
    key's standing decision is :func:`docagent.decisions.standing_decision` of its history, so
    rejecting and then accepting one draft counts one accept, exactly as ``docagent report``
    counts it.
    """

    def __init__(self) -> None:
        """Start empty."""
        self.history: dict[object, list[str]] = {}
        self.undone = 0

    def add(self, key: object, decision: str) -> None:
        """Record ``decision`` (accept | edit | reject | skip | undo) on the draft ``key``."""
        entries = self.history.setdefault(key, [])
        if decision == "undo" and any(d in UNDOABLE for d in entries):
            self.undone += 1
        entries.append(decision)

    def undo(self, key: object) -> None:
        """Record an undo of the latest accept or edit of ``key``."""
        self.add(key, "undo")

    def standing(self, key: object) -> str | None:
        """The decision that stands on ``key`` (None when none does)."""
        return standing_decision(self.history.get(key, []))

    def count(self, decision: str) -> int:
        """How many drafts have this standing decision."""
        return sum(1 for key in self.history if self.standing(key) == decision)

    @property
    def accept_rate(self) -> float | None:
        """The live accept rate (see docs/reports.md), None before the first verdict."""
        return SessionSummary(
            accepted=self.count("accept"), edited=self.count("edit"), rejected=self.count("reject")
        ).accept_rate

    def summary(self, **kwargs: object) -> SessionSummary:
        """A :class:`SessionSummary` of the counts plus ``kwargs``."""
        return SessionSummary(
            accepted=self.count("accept"),
            edited=self.count("edit"),
            rejected=self.count("reject"),
            skipped=self.count("skip"),
            undone=self.undone,
            **kwargs,  # type: ignore[arg-type]
        )
