"""Counts of one review session: live accept rate and the quit summary (no Textual here)."""

from __future__ import annotations

from docagent.decisions import SessionSummary, Tally
from docagent.session import commit_message

__all__ = ["SessionSummary", "Tally", "commit_message"]
