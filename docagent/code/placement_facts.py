"""What planning an edit reads of a file's targets, as plain rows for the facts cache.

``batch`` reads each file with tree-sitter to draft it; the facts cache
(:mod:`docagent.code.factscache`) keeps, with each file version's fingerprints, one row per
target: its qualname, kind, name, lines, byte offsets, visibility, where its body starts, where
its docstring literal is (with its quote and prefix) and where a new docstring would go
(:attr:`~docagent.code.targets.Target.insertion`). ``apply`` rebuilds the targets from those
rows (:func:`targets_from_rows`) instead of reading the file with tree-sitter again; each
docstring's text is read back from the file's own bytes at the cached offsets, and the caller
checks it against the docstring hashes of the same entry.

Only what planning reads is kept: parameters, decorators and body facts are not (a rebuilt
target has ``body_facts=False``), so these targets serve edits, never drafting or scanning.
"""

from __future__ import annotations

import inspect
from typing import Any

from docagent.code import pyast
from docagent.code.targets import Docstring, FileFacts, Target, module_public, module_target_name

_KINDS = frozenset({"module", "class", "function", "method"})


def placement_rows(facts: FileFacts) -> list[list[Any]] | None:
    """One row per target of ``facts`` (see the module docstring); None when they were not
    extracted with their insertion points (the scanner's lighter read)."""
    rows: list[list[Any]] = []
    for t in facts.targets:
        if t.kind != "module" and t.insertion is None:
            return None
        d = t.docstring
        doc = (
            None if d is None else [d.start_byte, d.end_byte, d.line, d.end_line, d.quote, d.prefix]
        )
        rows.append(
            [
                t.qualname,
                t.kind,
                t.name,
                t.line,
                t.end_line,
                t.start_byte,
                t.end_byte,
                t.public,
                t.body_start_byte,
                doc,
                None if t.insertion is None else list(t.insertion),
            ]
        )
    return rows


def _offsets(values: Any, n: int, low: int, size: int) -> bool:
    """True when ``values`` is a list of ``n`` ints, each within ``[low, size]``."""
    if type(values) is not list or len(values) != n:
        return False
    return all(type(v) is int and low <= v <= size for v in values)


def docstring_value(literal: bytes, quote: str, prefix: str) -> str | None:
    """The value of the docstring statement ``literal`` (a string literal, maybe parenthesized
    or concatenated) whose first part opens with ``prefix`` and ``quote``: its characters
    between the quotes when it is one plain literal (no backslash, no carriage return), else
    what Python evaluates it to; None when it is not a string."""
    head = (prefix + quote).encode("utf-8")
    close = quote.encode("utf-8")
    if (
        close
        and len(literal) >= len(head) + len(close)
        and literal.startswith(head)
        and literal.endswith(close)
    ):
        body = literal[len(head) : len(literal) - len(close)]
        if b"\\" not in body and b"\r" not in body and close not in body:
            return body.decode("utf-8")
    try:
        value = pyast.literal_eval(literal.decode("utf-8").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError, UnicodeDecodeError):
        return None
    return value if isinstance(value, str) else None


def targets_from_rows(path: str, source: bytes, rows: Any) -> list[Target] | None:
    """The targets of the file ``path`` (UTF-8 ``source``) rebuilt from ``rows`` written by
    :func:`placement_rows` for the same bytes; None when the rows are malformed (any value of
    the wrong type, an offset outside the file) or a docstring does not read as a string."""
    if not isinstance(rows, list) or not rows:
        return None
    size = len(source)
    targets: list[Target] = []
    for i, row in enumerate(rows):
        if type(row) is not list or len(row) != 11:
            return None
        qualname, kind, name, line, end_line, start, end, public, body, doc, ins = row
        if not (
            type(qualname) is str
            and type(name) is str
            and type(public) is bool
            and kind in _KINDS
            and (kind == "module") == (i == 0)
            and _offsets(row[3:5], 2, 1, size + 1)  # lines
            and _offsets(row[5:7], 2, 0, size)
            and type(body) is int
            and 0 <= body <= size
            and (ins is None if kind == "module" else _offsets(ins, 3, -1, size))
        ):
            return None
        docstring = None
        if doc is not None:
            if not (
                type(doc) is list
                and len(doc) == 6
                and _offsets(doc[:2], 2, 0, size)
                and _offsets(doc[2:4], 2, 1, size + 1)
                and doc[0] < doc[1]
                and type(doc[4]) is str
                and type(doc[5]) is str
            ):
                return None
            value = docstring_value(source[doc[0] : doc[1]], doc[4], doc[5])
            if value is None:
                return None
            docstring = Docstring(inspect.cleandoc(value), *doc)
        if kind == "module":  # its name and visibility are the path's, not the content's
            name, public = module_target_name(path), module_public(path)
        targets.append(
            Target(
                path=path,
                qualname=qualname,
                kind=kind,
                name=name,
                line=line,
                end_line=end_line,
                start_byte=start,
                end_byte=end,
                public=public,
                body_start_byte=body,
                docstring=docstring,
                body_facts=False,
                insertion=None if ins is None else (ins[0], ins[1], ins[2]),
            )
        )
    return targets


__all__ = ["docstring_value", "placement_rows", "targets_from_rows"]
