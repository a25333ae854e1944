"""Where a docstring literal goes: the splice that replaces a docstring or inserts a new one.

A replaced docstring keeps its quotes, prefix and place; a new one goes under the header at the
body's indentation (after PEP 484 type comments; a one-line body becomes a block), or, for a
module, after the leading comment lines, with the blank lines ruff format and black keep.
"""

from __future__ import annotations

from collections.abc import Callable

from docagent.code.docstring_literal import render_cleaned, text_width
from docagent.code.file_context import FileContext
from docagent.code.refusal import RefusedEdit
from docagent.code.splices import Splice
from docagent.code.targets import Target

#: Renders the edit's text at an indentation with a line end (and quote, prefix, column offset).
Render = Callable[..., str]


def splice_for(ctx: FileContext, t: Target, cleaned: str, line_length: int) -> Splice:
    """The splice that gives target ``t`` of ``ctx``'s file the docstring ``cleaned``.

    :class:`RefusedEdit` propagates when the body cannot be located or its indentation found,
    or no literal renders the text.
    """
    enc = ctx.facts.encoding

    def render(indent: str, newline: str, quote: str = '"""', prefix: str = "", offset: int = 0):
        return render_cleaned(
            cleaned,
            indent,
            quote=quote,
            prefix=prefix,
            line_length=line_length,
            first_line_offset=offset,
            encoding=enc,
            newline=newline,
        )

    if t.docstring is not None:
        return _replacement(ctx, t, render)
    if t.kind == "module":
        return _module_splice(ctx, t, render)
    return _insertion(ctx, t, render)


def _replacement(ctx: FileContext, t: Target, render: Render) -> Splice:
    """Replace ``t``'s docstring in place, keeping its quotes and prefix where they can be."""
    ds = t.docstring
    assert ds is not None
    nl = ctx.newline_at(ds.start_byte)
    before = ctx.source[ctx.line_start(ds.start_byte) : ds.start_byte].decode("utf-8")
    if before.strip(" \t\x0c") == "":
        indent, offset = before, 0
    else:  # ``def f(): "doc"`` — the docstring shares the header line
        head = ctx.indent_of_line(ds.start_byte)
        indent = head + ctx.indent_unit(head)
        offset = text_width(before) - text_width(indent)
    literal = render(indent, nl, ds.quote, ds.prefix, offset)
    return Splice(ds.start_byte, ds.end_byte, literal.encode("utf-8"), t.qualname)


def _insertion(ctx: FileContext, t: Target, render: Render) -> Splice:
    """Insert a docstring as the first statement of function or class ``t``."""
    src = ctx.source
    def_start, colon_end, stmt_start = ctx.insertion(t)
    if colon_end < 0 or stmt_start < 0:
        raise RefusedEdit(f"cannot locate the body of {t.qualname}")
    nl = ctx.newline_at(colon_end)
    if b"\n" not in src[colon_end:stmt_start]:
        # one-line body: ``def f(x): return x`` becomes a block
        head = ctx.indent_of_line(def_start)
        indent = head + ctx.indent_unit(head)
        literal = render(indent, nl)
        data = nl + indent + literal + nl + indent
        return Splice(colon_end, stmt_start, data.encode("utf-8"), t.qualname)
    indent = ctx.indent_of_line(stmt_start)
    if src[ctx.line_start(stmt_start) : stmt_start].strip(b" \t\x0c"):
        raise RefusedEdit(f"cannot find the indentation of the body of {t.qualname}")
    pos = ctx.line_end(colon_end) + 1
    # PEP 484 type comments must stay right under the header
    while pos < stmt_start and src[pos : ctx.line_end(pos)].lstrip().startswith(b"# type:"):
        pos = ctx.line_end(pos) + 1
    data = indent + render(indent, nl) + nl
    # PEP 257 (and ruff format, black): a blank line after a new class docstring
    following = src[pos : ctx.line_end(pos)].strip(b" \t\x0c\r")
    if t.kind == "class" and following:
        data += nl
    return Splice(pos, pos, data.encode("utf-8"), t.qualname)


def _module_splice(ctx: FileContext, t: Target, render: Render) -> Splice:
    """Insert a module docstring after the file's leading comment lines."""
    src = ctx.source
    pos = 0
    scan = 0
    while scan < len(src):
        end = ctx.line_end(scan)
        line = src[scan:end].strip()
        if line.startswith(b"#"):
            pos = min(end + 1, len(src))
        elif line:
            break
        scan = end + 1
    nl = ctx.newline_at(pos) if src else ctx.facts.newline
    literal = render("", nl)
    if pos == len(src) and src and not src.endswith(b"\n"):
        data = nl + literal  # after a last comment line without a newline: keep that state
    else:
        data = literal + nl + nl * _module_gap(ctx, pos)
    return Splice(pos, pos, data.encode("utf-8"), t.qualname)


_DEF_STARTS = (b"def ", b"async def ", b"class ", b"@")


def _module_gap(ctx: FileContext, pos: int) -> int:
    """Blank lines to add after a new module docstring inserted at ``pos``.

    As ruff format and black lay it out: one blank line before the code, two when the code
    is a function or class (with its leading comments), counting the blank lines already there.
    """
    src = ctx.source
    blank = 0
    scan = pos
    while scan < len(src) and not src[scan : ctx.line_end(scan)].strip():
        blank += 1
        scan = ctx.line_end(scan) + 1
    if scan >= len(src):
        return 0
    code = scan
    while code < len(src) and src[code : ctx.line_end(code)].strip().startswith(b"#"):
        code = ctx.line_end(code) + 1
    line = src[code : ctx.line_end(code)].strip()
    wanted = 2 if line.startswith(_DEF_STARTS) else 1
    return max(0, wanted - blank)
