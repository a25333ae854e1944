"""Small questions about :mod:`ast` nodes the offline drafter asks: children, callees, shapes."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from docagent.draft.offline.words import quoted_code


def children(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))`` without its nested generators (same order)."""
    out: list[ast.AST] = []
    for name in node._fields:
        try:
            value = getattr(node, name)
        except AttributeError:
            continue
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend(item for item in value if isinstance(item, ast.AST))
    return out


def walk_own(node: ast.AST, kids: dict[ast.AST, list[ast.AST]] | None = None) -> Iterator[ast.AST]:
    """Yield the nodes of a function body without entering nested definitions.

    ``kids`` are the nodes' children when already known (:func:`links`).
    """
    of = kids.__getitem__ if kids is not None else children
    stack = list(of(node))
    while stack:
        n = stack.pop()
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield n
        stack.extend(of(n))


class Links(NamedTuple):
    """What one traversal of a function tells: each node's children and parent, and the
    nodes of its own body (:func:`walk_own`'s nodes, in its order, without field-less ones)."""

    kids: dict[ast.AST, list[ast.AST]]
    parents: dict[ast.AST, ast.AST]
    own: list[ast.AST]


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def links(node: ast.AST) -> Links:
    """Each node's children and parent, for ``node`` and everything under it, and the nodes
    of ``node``'s own body, from one traversal.

    The children are those of :func:`children` in the same order, without the nodes that have
    no fields (``ast.Load()`` and operators, which CPython shares between parents, ``pass``,
    ``break``, ``continue``): nothing the offline drafter asks is about them. The traversal
    pops from a stack like :func:`walk_own`, so the own nodes come in its order.
    """
    kids: dict[ast.AST, list[ast.AST]] = {}
    parents: dict[ast.AST, ast.AST] = {}
    own: list[ast.AST] = []
    hidden: set[ast.AST] = set()  # nodes inside a nested definition
    stack = [node]
    pop, push = stack.pop, stack.extend
    leaves = _LEAVES
    while stack:
        n = pop()
        if type(n) in leaves:  # a name or a constant (half the nodes): no child to look for
            kids[n] = []
            if n in hidden:
                continue
            own.append(n)
            continue
        found = kids[n] = _fielded_children(n)
        for c in found:
            parents[c] = n
        push(found)
        if n is node:
            continue
        if n in hidden or isinstance(n, _DEFINITIONS):
            hidden.update(found)
        else:
            own.append(n)
    return Links(kids, parents, own)


#: node types whose fields never hold a node with fields, by Python's grammar: ``Name`` (an
#: identifier and a field-less context) and ``Constant`` (a value and a kind, never nodes)
_LEAVES = frozenset((ast.Name, ast.Constant))


def _fielded_children(node: ast.AST) -> list[ast.AST]:
    """:func:`children` of ``node`` that have fields, read with one getter per node type."""
    get = _GETTERS.get(type(node))
    if get is None:
        get = _GETTERS[type(node)] = _getter(type(node))
    try:
        values = get(node)
    except AttributeError:  # a node built without all its fields
        return [c for c in children(node) if c._fields]
    out: list[ast.AST] = []
    for value in values:
        if type(value) is list:  # a node's list fields are lists (no generator: a loop)
            for item in value:
                if isinstance(item, AST) and item._fields:
                    out.append(item)
        elif isinstance(value, AST) and value._fields:
            out.append(value)
        elif isinstance(value, list):  # a subclass of list, should one be there
            out.extend(item for item in value if isinstance(item, AST) and item._fields)
    return out


AST = ast.AST
_GETTERS: dict[type, Callable[[ast.AST], tuple[Any, ...]]] = {}


def _getter(cls: type) -> Callable[[ast.AST], tuple[Any, ...]]:
    """A function giving the values of ``cls``'s fields as a tuple, in field order."""
    fields = cls._fields  # type: ignore[attr-defined]
    if not fields:
        return lambda node: ()
    if len(fields) == 1:
        one = operator.attrgetter(fields[0])
        return lambda node: (one(node),)
    return operator.attrgetter(*fields)


def callee(call: ast.Call) -> str:
    """A short printable name of what ``call`` calls, or '' when it has none."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        text = ast.unparse(func)
        if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*){1,3}", text):
            return text
        if isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            return "str." + func.attr
    return ""


def position(node: ast.AST) -> tuple[int, int]:
    """Where ``node`` starts: (line, column), (0, 0) for nodes without a position."""
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def is_not_implemented(node: ast.expr) -> bool:
    """True for the name ``NotImplemented`` (a binary operator's "I cannot do this")."""
    return isinstance(node, ast.Name) and node.id == "NotImplemented"


def is_boolean(node: ast.expr) -> bool:
    """True when ``node`` visibly evaluates to True or False (comparisons, ``not``, ...)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not)
    if isinstance(node, ast.BoolOp):
        return all(is_boolean(v) for v in node.values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("isinstance", "issubclass", "callable", "hasattr", "bool")
    return False


def short_code(node: ast.expr | None) -> str:
    """A short expression worth quoting in a summary (calls with long arguments are not)."""
    if node is None:
        return ""
    return quoted_code(ast.unparse(node), 50)
