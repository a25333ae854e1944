"""Small questions about :mod:`ast` nodes the offline drafter asks: children, callees, shapes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

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


def walk_own(node: ast.AST) -> Iterator[ast.AST]:
    """Yield the nodes of a function body without entering nested definitions."""
    stack = list(children(node))
    while stack:
        n = stack.pop()
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield n
        stack.extend(children(n))


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
