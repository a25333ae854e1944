"""What planning an edit reads of a file's targets, as one line per target for the facts cache.

``batch`` reads each file with tree-sitter to draft it; the facts cache
(:mod:`docagent.code.factscache`) keeps, with each file version's fingerprints, one line per
target: its qualname, kind, lines, byte offsets, visibility, where its body starts, where a new
docstring would go (:attr:`~docagent.code.targets.Target.insertion`) and where its docstring
literal is, with its prefix and quote. ``apply`` rebuilds the targets from those lines
(:func:`targets_from_placement`) instead of reading the file with tree-sitter again; each
docstring's text is read back from the file's own bytes at the cached offsets, and the caller
checks it against the docstring hashes of the same entry.

A file's lines are one string (fields separated by spaces: qualnames, kinds, numbers and string
prefixes and quotes hold none), so that loading the cache parses one string per file, not a
list per target; only the files ``apply`` edits are split. Only what planning reads is kept:
parameters, decorators and body facts are not (a rebuilt target has ``body_facts=False``), so
these targets serve edits, never drafting or scanning.
"""

from __future__ import annotations

import inspect

from docagent.code import pyast
from docagent.code.targets import Docstring, FileFacts, Target, module_public, module_target_name

_KINDS = ("module", "class", "function", "method")
_KIND_CODES = {k: str(i) for i, k in enumerate(_KINDS)}
#: fields of a target's line without a docstring, and with one
_PLAIN, _DOCUMENTED = 11, 16


def placement(facts: FileFacts) -> str | None:
    """The lines of the targets of ``facts`` (see the module docstring); None when they were
    not extracted with their insertion points (the scanner's lighter read)."""
    lines: list[str] = []
    for t in facts.targets:
        ins = t.insertion
        if ins is None:
            if t.kind != "module":
                return None
            ins = (-1, -1, -1)
        fields = [
            t.qualname,
            _KIND_CODES[t.kind],
            t.line,
            t.end_line,
            t.start_byte,
            t.end_byte,
            int(t.public),
            t.body_start_byte,
            *ins,
        ]
        d = t.docstring
        if d is not None:
            fields += [d.start_byte, d.end_byte, d.line, d.end_line, d.prefix + d.quote]
        lines.append(" ".join(map(str, fields)))
    return "\n".join(lines)


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


def _ints(fields: list[str], low: int, high: int) -> list[int] | None:
    """``fields`` as decimal ints within ``[low, high]``, or None."""
    out: list[int] = []
    for f in fields:
        if not (f.isdigit() or (f[:1] == "-" and f[1:].isdigit())) or not f.isascii():
            return None
        v = int(f)
        if not low <= v <= high:
            return None
        out.append(v)
    return out


def _docstring(source: bytes, fields: list[str]) -> Docstring | None:
    """The docstring whose cached fields (offsets, lines, prefix and quote) are ``fields``,
    read back from ``source``; None when malformed or not a string."""
    size = len(source)
    offsets, lines = _ints(fields[:2], 0, size), _ints(fields[2:4], 1, size + 1)
    opening = fields[4]
    prefix = opening.rstrip("'\"")
    quote = opening[len(prefix) :]
    if offsets is None or lines is None or offsets[0] >= offsets[1]:
        return None
    if quote not in ('"""', "'''", '"', "'") or prefix.lower() not in ("", "r", "u"):
        return None
    value = docstring_value(source[offsets[0] : offsets[1]], quote, prefix)
    if value is None:
        return None
    return Docstring(
        text=inspect.cleandoc(value),
        start_byte=offsets[0],
        end_byte=offsets[1],
        line=lines[0],
        end_line=lines[1],
        quote=quote,
        prefix=prefix,
    )


def targets_from_placement(path: str, source: bytes, text: object) -> list[Target] | None:
    """The targets of the file ``path`` (UTF-8 ``source``) rebuilt from ``text``, written by
    :func:`placement` for the same bytes; None when it is malformed (a field of the wrong kind,
    an offset outside the file) or a docstring does not read back as a string."""
    if not isinstance(text, str) or not text:
        return None
    size = len(source)
    targets: list[Target] = []
    for i, line in enumerate(text.split("\n")):
        fields = line.split(" ")
        if len(fields) not in (_PLAIN, _DOCUMENTED):
            return None
        qualname, code = fields[0], fields[1]
        kind = _KINDS[int(code)] if code in ("0", "1", "2", "3") else None
        lines = _ints(fields[2:4], 1, size + 1)
        spans = _ints(fields[4:6], 0, size)
        public = fields[6]
        body = _ints(fields[7:8], 0, size)
        ins = _ints(fields[8:11], -1, size)
        if (
            not qualname
            or kind is None
            or (kind == "module") != (i == 0)
            or lines is None
            or spans is None
            or public not in ("0", "1")
            or body is None
            or ins is None
        ):
            return None
        docstring = None
        if len(fields) == _DOCUMENTED:
            docstring = _docstring(source, fields[11:])
            if docstring is None:
                return None
        if kind == "module":  # its name and visibility are the path's, not the content's
            name, is_public = module_target_name(path), module_public(path)
        else:  # ``Outer.name#2`` -> ``name``
            name, is_public = qualname.rsplit(".", 1)[-1].split("#", 1)[0], public == "1"
        targets.append(
            Target(
                path=path,
                qualname=qualname,
                kind=kind,
                name=name,
                line=lines[0],
                end_line=lines[1],
                start_byte=spans[0],
                end_byte=spans[1],
                public=is_public,
                body_start_byte=body[0],
                docstring=docstring,
                body_facts=False,
                insertion=None if kind == "module" else (ins[0], ins[1], ins[2]),
            )
        )
    return targets


__all__ = ["docstring_value", "placement", "targets_from_placement"]
