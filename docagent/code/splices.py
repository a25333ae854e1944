"""Splices: byte ranges of a file replaced by new bytes, applied bottom-up, checked for overlap."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Splice:
    """Replace bytes ``start:end`` of a file with ``data``, for the docstring of ``qualname``."""

    start: int
    end: int
    data: bytes
    qualname: str


def char_regions(source: bytes, splices: list[Splice]) -> list[tuple[int, int, int, int]]:
    """The character ranges ``(old_start, old_end, new_start, new_end)`` of ``splices``."""
    out = []
    pos = chars = shift = 0
    for s in sorted(splices, key=lambda s: (s.start, s.end)):
        chars += len(source[pos : s.start].decode("utf-8"))
        old_end = chars + len(source[s.start : s.end].decode("utf-8"))
        new_len = len(s.data.decode("utf-8"))
        out.append((chars, old_end, chars + shift, chars + shift + new_len))
        shift += new_len - (old_end - chars)
        chars, pos = old_end, s.end
    return out


def splice_all(source: bytes, splices: list[Splice]) -> bytes:
    """``source`` with every splice applied (bottom-up, so earlier positions stay valid)."""
    out = source
    for s in sorted(splices, key=lambda s: (s.start, s.end), reverse=True):
        out = out[: s.start] + s.data + out[s.end :]
    return out


def overlapping(splices: list[Splice]) -> set[str]:
    """The qualnames of splices that overlap another (or insert at the same place)."""
    bad: set[str] = set()
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end or (b.start == a.start and a.start == a.end):
            bad.update((a.qualname, b.qualname))
    return bad
