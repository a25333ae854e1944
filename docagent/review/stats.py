"""Counts of one review session: live accept rate and the quit summary (no Textual here)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    """The decisions of this session in order; an undo cancels the latest accept of its item."""

    def __init__(self) -> None:
        """Start empty."""
        self.decisions: list[tuple[tuple[str, str], str]] = []
        self.undone = 0

    def add(self, key: tuple[str, str], decision: str) -> None:
        """Count ``decision`` (accept | edit | reject | skip) on the item ``key``."""
        self.decisions.append((key, decision))

    def undo(self, key: tuple[str, str]) -> None:
        """Cancel the latest accept or edit of ``key``."""
        for i in range(len(self.decisions) - 1, -1, -1):
            k, d = self.decisions[i]
            if k == key and d in ("accept", "edit"):
                del self.decisions[i]
                self.undone += 1
                return

    def count(self, decision: str) -> int:
        """How many decisions of this kind stand."""
        return sum(1 for _, d in self.decisions if d == decision)

    @property
    def accept_rate(self) -> float | None:
        """The live accept rate (DESIGN §8), None before the first accept/edit/reject."""
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


def commit_message(documented: list[tuple[str, str]], attribution: str = "") -> str:
    """The ``--commit`` message: a subject and one line per documented target.

    Targets outside Python files are README sections and are counted as such in the subject.

    ``attribution`` (only when the ``ai_attribution`` setting is true) is appended as its own
    paragraph.
    """
    n = sum(1 for path, _ in documented if path.endswith((".py", ".pyi")))
    sections = len(documented) - n
    parts = [f"docstrings to {n} target{'s' if n != 1 else ''}"] if n or not sections else []
    if sections:
        parts.append(f"{sections} README section{'s' if sections != 1 else ''}")
    subject = "docs: add " + " and ".join(parts)
    body = "\n".join(f"- {path}: {qualname}" for path, qualname in documented)
    message = f"{subject}\n\n{body}\n" if body else subject + "\n"
    if attribution:
        message += f"\n{attribution}\n"
    return message
