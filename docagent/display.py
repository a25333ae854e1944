"""Make untrusted text safe to print on one terminal line.

Paths, qualnames and reasons come from repositories and proposals files that docagent did not
write. Printed raw, a newline forges an output line and an escape sequence recolours or rewrites
the terminal. :func:`printable` escapes every non-printable character (``\\n``, ``\\x1b``, ``\\t``,
bidirectional controls, …) the way Python's ``repr`` does, and keeps everything else.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with each non-printable character written as a backslash escape."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )
