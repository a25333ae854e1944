"""A docstring's text as a string literal that parses back to exactly that text.

- :func:`docstring_text` says which docstring applying a text produces: the text itself when
  it is docstring content Python can produce (every ``inspect.cleandoc`` result is), else
  ``inspect.cleandoc(text)``. ``cleandoc`` is not idempotent (``"A\\n    b"`` cleans to
  ``"A\\nb"``), so a docstring's own text is applied verbatim rather than cleaned again.
- :func:`render_docstring` turns a text into a string literal that parses back to exactly
  ``docstring_text(text)`` (quotes switched or escaped, raw or escaped backslashes, characters
  the file's encoding cannot hold written as ``\\N{...}`` escapes), or raises
  :class:`~docagent.code.refusal.RefusedEdit`.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from functools import lru_cache

from docagent.code import pyast
from docagent.code.refusal import RefusedEdit


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
#: one character :func:`_literal_body` looks at: not one of :data:`_PLAIN`, or a quote or a line
#: feed (the others are copied as they are)
_SPECIAL = re.compile(r"[^\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e\t]")


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
    pos = 0
    for m in _SPECIAL.finditer(value):  # runs of plain characters are copied whole
        i = m.start()
        if i > pos:
            out.append(value[pos:i])
            run = 0
        pos = i + 1
        ch = value[i]
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
    out.append(value[pos:])
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


def text_width(s: str) -> int:
    """Columns ``s`` takes, tabs counted as four."""
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
        render_cleaned(
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
    return render_cleaned(
        docstring_text(text),
        indent,
        quote=quote,
        prefix=prefix,
        line_length=line_length,
        first_line_offset=first_line_offset,
        encoding=encoding,
        newline=newline,
    )


def render_cleaned(
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
    prefixes, quotes = _prefixes_and_quotes(cleaned, lines, quote, prefix)
    column = text_width(indent) + first_line_offset
    layouts = _layouts(lines, indent)
    order = ["pep257"] if len(lines) > 1 else ["oneline"]
    order += ["newline_first", "bare"]
    for layout in order:
        value = layouts[layout]
        if inspect.cleandoc(value) != cleaned:
            continue  # this layout cannot produce the text; skip the parse below
        room = line_length - column if layout == "oneline" else None
        literal = _fewest_escapes(value, cleaned, prefixes, quotes, room, encoding)
        if literal is not None:
            return literal.replace("\n", newline)
    raise RefusedEdit("no string literal reproduces this text exactly")


def _prefixes_and_quotes(
    cleaned: str, lines: list[str], quote: str, prefix: str
) -> tuple[list[str], list[str]]:
    """The string prefixes and quotes to try, in order: the existing ones first where they can
    hold the text (an ``r`` prefix first when the text has backslashes)."""
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
    return prefixes, quotes


def _fewest_escapes(
    value: str,
    cleaned: str,
    prefixes: list[str],
    quotes: list[str],
    room: int | None,
    encoding: str,
) -> str | None:
    """The first literal of ``value`` (one line of at most ``room`` columns when ``room`` is
    set) that reads back as ``cleaned`` with no escaped quote, else the one with the fewest;
    None when no prefix and quote can hold it."""
    best: tuple[int, str] | None = None
    for p in prefixes:
        for q in quotes:
            if len(q) == 1 and room is None:
                continue
            built = _literal_body(value, q, p.lower() == "r", encoding)
            if built is None:
                continue
            body, escaped = built
            literal = p + q + body + q
            if room is not None and len(literal) > room:
                continue
            # nothing escaped, no backslash: the literal's value is ``value`` itself
            verbatim = body == value and "\\" not in value
            if not verbatim and not _round_trips(literal, cleaned):
                continue
            if escaped == 0:
                return literal
            if best is None or escaped < best[0]:
                best = (escaped, literal)
    return best[1] if best is not None else None
