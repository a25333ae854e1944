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

import ast
import functools
import hashlib
import zlib
from collections.abc import Mapping

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


#: how each docstring statement of a file sits in its body, by its start byte (see
#: :func:`docstring_bodies`): ``(end byte, whether its body keeps a statement without it)``
Bodies = Mapping[int, tuple[int, bool]]


def docstring_bodies(data: bytes, tree: ast.Module) -> dict[int, tuple[int, bool]]:
    """The :data:`Bodies` of the file ``data`` parsed as ``tree``: one walk of its statements.

    A body keeps a statement without its docstring when it is the module's (a module may be
    empty) or another statement follows. A file with a lone ``\\r`` line end gives nothing
    (:func:`docstring_cut` finds its lines by ``\\n``; it parses there instead).
    """
    from docagent.code.proof import docstring_slots, line_starts

    if data.count(b"\r") != data.count(b"\r\n"):
        return {}
    return {
        slot.start: (
            slot.end,
            isinstance(slot.owner, ast.Module) or len(slot.owner.body) > 1,  # type: ignore[attr-defined]
        )
        for slot in docstring_slots(tree, line_starts(data)).values()
    }


def docstring_cut(
    text: str, start_byte: int, end_byte: int, bodies: Bodies | None = None
) -> tuple[int, int, str]:
    """The cut that removes the docstring statement at ``[start_byte, end_byte)`` from ``text``.

    Offsets index the UTF-8 encoding of ``text`` (as ``Target.docstring`` gives them). The
    statement's line goes when nothing else is on it; a body left empty gets ``pass``; the first
    of these that still parses is chosen, else nothing is cut.

    With the file's :func:`docstring_bodies` (from the parse the file already has), a docstring
    alone on its lines is cut without parsing: removing its lines removes one statement and
    nothing else, which parses exactly when its body keeps a statement; otherwise ``pass`` in
    its place parses. Anything else (a statement sharing its line, a line continued by a
    backslash before it, a range the tree does not give) is decided by parsing, as without them.
    """
    data = text.encode("utf-8")
    line_start = data.rfind(b"\n", 0, start_byte) + 1
    line_end = data.find(b"\n", end_byte)
    line_end = len(data) if line_end < 0 else line_end + 1
    alone = not data[line_start:start_byte].strip() and not data[end_byte:line_end].strip()
    shape = bodies.get(start_byte) if alone and bodies is not None else None
    if shape is not None and shape[0] == end_byte and not _continued(data, line_start):
        return (line_start, line_end, "") if shape[1] else (start_byte, end_byte, "pass")
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


def _continued(data: bytes, line_start: int) -> bool:
    """Whether the line before ``line_start`` ends with a backslash (it continues there)."""
    if line_start == 0:
        return False
    before = data[: line_start - 1]
    return before.removesuffix(b"\r").endswith(b"\\")


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
