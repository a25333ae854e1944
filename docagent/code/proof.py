"""A cheap proof that an edit changed docstrings and nothing else (docs/safe-edits.md).

The edit engine used to prove it by fingerprinting the whole ``ast`` of the file before and
after the edit. :func:`prove` reaches the same conclusion from the edited file's own parse and
its bytes, without a traversal of either tree:

1. Every replaced range of the old file is a docstring statement of the old file's ``ast``,
   and every new literal is exactly a docstring statement of the new file's ``ast`` (positions
   checked). Replacing a string-literal statement with another (``""``) changes nothing but
   that constant: the tokens around it stay the same tokens.
2. Every inserted docstring is whole lines: its indentation, the literal, its line end and
   blank lines, at the start of a line that does not continue the previous one, followed (after
   blank or comment lines only) by the next statement of the same body at exactly the same
   indentation. Removing such lines removes one ``STRING NEWLINE`` pair and nothing else: the
   indentation tokens of the following line are the ones the docstring line had.
3. With every new literal replaced by ``""`` (or, inserted, removed) and every replaced old
   docstring replaced by ``""``, the two files are the same bytes. So they parse to the same
   tree apart from those docstrings: the code is unchanged, and every other docstring is
   unchanged byte for byte.

Each edited docstring's value is then read from the new ``ast`` (``inspect.cleandoc``, as
``ast.get_docstring`` does) and compared with its text, and its owner must be the edited
definition (its type, name and line). Anything the proof does not cover (a one-line body split
into a block, a file of only comments, a backslash before an inserted line) returns ``False``
and the caller runs the full fingerprint comparison.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from docagent.code.targets import Target

_SCOPES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
_LINE_END = re.compile(rb"\r\n|\r|\n")
#: what may follow an inserted docstring inside the inserted bytes: its line end, blank lines
_TAIL = re.compile(rb"[ \t]*(?:\r\n|\r|\n)(?:[ \t]*(?:\r\n|\r|\n))*")
#: a line between an inserted docstring and the next statement: blank or a comment
_QUIET_LINE = re.compile(rb"[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n)")


@dataclass(frozen=True)
class Change:
    """One splice of an edit: old bytes ``[start, end)`` became ``data``, for ``target``."""

    start: int
    end: int
    data: bytes
    target: Target
    expected: str


@dataclass(frozen=True)
class Slot:
    """A docstring statement of a parsed file: its byte range and the scope it documents."""

    start: int
    end: int
    owner: ast.AST
    value: str


def line_starts(source: bytes) -> list[int]:
    """Byte offset of each line's start, with Python's line ends (``\\r\\n``, ``\\r``, ``\\n``)."""
    # bytes.splitlines splits exactly there (str.splitlines also splits on other characters)
    return list(accumulate(map(len, source.splitlines(keepends=True)), initial=0))


def line_ends(data: bytes) -> int:
    """How many line ends (Python's: ``\\r\\n``, ``\\r``, ``\\n``) ``data`` holds."""
    return len(_LINE_END.findall(data))


def docstring_slots(tree: ast.Module, starts: list[int]) -> dict[int, Slot]:
    """Every docstring statement of ``tree`` by the byte offset it starts at.

    Walks statements only (definitions are statements), so expressions are never visited.
    """
    out: dict[int, Slot] = {}
    stack: list[ast.AST] = [tree]
    blocks = _BLOCK_FIELDS
    while stack:
        node = stack.pop()
        cls = type(node)
        names = blocks.get(cls)
        if names is None:
            names = _block_fields(cls)
        if not names:
            continue  # a simple statement: nothing below it is a statement
        if issubclass(cls, _SCOPES):
            body = node.body  # type: ignore[attr-defined]
            first = body[0] if body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
                and first.end_lineno is not None
                and first.end_col_offset is not None
            ):
                start = starts[first.lineno - 1] + first.col_offset
                end = starts[first.end_lineno - 1] + first.end_col_offset
                out[start] = Slot(start, end, node, first.value.value)
        for name in names:
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(children)
    return out


#: per node class, which of :data:`_BLOCKS` it has (filled on first use)
_BLOCK_FIELDS: dict[type, tuple[str, ...]] = {}


def _block_fields(cls: type) -> tuple[str, ...]:
    fields = getattr(cls, "_fields", ())
    found = _BLOCK_FIELDS[cls] = tuple(n for n in _BLOCKS if n in fields)
    return found


def doc_ranges(tree: ast.Module, source: bytes) -> frozenset[tuple[int, int]]:
    """The byte ranges of every docstring statement of ``tree`` (parsed from ``source``)."""
    return frozenset((s.start, s.end) for s in docstring_slots(tree, line_starts(source)).values())


def _owner_ok(slot: Slot, t: Target, line: int) -> bool:
    owner = slot.owner
    if t.kind == "module":
        return isinstance(owner, ast.Module)
    ok = isinstance(owner, ast.ClassDef) if t.kind == "class" else isinstance(owner, _FUNCS)
    return ok and owner.name == t.name and owner.lineno == line  # type: ignore[attr-defined]


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    return decorators[0].lineno if decorators else stmt.lineno


def _insertion_ok(new: bytes, starts: list[int], slot: Slot, begin: int, end: int) -> bool:
    """True when ``new[begin:end]`` is whole lines holding just the docstring ``slot`` and the
    next statement of its body starts its own line at the docstring's indentation."""
    if begin > 0 and new[begin - 1 : begin] not in (b"\n", b"\r"):
        return False  # not at a line start
    if begin > 0:
        stop = begin - 1
        if new[stop - 1 : stop + 1] == b"\r\n":
            stop -= 1
        if new[stop - 1 : stop] == b"\\":
            return False  # the previous line may continue into this one
    indent = new[begin : slot.start]
    if indent.strip(b" \t") or not (begin <= slot.start < slot.end <= end):
        return False
    tail = _TAIL.fullmatch(new, slot.end, end)
    if tail is None:
        return False
    body = getattr(slot.owner, "body", [])
    if len(body) < 2:
        return False  # nothing follows: not covered here
    nxt = body[1]
    line_start = starts[_first_line(nxt) - 1]
    pos = end
    while pos < line_start:  # blank and comment lines only, up to the next statement's line
        m = _QUIET_LINE.match(new, pos, line_start)
        if m is None or m.end() == pos:
            return False
        pos = m.end()
    if pos != line_start:
        return False
    width = len(indent)
    if new[line_start : line_start + width] != indent:
        return False
    token = new[line_start + width : line_start + width + 1]
    if token in (b" ", b"\t", b"\x0c", b"#", b"\\", b""):
        return False
    if getattr(nxt, "decorator_list", None):
        return token == b"@"
    return nxt.col_offset == width


def prove(
    old: bytes,
    old_ranges: Callable[[], frozenset[tuple[int, int]]],
    new: bytes,
    new_tree: ast.Module,
    changes: Sequence[Change],
) -> bool:
    """True when ``new`` (which parsed to ``new_tree``) provably differs from ``old`` only in the
    docstrings of ``changes``, each of which reads back as its ``expected`` text.

    ``old_ranges`` gives the docstring statement ranges of ``old``'s own ``ast`` (called only
    when a docstring is replaced). False means "not proved", never "unsafe".
    """
    starts = line_starts(new)
    slots = docstring_slots(new_tree, starts)
    old_cuts: list[tuple[int, int, bytes]] = []
    new_cuts: list[tuple[int, int, bytes]] = []
    shift = 0
    lines = 0
    for c in sorted(changes, key=lambda c: c.start):
        begin = c.start + shift
        end = begin + len(c.data)
        t = c.target
        replaced = old[c.start : c.end]
        line = t.line + lines
        shift += len(c.data) - len(replaced)
        lines += line_ends(c.data) - line_ends(replaced)
        if t.docstring is not None:
            if (c.start, c.end) != (t.docstring.start_byte, t.docstring.end_byte):
                return False
            if (c.start, c.end) not in old_ranges():
                return False
            slot = slots.get(begin)
            if slot is None or slot.end != end:
                return False
            old_cuts.append((c.start, c.end, b'""'))
            new_cuts.append((begin, end, b'""'))
        else:
            if c.start != c.end:
                return False  # a one-line body split into a block: not covered here
            literal = begin + len(c.data) - len(c.data.lstrip(b" \t"))
            slot = slots.get(literal)
            if slot is None or not _insertion_ok(new, starts, slot, begin, end):
                return False
            new_cuts.append((begin, end, b""))
        if not _owner_ok(slot, t, line) or inspect.cleandoc(slot.value) != c.expected:
            return False
    before, after = _cut(old, old_cuts), _cut(new, new_cuts)
    return before is not None and before == after


def _cut(source: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes | None:
    """``source`` with each ``(start, end, data)`` cut (ascending); None when two overlap."""
    parts: list[bytes] = []
    pos = 0
    for start, end, data in cuts:
        if start < pos:
            return None
        parts.append(source[pos:start])
        parts.append(data)
        pos = end
    parts.append(source[pos:])
    return b"".join(parts)
