"""Safe docstring edits: render a literal, insert or replace it, verify, write atomically.

This is the engine behind docs/safe-edits.md. It changes the bytes of docstrings and nothing else:

- :func:`docstring_text` says which docstring applying a text produces: the text itself when
  it is docstring content Python can produce (every ``inspect.cleandoc`` result is), else
  ``inspect.cleandoc(text)``. ``cleandoc`` is not idempotent (``"A\\n    b"`` cleans to
  ``"A\\nb"``), so a docstring's own text is applied verbatim rather than cleaned again.
- :func:`render_docstring` turns a text into a string literal that parses back to exactly
  ``docstring_text(text)`` (quotes switched or escaped, raw or escaped backslashes, characters
  the file's encoding cannot hold written as ``\\N{...}`` escapes), or raises :class:`RefusedEdit`.
- :func:`plan_file_edits` computes the new text of one file for several :class:`DocEdit` at once
  (spliced bottom-up) and verifies it: the new source parses, every edited target's
  ``ast.get_docstring`` equals its text, every other docstring is unchanged, and the module's
  AST with docstrings removed is unchanged. A failed check refuses the file's edits.
- :func:`apply_file_edits` reads, plans, and writes atomically through :mod:`docagent.writes`
  (keeping owner, group, permission bits and hard links), keeping the encoding, line endings and
  trailing-newline state; it returns the old bytes so a caller can undo with :func:`restore_file`.

Definitions are found with :mod:`docagent.code.targets` (tree-sitter), never re-parsed another way.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import inspect
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tree_sitter import Node, Tree

from docagent.code import parser as ts
from docagent.code import pyast
from docagent.code.astfacts import MODULE, no_gc, tree_facts
from docagent.code.docstrings import NO_DOCSTRING, docstring_sha, dropped_lines
from docagent.code.proof import Change, doc_ranges, prove
from docagent.code.targets import (
    TOO_DEEP,
    FileFacts,
    SourceError,
    Target,
    decode_source,
    docstring_of,
    first_statement,
    read_file,
    read_file_and_tree,
)
from docagent.code.udiff import unified_diff
from docagent.writes import recover_stale_temps, write_atomic

__all__ = [
    "DocEdit",
    "EditPlan",
    "FileEditResult",
    "RefusedEdit",
    "apply_file_edits",
    "atomic_write",
    "docstring_text",
    "file_sha",
    "plan_file_edits",
    "render_docstring",
    "remove_docstrings",
    "restore_file",
]

_DEF_TYPES = ("function_definition", "class_definition")


class RefusedEdit(Exception):
    """An edit docagent will not make; the message says why and the file is left untouched."""


def file_sha(data: bytes) -> str:
    """Return the SHA-256 hex digest of a file's bytes (for the "changed since its draft" check)."""
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=4096)
def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _needs_escape(ch: str, encoding: str) -> bool:
    """True for characters that cannot appear verbatim inside a docstring literal."""
    o = ord(ch)
    if 0x20 <= o < 0x7F or ch in "\n\t":
        return False
    if o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0 or 0xD800 <= o <= 0xDFFF:
        return True
    if ch in "\u2028\u2029\ufeff\x85":
        return True
    return not _encodable(ch, encoding)


def _escape_char(ch: str) -> str:
    """Return a non-raw escape sequence for one character."""
    o = ord(ch)
    if ch == "\r":
        return "\\r"
    if ch == "\x0c":
        return "\\f"
    if ch == "\x0b":
        return "\\v"
    is_control = o < 0xA0 or 0xD800 <= o <= 0xDFFF
    if not is_control:
        name = unicodedata.name(ch, "")
        if name:
            return "\\N{" + name + "}"
    if o < 0x100:
        return f"\\x{o:02x}"
    if o < 0x10000:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


#: printable ASCII but the backslash, tabs and line feeds: characters a literal holds as they are
_PLAIN = re.compile(r"[\x20-\x5b\x5d-\x7e\t\n]*")


def _literal_body(value: str, quote: str, raw: bool, encoding: str) -> tuple[str, int] | None:
    """Return ``(body, escaped_quotes)`` for ``value`` in ``quote``; None when raw cannot hold it.

    Line breaks in ``value`` stay ``\\n`` here; the caller turns them into the file's newline.
    """
    if quote[0] not in value and (len(quote) == 3 or "\n" not in value) and _PLAIN.fullmatch(value):
        return value, 0  # what the loop below returns for such a value, without the loop
    qch = quote[0]
    single = len(quote) == 1
    out: list[str] = []
    run = 0
    escaped_quotes = 0
    last = len(value) - 1
    for i, ch in enumerate(value):
        if ch == "\\":
            run = 0
            out.append("\\" if raw else "\\\\")
            continue
        if ch == qch:
            if single or run == 2 or i == last:
                if raw:
                    return None
                out.append("\\" + ch)
                escaped_quotes += 1
                run = 0
            else:
                out.append(ch)
                run += 1
            continue
        run = 0
        if ch == "\n" and single:
            if raw:
                return None
            out.append("\\n")
            continue
        if _needs_escape(ch, encoding):
            if raw:
                return None
            out.append(_escape_char(ch))
            continue
        out.append(ch)
    if raw and (value.endswith("\\") or "\\" + qch in value):
        return None
    return "".join(out), escaped_quotes


def _layouts(lines: list[str], indent: str) -> dict[str, str]:
    """Candidate literal *values* for the cleaned lines of a docstring, by layout name."""

    def body(rows: list[str]) -> str:
        return "\n".join(indent + r if r else "" for r in rows)

    out = {"oneline": "\n".join(lines)}
    if len(lines) > 1:
        out["pep257"] = lines[0] + "\n" + body(lines[1:]) + "\n" + indent
    out["newline_first"] = "\n" + body(lines) + "\n" + indent
    out["bare"] = "\n" + "\n".join(lines)  # last resort for whitespace-only texts
    return out


def _round_trips(literal: str, cleaned: str) -> bool:
    try:
        value = pyast.literal_eval(literal)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return isinstance(value, str) and inspect.cleandoc(value) == cleaned


def _width(s: str) -> int:
    return len(s.expandtabs(4))


@lru_cache(maxsize=1024)
def docstring_text(text: str) -> str:
    """Return the docstring that applying ``text`` produces (what ``ast.get_docstring`` reads).

    That is ``text`` itself when some string literal's value cleans to exactly ``text`` (true
    for every ``inspect.cleandoc`` result, so a docstring read from code is applied unchanged),
    else ``inspect.cleandoc(text)`` (tabs expanded, common indentation and blank edge lines
    removed). The two differ only for texts that ``cleandoc`` would change.

    Line breaks are read as Python reads source: ``\r\n`` and ``\r`` are line ends, so a
    text from a CRLF file or a proposals record is written with the file's own newline, never
    as ``\r`` escapes.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = inspect.cleandoc(text)
    if text == cleaned or "\t" in text:
        return cleaned
    try:
        _render(
            text,
            "    ",
            quote='"""',
            prefix="",
            line_length=1 << 30,
            first_line_offset=0,
            encoding="utf-8",
            newline="\n",
        )
    except RefusedEdit:
        return cleaned
    return text


def render_docstring(
    text: str,
    indent: str,
    *,
    quote: str = '"""',
    prefix: str = "",
    line_length: int = 88,
    first_line_offset: int = 0,
    encoding: str = "utf-8",
    newline: str = "\n",
) -> str:
    """Render ``text`` as a docstring literal that parses back to exactly ``docstring_text(text)``.

    The literal starts with its prefix and opening quote (no leading indentation); its
    continuation lines carry ``indent`` and are joined with ``newline``. It is one line when the
    text is one line and the literal fits in ``line_length`` columns (its first character sits at
    column ``len(indent) + first_line_offset``), else PEP 257 multi-line. The text is never
    rewrapped. ``quote`` and ``prefix`` (say, from an existing docstring) are kept where they can
    be; quotes are switched or escaped when the text contains them, a text with backslashes gets
    an ``r`` prefix when that is exact, and characters ``encoding`` cannot hold become escapes.
    When no literal reproduces the text exactly, :class:`RefusedEdit` propagates from the
    renderer (no such text has been found; the property tests look for one).
    """
    return _render(
        docstring_text(text),
        indent,
        quote=quote,
        prefix=prefix,
        line_length=line_length,
        first_line_offset=first_line_offset,
        encoding=encoding,
        newline=newline,
    )


def _render(
    cleaned: str,
    indent: str,
    *,
    quote: str,
    prefix: str,
    line_length: int,
    first_line_offset: int,
    encoding: str,
    newline: str,
) -> str:
    """Render the literal whose value cleans to exactly ``cleaned`` (see :func:`docstring_text`)."""
    lines = cleaned.split("\n")
    if quote not in ('"', "'", '"""', "'''"):
        quote = '"""'
    low = prefix.lower()
    if low not in ("", "r", "u"):
        prefix, low = "", ""
    plain = prefix if low == "u" else ""
    raw_prefixes = [prefix if low == "r" else "r"] if low != "u" and "\\" in cleaned else []
    prefixes = [*raw_prefixes, plain]
    qch = quote[0]
    quotes = [qch * 3, ("'" if qch == '"' else '"') * 3]
    if len(quote) == 1 and len(lines) == 1 and qch not in cleaned and "\\" not in cleaned:
        quotes.insert(0, quote)

    column = _width(indent) + first_line_offset
    layouts = _layouts(lines, indent)
    order = ["pep257"] if len(lines) > 1 else ["oneline"]
    order += ["newline_first", "bare"]

    for layout in order:
        value = layouts[layout]
        if inspect.cleandoc(value) != cleaned:
            continue  # this layout cannot produce the text; skip the parse below
        best: tuple[int, str] | None = None
        for p in prefixes:
            for q in quotes:
                if len(q) == 1 and layout != "oneline":
                    continue
                built = _literal_body(value, q, p.lower() == "r", encoding)
                if built is None:
                    continue
                body, escaped = built
                literal = p + q + body + q
                if layout == "oneline" and column + len(literal) > line_length:
                    continue
                # nothing escaped, no backslash: the literal's value is ``value`` itself
                verbatim = body == value and "\\" not in value
                if not verbatim and not _round_trips(literal, cleaned):
                    continue
                if escaped == 0:
                    return literal.replace("\n", newline)
                if best is None or escaped < best[0]:
                    best = (escaped, literal)
        if best is not None:
            return best[1].replace("\n", newline)
    raise RefusedEdit("no string literal reproduces this text exactly")


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class DocEdit:
    """Set the docstring of ``qualname`` to ``text``.

    Guards, each refusing the edit with a reason: ``code_sha`` — the target's code is unchanged
    since the draft; ``original_sha`` — its docstring is still the one the draft was made
    against (:func:`~docagent.code.docstrings.docstring_sha`; someone may have written one
    since); ``keep_existing`` — the edit removes no line of the current docstring (a person's
    words are replaced only after an explicit confirmation).
    """

    qualname: str
    text: str
    code_sha: str | None = None
    original_sha: str | None = None
    keep_existing: bool = False


@dataclass
class EditPlan:
    """The verified result of planning several docstring edits on one file.

    ``new_text`` is None when nothing is to be written (every edit skipped or refused).
    ``refused`` and ``skipped`` hold ``(qualname, reason)`` pairs; ``error`` is set when the whole
    file was refused (then every edit is in ``refused`` with that reason).
    """

    path: str
    encoding: str
    old_text: str
    new_text: str | None = None
    applied: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    #: qualname -> how many lines of its current docstring the edit removes (replacements only)
    dropped: dict[str, int] = field(default_factory=dict)
    #: qualname -> lines an edit refused for ``keep_existing`` would have removed
    would_drop: dict[str, int] = field(default_factory=dict)

    @property
    def new_bytes(self) -> bytes | None:
        """The new file bytes in the file's own encoding, or None when nothing changes."""
        if self.new_text is None:
            return None
        return self.new_text.encode(self.encoding)

    #: character ranges of the changes (old start, old end, new start, new end), for the diff
    regions: list[tuple[int, int, int, int]] | None = None

    def diff(self) -> str:
        """A unified diff (``a/PATH`` → ``b/PATH``) of the planned change; empty when none."""
        if self.new_text is None:
            return ""
        return unified_diff(self.path, self.old_text, self.new_text, self.regions)


def _char_regions(source: bytes, splices: list[_Splice]) -> list[tuple[int, int, int, int]]:
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


@dataclass
class _Splice:
    start: int
    end: int
    data: bytes
    qualname: str


class _FileContext:
    """Lazily computed per-file facts that planning needs (tree, code shas, indent unit)."""

    def __init__(self, facts: FileFacts, tree: Tree | None = None) -> None:
        self.facts = facts
        self.source = facts.source
        self._tree: Tree | None = tree
        self._shas: dict[str, str | None] = {}
        self._stripped: _Stripped | None = None
        self._unit: str | None = None

    @property
    def root(self) -> Node:
        if self._tree is None:
            self._tree = ts.parse(self.source)
        return self._tree.root_node

    def stripped(self) -> _Stripped:
        """The file's fingerprints and docstring ranges (parsed once per file version)."""
        if self._stripped is None:
            key = hashlib.sha256(self.source).digest()
            found = _BEFORE.get(key)
            if found is None:
                tree = _parse(self.facts.text, self.facts.path)
                found = _Stripped(tree, source=self.source)
                _BEFORE[key] = found
                while len(_BEFORE) > _BEFORE_SIZE:
                    _BEFORE.pop(next(iter(_BEFORE)))
            self._stripped = found
        return self._stripped

    def code_sha(self, qualname: str) -> str | None:
        """``code_shas(facts)[qualname]``, without a deep copy per target.

        Stripping docstrings is local to each body, so stripping the whole tree once and
        dumping one definition gives the same hash as stripping a copy of that definition.
        """
        if qualname not in self._shas:
            stripped = self.stripped()
            t = self.facts.target(qualname)
            self._shas[qualname] = (
                None
                if t is None
                else stripped.module_sha
                if t.kind == "module"
                else stripped.shas.get((t.line, t.name))
            )
        return self._shas[qualname]

    def line_start(self, pos: int) -> int:
        return self.source.rfind(b"\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        """Index of the ``\\n`` ending the line that contains ``pos`` (or len(source))."""
        i = self.source.find(b"\n", pos)
        return len(self.source) if i < 0 else i

    def newline_at(self, pos: int) -> str:
        end = self.line_end(pos)
        if end >= len(self.source):
            return self.facts.newline
        return "\r\n" if end > 0 and self.source[end - 1 : end] == b"\r" else "\n"

    def indent_of_line(self, pos: int) -> str:
        start = self.line_start(pos)
        line = self.source[start : self.line_end(pos)].decode("utf-8")
        return line[: len(line) - len(line.lstrip(" \t"))]

    def indent_unit(self, header_indent: str) -> str:
        """The file's indentation step, from existing blocks (default four spaces or a tab)."""
        if self._unit is None:
            self._unit = ""
            starts = [0, *(i + 1 for i, b in enumerate(self.source) if b == 10)]
            for t in self.facts.targets:
                if t.kind == "module" or t.line > len(starts):
                    continue
                def_pos = starts[t.line - 1]
                if self.line_start(t.body_start_byte) <= def_pos:
                    continue  # one-line body
                body = self.indent_of_line(t.body_start_byte)
                head = self.indent_of_line(def_pos)
                if body.startswith(head) and len(body) > len(head):
                    self._unit = body[len(head) :]
                    break
        if self._unit:
            return self._unit
        return "\t" if "\t" in header_indent else "    "

    def def_node(self, t: Target) -> Node:
        node = self.root.descendant_for_byte_range(t.body_start_byte, t.body_start_byte)
        while node is not None:
            if (
                node.type == "block"
                and node.start_byte == t.body_start_byte
                and node.parent is not None
                and node.parent.type in _DEF_TYPES
            ):
                return node.parent
            node = node.parent
        raise RefusedEdit(f"cannot locate the body of {t.qualname}")


def _close_names(qualname: str, facts: FileFacts) -> str:
    names = [t.qualname for t in facts.targets]
    close = difflib.get_close_matches(qualname, names, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _splice_for(ctx: _FileContext, t: Target, cleaned: str, line_length: int) -> _Splice:
    facts = ctx.facts
    src = ctx.source
    enc = facts.encoding

    def render(indent: str, newline: str, quote: str = '"""', prefix: str = "", offset: int = 0):
        return _render(
            cleaned,
            indent,
            quote=quote,
            prefix=prefix,
            line_length=line_length,
            first_line_offset=offset,
            encoding=enc,
            newline=newline,
        )

    ds = t.docstring
    if ds is not None:
        nl = ctx.newline_at(ds.start_byte)
        before = src[ctx.line_start(ds.start_byte) : ds.start_byte].decode("utf-8")
        if before.strip(" \t\x0c") == "":
            indent, offset = before, 0
        else:  # ``def f(): "doc"`` — the docstring shares the header line
            head = ctx.indent_of_line(ds.start_byte)
            indent = head + ctx.indent_unit(head)
            offset = _width(before) - _width(indent)
        literal = render(indent, nl, ds.quote, ds.prefix, offset)
        return _Splice(ds.start_byte, ds.end_byte, literal.encode("utf-8"), t.qualname)

    if t.kind == "module":
        return _module_splice(ctx, t, render)

    node = ctx.def_node(t)
    body = node.child_by_field_name("body")
    colon = None
    for child in node.children:
        if child.type == ":" and (body is None or child.end_byte <= body.start_byte):
            colon = child
    stmt = first_statement(body) if body is not None else None
    if colon is None or stmt is None:
        raise RefusedEdit(f"cannot locate the body of {t.qualname}")
    nl = ctx.newline_at(colon.end_byte)
    if stmt.start_point[0] == colon.end_point[0]:
        # one-line body: ``def f(x): return x`` becomes a block
        head = ctx.indent_of_line(node.start_byte)
        indent = head + ctx.indent_unit(head)
        literal = render(indent, nl)
        data = nl + indent + literal + nl + indent
        return _Splice(colon.end_byte, stmt.start_byte, data.encode("utf-8"), t.qualname)
    indent = ctx.indent_of_line(stmt.start_byte)
    if src[ctx.line_start(stmt.start_byte) : stmt.start_byte].strip(b" \t\x0c"):
        raise RefusedEdit(f"cannot find the indentation of the body of {t.qualname}")
    pos = ctx.line_end(colon.end_byte) + 1
    # PEP 484 type comments must stay right under the header
    while pos < stmt.start_byte and src[pos : ctx.line_end(pos)].lstrip().startswith(b"# type:"):
        pos = ctx.line_end(pos) + 1
    data = indent + render(indent, nl) + nl
    # PEP 257 (and ruff format, black): a blank line after a new class docstring
    following = src[pos : ctx.line_end(pos)].strip(b" \t\x0c\r")
    if t.kind == "class" and following:
        data += nl
    return _Splice(pos, pos, data.encode("utf-8"), t.qualname)


def _module_splice(ctx: _FileContext, t: Target, render) -> _Splice:
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
    return _Splice(pos, pos, data.encode("utf-8"), t.qualname)


_DEF_STARTS = (b"def ", b"async def ", b"class ", b"@")


def _module_gap(ctx: _FileContext, pos: int) -> int:
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


def _parse(text: str, path: str) -> ast.Module:
    with no_gc():  # building a large tree triggers useless collections (half the parse time)
        return pyast.compile_ast(text, path)


class _Stripped:
    """The fingerprints of a parsed file, docstrings removed, from one pass over its tree.

    :attr:`shas` has each definition's by ``(line, name)`` and :attr:`module_sha` the whole
    module's (the same fingerprints as ``targets.code_shas``); with ``keep_docstrings``,
    :attr:`docstrings` has each definition's docstring and the module's (key ``MODULE``).
    With ``source`` (the UTF-8 bytes ``tree`` was parsed from), :attr:`doc_ranges` holds the
    byte ranges of its docstring statements (for :func:`docagent.code.proof.prove`).
    """

    def __init__(
        self, tree: ast.Module, keep_docstrings: bool = False, source: bytes | None = None
    ) -> None:
        found = tree_facts(tree, docstrings=keep_docstrings)
        self.module_sha = found.module_sha
        self.shas = found.shas
        self.docstrings = found.docstrings
        self.doc_ranges = doc_ranges(tree, source) if source is not None else frozenset()


#: fingerprints of file versions by the SHA-256 of their UTF-8 text: a file planned again
#: (a dry run, then the run; review's accepts) is not parsed and fingerprinted again
_BEFORE: dict[bytes, _Stripped] = {}
_BEFORE_SIZE = 64


def _proved(
    ctx: _FileContext,
    new_source: bytes,
    new_text: str,
    chosen: dict[str, _Splice],
    expected: dict[str, str],
) -> bool:
    """True when :func:`docagent.code.proof.prove` shows the edit safe (see :func:`verify_edit`
    for what is checked): the new text encodes and decodes back, parses, changes only the
    docstrings of ``chosen`` (each reading back as ``expected``), and tree-sitter reads the
    same definitions and the same other docstrings. False means "use the full check"."""
    facts = ctx.facts
    try:
        text, _ = decode_source(new_text.encode(facts.encoding), facts.path)
        if text != new_text:
            return False
        new_tree = _parse(new_text, facts.path)
    except (UnicodeEncodeError, SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    changes = []
    for q, s in chosen.items():
        t = facts.target(q)
        if t is None:
            return False
        changes.append(Change(s.start, s.end, s.data, t, expected[q]))
    if not prove(ctx.source, lambda: ctx.stripped().doc_ranges, new_source, new_tree, changes):
        return False
    # tree-sitter reads each new literal alone as one string with the same text; the rest of
    # the file is the same bytes, so it finds the same definitions and other docstrings
    for q, s in chosen.items():
        literal = s.data.strip()
        tree = ts.parse(literal)
        found = docstring_of(tree.root_node)
        if tree.root_node.has_error or found is None or found.text != expected[q]:
            return False
        if (found.start_byte, found.end_byte) != (0, len(literal)):
            return False
    return True


def verify_edit(
    facts: FileFacts,
    new_text: str,
    expected: dict[str, str],
    *,
    _old: _Stripped | None = None,
) -> str | None:
    """Check a planned new text of ``facts``; return the reason it is unsafe, or None.

    ``expected`` maps each edited qualname to its docstring text (see :func:`docstring_text`).
    The new source must parse, decode in the file's encoding to the same text, keep the same
    definitions, give every edited target exactly its text (``ast.get_docstring``), leave
    every other docstring unchanged, and have the same AST as before once docstrings are
    removed.
    """
    path = facts.path
    try:
        data = new_text.encode(facts.encoding)
    except UnicodeEncodeError as exc:
        return f"the new text cannot be encoded as {facts.encoding}: {exc.reason}"
    try:
        # qualnames and docstrings are all this reads: the scanner's lighter extraction
        new_facts = read_file(path, path, data=data, body_facts="sectioned")
    except SourceError as exc:
        return f"the edited file would not parse: {exc}"
    if new_facts.text != new_text:
        return "the edited file would not decode back to the same text"
    try:
        new = _Stripped(_parse(new_text, path), keep_docstrings=True)
        old = _old if _old is not None else _Stripped(_parse(facts.text, path))
    except (SyntaxError, ValueError) as exc:
        return f"the edited file would not parse: {exc}"
    old_names = [t.qualname for t in facts.targets]
    if [t.qualname for t in new_facts.targets] != old_names:
        return "the edit would change the file's definitions"
    old_docs = {t.qualname: t.docstring.text if t.docstring else None for t in facts.targets}
    for t in new_facts.targets:
        if t.qualname in expected:
            key = MODULE if t.kind == "module" else (t.line, t.name)
            if key not in new.docstrings:
                return f"{t.qualname}: cannot find the definition after the edit"
            if new.docstrings[key] != expected[t.qualname]:
                return f"{t.qualname}: the new docstring would not read back exactly"
        else:
            now = t.docstring.text if t.docstring else None
            if now != old_docs[t.qualname]:
                return f"{t.qualname}: the edit would change another docstring"
    if old.module_sha != new.module_sha:
        return "the edit would change code outside docstrings"
    return None


def _splice_all(source: bytes, splices: list[_Splice]) -> bytes:
    out = source
    for s in sorted(splices, key=lambda s: (s.start, s.end), reverse=True):
        out = out[: s.start] + s.data + out[s.end :]
    return out


def _overlapping(splices: list[_Splice]) -> set[str]:
    bad: set[str] = set()
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end or (b.start == a.start and a.start == a.end):
            bad.update((a.qualname, b.qualname))
    return bad


def _would_drop(n: int) -> str:
    lines = "line" if n == 1 else "lines"
    return (
        f"would remove {n} hand-written {lines} of the current docstring; "
        "a repair keeps them (replacing them needs a confirmation: A in review, --force in apply)"
    )


def plan_file_edits(
    facts: FileFacts, edits: list[DocEdit], line_length: int = 88, *, tree: Tree | None = None
) -> EditPlan:
    """Plan and verify ``edits`` on one file together; nothing is written.

    ``tree`` is the tree-sitter tree of ``facts.source`` when the caller has it (see
    :func:`~docagent.code.targets.read_file_and_tree`); otherwise the file is parsed again.

    Each edit is refused with a reason when its qualname is unknown, its ``code_sha`` no longer
    matches the code, the same target gets two different texts, or no literal renders its text.
    An edit whose target already has exactly that docstring is skipped ("already applied").
    The remaining edits are spliced bottom-up and verified once (see :func:`verify_edit`); if
    that fails, each edit is verified alone, the failing ones are refused, and the rest are
    planned again.
    """
    plan = EditPlan(path=facts.path, encoding=facts.encoding, old_text=facts.text)
    ctx = _FileContext(facts, tree)
    texts: dict[str, str] = {}
    conflicts: set[str] = set()
    for e in edits:
        cleaned = docstring_text(e.text)
        if e.qualname in texts and texts[e.qualname] != cleaned:
            conflicts.add(e.qualname)
        texts.setdefault(e.qualname, cleaned)
    splices: dict[str, _Splice] = {}
    expected: dict[str, str] = {}
    done: set[str] = set()
    for e in edits:
        q = e.qualname
        if q in done:
            if q not in conflicts:
                plan.skipped.append((q, "duplicate of an earlier edit of the same target"))
            continue
        done.add(q)
        if q in conflicts:
            plan.refused.append((q, "conflicting texts for the same target"))
            continue
        t = facts.target(q)
        if t is None:
            plan.refused.append((q, f"no definition {q!r} in {facts.path}{_close_names(q, facts)}"))
            continue
        if e.code_sha is not None:
            current = ctx.code_sha(q)
            if current != e.code_sha:
                plan.refused.append(
                    (
                        q,
                        f"the code of {q} changed since its draft (code_sha {e.code_sha} != "
                        f"{current}); draft it again",
                    )
                )
                continue
        cleaned = texts[q]
        current_doc = t.docstring.text if t.docstring is not None else None
        if current_doc == cleaned:
            plan.skipped.append((q, "already applied"))
            continue
        if e.original_sha is not None and docstring_sha(current_doc) != e.original_sha:
            what = "was written" if e.original_sha == NO_DOCSTRING else "changed"
            plan.refused.append((q, f"the docstring of {q} {what} since its draft; draft it again"))
            continue
        lost = dropped_lines(current_doc, cleaned) if current_doc else []
        if lost and e.keep_existing:
            plan.refused.append((q, _would_drop(len(lost))))
            plan.would_drop[q] = len(lost)
            continue
        if lost:
            plan.dropped[q] = len(lost)
        try:
            splices[q] = _splice_for(ctx, t, cleaned, line_length)
        except RefusedEdit as exc:
            plan.refused.append((q, str(exc)))
            continue
        expected[q] = cleaned
    for q in sorted(_overlapping(list(splices.values()))):
        plan.refused.append((q, "overlaps another edit in the same file"))
        del splices[q]
        del expected[q]
    if not splices:
        return plan

    def attempt(chosen: dict[str, _Splice]) -> tuple[str | None, str | None]:
        new_source = _splice_all(ctx.source, list(chosen.values()))
        try:
            new_text = new_source.decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - splices are whole UTF-8 strings
            return None, "the edit would produce invalid UTF-8"
        try:
            if _proved(ctx, new_source, new_text, chosen, expected):
                return new_text, None
            old = ctx.stripped()
        except (SyntaxError, ValueError) as exc:
            return None, f"the file does not parse: {exc}"
        reason = verify_edit(facts, new_text, {q: expected[q] for q in chosen}, _old=old)
        return (None, reason) if reason else (new_text, None)

    new_text, reason = attempt(splices)
    if reason is not None and len(splices) > 1:
        good: dict[str, _Splice] = {}
        for q, s in splices.items():
            _, alone = attempt({q: s})
            if alone is None:
                good[q] = s
            else:
                plan.refused.append((q, f"verification failed: {alone}"))
        if not good:
            plan.error = reason
            return plan
        splices = good
        new_text, reason = attempt(good)
    if reason is not None or new_text is None:
        for q in splices:
            plan.refused.append((q, f"verification failed: {reason}"))
        plan.error = reason
        return plan
    plan.new_text = new_text
    plan.regions = _char_regions(ctx.source, list(splices.values()))
    plan.applied = [e.qualname for e in edits if e.qualname in splices and e.qualname in expected]
    plan.applied = list(dict.fromkeys(plan.applied))
    return plan


# --------------------------------------------------------------------------- writing


@dataclass
class FileEditResult:
    """What :func:`apply_file_edits` did to one file.

    ``applied`` lists the qualnames whose docstrings were set (or would be, in a dry run);
    ``skipped`` and ``refused`` hold ``(qualname, reason)`` pairs. ``old_bytes`` are the file's
    bytes before the edit (pass them to :func:`restore_file` to undo); ``new_bytes`` are what was
    (or would be) written; ``written`` is True only when the file was replaced on disk.
    """

    path: str
    applied: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    diff: str = ""
    old_bytes: bytes | None = None
    new_bytes: bytes | None = None
    written: bool = False
    error: str | None = None
    #: qualname -> lines of its former docstring that the applied edit removed
    dropped: dict[str, int] = field(default_factory=dict)
    #: qualname -> lines an edit refused for ``keep_existing`` would have removed
    would_drop: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return not self.refused


def _refuse_all(result: FileEditResult, edits: list[DocEdit], reason: str) -> FileEditResult:
    result.error = reason
    seen: set[str] = set()
    for e in edits:
        if e.qualname not in seen:
            seen.add(e.qualname)
            result.refused.append((e.qualname, reason))
    return result


def atomic_write(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically, keeping owner, group, mode and hard links.

    Kept for callers of this module; the one implementation is :func:`docagent.writes.write_atomic`
    (which raises OSError when the write fails; the file then keeps its old content).
    """
    write_atomic(path, data, mode=mode)


def _writable(real: str) -> str | None:
    try:
        st = os.stat(real)
    except OSError as exc:
        return f"cannot stat: {exc.strerror or exc}"
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        return "the file is not writable"
    if not os.access(os.path.dirname(real) or ".", os.W_OK):
        return "its directory is not writable (needed for an atomic write)"
    return None


def apply_file_edits(
    root: Path,
    rel_path: str,
    edits: list[DocEdit],
    *,
    expected_file_sha: str | None = None,
    line_length: int = 88,
    dry_run: bool = False,
) -> FileEditResult:
    """Apply docstring ``edits`` to ``root/rel_path`` safely and return what happened.

    The file is read, checked against ``expected_file_sha`` (see :func:`file_sha`) when given,
    planned and verified with :func:`plan_file_edits`, and written atomically unless
    ``dry_run``. A missing, unreadable, unparseable, unwritable or changed file refuses every
    edit with the reason and is left untouched.
    """
    result = FileEditResult(path=rel_path)
    abs_path = Path(root) / rel_path
    real = os.path.realpath(abs_path)
    if not Path(real).is_relative_to(os.path.realpath(root)):
        # a tracked symlink to a file elsewhere: the one place every write goes through says no
        return _refuse_all(result, edits, f"{rel_path}: resolves outside the repository")
    if not dry_run:  # finish or remove what a killed writer left next to the file
        recover_stale_temps(os.path.dirname(real))
    if not os.path.exists(real):
        return _refuse_all(result, edits, f"{rel_path}: file not found")
    try:
        with open(real, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return _refuse_all(result, edits, f"{rel_path}: cannot read: {exc.strerror or exc}")
    if expected_file_sha is not None and file_sha(data) != expected_file_sha:
        return _refuse_all(result, edits, f"{rel_path}: the file changed since its draft")
    try:
        # qualnames, docstrings and positions are all planning reads: the lighter extraction
        facts, tree = read_file_and_tree(str(abs_path), rel_path, data=data, body_facts="sectioned")
    except SourceError as exc:
        return _refuse_all(result, edits, f"cannot parse: {exc}")
    try:
        with no_gc():  # the trees of this file are freed by reference counting
            plan = plan_file_edits(facts, edits, line_length=line_length, tree=tree)
    except (RecursionError, MemoryError):  # valid for tree-sitter, too deep for CPython's ast
        return _refuse_all(result, edits, f"{rel_path}: {TOO_DEEP}")
    result.skipped = plan.skipped
    result.refused = plan.refused
    result.error = plan.error
    result.dropped = {q: n for q, n in plan.dropped.items() if q in plan.applied}
    result.would_drop = dict(plan.would_drop)
    if plan.new_text is None:
        return result
    new_bytes = plan.new_bytes
    assert new_bytes is not None
    result.diff = plan.diff()
    result.old_bytes = data
    result.new_bytes = new_bytes
    if dry_run:
        result.applied = list(plan.applied)
        return result
    problem = _writable(real)
    if problem is None:
        try:
            with open(real, "rb") as fh:
                if fh.read() != data:
                    problem = "the file changed while the edit was prepared"
        except OSError as exc:
            problem = f"cannot read: {exc.strerror or exc}"
    if problem is None:
        try:
            atomic_write(real, new_bytes)
        except OSError as exc:
            problem = f"cannot write: {exc.strerror or exc}"
    if problem is not None:
        result.diff = ""
        result.new_bytes = None
        for q in plan.applied:
            result.refused.append((q, f"{rel_path}: {problem}"))
        result.error = problem
        return result
    result.applied = list(plan.applied)
    result.written = True
    return result


def restore_file(
    path: str | Path, old_bytes: bytes, *, expected_current: bytes | None = None
) -> None:
    """Undo an edit: atomically write ``old_bytes`` back to ``path`` and verify it.

    With ``expected_current`` (the ``new_bytes`` of the edit being undone), the restore is
    refused when the file changed since, so a later edit is never clobbered.

    Raises:
        RefusedEdit: the file changed since the edit, or cannot be written or verified.
    """
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise RefusedEdit(f"{path}: cannot read: {exc.strerror or exc}") from None
    if expected_current is not None and current != expected_current:
        raise RefusedEdit(f"{path}: the file changed since the edit; not restoring it")
    if current == old_bytes:
        return
    try:
        atomic_write(real, old_bytes)
        with open(real, "rb") as fh:
            check = fh.read()
    except OSError as exc:
        raise RefusedEdit(f"{path}: cannot restore: {exc.strerror or exc}") from None
    if check != old_bytes:  # pragma: no cover - a concurrent writer
        raise RefusedEdit(f"{path}: the restored bytes do not match")


# --------------------------------------------------------------------------- removal


def _statement_at(ctx: _FileContext, start: int, end: int) -> Node | None:
    node = ctx.root.descendant_for_byte_range(start, end)
    while node is not None and not (
        node.type == "expression_statement" and node.start_byte == start and node.end_byte == end
    ):
        node = node.parent
    return node


def remove_docstrings(
    facts: FileFacts, qualnames: list[str] | None = None
) -> tuple[str, list[str]]:
    """Return ``facts``' text without the docstrings of ``qualnames`` (all when None).

    A docstring that is its body's only statement becomes ``pass``; otherwise its line is
    removed (or, for ``"doc"; x = 1``, the literal and its ``;``). A docstring followed by
    another string statement is kept, since removing it would promote that string to a
    docstring. Returns ``(new_text, removed_qualnames)``; the result is verified like an edit
    (same code once docstrings are removed; every removed docstring is gone).

    Raises:
        RefusedEdit: when the result fails verification.
    """
    ctx = _FileContext(facts)
    src = ctx.source
    wanted = None if qualnames is None else set(qualnames)
    splices: list[_Splice] = []
    for t in facts.targets:
        ds = t.docstring
        if ds is None or (wanted is not None and t.qualname not in wanted):
            continue
        stmt = _statement_at(ctx, ds.start_byte, ds.end_byte)
        if stmt is None:
            continue
        nxt = stmt.next_named_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_named_sibling
        if nxt is not None and nxt.type == "expression_statement":
            first = nxt.named_children[0] if nxt.named_children else None
            if first is not None and first.type in (
                "string",
                "concatenated_string",
                "parenthesized_expression",
            ):
                continue
        before = src[ctx.line_start(ds.start_byte) : ds.start_byte].strip(b" \t\x0c")
        if nxt is None:
            if t.kind == "module":
                end = min(ctx.line_end(ds.end_byte) + 1, len(src))
                splices.append(_Splice(ctx.line_start(ds.start_byte), end, b"", t.qualname))
            else:
                splices.append(_Splice(ds.start_byte, ds.end_byte, b"pass", t.qualname))
        elif nxt.start_point[0] == stmt.end_point[0]:
            splices.append(_Splice(ds.start_byte, nxt.start_byte, b"", t.qualname))
        elif not before:
            end = min(ctx.line_end(ds.end_byte) + 1, len(src))
            splices.append(_Splice(ctx.line_start(ds.start_byte), end, b"", t.qualname))
    if _overlapping(splices):  # pragma: no cover - docstrings never overlap
        raise RefusedEdit("overlapping docstrings")
    new_text = _splice_all(src, splices).decode("utf-8")
    removed = [s.qualname for s in splices]
    try:
        new_tree = _parse(new_text, facts.path)
        new_facts = read_file(facts.path, facts.path, data=new_text.encode(facts.encoding))
    except (SyntaxError, ValueError, SourceError) as exc:
        raise RefusedEdit(f"removing docstrings would break the file: {exc}") from None
    old, new = _Stripped(_parse(facts.text, facts.path)), _Stripped(new_tree)
    if old.module_sha != new.module_sha:
        raise RefusedEdit("removing docstrings would change the code")
    gone = set(removed)
    if [t.qualname for t in new_facts.targets] != [t.qualname for t in facts.targets] or any(
        t.docstring is not None for t in new_facts.targets if t.qualname in gone
    ):
        raise RefusedEdit("removing docstrings would change the definitions")
    return new_text, removed
