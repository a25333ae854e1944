"""Verify a planned edit changes docstrings and nothing else (docs/safe-edits.md).

:func:`proved` is the cheap proof (:mod:`docagent.code.proof`); when it does not apply,
:func:`verify_edit` compares the fingerprints of the two files in full.
"""

from __future__ import annotations

import ast

from docagent.code import parser as ts
from docagent.code.astfacts import MODULE
from docagent.code.file_context import FileContext
from docagent.code.fingerprints import Fingerprints, parse_module
from docagent.code.proof import Change, prove
from docagent.code.splices import Splice
from docagent.code.targets import (
    FileFacts,
    SourceError,
    decode_source,
    docstring_of,
    docstring_statement,
    read_file,
)


def proved(
    ctx: FileContext,
    new_source: bytes,
    new_text: str,
    chosen: dict[str, Splice],
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
        new_tree = parse_module(new_text, facts.path)
    except (UnicodeEncodeError, SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    changes = []
    for q, s in chosen.items():
        t = ctx.target(q)
        if t is None:
            return False
        changes.append(Change(s.start, s.end, s.data, t, expected[q]))
    if not prove(ctx.source, ctx.doc_ranges, new_source, new_tree, changes):
        return False
    # tree-sitter reads each new literal alone as one string with the same text; the rest of
    # the file is the same bytes, so it finds the same definitions and other docstrings
    literals = {q: s.data.strip() for q, s in chosen.items()}
    if len(literals) > 1 and _literals_read_back(literals, expected):
        return _proven(ctx, new_tree, chosen)
    for q, literal in literals.items():
        tree = ts.parse(literal)
        found = docstring_of(tree.root_node)
        if tree.root_node.has_error or found is None or found.text != expected[q]:
            return False
        if (found.start_byte, found.end_byte) != (0, len(literal)):
            return False
    return _proven(ctx, new_tree, chosen)


def _proven(ctx: FileContext, new_tree: ast.Module, chosen: dict[str, Splice]) -> bool:
    """Keep the proven edit's tree on ``ctx`` when guards wait for its fingerprints; True."""
    if ctx.deferred:
        ctx.proven = (new_tree, list(chosen.values()))
    return True


def _literals_read_back(literals: dict[str, bytes], expected: dict[str, str]) -> bool:
    """True when tree-sitter, reading the literals one per line in one parse, finds each as one
    whole statement: a string literal whose docstring text is its ``expected`` one. False means
    "check each alone" (one parse per literal), never "unsafe"."""
    joined = b"\n".join(literals.values())
    root = ts.parse(joined).root_node
    if root.has_error or root.child_count != len(literals):
        return False
    pos = 0
    for (q, literal), stmt in zip(literals.items(), root.children, strict=True):
        found = docstring_statement(stmt)
        if found is None or found.text != expected[q]:
            return False
        if (found.start_byte, found.end_byte) != (pos, pos + len(literal)):
            return False
        pos += len(literal) + 1
    return True


def verify_edit(
    facts: FileFacts,
    new_text: str,
    expected: dict[str, str],
    *,
    _old: Fingerprints | None = None,
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
        new = Fingerprints(parse_module(new_text, path), keep_docstrings=True)
        old = _old if _old is not None else Fingerprints(parse_module(facts.text, path))
    except (SyntaxError, ValueError) as exc:
        return f"the edited file would not parse: {exc}"
    old_names = [t.qualname for t in facts.targets]
    if [t.qualname for t in new_facts.targets] != old_names:
        return "the edit would change the file's definitions"
    problem = _docstring_problem(facts, new_facts, new, expected)
    if problem is not None:
        return problem
    if old.module_sha != new.module_sha:
        return "the edit would change code outside docstrings"
    return None


def _docstring_problem(
    facts: FileFacts, new_facts: FileFacts, new: Fingerprints, expected: dict[str, str]
) -> str | None:
    """Why the edited file's docstrings are wrong (an edited one does not read back exactly,
    another one changed), or None."""
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
    return None
