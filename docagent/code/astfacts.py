"""What drafting needs from Python's ``ast`` of one file, computed in one parse and one pass.

:func:`ast_facts` parses a file once and, in a single traversal, computes the code fingerprint
of the module and of every definition (``code_sha``, see :func:`docagent.code.targets.code_shas`),
the names each definition calls (:func:`docagent.draft.symbols.calls_in`) and the names the
file's imports bind (:func:`docagent.draft.symbols.imported_names`). The result is kept on the
:class:`~docagent.code.targets.FileFacts` object, so a run parses each file once whatever asks.

Fingerprints are hashes of ``ast.dump`` of the tree with docstrings removed. The traversal
reproduces ``ast.dump``'s single-line format and formats every node once, reusing a
definition's text inside its parent's (dumping each definition on its own formats a method
again for its class, and again for its module). Python 3.13 changed that format, so there each
definition is dumped by ``ast.dump`` itself; the hashes are the same either way.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docagent.code import pyast

if TYPE_CHECKING:
    from docagent.code.targets import FileFacts

_SCOPES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_DEFS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
#: whether ``ast.dump`` has the single-line format reproduced here (3.13 changed it)
FAST_DUMP = sys.version_info < (3, 13)


@dataclass
class AstFacts:
    """One file's fingerprints, calls per definition and imported names (see module doc)."""

    #: ``{qualname: code_sha}`` of every target found in the tree
    shas: dict[str, str] = field(default_factory=dict)
    #: ``{(line, name): called names in first-use order}`` of every definition
    calls: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    #: names bound by the file's ``import`` statements (anywhere in the file)
    imports: frozenset[str] = frozenset()
    #: the parse error, when the file does not parse (then the other fields are empty, but for
    #: ``shas`` of a file that tree-sitter reads: :mod:`docagent.code.token_fingerprints`)
    error: Exception | None = None
    #: the module's tree (unchanged), shared so no one parses the file again
    tree: ast.Module | None = field(default=None, repr=False, compare=False)
    #: the definitions of :attr:`tree` by ``(line of "def"/"class", name)`` (see :func:`tree_facts`)
    defs: dict[tuple[int, str], ast.AST] = field(default_factory=dict, repr=False, compare=False)
    #: sorted first lines of the tree's string literals that span lines, docstrings aside (what
    #: :func:`docagent.draft.offline.body_facts.file_function` asks)
    string_lines: tuple[int, ...] = field(default=(), repr=False, compare=False)


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (building a large tree triggers useless passes)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ast_facts(facts: FileFacts) -> AstFacts:
    """The :class:`AstFacts` of ``facts``, computed on first use and kept on the object."""
    cached = facts.__dict__.get("_ast_facts")
    if cached is not None:
        return cached
    return attach_parsed(facts, parse_text(facts.text))


#: what :func:`parse_text` gives: the tree and its traversal, or why Python could not read it
Parsed = tuple[ast.Module, "TreeFacts"] | Exception


def parse_text(text: str) -> Parsed:
    """Parse ``text`` and traverse its tree once (:func:`tree_facts`): the part of
    :func:`ast_facts` that needs no targets, so it can run before the file's facts exist (while
    the scan's workers read the files: :meth:`docagent.session.preparing.Preparing.scan_work`).

    Returns the exception when the text does not parse (or is too deep to traverse).
    """
    try:
        with no_gc():
            tree = pyast.parse(text, quiet=True)
            return tree, tree_facts(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return exc


def attach_parsed(facts: FileFacts, parsed: Parsed) -> AstFacts:
    """Give ``facts`` (whose text :func:`parse_text` gave ``parsed``) its :class:`AstFacts`."""
    if isinstance(parsed, SyntaxError | ValueError):  # fingerprints from the tokens instead
        from docagent.code.token_fingerprints import token_shas

        result = AstFacts(shas=token_shas(facts), error=parsed)
    elif isinstance(parsed, Exception):
        result = AstFacts(error=parsed)
    else:
        tree, found = parsed
        result = _facts_of(found, facts)
        result.tree = tree
    facts.__dict__["_ast_facts"] = result
    return result


def _is_docstring(stmt: ast.AST) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _sha(dumped: str) -> str:
    return hashlib.sha256(dumped.encode("utf-8")).hexdigest()[:16]


def call_name(call: ast.Call) -> str | None:
    """The name a call is known by: ``a.b.c`` for ``a.b.c()``, ``self.x`` for ``self.x()`` and
    ``cls.x()``; None when the callee is not a dotted name (``f()()``, ``x[0]()``)."""
    parts: list[str] = []
    f = call.func
    while isinstance(f, ast.Attribute):
        parts.append(f.attr)
        f = f.value
    if not isinstance(f, ast.Name):
        return None
    parts.append(f.id)
    parts.reverse()
    if parts[0] in ("self", "cls") and len(parts) > 1:
        return "self." + parts[1]
    return ".".join(parts)


_PASS = ast.Pass()
_DEF, _CALL, _IMPORT, _IMPORT_FROM, _MODULE, _STRING, _OTHER = range(7)
#: per node class: (name, fields, fields omitted when None, role); filled on first use
_INFO: dict[type, tuple[str, tuple[str, ...], frozenset[str], int]] = {}


def _class_info(cls: type) -> tuple[str, tuple[str, ...], frozenset[str], int]:
    fields = tuple(cls._fields)  # type: ignore[attr-defined]
    optional = frozenset(n for n in fields if getattr(cls, n, ...) is None)
    role = (
        _DEF
        if issubclass(cls, _DEFS)
        else _CALL
        if cls is ast.Call
        else _IMPORT
        if cls is ast.Import
        else _IMPORT_FROM
        if cls is ast.ImportFrom
        else _MODULE
        if cls is ast.Module
        else _STRING
        if cls in (ast.Constant, ast.JoinedStr)
        else _OTHER
    )
    _INFO[cls] = (cls.__name__, fields, optional, role)
    if not fields:
        _LEAF[cls] = cls.__name__ + "()"
    return _INFO[cls]


#: node classes without fields (``Load``, ``Add``, ``Pass``…) -> their dump; filled on first use
_LEAF: dict[type, str] = {}
_NAME = ast.Name
_CONSTANT = ast.Constant
#: types whose dump is their ``repr`` (the values of ``Constant`` and of name fields)
_REPR = frozenset({str, int, float, bool, type(None), bytes, complex})


#: the key of the module itself in :attr:`TreeFacts.docstrings`
MODULE = (0, "<module>")


@dataclass
class TreeFacts:
    """What one traversal of a tree gives (see :func:`tree_facts`)."""

    #: fingerprint of the whole module (docstrings removed)
    module_sha: str
    #: fingerprints of the definitions by ``(line, name)``
    shas: dict[tuple[int, str], str]
    #: called names per definition, in first-use order
    calls: dict[tuple[int, str], list[str]]
    #: names bound by imports
    imports: frozenset[str]
    #: ``ast.get_docstring`` of each definition and of the module (:data:`MODULE`), if asked
    docstrings: dict[tuple[int, str], str | None]
    #: the definitions by ``(line, name)`` (the node whose fingerprint is in :attr:`shas`)
    nodes: dict[tuple[int, str], ast.AST]
    #: sorted first lines of the string literals (``Constant``, ``JoinedStr``) that span
    #: lines, but for docstrings
    string_lines: tuple[int, ...]


def analyze(tree: ast.Module, facts: FileFacts) -> AstFacts:
    """Compute the :class:`AstFacts` of a parsed file (``tree`` is not changed)."""
    return _facts_of(tree_facts(tree), facts)


def _facts_of(found: TreeFacts, facts: FileFacts) -> AstFacts:
    """The :class:`AstFacts` of ``facts`` from the traversal of its tree (``tree`` not set)."""
    shas: dict[str, str] = {}
    for t in facts.targets:
        sha = found.module_sha if t.kind == "module" else found.shas.get((t.line, t.name))
        if sha is not None:
            shas[t.qualname] = sha
    return AstFacts(
        shas=shas,
        calls=found.calls,
        imports=found.imports,
        defs=found.nodes,
        string_lines=found.string_lines,
    )


def tree_facts(tree: ast.Module, *, docstrings: bool = False) -> TreeFacts:
    """Fingerprints, calls and imports of a parsed module (and its docstrings when asked).

    Fingerprints equal :func:`docagent.code.targets.fingerprint_stripped` after
    :func:`docagent.code.targets.strip_docstrings`; when two definitions share a line and a
    name, the later one in breadth-first order wins, as in the ``ast.walk`` this replaces. On
    Python 3.13 and later the tree is stripped and dumped the old way (its docstrings read first).
    """
    found: dict[tuple[int, str], tuple[int, int, str]] = {}
    calls: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
    docs: dict[tuple[int, str], str | None] = {}
    imports: set[str] = set()
    string_lines: list[int] = []
    open_defs: list[list[tuple[int, int, str]]] = []
    counter = 0
    fast = FAST_DUMP
    nodes: dict[tuple[int, str], ast.AST] = {}

    def fmt(node: Any, depth: int) -> str:
        # ast.dump(node) with annotate_fields=True, include_attributes=False, indent=None
        nonlocal counter
        cls = type(node)
        info = _INFO.get(cls)
        if info is None:
            if isinstance(node, ast.AST):
                info = _class_info(cls)
            elif cls is list:
                if not node:
                    return "[]"
                if not fast:
                    return "[" + ", ".join([fmt(x, depth) for x in node]) + "]"
                items = []
                for x in node:  # names and constants formatted here, as fmt would (one call
                    xt = type(x)  # fewer; a string spanning lines goes to fmt, to be noted)
                    if xt is _NAME and type(x.ctx) in _LEAF:
                        counter += 1
                        items.append("Name(id=" + repr(x.id) + ", ctx=" + _LEAF[type(x.ctx)] + ")")
                    elif xt is _CONSTANT and x.kind is None and x.end_lineno == x.lineno:
                        counter += 1
                        items.append("Constant(value=" + repr(x.value) + ")")
                    else:
                        items.append(fmt(x, depth))
                return "[" + ", ".join(items) + "]"
            else:
                return repr(node)
        cname, fields, optional, role = info
        if not fields:
            return cname + "()"  # Load(), Store(), Pass(), operators: no fields
        order = counter
        counter += 1
        mine: list[tuple[int, int, str]] = []
        if role == _DEF:
            open_defs.append(mine)
        elif role == _CALL:
            name = call_name(node)
            if name is not None:
                entry = (node.lineno, node.col_offset, name)
                for calls_of in open_defs:
                    calls_of.append(entry)
        elif role == _IMPORT:
            for a in node.names:
                imports.add(a.asname or a.name.split(".")[0])
                imports.add(a.name)
        elif role == _IMPORT_FROM:
            for a in node.names:
                imports.add(a.asname or a.name)
            if node.module:
                imports.add(node.module.split(".")[0])
        elif role == _STRING and node.end_lineno != node.lineno:  # docstrings are not visited
            string_lines.append(node.lineno)
        scope = role in (_DEF, _MODULE)
        args = []
        for name in fields:
            try:
                value = getattr(node, name)
            except AttributeError:
                continue
            if value is None and name in optional:
                continue
            if scope and name == "body":
                if value and _is_docstring(value[0]):
                    value = value[1:] or [_PASS]
                elif not value:
                    value = [_PASS]  # an empty module: as if its docstring was removed
            if fast:
                # the most frequent values are formatted here, exactly as fmt would
                vt = type(value)
                if vt in _REPR:
                    args.append(name + "=" + repr(value))
                    continue
                leaf = _LEAF.get(vt)
                if leaf is not None:
                    args.append(name + "=" + leaf)
                    continue
                if vt is _NAME and type(value.ctx) in _LEAF:
                    counter += 1
                    ctx = _LEAF[type(value.ctx)]
                    args.append(name + "=Name(id=" + repr(value.id) + ", ctx=" + ctx + ")")
                    continue
                if vt is _CONSTANT and value.kind is None and value.end_lineno == value.lineno:
                    counter += 1
                    args.append(name + "=Constant(value=" + repr(value.value) + ")")
                    continue
                args.append(name + "=" + fmt(value, depth + 1))
            else:
                fmt(value, depth + 1)
        dumped = cname + "(" + ", ".join(args) + ")" if fast else ""
        if role == _DEF:
            open_defs.pop()
            key = (node.lineno, node.name)
            # the later definition in breadth-first order wins, as in ast.walk
            if key not in found or found[key][:2] < (depth, order):
                found[key] = (depth, order, dumped)
                calls[key] = mine
                nodes[key] = node
                if docstrings:
                    docs[key] = ast.get_docstring(node)
        elif docstrings and role == _MODULE:
            docs[MODULE] = ast.get_docstring(node)
        return dumped

    module = fmt(tree, 0)
    if fast:
        module_sha = _sha(module)
        by_pos = {k: _sha(v[2]) for k, v in found.items()}
    else:
        from docagent.code.targets import fingerprint_stripped, strip_docstrings

        bodies = [(n, n.body) for n in ast.walk(tree) if isinstance(n, _SCOPES)]
        strip_docstrings(tree)
        module_sha = fingerprint_stripped(tree)
        by_pos = {k: fingerprint_stripped(n) for k, n in nodes.items()}
        for n, body in bodies:  # the tree is left as it was given
            n.body = body
    ordered: dict[tuple[int, str], list[str]] = {}
    for key, entries in calls.items():
        entries.sort()
        ordered[key] = list(dict.fromkeys(name for _, _, name in entries))
    string_lines.sort()
    return TreeFacts(
        module_sha, by_pos, ordered, frozenset(imports), docs, nodes, tuple(string_lines)
    )
