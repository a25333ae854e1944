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
import re

from docagent.code import pyast
from docagent.code.targets import Docstring, FileFacts, Target, module_public, module_target_name

_KINDS = ("module", "class", "function", "method")
_KIND_CODES = {k: str(i) for i, k in enumerate(_KINDS)}


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


#: one target's line: qualname, kind, lines, byte span, public, body start, insertion point,
#: then, when it has a docstring, its byte span, lines, prefix and quote
_LINE = re.compile(
    r"(\S+) ([0-3]) (\d+) (\d+) (\d+) (\d+) ([01]) (\d+) (-1|\d+) (-1|\d+) (-1|\d+)"
    r"(?: (\d+) (\d+) (\d+) (\d+) ([rRuU]?)(\"\"\"|'''|\"|'))?",
    re.ASCII,
)


def _docstring(source: bytes, fields: tuple[str | None, ...]) -> Docstring | None:
    """The docstring whose cached fields (offsets, lines, prefix, quote) are ``fields``, read
    back from ``source``; None when an offset is outside the file or it is not a string."""
    start, end, line, end_line = (int(f or "") for f in fields[:4])
    prefix, quote = fields[4] or "", fields[5] or ""
    if not (0 <= start < end <= len(source) and 1 <= line <= end_line <= len(source) + 1):
        return None
    value = docstring_value(source[start:end], quote, prefix)
    if value is None:
        return None
    return Docstring(
        text=inspect.cleandoc(value),
        start_byte=start,
        end_byte=end,
        line=line,
        end_line=end_line,
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
        m = _LINE.fullmatch(line)
        if m is None:
            return None
        groups = m.groups()
        qualname, kind = groups[0], _KINDS[int(groups[1])]
        first, last, start, end, public, body, ins0, ins1, ins2 = map(int, groups[2:11])
        if not (
            (kind == "module") == (i == 0)
            and 1 <= first <= last <= size + 1
            and start <= end <= size
            and body <= size
            and max(ins0, ins1, ins2) <= size
        ):
            return None
        docstring = None
        if groups[11] is not None:
            docstring = _docstring(source, groups[11:])
            if docstring is None:
                return None
        if kind == "module":  # its name and visibility are the path's, not the content's
            name, is_public = module_target_name(path), module_public(path)
        else:  # ``Outer.name#2`` -> ``name``
            name, is_public = qualname.rsplit(".", 1)[-1].split("#", 1)[0], public == 1
        targets.append(
            Target(
                path=path,
                qualname=qualname,
                kind=kind,
                name=name,
                line=first,
                end_line=last,
                start_byte=start,
                end_byte=end,
                public=is_public,
                body_start_byte=body,
                docstring=docstring,
                body_facts=False,
                insertion=None if kind == "module" else (ins0, ins1, ins2),
            )
        )
    return targets


__all__ = ["docstring_value", "placement", "targets_from_placement"]
