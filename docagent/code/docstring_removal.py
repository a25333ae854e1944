"""Remove docstrings from a file's text, verified like an edit (the inverse of applying)."""

from __future__ import annotations

from tree_sitter import Node

from docagent.code.file_context import FileContext
from docagent.code.fingerprints import Fingerprints, parse_module
from docagent.code.refusal import RefusedEdit
from docagent.code.splices import Splice, overlapping, splice_all
from docagent.code.targets import FileFacts, SourceError, Target, read_file

#: A statement starting with one of these after a docstring would become the docstring.
_STRING_STATEMENTS = ("string", "concatenated_string", "parenthesized_expression")


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
    ctx = FileContext(facts)
    wanted = None if qualnames is None else set(qualnames)
    splices: list[Splice] = []
    for t in facts.targets:
        if t.docstring is None or (wanted is not None and t.qualname not in wanted):
            continue
        splice = _removal(ctx, t)
        if splice is not None:
            splices.append(splice)
    if overlapping(splices):  # pragma: no cover - docstrings never overlap
        raise RefusedEdit("overlapping docstrings")
    new_text = splice_all(ctx.source, splices).decode("utf-8")
    removed = [s.qualname for s in splices]
    _verify_removal(facts, new_text, removed)
    return new_text, removed


def _statement_at(ctx: FileContext, start: int, end: int) -> Node | None:
    """The expression statement spanning exactly bytes ``start:end``, or None."""
    node = ctx.root.descendant_for_byte_range(start, end)
    while node is not None and not (
        node.type == "expression_statement" and node.start_byte == start and node.end_byte == end
    ):
        node = node.parent
    return node


def _removal(ctx: FileContext, t: Target) -> Splice | None:
    """The splice that removes ``t``'s docstring, or None when it must stay (a string statement
    follows it) or cannot be removed cleanly (code before it on its line)."""
    ds = t.docstring
    assert ds is not None
    src = ctx.source
    stmt = _statement_at(ctx, ds.start_byte, ds.end_byte)
    if stmt is None:
        return None
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is not None and nxt.type == "expression_statement":
        first = nxt.named_children[0] if nxt.named_children else None
        if first is not None and first.type in _STRING_STATEMENTS:
            return None
    before = src[ctx.line_start(ds.start_byte) : ds.start_byte].strip(b" \t\x0c")
    whole_lines_end = min(ctx.line_end(ds.end_byte) + 1, len(src))
    if nxt is None:
        if t.kind == "module":
            return Splice(ctx.line_start(ds.start_byte), whole_lines_end, b"", t.qualname)
        return Splice(ds.start_byte, ds.end_byte, b"pass", t.qualname)
    if nxt.start_point[0] == stmt.end_point[0]:
        return Splice(ds.start_byte, nxt.start_byte, b"", t.qualname)
    if not before:
        return Splice(ctx.line_start(ds.start_byte), whole_lines_end, b"", t.qualname)
    return None


def _verify_removal(facts: FileFacts, new_text: str, removed: list[str]) -> None:
    """Raise :class:`RefusedEdit` unless ``new_text`` parses, has the same code and
    definitions as ``facts``, and none of the ``removed`` docstrings."""
    try:
        new_tree = parse_module(new_text, facts.path)
        new_facts = read_file(facts.path, facts.path, data=new_text.encode(facts.encoding))
    except (SyntaxError, ValueError, SourceError) as exc:
        raise RefusedEdit(f"removing docstrings would break the file: {exc}") from None
    old, new = Fingerprints(parse_module(facts.text, facts.path)), Fingerprints(new_tree)
    if old.module_sha != new.module_sha:
        raise RefusedEdit("removing docstrings would change the code")
    gone = set(removed)
    if [t.qualname for t in new_facts.targets] != [t.qualname for t in facts.targets] or any(
        t.docstring is not None for t in new_facts.targets if t.qualname in gone
    ):
        raise RefusedEdit("removing docstrings would change the definitions")
