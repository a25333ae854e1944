"""Repair a stale docstring in place: patch only what disagrees with the code.

A docstring is *stale* when it disagrees with its code (see
:func:`docagent.code.docstrings.consistency_problems`): it documents parameters that no longer
exist, misses new ones, documents a Returns, Yields or Raises the code does not have, or misses a
Yields or a raised exception. Hand-written docstrings carry wording, examples and layout a
generated draft cannot reproduce, so a stale docstring is repaired, not rewritten:
:func:`repair_docstring` removes the entries and sections that are wrong and adds entries for
what is missing — descriptions from the provider's structured draft, else a neutral sentence —
in the docstring's own style, indentation and entry format. Every other line stays byte for byte.

When the layout is not recognised well enough to patch with confidence, the repair returns None
and the caller falls back to a full draft (which is never applied without review).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from docagent.code.docstrings import Problem, consistency_problems, detect_style, parse_sections
from docagent.code.targets import Param, Target
from docagent.draft.models import StructuredDraft
from docagent.vocab import DOC_SECTIONS

#: Conventional order of the sections a repair adds or extends.
_RANK: dict[str, int] = {name: i for i, name in enumerate(DOC_SECTIONS)}

_GOOGLE_KINDS = {
    "Args": "params",
    "Arguments": "params",
    "Parameters": "params",
    "Params": "params",
    "Keyword Args": "params",
    "Keyword Arguments": "params",
    "Other Parameters": "params",
    "Returns": "returns",
    "Return": "returns",
    "Yields": "yields",
    "Yield": "yields",
    "Raises": "raises",
    "Raise": "raises",
    "Exceptions": "raises",
    "Except": "raises",
    "Attributes": "attributes",
}
_GOOGLE_OTHER = (
    "Example",
    "Examples",
    "Note",
    "Notes",
    "Warning",
    "Warnings",
    "Warns",
    "See Also",
    "Todo",
    "References",
    "Methods",
)
_GOOGLE_MAIN_PARAMS = ("Args", "Arguments", "Parameters", "Params")
_GOOGLE_HEAD = re.compile(
    r"^(" + "|".join(re.escape(t) for t in (*_GOOGLE_KINDS, *_GOOGLE_OTHER)) + r")[ \t]*:[ \t]*$"
)
_GOOGLE_ENTRY = re.compile(
    r"^(?P<names>\*{0,2}[A-Za-z_][\w.]*(?:\s*,\s*\*{0,2}[A-Za-z_][\w.]*)*)"
    r"\s*(?P<type>\(.*?\))?\s*:(?:\s|$)"
)

_NUMPY_KINDS = {
    "Parameters": "params",
    "Params": "params",
    "Arguments": "params",
    "Args": "params",
    "Other Parameters": "params",
    "Other Params": "params",
    "Returns": "returns",
    "Return": "returns",
    "Yields": "yields",
    "Yield": "yields",
    "Raises": "raises",
    "Raise": "raises",
    "Attributes": "attributes",
}
_NUMPY_MAIN_PARAMS = ("Parameters", "Params", "Arguments", "Args")
_DASHES = re.compile(r"^[ \t]*-{3,}[ \t]*$")
_NUMPY_ENTRY = re.compile(r"^(?P<names>[^:]+?)(?:\s*:\s*(?P<type>.*?))?\s*$")
_NUMPY_NAME = re.compile(r"^\*{0,2}[A-Za-z_][\w.]*$")

_SPHINX_FIELD = re.compile(r"^:(?P<key>[A-Za-z_]+)(?P<arg>(?:[ \t]+[^:\n]*?)?)[ \t]*:(?:\s|$)")
_SPHINX_KINDS = {
    "param": "params",
    "parameter": "params",
    "arg": "params",
    "argument": "params",
    "key": "params",
    "keyword": "params",
    "type": "params",
    "returns": "returns",
    "return": "returns",
    "rtype": "returns",
    "yields": "yields",
    "yield": "yields",
    "ytype": "yields",
    "raises": "raises",
    "raise": "raises",
    "except": "raises",
    "exception": "raises",
    "var": "attributes",
    "ivar": "attributes",
    "cvar": "attributes",
}
_GENERATOR_TYPE = re.compile(
    r"^(?:[\w.]+\.)?(?:Iterator|Iterable|Generator|AsyncIterator|AsyncIterable|AsyncGenerator)"
    r"\[\s*([^,\[\]]+(?:\[[^\[\]]*\])?)"
)


class _Unrecognised(Exception):
    """The docstring's layout is not understood well enough to patch it."""


@dataclass
class _Entry:
    """One entry of a section (a parameter, an exception, …): its names and line span."""

    names: list[str]
    start: int
    end: int
    typed: bool = False


@dataclass
class _Block:
    """A section (google, numpy) or a field (sphinx) and the lines it spans (inclusive)."""

    kind: str
    title: str
    start: int
    end: int
    entries: list[_Entry] = field(default_factory=list)
    entry_indent: int | None = None
    cont_indent: int | None = None
    problem: str = ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(line: str) -> bool:
    return not line.strip()


def _names(text: str) -> list[str]:
    return [n.strip().lstrip("*") for n in text.split(",") if n.strip()]


def _last_content(lines: list[str], start: int, stop: int) -> int:
    """Index of the last non-blank line in ``lines[start:stop]``, else ``start - 1``."""
    end = start - 1
    for i in range(start, stop):
        if not _blank(lines[i]):
            end = i
    return end


# --------------------------------------------------------------------------- parsing


def _entries(lines: list[str], block: _Block, first: int, head: Callable) -> None:
    """Split the body ``lines[first:block.end + 1]`` into entries (in place on ``block``).

    ``head(text)`` returns ``(names, typed)`` for an entry's first line, or None when the line is
    not an entry head; the block then records a problem instead of entries.
    """
    body = [i for i in range(first, block.end + 1) if not _blank(lines[i])]
    if not body:
        return
    base = _indent(lines[body[0]])
    block.entry_indent = base
    for i in body:
        ind = _indent(lines[i])
        if ind == base:
            parsed = head(lines[i].strip())
            if parsed is None:
                block.problem = f"unrecognised entry {lines[i].strip()!r} in {block.title}"
                return
            names, typed = parsed
            block.entries.append(_Entry(names, i, i, typed))
        elif ind > base and block.entries:
            block.entries[-1].end = i
            if block.cont_indent is None or ind < block.cont_indent:
                block.cont_indent = ind
        else:
            block.problem = f"unexpected indentation in {block.title}"
            return


def _google_head(text: str) -> tuple[list[str], bool] | None:
    m = _GOOGLE_ENTRY.match(text)
    if m is None:
        return None
    return _names(m.group("names")), bool(m.group("type"))


def _numpy_head(text: str) -> tuple[list[str], bool] | None:
    m = _NUMPY_ENTRY.match(text)
    if m is None:
        return None
    raw = [n.strip() for n in m.group("names").split(",") if n.strip()]
    if not raw or not all(_NUMPY_NAME.match(n) for n in raw):
        return None
    return [n.lstrip("*") for n in raw], bool(m.group("type"))


def _google_blocks(lines: list[str]) -> list[_Block]:
    heads = [i for i in range(1, len(lines)) if _GOOGLE_HEAD.match(lines[i])]
    blocks = []
    for i in heads:
        stop = i + 1
        while stop < len(lines) and (_blank(lines[stop]) or _indent(lines[stop]) > 0):
            stop += 1
        title = _GOOGLE_HEAD.match(lines[i]).group(1)  # type: ignore[union-attr]
        end = max(i, _last_content(lines, i + 1, stop))
        block = _Block(_GOOGLE_KINDS.get(title, "other"), title, i, end)
        if block.kind in ("params", "raises", "attributes"):
            _entries(lines, block, i + 1, _google_head)
        blocks.append(block)
    return blocks


def _numpy_blocks(lines: list[str]) -> list[_Block]:
    heads = [
        i
        for i in range(1, len(lines) - 1)
        if lines[i].strip()
        and not _DASHES.match(lines[i])
        and _DASHES.match(lines[i + 1])
        and _indent(lines[i]) == _indent(lines[i + 1])
    ]
    blocks = []
    for n, i in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else len(lines)
        title = lines[i].strip()
        end = max(i + 1, _last_content(lines, i + 2, stop))
        block = _Block(_NUMPY_KINDS.get(title, "other"), title, i, end)
        if block.kind in ("params", "raises", "attributes"):
            _entries(lines, block, i + 2, _numpy_head)
            if block.entry_indent is not None and block.entry_indent != _indent(lines[i]):
                block.problem = f"entries of {title} are not at the section's indentation"
        blocks.append(block)
    return blocks


def _sphinx_blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    i = 1
    while i < len(lines):
        m = _SPHINX_FIELD.match(lines[i])
        if m is None:
            i += 1
            continue
        end = j = i
        while j + 1 < len(lines) and (_blank(lines[j + 1]) or _indent(lines[j + 1]) > 0):
            j += 1
            if not _blank(lines[j]):
                end = j
        key = m.group("key").lower()
        arg = m.group("arg").strip()
        kind = _SPHINX_KINDS.get(key, "other")
        block = _Block(kind, key, i, end)
        if kind == "params":
            name = arg.split()[-1] if arg else ""
            block.entries = [_Entry([name.lstrip("*")], i, end, typed=key == "type")]
        elif kind == "raises":
            block.entries = [_Entry(_names(arg), i, end)]
        for k in range(i + 1, end + 1):
            if not _blank(lines[k]) and (
                block.cont_indent is None or _indent(lines[k]) < block.cont_indent
            ):
                block.cont_indent = _indent(lines[k])
        blocks.append(block)
        i = end + 1
    return blocks


# --------------------------------------------------------------------------- editing


def _delete(lines: list[str], a: int, b: int) -> None:
    """Delete ``lines[a:b + 1]`` and collapse the blank lines that meet where they were."""
    del lines[a : b + 1]
    if 0 < a < len(lines) and _blank(lines[a - 1]) and _blank(lines[a]):
        del lines[a]
    while lines and _blank(lines[-1]):
        lines.pop()


def _remove_block(lines: list[str], block: _Block) -> None:
    """Delete a section and one of the blank separators around it."""
    nxt = block.end + 1
    while nxt < len(lines) and _blank(lines[nxt]):
        nxt += 1
    if nxt < len(lines):
        _delete(lines, block.start, nxt - 1)
    else:
        prev = block.start - 1
        while prev > 0 and _blank(lines[prev]):
            prev -= 1
        _delete(lines, prev + 1, block.end)


def _remove_entry(lines: list[str], block: _Block, entry: _Entry) -> None:
    """Delete one entry with its continuation lines, keeping the section's spacing."""
    k = block.entries.index(entry)
    if len(block.entries) == 1:
        _remove_block(lines, block)
    elif k + 1 < len(block.entries):
        _delete(lines, entry.start, block.entries[k + 1].start - 1)
    else:
        _delete(lines, block.entries[k - 1].end + 1, entry.end)


def _wrap(head: str, desc: str, indent: str, cont: str, width: int) -> list[str]:
    text = " ".join(desc.split())
    if not text:
        return [(indent + head).rstrip()]
    return textwrap.wrap(
        text,
        width=max(40, width),
        initial_indent=indent + head,
        subsequent_indent=cont,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _spaced(lines: list[str], blocks: list[_Block]) -> bool:
    """True when sections are separated by blank lines (the usual layout)."""
    later = [b for b in blocks if b.start > 1]
    return not later or any(_blank(lines[b.start - 1]) for b in later)


def _insert_section(lines: list[str], blocks: list[_Block], kind: str, new: list[str]) -> None:
    """Insert a whole new section of ``kind`` at its conventional position."""
    rank = _RANK[kind]
    sep = [""] if _spaced(lines, blocks) else []
    before = [b for b in blocks if b.kind in _RANK and _RANK[b.kind] < rank]
    if before:
        at = before[-1].end + 1
        lines[at:at] = sep + new
        return
    after = [b for b in blocks if b.kind in _RANK and _RANK[b.kind] > rank] or blocks
    if not after:
        raise _Unrecognised("no section to place the new one next to")
    at = after[0].start
    lines[at:at] = new + sep


def _entry_gap(lines: list[str], block: _Block) -> list[str]:
    """``[""]`` when the block's entries are separated by blank lines, else ``[]``."""
    gaps = [e for e in block.entries[1:] if _blank(lines[e.start - 1])]
    return [""] if gaps and len(gaps) == len(block.entries) - 1 else []


# --------------------------------------------------------------------------- styles


class _Style:
    """Style-specific parsing and entry formats; google is the base."""

    name = "google"
    main_params: tuple[str, ...] = _GOOGLE_MAIN_PARAMS

    def __init__(self, width: int) -> None:
        self.width = width

    def blocks(self, lines: list[str]) -> list[_Block]:
        return _google_blocks(lines)

    def default_indents(self, lines: list[str], blocks: list[_Block]) -> tuple[int, int]:
        """Entry and continuation indentation used by the docstring's other sections."""
        for b in blocks:
            if b.entry_indent is not None:
                entry = b.entry_indent
                return entry, b.cont_indent if b.cont_indent is not None else entry + 4
        for b in blocks:
            body = [i for i in range(b.start + 1, b.end + 1) if not _blank(lines[i])]
            if body:
                entry = _indent(lines[body[0]])
                return entry, entry + 4
        return 4, 8

    def indents(
        self, lines: list[str], block: _Block | None, blocks: list[_Block]
    ) -> tuple[str, str]:
        entry, cont = self.default_indents(lines, blocks)
        if block is not None and block.entry_indent is not None:
            entry = block.entry_indent
            cont = block.cont_indent if block.cont_indent is not None else entry + 4
        return " " * entry, " " * max(cont, entry + 1)

    def param_lines(self, p: Param, desc: str, typed: bool, indent: str, cont: str) -> list[str]:
        head = p.display_name
        if typed and p.annotation:
            head += f" ({' '.join(p.annotation.split())})"
        return _wrap(head + ": ", desc, indent, cont, self.width)

    def raise_lines(self, name: str, desc: str, indent: str, cont: str) -> list[str]:
        return _wrap(name + ": ", desc, indent, cont, self.width)

    def header(self, title: str) -> list[str]:
        return [f"{title}:"]

    def yields_lines(self, target: Target, desc: str, indent: str, cont: str) -> list[str]:
        return _wrap("", desc, indent, cont, self.width)


class _Numpy(_Style):
    name = "numpy"
    main_params = _NUMPY_MAIN_PARAMS

    def blocks(self, lines: list[str]) -> list[_Block]:
        return _numpy_blocks(lines)

    def default_indents(self, lines: list[str], blocks: list[_Block]) -> tuple[int, int]:
        found = [b.cont_indent for b in blocks if b.cont_indent]
        if not found:
            found = [
                _indent(x) for b in blocks for x in lines[b.start + 2 : b.end + 1] if _indent(x)
            ]
        return 0, min(found) if found else 4

    def param_lines(self, p: Param, desc: str, typed: bool, indent: str, cont: str) -> list[str]:
        head = p.display_name
        if typed and p.annotation:
            head += f" : {' '.join(p.annotation.split())}"
        return [indent + head, *_wrap("", desc, cont, cont, self.width)]

    def raise_lines(self, name: str, desc: str, indent: str, cont: str) -> list[str]:
        return [indent + name, *_wrap("", desc, cont, cont, self.width)]

    def header(self, title: str) -> list[str]:
        return [title, "-" * len(title)]

    def yields_lines(self, target: Target, desc: str, indent: str, cont: str) -> list[str]:
        m = _GENERATOR_TYPE.match(target.returns or "")
        kind = " ".join(m.group(1).split()) if m else "object"
        return [indent + kind, *_wrap("", desc, cont, cont, self.width)]


def _google_param_lookup(structured: StructuredDraft | None, p: Param, rest: bool = False) -> str:
    if structured is not None:
        for k, v in structured.params.items():
            if k.lstrip("*") == p.name and v.strip():
                return v
    tick = "``" if rest else "`"  # reST's single backticks are italics, not code
    return f"The {tick}{p.name}{tick} argument."


def _raise_lookup(structured: StructuredDraft | None, name: str, kind: str) -> str:
    if structured is not None:
        for k, v in structured.raises.items():
            if k.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1] and v.strip():
                return v
    return f"Raised by this {kind}."


def _yields_lookup(structured: StructuredDraft | None) -> str:
    if structured is not None and structured.yields.strip():
        return structured.yields
    return "The values this generator yields."


@dataclass
class _Plan:
    """What a repair must change, derived from the problems and the code."""

    invented: list[str] = field(default_factory=list)
    missing: list[Param] = field(default_factory=list)
    drop_returns: bool = False
    drop_yields: bool = False
    drop_raises: bool = False
    add_yields: bool = False
    add_raises: list[str] = field(default_factory=list)


def _plan(existing: str, target: Target, problems: list[Problem], init: Target | None) -> _Plan:
    codes = {p.code for p in problems}
    sec = parse_sections(existing)
    plan = _Plan()
    owner = init if target.kind == "class" else target
    sig = owner.documented_params() if owner is not None else []
    sig_names = {p.name for p in sig}
    if "param-invented" in codes:
        plan.invented = [n for n in dict.fromkeys(sec.params) if n not in sig_names]
    if "param-missing" in codes:
        # exactly the parameters the consistency rules reported (a ``**kwargs`` whose options
        # are documented is not missing)
        reported = " ".join(p.message for p in problems if p.code == "param-missing")
        plan.missing = [p for p in sig if f"'{p.display_name}'" in reported]
    plan.drop_returns = "returns-without-value" in codes
    plan.drop_yields = "yields-not-generator" in codes
    plan.add_yields = "yields-missing" in codes
    plan.drop_raises = "raises-not-raised" in codes
    if "raises-missing" in codes:
        documented = {r.rsplit(".", 1)[-1] for r in sec.raises}
        seen: dict[str, str] = {}
        for r in target.raises:
            last = r.rsplit(".", 1)[-1]
            if last and last[0].isupper() and last not in documented | {"NotImplementedError"}:
                seen.setdefault(last, r)
        plan.add_raises = [seen[k] for k in sorted(seen)]
    return plan


def _repair_sections(
    lines: list[str], plan: _Plan, style: _Style, target: Target, structured: StructuredDraft | None
) -> None:
    """Apply ``plan`` to a google or numpy docstring (``lines`` edited in place)."""

    def blocks(kind: str | None = None) -> list[_Block]:
        found = style.blocks(lines)
        return [b for b in found if kind is None or b.kind == kind]

    def checked(block: _Block) -> _Block:
        if block.problem:
            raise _Unrecognised(block.problem)
        return block

    for name in plan.invented:
        hits = [(b, e) for b in blocks("params") for e in checked(b).entries if name in e.names]
        if not hits:
            raise _Unrecognised(f"cannot find the entry of parameter {name!r}")
        block, entry = hits[0]
        if len(entry.names) > 1:
            raise _Unrecognised(f"parameter {name!r} shares an entry with others")
        _remove_entry(lines, block, entry)
    for kind, drop in (
        ("returns", plan.drop_returns),
        ("yields", plan.drop_yields),
        ("raises", plan.drop_raises),
    ):
        while drop and blocks(kind):
            _remove_block(lines, blocks(kind)[0])
    if plan.missing:
        params = [checked(b) for b in blocks("params")]
        if not params:
            raise _Unrecognised("no arguments section to extend")
        main = [b for b in params if b.title in style.main_params]
        block = main[0] if main else params[-1]
        indent, cont = style.indents(lines, block, blocks())
        typed = sum(e.typed for e in block.entries) * 2 > len(block.entries)
        gap = _entry_gap(lines, block)
        new: list[str] = []
        for p in plan.missing:
            new += gap if new or block.entries else []
            new += style.param_lines(p, _google_param_lookup(structured, p), typed, indent, cont)
        at = block.end + 1
        lines[at:at] = new
    if plan.add_yields:
        if blocks("yields"):
            raise _Unrecognised("a Yields section exists but documents nothing")
        indent, cont = style.indents(lines, None, blocks())
        body = style.yields_lines(target, _yields_lookup(structured), indent, cont)
        title = "Yields"
        _insert_section(lines, blocks(), "yields", style.header(title) + body)
    if plan.add_raises:
        existing = [checked(b) for b in blocks("raises")]
        last: _Block | None = existing[-1] if existing else None
        indent, cont = style.indents(lines, last, blocks())
        new = []
        gap = _entry_gap(lines, last) if last is not None else []
        for name in plan.add_raises:
            new += gap if new or (last is not None and last.entries) else []
            desc = _raise_lookup(structured, name, target.kind)
            new += style.raise_lines(name, desc, indent, cont)
        if last is not None:
            at = last.end + 1
            lines[at:at] = new
        else:
            _insert_section(lines, blocks(), "raises", style.header("Raises") + new)


def _repair_sphinx(
    lines: list[str], plan: _Plan, target: Target, structured: StructuredDraft | None, width: int
) -> None:
    """Apply ``plan`` to a sphinx (reST field list) docstring (``lines`` edited in place)."""

    def fields(kind: str | None = None) -> list[_Block]:
        return [b for b in _sphinx_blocks(lines) if kind is None or b.kind == kind]

    def cont() -> str:
        found = [b.cont_indent for b in fields() if b.cont_indent]
        return " " * (min(found) if found else 4)

    def insert(kind: str, new: list[str]) -> None:
        rank = _RANK[kind]
        all_fields = fields()
        if not all_fields:
            raise _Unrecognised("no field list to extend")
        before = [b for b in all_fields if b.kind in _RANK and _RANK[b.kind] <= rank]
        if before:
            at = before[-1].end + 1
        else:
            after = [b for b in all_fields if b.kind in _RANK and _RANK[b.kind] > rank]
            at = after[0].start if after else all_fields[-1].end + 1
        lines[at:at] = new

    for name in plan.invented:
        hits = [b for b in fields("params") if name in b.entries[0].names]
        if not hits:
            raise _Unrecognised(f"cannot find the field of parameter {name!r}")
        for b in reversed(hits):
            _delete(lines, b.start, b.end)
    for kind, drop in (
        ("returns", plan.drop_returns),
        ("yields", plan.drop_yields),
        ("raises", plan.drop_raises),
    ):
        while drop and fields(kind):
            b = fields(kind)[0]
            _delete(lines, b.start, b.end)
    if plan.missing:
        typed = any(b.title == "type" for b in fields("params"))
        new = []
        for p in plan.missing:
            desc = _google_param_lookup(structured, p, rest=True)
            new += _wrap(f":param {p.name}: ", desc, "", cont(), width)
            if typed and p.annotation:
                new.append(f":type {p.name}: {' '.join(p.annotation.split())}")
        insert("params", new)
    if plan.add_yields:
        insert("yields", _wrap(":yields: ", _yields_lookup(structured), "", cont(), width))
    if plan.add_raises:
        new = []
        for name in plan.add_raises:
            desc = _raise_lookup(structured, name, target.kind)
            new += _wrap(f":raises {name}: ", desc, "", cont(), width)
        insert("raises", new)


def repair_docstring(
    existing: str,
    target: Target,
    problems: list[Problem],
    structured: StructuredDraft | None,
    style: str,
    *,
    init: Target | None = None,
    width: int = 72,
) -> str | None:
    """Patch a stale docstring so it agrees with the code, changing as little as possible.

    ``existing`` is the docstring's cleaned text and ``problems`` its disagreements with
    ``target`` (from :func:`~docagent.code.docstrings.consistency_problems`). Wrong parameter
    entries, Returns, Yields and Raises are removed; missing parameters (at the end of the
    arguments section), Yields and raised exceptions are added in the docstring's own style and
    entry format, described by ``structured`` where it says something, else neutrally. Every
    other line is kept as it is. ``style`` is the repository's style; the patch follows the
    docstring's own style when the two differ (pep257 docstrings are never stale); ``init`` is
    a class's ``__init__`` (its parameters are the class's); ``width`` is the wrap width of
    added descriptions.

    Returns:
        The repaired text, the text itself when there is nothing to repair, or None when the
        layout is not recognised well enough to patch with confidence (or the patched text
        would still disagree with the code).
    """
    if not problems:
        return existing
    own = detect_style(existing)
    if own not in ("google", "numpy", "sphinx") or "\t" in existing:
        return None
    lines = existing.split("\n")
    plan = _plan(existing, target, problems, init)
    try:
        if own == "sphinx":
            _repair_sphinx(lines, plan, target, structured, width)
        else:
            kind = _Numpy(width) if own == "numpy" else _Style(width)
            _repair_sections(lines, plan, kind, target, structured)
    except _Unrecognised:
        return None
    while lines and _blank(lines[-1]):
        lines.pop()
    text = "\n".join(lines)
    if not text.strip() or consistency_problems(target, text, None, init):
        return None
    if detect_style(text) not in (own, "pep257"):
        return None
    return text


__all__ = ["repair_docstring"]
