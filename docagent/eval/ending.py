"""Does a docstring end where it can end? The ``ending`` element of ``completeness``.

A docstring cut short — by a token limit, a bad edit, or the ``truncated`` perturbation of
:mod:`docagent.eval.perturb` — is incomplete however much it already says. :func:`finished`
reads the end of the text for the marks of a cut, each one a thing a finished docstring does
not do:

- end on an article, preposition or conjunction, or with a bracket, parenthesis or backtick
  left open;
- end a prose paragraph without closing punctuation (PEP 257 asks for sentences with a
  period). The paragraphs of a *prose* section (Notes, Examples, Warnings) count as prose;
  fields, section items, doctests, list items and references may end without it;
- end on a section header with nothing under it (``Returns:``, ``Examples`` + underline);
- end on a field or parameter item with no description (``:param``, ``:returns:``, ``x:``
  under ``Args:``, ``m : ndarray`` under ``Returns`` + underline);
- end inside a doctest example whose source does not parse (``>>> part =``);
- end a description that runs over several lines mid-clause (the last line continues the one
  before it and has no closing punctuation).
"""

from __future__ import annotations

import re

from docagent.code import pyast

DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "and",
        "or",
        "with",
        "for",
        "from",
        "in",
        "on",
        "at",
        "by",
        "as",
        "is",
        "are",
        "be",
        "that",
        "which",
        "whose",
        "when",
        "if",
        "into",
        "than",
        "its",
        "their",
        "this",
        "these",
    ]
)

#: Lines that are not prose: fields (``:param x:``, not the role ``:func:`x```), doctests,
#: directives, list items, underlines.
_NOT_PROSE = re.compile(r"^\s*(:[\w ]+:(\s|$)|>>>|\.\.|[-*+] |\d+[.)] |[-=~^]{3,}\s*$)")
_SECTION = (
    r"Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters|"
    r"Returns?|Return value|Yields?|Raises|Exceptions?|Attributes|Examples?|Notes?|See Also|"
    r"References|Warnings?|Warns|Todo|Methods"
)
_HEADER = re.compile(rf"^\s*({_SECTION})\s*:\s*$", re.IGNORECASE)
_NUMPY_HEADER = re.compile(rf"^\s*({_SECTION})\s*$", re.IGNORECASE)
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
#: Sections whose body is prose, held to closing punctuation like a plain paragraph.
_PROSE_SECTION = re.compile(r"^\s*(Notes?|Examples?|Warnings?)\s*:?\s*$", re.IGNORECASE)
_PARAM_SECTION = re.compile(
    r"^\s*(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters|"
    r"Attributes)\s*:\s*$",
    re.IGNORECASE,
)
#: ``name``, ``name:`` or ``name (type):`` alone on a line: an item with no description.
_BARE_ITEM = re.compile(r"^\s*\*{0,2}[A-Za-z_]\w*(\s*\([^)]*\))?\s*:?\s*$")
#: A NumPy item ``name : type`` (or ``name: type``) at the section's indentation.
_NUMPY_ITEM = re.compile(r"^\*{0,2}[A-Za-z_]\w*\s*:\s*\S.*$")
_NUMPY_ITEM_SECTION = re.compile(
    r"^\s*(Parameters|Other Parameters|Returns|Yields|Receives|Attributes)\s*$", re.IGNORECASE
)
#: ``name: text`` or ``name (type): text``: a new item, not the continuation of a description.
_ITEM = re.compile(r"^\s*\*{0,2}\w+(\s*\([^)]*\))?\s*:\s")
_CLOSED = re.compile(r"""[.!?:;)\]}'"`*]$""")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _structural(stripped: str) -> bool:
    """A line that need not end in punctuation: doctest, field, directive, list item, URL,
    assignment or header."""
    return (
        bool(_NOT_PROSE.match(stripped))
        or stripped.startswith("...")
        or "://" in stripped
        or " = " in stripped
        or stripped.endswith(":")
    )


def prose_cut(body: str) -> bool:
    """True when ``body`` ends in a prose paragraph without closing punctuation.

    Only a plain prose paragraph is held to it: one with a field, doctest, list item, URL,
    assignment or deeper-indented line may end without punctuation, and so may the items of a
    section — except a prose section (Notes, Examples, Warnings), whose text after the header
    is a paragraph like any other.
    """
    if not (body[-1].isalnum() or body[-1] == ","):
        return False
    para = re.split(r"\n\s*\n", body)[-1].splitlines()
    for k in range(len(para) - 1, -1, -1):
        header = None
        if _UNDERLINE.match(para[k]) and k > 0:
            header = para[k - 1]
        elif _HEADER.match(para[k]):
            header = para[k]
        if header is not None:
            if not _PROSE_SECTION.match(header.rstrip().rstrip(":")):
                return False
            para = para[k + 1 :]
            break
    if not para:
        return False
    indent = _indent(para[0])
    for line in para:
        if _NOT_PROSE.match(line) or line.rstrip().endswith(":") or "://" in line:
            return False
        if " = " in line or _indent(line) > indent:
            return False
    return True


def empty_section(lines: list[str]) -> bool:
    """True when the text ends on a section header with nothing under it."""
    last = lines[-1]
    if _HEADER.match(last):
        return True
    return len(lines) >= 2 and bool(_UNDERLINE.match(last)) and bool(_NUMPY_HEADER.match(lines[-2]))


def empty_field(lines: list[str]) -> bool:
    """True when the text ends on a field or parameter item that has no description.

    Sphinx: ``:param``, ``:param x:`` or ``:returns:`` with nothing after it. Google: a bare
    ``name``, ``name:`` or ``name (type):`` at the item indentation of an ``Args``-like section.
    NumPy: a ``name : type`` item of a Parameters, Returns or Yields section with no indented
    description under it.
    """
    last = lines[-1].strip()
    if last.startswith(":"):
        fields = last.split(":", 2)
        if len(fields) < 3 or not fields[2].strip():
            return True
    if not _indent(lines[-1]) and _NUMPY_ITEM.match(last):
        for k in range(len(lines) - 2, 0, -1):
            if _UNDERLINE.match(lines[k]):
                return bool(_NUMPY_ITEM_SECTION.match(lines[k - 1]))
        return False
    for k in range(len(lines) - 2, -1, -1):
        line = lines[k]
        if _indent(line) >= _indent(lines[-1]) and not _HEADER.match(line):
            continue
        if not _PARAM_SECTION.match(line) or _indent(lines[-1]) <= _indent(line):
            return False
        item_indent = _indent(lines[k + 1])
        return _indent(lines[-1]) == item_indent and bool(_BARE_ITEM.match(lines[-1]))
    return False


def doctest_cut(lines: list[str]) -> bool:
    """True when the text ends inside a doctest example whose source does not parse."""
    source: list[str] = []
    for line in reversed(lines):
        s = line.strip()
        if s.startswith("..."):
            source.append(s[4:] if s.startswith("... ") else s[3:])
            continue
        if s.startswith(">>>"):
            source.append(s[4:] if s.startswith(">>> ") else s[3:])
            break
        return False
    else:
        return False
    try:
        pyast.parse("\n".join(reversed(source)) + "\n", quiet=True)
    except (SyntaxError, ValueError):
        return True
    return False


def description_cut(lines: list[str]) -> bool:
    """True when an indented description that runs over several lines ends mid-clause: its
    last line continues the one before it (same indentation, not a new item, neither one a
    field, doctest or list item) and has no closing punctuation.

    A one-line description may end without punctuation (``x: Clamping factor``).
    """
    if len(lines) < 2:
        return False
    last, prev = lines[-1], lines[-2]
    s = last.strip()
    if not _indent(last) or _CLOSED.search(s) or not s[-1].isalnum() or _structural(s):
        return False
    return (
        bool(prev.strip())
        and _indent(prev) == _indent(last)
        and not _ITEM.match(last)
        and not _structural(prev.strip())
    )


def finished(text: str) -> bool:
    """True when ``text`` ends where a docstring can end (a truncated one does not).

    See the module docs for the marks of a cut.
    """
    body = (text or "").strip()
    if not body or prose_cut(body):
        return False
    last = re.findall(r"[A-Za-z]+", body[-40:])
    if last and body[-1].isalpha() and last[-1].lower() in DANGLING:
        return False
    if body.count("`") % 2 or body.count("(") > body.count(")"):
        return False
    if body.count("[") > body.count("]"):
        return False
    lines = [line.rstrip() for line in body.splitlines()]
    solid = [line for line in lines if line]
    return not (
        empty_section(solid) or empty_field(solid) or doctest_cut(solid) or description_cut(lines)
    )
