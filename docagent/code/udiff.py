"""Git-style unified diffs of one file's text, fast when the changed places are known.

:func:`unified_diff` gives what :func:`difflib.unified_diff` gives. Matching two whole files
line by line is most of the cost of ``apply --dry-run``; an edit knows where it changed the
file, so with ``regions`` only the lines around each change are matched and the lines in
between are known to be equal.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate

Opcode = tuple[str, int, int, int, int]


def unified_diff(
    path: str,
    old_text: str,
    new_text: str,
    regions: Sequence[tuple[int, int, int, int]] | None = None,
) -> str:
    """Return a git-style unified diff (``a/PATH`` → ``b/PATH``) of one file's text.

    ``regions`` (optional) are ``(old_start, old_end, new_start, new_end)`` character ranges,
    ascending, outside of which the two texts are the same characters in the same order.
    """
    a = old_text.splitlines(keepends=True)
    b = new_text.splitlines(keepends=True)
    codes: list[Opcode] | None = _opcodes(a, b, regions) if regions is not None else None
    if codes is None:
        codes = list(difflib.SequenceMatcher(None, a, b).get_opcodes())
    out: list[str] = []
    for line in _format(a, b, codes, f"a/{path}", f"b/{path}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _starts(lines: list[str]) -> list[int]:
    return list(accumulate(map(len, lines), initial=0))


def _opcodes(
    a: list[str],
    b: list[str],
    regions: Sequence[tuple[int, int, int, int]],
) -> list[Opcode] | None:
    """Opcodes of ``a`` → ``b`` matching only the lines of ``regions``; None if they disagree."""
    sa, sb = _starts(a), _starts(b)
    spans: list[list[int]] = []
    for o0, o1, n0, n1 in regions:
        lo0, ln0 = bisect_right(sa, o0) - 1, bisect_right(sb, n0) - 1
        lo1, ln1 = bisect_right(sa, o1), bisect_right(sb, n1)
        if sa[lo1 - 1] == o1 and sb[ln1 - 1] == n1:
            lo1, ln1 = lo1 - 1, ln1 - 1  # the change ends with whole lines on both sides
        lo1, ln1 = min(len(a), max(lo0, lo1)), min(len(b), max(ln0, ln1))
        if spans and lo0 <= spans[-1][1]:
            last = spans[-1]
            last[1], last[3] = max(last[1], lo1), max(last[3], ln1)
        else:
            spans.append([lo0, lo1, ln0, ln1])
    codes: list[Opcode] = []
    i = j = 0
    for lo0, lo1, ln0, ln1 in spans:
        if lo0 - i != ln0 - j or a[i:lo0] != b[j:ln0]:
            return None
        if lo0 > i:
            codes.append(("equal", i, lo0, j, ln0))
        matcher = difflib.SequenceMatcher(None, a[lo0:lo1], b[ln0:ln1])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            codes.append((tag, lo0 + i1, lo0 + i2, ln0 + j1, ln0 + j2))
        i, j = lo1, ln1
    if len(a) - i != len(b) - j or a[i:] != b[j:]:
        return None
    if len(a) > i:
        codes.append(("equal", i, len(a), j, len(b)))
    return _joined(codes)


def _joined(codes: list[Opcode]) -> list[Opcode]:
    """Adjacent equal opcodes as one (as :class:`difflib.SequenceMatcher` reports them)."""
    out: list[Opcode] = []
    for code in codes:
        if code[1] == code[2] and code[3] == code[4]:
            continue
        if out and out[-1][0] == code[0] == "equal":
            prev = out[-1]
            out[-1] = ("equal", prev[1], code[2], prev[3], code[4])
        else:
            out.append(code)
    return out


def _grouped(codes: list[Opcode], n: int = 3) -> Iterator[list[Opcode]]:
    """:meth:`difflib.SequenceMatcher.get_grouped_opcodes` for precomputed opcodes."""
    codes = list(codes) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    nn = n + n
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > nn:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    """A unified diff range (``difflib``'s format)."""
    beginning = start + 1
    length = stop - start
    if length == 1:
        return str(beginning)
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def _format(a: list[str], b: list[str], codes: list[Opcode], old: str, new: str) -> Iterator[str]:
    started = False
    for group in _grouped(codes):
        if not started:
            started = True
            yield f"--- {old}\n"
            yield f"+++ {new}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in a[i1:i2]:
                    yield " " + line
                continue
            if tag in ("replace", "delete"):
                for line in a[i1:i2]:
                    yield "-" + line
            if tag in ("replace", "insert"):
                for line in b[j1:j2]:
                    yield "+" + line
