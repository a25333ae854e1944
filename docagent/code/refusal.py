"""The refusal of an edit: the one exception of the edit engine (docs/safe-edits.md)."""

from __future__ import annotations


class RefusedEdit(Exception):
    """An edit docagent will not make; the message says why and the file is left untouched."""
