"""Render a :class:`StructuredDraft` as docstring text in google, numpy, sphinx or pep257 style.

The result is the docstring *content* as :func:`inspect.cleandoc` would return it: no quotes, no
indentation, no trailing spaces, no tabs, no leading or trailing blank lines.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

from docagent.code.targets import Param, Target
from docagent.draft.models import StructuredDraft

WIDTH = 72
#: where a Sphinx project keeps its ``conf.py``
SPHINX_CONFS = ("docs/conf.py", "doc/conf.py", "docs/source/conf.py", "doc/source/conf.py")
#: `code` in single backticks: not ``code``, not a role (:func:`x`), not a link (`x <y>`_)
_SINGLE_TICKS = re.compile(r"(?<![`:\w\\])`([^`\n]+)`(?![`_\w])")
_UNWRAPPABLE = re.compile(r"^\s|^>>>|^[-*+] |^\d+[.)] |^\.\. |^:")


def _clean_line(line: str) -> str:
    return line.expandtabs(4).rstrip()


def _paragraphs(text: str) -> list[str]:
    text = "\n".join(_clean_line(x) for x in text.strip().splitlines())
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def _fill(text: str, width: int, indent: str = "", first_indent: str | None = None) -> list[str]:
    """Wrap prose paragraphs; keep examples, lists and indented blocks as written."""
    out: list[str] = []
    first = indent if first_indent is None else first_indent
    for n, para in enumerate(_paragraphs(text)):
        if n:
            out.append("")
        lines = para.splitlines()
        if any(_UNWRAPPABLE.match(x) for x in lines):
            for i, x in enumerate(lines):
                out.append((first if not out or (i == 0 and n == 0) else indent) + x)
            continue
        joined = " ".join(x.strip() for x in lines)
        head = first if n == 0 else indent
        if joined and len(head) + len(joined) <= max(20, width):
            # fits on one line: what ``textwrap.wrap`` gives, without it (the lines came
            # from ``splitlines`` with tabs expanded, so the only white space ``wrap`` would
            # change, a tab or a line break, is not there; nothing ends in white space)
            out.append(head + joined)
            continue
        wrapped = _wrap(joined, max(20, width), head, indent)
        out.extend(wrapped or [first.rstrip()])
    return out


def _wrap(text: str, width: int, first: str, indent: str) -> list[str]:
    """``textwrap.wrap`` of a paragraph (words never broken)."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


#: What Python's protocols make these methods return, for a numpy ``Returns`` type line when
#: the code has no annotation (comparisons may also return ``NotImplemented``, by protocol).
PROTOCOL_TYPES = {
    **dict.fromkeys(("__len__", "__hash__", "__index__", "__int__", "__sizeof__"), "int"),
    **dict.fromkeys(("__repr__", "__str__", "__format__"), "str"),
    **dict.fromkeys(("__bool__", "__contains__", "__instancecheck__", "__subclasscheck__"), "bool"),
    **dict.fromkeys(("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"), "bool"),
    "__bytes__": "bytes",
    "__float__": "float",
    "__complex__": "complex",
    "__iter__": "iterator",
    "__aiter__": "asynchronous iterator",
}


_GENERATORS = frozenset(
    ("Iterator", "Iterable", "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator")
)


def yield_type(annotation: str | None) -> str:
    """The type a generator annotated ``Iterator[T]`` (or ``Generator[T, ...]``…) yields: ``T``.

    ``object`` when the annotation is missing or says nothing about the items.
    """
    text = _one_line(annotation or "").strip().strip("\"'")
    head, bracket, rest = text.partition("[")
    if not bracket or not rest.endswith("]") or head.rsplit(".", 1)[-1] not in _GENERATORS:
        return "object"
    depth, first = 0, rest[:-1]
    for i, ch in enumerate(first):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            first = first[:i]
            break
    return first.strip() or "object"


def _param_map(target: Target | None) -> dict[str, Param]:
    if target is None:
        return {}
    return {p.name: p for p in target.params}


def _display(name: str, params: dict[str, Param]) -> str:
    p = params.get(name.lstrip("*"))
    return p.display_name if p is not None else name


def rest_project(root: Path, style: str) -> bool:
    """Whether docstrings of the project at ``root`` are reStructuredText read by Sphinx.

    A project is one when its docstring ``style`` is ``sphinx`` or it has a Sphinx
    ``conf.py`` under ``docs/`` or ``doc/`` (see :data:`SPHINX_CONFS`).
    """
    return style == "sphinx" or any((root / c).is_file() for c in SPHINX_CONFS)


def repo_types(root: Path, setting: bool | None, docstrings: Iterable[str]) -> bool:
    """Whether drafts put each parameter's type in its docstring entry, for the repo at ``root``.

    The ``types_in_docstrings`` ``setting`` wins when set; else pydoclint's
    ``arg-type-hints-in-docstring`` where the repository configures pydoclint
    (:func:`~docagent.code.style_config.configured_types`); else what most of the
    repository's own Google and reST ``docstrings`` do
    (:func:`~docagent.code.docstrings.typed_entries_majority`); else no: types live in the
    signature.
    """
    if setting is not None:
        return setting
    from docagent.code.docstrings import typed_entries_majority
    from docagent.code.style_config import configured_types

    configured = configured_types(root)
    if configured is not None:
        return configured[0]
    return bool(typed_entries_majority(docstrings))


def typed_heads(style: str, types: bool) -> tuple[bool, bool]:
    """Whether the entries :func:`render` writes in ``style`` carry the annotation in their
    head: ``(parameters, returns)``.

    NumPy heads always do (``x : int``, a Returns entry's type line); Google and Sphinx
    parameter heads do when ``types`` (the ``types_in_docstrings`` choice, see
    :func:`repo_types`) is on (``x (int):``, ``:type x:``); PEP 257 items never do. A
    description under a typed head need not repeat the type.
    """
    return style == "numpy" or (types and style in ("google", "sphinx")), style == "numpy"


def double_backticks(text: str) -> str:
    """Return ``text`` with single-backticked code in reST's double backticks.

    In reST single backticks are the default role (italics), so Sphinx would show
    `values[i:i + size]` as a title; roles, links and double backticks stay as written.
    """
    return _SINGLE_TICKS.sub(r"``\1``", text)


def for_rest(draft: StructuredDraft) -> StructuredDraft:
    """Return ``draft`` with the prose of every field in reST inline markup.

    Examples are code and stay as they are.
    """

    def entries(d: dict[str, str]) -> dict[str, str]:
        return {k: double_backticks(v) for k, v in d.items()}

    return dataclasses.replace(
        draft,
        summary=double_backticks(draft.summary),
        description=double_backticks(draft.description),
        params=entries(draft.params),
        returns=double_backticks(draft.returns),
        yields=double_backticks(draft.yields),
        raises=entries(draft.raises),
        attributes=entries(draft.attributes),
    )


def _typed(name: str, params: dict[str, Param], types: bool) -> str:
    """A Google ``Args`` entry's head: the name, with ``(type)`` when types go in docstrings."""
    p = params.get(name.lstrip("*"))
    head = _display(name, params)
    if types and p is not None and p.annotation:
        head += f" ({_one_line(p.annotation)})"
    return head


def _google(
    d: StructuredDraft,
    target: Target | None,
    width: int,
    rest: bool = False,
    types: bool = False,
) -> list[str]:
    params = _param_map(target)
    out: list[str] = []

    def section(title: str, entries: list[tuple[str, str]]) -> None:
        out.extend(["", f"{title}:"])
        for head, body in entries:
            if head:
                lines = _fill(body or "-", width, " " * 8, f"    {head}: ")
            elif rest:
                # napoleon reads a hanging continuation as a definition list
                lines = _fill(body or "-", width, " " * 4)
            else:
                # continuation lines hang: at the same indent griffe (mkdocstrings) reads
                # each line of a Returns/Yields section as another value
                lines = _fill(body or "-", width, " " * 8, " " * 4)
            out.extend(lines)

    if d.params:
        section("Args", [(_typed(k, params, types), v) for k, v in d.params.items()])
    if d.returns:
        section("Returns", [("", d.returns)])
    if d.yields:
        section("Yields", [("", d.yields)])
    if d.raises:
        section("Raises", list(d.raises.items()))
    if d.attributes:
        section("Attributes", list(d.attributes.items()))
    if d.examples:
        out.extend(["", "Examples:"])
        out.extend("    " + x if x else "" for x in _examples(d.examples))
    return out


def _numpy(
    d: StructuredDraft,
    target: Target | None,
    width: int,
    rest: bool = False,
    types: bool = False,
) -> list[str]:
    params = _param_map(target)
    out: list[str] = []

    def section(title: str, entries: list[tuple[str, str]]) -> None:
        out.extend(["", title, "-" * len(title)])
        for head, body in entries:
            out.append(head)
            out.extend(_fill(body or "-", width, "    "))

    if d.params:
        entries = []
        for k, v in d.params.items():
            p = params.get(k.lstrip("*"))
            head = _display(k, params)
            if p is not None and p.annotation and p.kind not in ("var_positional", "var_keyword"):
                head += f" : {_one_line(p.annotation)}"
            entries.append((head, v))
        section("Parameters", entries)
    rtype = _one_line(target.returns) if target is not None and target.returns else ""
    if not rtype and target is not None and target.kind == "method":
        rtype = PROTOCOL_TYPES.get(target.name, "")
    if d.returns:
        section("Returns", [(rtype or "object", d.returns)])
    if d.yields:
        section("Yields", [(yield_type(target.returns if target else None), d.yields)])
    if d.raises:
        section("Raises", list(d.raises.items()))
    if d.attributes:
        section("Attributes", list(d.attributes.items()))
    if d.examples:
        out.extend(["", "Examples", "--------"])
        out.extend(_examples(d.examples))
    return out


def _sphinx(
    d: StructuredDraft,
    target: Target | None,
    width: int,
    rest: bool = False,
    types: bool = False,
) -> list[str]:
    out: list[str] = [""]
    params = _param_map(target)
    for k, v in d.params.items():
        out.extend(_fill(v or "-", width, "    ", f":param {k.lstrip('*')}: "))
        p = params.get(k.lstrip("*"))
        if types and p is not None and p.annotation:
            out.append(f":type {k.lstrip('*')}: {_one_line(p.annotation)}")
    if d.returns:
        out.extend(_fill(d.returns, width, "    ", ":returns: "))
    if d.yields:
        out.extend(_fill(d.yields, width, "    ", ":yields: "))
    for k, v in d.raises.items():
        out.extend(_fill(v or "-", width, "    ", f":raises {k}: "))
    for k, v in d.attributes.items():
        out.extend(_fill(v or "-", width, "    ", f":ivar {k}: "))
    if d.examples:
        out.extend(["", "Example::", ""])
        out.extend("    " + x if x else "" for x in _examples(d.examples))
    return out if len(out) > 1 else []


def _pep257(
    d: StructuredDraft,
    target: Target | None,
    width: int,
    rest: bool = False,
    types: bool = False,
) -> list[str]:
    params = _param_map(target)
    out: list[str] = []

    def section(title: str, entries: list[tuple[str, str]]) -> None:
        out.extend(["", title])
        for head, body in entries:
            out.extend(_fill(body or "-", width, "    ", f"{head} -- " if head else ""))

    if d.params:
        section("Arguments", [(_display(k, params), v) for k, v in d.params.items()])
    if d.returns:
        section("Return value", [("", d.returns)])
    if d.yields:
        section("Yield value", [("", d.yields)])
    if d.raises:
        section("Exceptions", list(d.raises.items()))
    if d.attributes:
        section("Instance variables", list(d.attributes.items()))
    if d.examples:
        out.extend(["", "Examples"])
        out.extend(_examples(d.examples))
    return out


def _examples(text: str) -> list[str]:
    return [_clean_line(x) for x in textwrap.dedent(text.strip("\n")).splitlines()]


_RENDERERS = {"google": _google, "numpy": _numpy, "sphinx": _sphinx, "pep257": _pep257}


def render(
    draft: StructuredDraft,
    style: str = "google",
    target: Target | None = None,
    width: int = WIDTH,
    rest: bool = False,
    types: bool = False,
) -> str:
    """Render ``draft`` as docstring content in ``style`` (google, numpy, sphinx or pep257).

    ``target`` supplies signature details (``*args`` spelling, numpy types); ``width`` is the
    wrap width of prose. ``rest`` is for a project whose docstrings Sphinx reads (see
    :func:`rest_project`): inline code in double backticks, and a wrapped Google ``Returns``
    line continues at the same indent, as napoleon expects (otherwise it hangs, as griffe
    expects). ``types`` (the ``types_in_docstrings`` setting) puts each parameter's
    annotation in its entry, as Google ``name (type):`` and Sphinx ``:type name:``; numpy
    entries always carry it. The result equals ``inspect.cleandoc`` of itself.
    """
    if style not in _RENDERERS:
        raise ValueError(f"unknown docstring style {style!r}")
    if rest:
        draft = for_rest(draft)
    lines = [_one_line(draft.summary)]
    if draft.description:
        lines.append("")
        lines.extend(_fill(draft.description, width))
    lines.extend(_RENDERERS[style](draft, target, width, rest, types))
    text = "\n".join(_clean_line(x) for x in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text
