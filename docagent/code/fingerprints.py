"""Fingerprints of a parsed file with docstrings removed, kept per file version for edits."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from typing import Any

from docagent.code import astfacts, pyast
from docagent.code.astfacts import FAST_DUMP, no_gc, tree_facts
from docagent.code.proof import doc_ranges

_DEFS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def parse_module(text: str, path: str) -> ast.Module:
    """Parse ``text`` (the file at ``path``) with Python's compiler, without garbage collection."""
    with no_gc():  # building a large tree triggers useless collections (half the parse time)
        return pyast.compile_ast(text, path)


class Fingerprints:
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
        """Fingerprint ``tree`` in one pass (see the class docstring for the options)."""
        found = tree_facts(tree, docstrings=keep_docstrings)
        self.module_sha = found.module_sha
        self.shas = found.shas
        self.docstrings = found.docstrings
        self.doc_ranges = doc_ranges(tree, source) if source is not None else frozenset()


#: fingerprints of file versions by the SHA-256 of their UTF-8 text: a file planned again
#: (a dry run, then the run; review's accepts) is not parsed and fingerprinted again
_BEFORE: dict[bytes, Fingerprints] = {}
_BEFORE_SIZE = 64
#: docstring ranges of file versions whose fingerprints came from the facts cache (same key)
_RANGES: dict[bytes, frozenset[tuple[int, int]]] = {}


def fingerprints_of(source: bytes, text: str, path: str) -> Fingerprints:
    """The :class:`Fingerprints` (with docstring ranges) of a file version: ``source`` its UTF-8
    bytes, ``text`` its text; parsed once and kept for the next plan of the same version."""
    key = hashlib.sha256(source).digest()
    found = _BEFORE.get(key)
    if found is None:
        found = Fingerprints(parse_module(text, path), source=source)
        _BEFORE[key] = found
        while len(_BEFORE) > _BEFORE_SIZE:
            _BEFORE.pop(next(iter(_BEFORE)))
    return found


def held_fingerprints(source: bytes) -> Fingerprints | None:
    """The :class:`Fingerprints` of the file version whose UTF-8 bytes are ``source`` when
    :func:`fingerprints_of` computed them before (kept in memory), else None."""
    return _BEFORE.get(hashlib.sha256(source).digest())


def doc_ranges_of(source: bytes, text: str, path: str) -> frozenset[tuple[int, int]]:
    """The byte ranges of the docstring statements of a file version (``source`` its UTF-8
    bytes, ``text`` its text), for a plan whose fingerprints came from elsewhere (the facts
    cache): one parse and a walk of its statements, no fingerprint traversal. Kept like
    :func:`fingerprints_of`'s."""
    key = hashlib.sha256(source).digest()
    known = _BEFORE.get(key)
    if known is not None:
        return known.doc_ranges
    found = _RANGES.get(key)
    if found is None:
        found = _RANGES[key] = doc_ranges(parse_module(text, path), source)
        while len(_RANGES) > _BEFORE_SIZE:
            _RANGES.pop(next(iter(_RANGES)))
    return found


@dataclass
class DefFingerprints:
    """Fingerprints of some definitions of a parsed module (see :func:`def_fingerprints`)."""

    #: the whole module's, or None when not asked
    module_sha: str | None
    #: the definitions' by ``(line, name)``
    shas: dict[tuple[int, str], str]
    #: which of those keys are classes
    classes: set[tuple[int, str]]


def def_fingerprints(tree: ast.Module, keys: set[tuple[int, str]], module: bool) -> DefFingerprints:
    """The fingerprints of the definitions of ``tree`` at ``keys`` (``(line, name)``), and of
    the whole module with ``module``: the same as :func:`~docagent.code.astfacts.tree_facts`
    gives (``ast.dump`` of the tree with docstrings removed, hashed), but only those are
    formatted, and nothing else is collected (calls, imports). Without ``module``, only the
    subtrees of the definitions asked for are formatted: a definition's statements are found
    by walking statements, never expressions. A definition asked for holds the fingerprints
    of those nested in it. Two definitions at one ``(line, name)``, or Python 3.13's ``ast``
    format, take :func:`~docagent.code.astfacts.tree_facts` itself.
    """
    if not FAST_DUMP:
        return _from_tree_facts(tree, keys, module)
    shas: dict[tuple[int, str], str] = {}
    classes: set[tuple[int, str]] = set()
    if module:
        module_sha, dumps = _dump(tree)
        if dumps is None:
            return _from_tree_facts(tree, keys, module)
        for key, (dumped, is_class) in dumps.items():
            if key in keys:
                shas[key] = astfacts._sha(dumped)
                if is_class:
                    classes.add(key)
        return DefFingerprints(astfacts._sha(module_sha), shas, classes)
    seen: set[tuple[int, str]] = set()
    stack: list[ast.AST] = [tree]
    wanted: list[ast.AST] = []
    while stack:  # preorder over statements: a definition asked for is formatted whole
        node = stack.pop()
        if isinstance(node, _DEFS):
            key = (node.lineno, node.name)
            if key in seen:
                return _from_tree_facts(tree, keys, module)
            seen.add(key)
            if key in keys:
                wanted.append(node)
        for name in _BLOCKS:
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(children)
    done: set[int] = set()
    for node in wanted:
        if id(node) in done:
            continue
        _, dumps = _dump(node)
        assert dumps is not None  # no two definitions share a key here (checked above)
        for key, (dumped, is_class) in dumps.items():
            if key in keys:
                shas[key] = astfacts._sha(dumped)
                if is_class:
                    classes.add(key)
        done.update(_def_ids(node))
    return DefFingerprints(None, shas, classes)


def _def_ids(node: ast.AST) -> list[int]:
    """The ids of ``node`` and of the definitions among its statements, at any depth."""
    out: list[int] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, _DEFS):
            out.append(id(n))
        for name in _BLOCKS:
            children = getattr(n, name, None)
            if isinstance(children, list):
                stack.extend(children)
    return out


def _from_tree_facts(tree: ast.Module, keys: set[tuple[int, str]], module: bool) -> DefFingerprints:
    """:func:`def_fingerprints` through :func:`~docagent.code.astfacts.tree_facts`."""
    found = tree_facts(tree)
    shas = {k: v for k, v in found.shas.items() if k in keys}
    classes = {k for k in shas if isinstance(found.nodes.get(k), ast.ClassDef)}
    return DefFingerprints(found.module_sha if module else None, shas, classes)


def _dump(
    top: ast.AST,
) -> tuple[str, dict[tuple[int, str], tuple[str, bool]] | None]:
    """``ast.dump`` of ``top`` with docstrings removed (the format
    :func:`~docagent.code.astfacts.tree_facts` reproduces, formatting every node once) and the
    dump of each definition in it by ``(line, name)`` with whether it is a class; None for
    those when two definitions share a key (then the breadth-first rule of ``tree_facts``
    decides, not this)."""
    info_of = astfacts._INFO
    leaves = astfacts._LEAF
    plain = astfacts._REPR
    name_type = astfacts._NAME
    class_info = astfacts._class_info
    is_docstring = astfacts._is_docstring
    role_def, role_module = astfacts._DEF, astfacts._MODULE
    pass_node = astfacts._PASS
    constant = ast.Constant
    found: dict[tuple[int, str], tuple[str, bool]] = {}
    clash = False

    def fmt(node: Any) -> str:
        nonlocal clash
        cls = type(node)
        info = info_of.get(cls)
        if info is None:
            if isinstance(node, ast.AST):
                info = class_info(cls)
            elif cls is list:
                if not node:
                    return "[]"
                items = []
                for x in node:  # names and constants formatted here, as below (one call fewer)
                    xt = type(x)
                    if xt is name_type and type(x.ctx) in leaves:
                        items.append("Name(id=" + repr(x.id) + ", ctx=" + leaves[type(x.ctx)] + ")")
                    elif xt is constant and x.kind is None:
                        items.append("Constant(value=" + repr(x.value) + ")")
                    else:
                        items.append(fmt(x))
                return "[" + ", ".join(items) + "]"
            else:
                return repr(node)
        cname, fields, optional, role = info
        if not fields:
            return cname + "()"
        scope = role in (role_def, role_module)
        args = []
        for name in fields:
            try:
                value = getattr(node, name)
            except AttributeError:
                continue
            if value is None and name in optional:
                continue
            if scope and name == "body":
                if value and is_docstring(value[0]):
                    value = value[1:] or [pass_node]
                elif not value:
                    value = [pass_node]
            vt = type(value)
            if vt in plain:
                args.append(name + "=" + repr(value))
                continue
            leaf = leaves.get(vt)
            if leaf is not None:
                args.append(name + "=" + leaf)
                continue
            if vt is name_type and type(value.ctx) in leaves:
                ctx = leaves[type(value.ctx)]
                args.append(name + "=Name(id=" + repr(value.id) + ", ctx=" + ctx + ")")
                continue
            if vt is constant and value.kind is None:
                args.append(name + "=Constant(value=" + repr(value.value) + ")")
                continue
            args.append(name + "=" + fmt(value))
        dumped = cname + "(" + ", ".join(args) + ")"
        if role == role_def:
            key = (node.lineno, node.name)
            if key in found:
                clash = True
            found[key] = (dumped, cls is ast.ClassDef)
        return dumped

    top_dump = fmt(top)
    return top_dump, None if clash else found
