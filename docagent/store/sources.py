"""Module sources in the decision log: each file version stored once, a draft's source as a cut.

A draft records the module text *without the target's docstring* (what ``docagent export``
turns into an eval case). Instead of a copy of the module per draft, the log keeps each file
version once (table ``file_versions``, keyed by :func:`text_sha`, secrets scrubbed once,
compressed by :func:`pack`) and,
per draft, the cut that removes the docstring (:func:`docstring_cut`): ``(start, end,
replacement)`` in the UTF-8 bytes of the file. :func:`apply_cut` rebuilds the source without
parsing anything.
"""

from __future__ import annotations

import functools
import hashlib
import zlib

from docagent.code import pyast

#: a cut that changes nothing (a target without a docstring: its source is the whole file)
NO_CUT = (0, 0, "")


@functools.lru_cache(maxsize=64)
def text_sha(text: str) -> str:
    """The content address of a stored text: 32 hex digits of its SHA-256.

    Remembered for the last texts (every draft of a file gives the file's text: one hash).
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def pack(text: str) -> bytes:
    """The stored form of a file version: its UTF-8 bytes, zlib-compressed."""
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(data: bytes) -> str:
    """The text of a stored file version (see :func:`pack`)."""
    return zlib.decompress(data).decode("utf-8")


def docstring_cut(text: str, start_byte: int, end_byte: int) -> tuple[int, int, str]:
    """The cut that removes the docstring statement at ``[start_byte, end_byte)`` from ``text``.

    Offsets index the UTF-8 encoding of ``text`` (as ``Target.docstring`` gives them). The
    statement's line goes when nothing else is on it; a body left empty gets ``pass``; the first
    of these that still parses is chosen, else nothing is cut.
    """
    data = text.encode("utf-8")
    line_start = data.rfind(b"\n", 0, start_byte) + 1
    line_end = data.find(b"\n", end_byte)
    line_end = len(data) if line_end < 0 else line_end + 1
    alone = not data[line_start:start_byte].strip() and not data[end_byte:line_end].strip()
    candidates = []
    if alone:
        candidates.append((line_start, line_end, ""))
    candidates.append((start_byte, end_byte, ""))
    candidates.append((start_byte, end_byte, "pass"))
    for cut in candidates:
        try:
            pyast.parse(apply_cut(text, cut), quiet=True)
        except SyntaxError:
            continue
        return cut
    return NO_CUT


def apply_cut(text: str, cut: tuple[int, int, str]) -> str:
    """``text`` with the bytes ``[start, end)`` of its UTF-8 encoding replaced."""
    start, end, replacement = cut
    if (start, end, replacement) == NO_CUT:
        return text
    data = text.encode("utf-8")
    return (data[:start] + replacement.encode("utf-8") + data[end:]).decode("utf-8")


def cut_to_text(cut: tuple[int, int, str]) -> str:
    """The stored form of a cut: ``"start:end:replacement"`` ("" for :data:`NO_CUT`)."""
    return "" if tuple(cut) == NO_CUT else f"{cut[0]}:{cut[1]}:{cut[2]}"


def cut_from_text(raw: str | None) -> tuple[int, int, str]:
    """Read a stored cut (see :func:`cut_to_text`); an unreadable one cuts nothing."""
    if not raw:
        return NO_CUT
    try:
        start, end, replacement = raw.split(":", 2)
        return int(start), int(end), replacement
    except ValueError:
        return NO_CUT
