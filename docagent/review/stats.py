"""Counts of one review session: live accept rate and the quit summary (no Textual here)."""

from __future__ import annotations

from docagent.decisions import SessionSummary, Tally

__all__ = ["SessionSummary", "Tally", "commit_message"]


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
