"""How a function's body visibly uses each of its parameters (stored, called, passed on, ...)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from docagent.draft.offline.nodes import callee, links
from docagent.draft.offline.words import SIMPLE_NAME

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class ParamUse:
    """How the body visibly uses one parameter (every field is read from the code)."""

    stored: list[str] = field(default_factory=list)
    called: bool = False
    iterated: bool = False
    passed_to: list[str] = field(default_factory=list)
    forwarded_to: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    indexed: bool = False
    index_into: list[str] = field(default_factory=list)
    none_checked: bool = False
    compared_with: list[str] = field(default_factory=list)
    returned: bool = False
    reassigned: bool = False


def param_uses(
    fn: _Function,
    kids: dict[ast.AST, list[ast.AST]] | None = None,
    parents: dict[ast.AST, ast.AST] | None = None,
) -> dict[str, ParamUse]:
    """Read how each parameter of ``fn`` is used in its body (nested scopes that rebind a
    parameter's name are skipped for that name).

    ``kids`` and ``parents``: the links of the nodes under ``fn`` when already known
    (:func:`~docagent.draft.offline.nodes.links`), else found here.
    """
    uses = {n: ParamUse() for n in _bound_names(fn.args)}
    if kids is None or parents is None:
        kids, parents, _own = links(fn)
    mentions = _mentions(fn, uses, kids)
    for name_node in mentions:
        _record(uses[name_node.id], name_node, parents)
    return uses


def _bound_names(args: ast.arguments) -> list[str]:
    """The names ``args`` binds: named parameters, then ``*args`` and ``**kwargs``."""
    names = [x.arg for x in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [x.arg for x in (args.vararg, args.kwarg) if x is not None]
    return names


def _mentions(
    fn: _Function, uses: dict[str, ParamUse], kids: dict[ast.AST, list[ast.AST]]
) -> list[ast.Name]:
    """The names in the body that refer to a parameter of ``fn`` (``kids``: each node's
    children), in source order."""
    mentions: list[ast.Name] = []
    get = kids.get  # ``pass`` and other nodes without fields: none
    empty: frozenset[str] = frozenset()
    # depth first in field order, from a stack: each entry is a node and the parameter names
    # hidden where it is (a nested function's parameters, below the function: its own
    # defaults too; the body's own statements hide nothing for their children)
    stack: list[tuple[ast.AST, frozenset[str]]] = [
        (child, empty) for stmt in reversed(fn.body) for child in reversed(get(stmt, ()))
    ]
    pop, push = stack.pop, stack.append
    name, scopes = ast.Name, _SCOPES
    while stack:
        node, hidden = pop()
        kind = type(node)
        if kind is name:  # no children
            if node.id in uses and node.id not in hidden:  # type: ignore[attr-defined]
                mentions.append(node)  # type: ignore[arg-type]
            continue
        if kind in scopes:
            hidden = hidden | set(_bound_names(node.args))  # type: ignore[attr-defined]
        for child in reversed(get(node, ())):
            push((child, hidden))
    return mentions


#: the definitions whose parameters hide a parameter of the same name below them
_SCOPES = frozenset((ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))


def _record(use: ParamUse, name_node: ast.Name, parents: dict[ast.AST, ast.AST]) -> None:
    """Record on ``use`` what the expression around one mention of the parameter does."""
    if isinstance(name_node.ctx, ast.Store | ast.Del):
        use.reassigned = True
        return
    p = parents.get(name_node)
    for record in (_as_argument, _as_object, _in_comparison, _as_result):
        if record(use, name_node, p, parents):
            return


def _as_argument(
    use: ParamUse, name_node: ast.Name, p: ast.AST | None, parents: dict[ast.AST, ast.AST]
) -> bool:
    """A call of the parameter, or the parameter passed (or unpacked) into a call."""
    if isinstance(p, ast.Call):
        if p.func is name_node:
            use.called = True
        else:
            _add(use.passed_to, callee(p))
        return True
    call = parents.get(p) if p is not None else None
    if isinstance(p, ast.Starred) and isinstance(call, ast.Call):
        _add(use.forwarded_to, callee(call))
        return True
    if isinstance(p, ast.keyword) and isinstance(call, ast.Call):
        _add(use.forwarded_to if p.arg is None else use.passed_to, callee(call))
        return True
    return False


def _as_object(
    use: ParamUse, name_node: ast.Name, p: ast.AST | None, parents: dict[ast.AST, ast.AST]
) -> bool:
    """The parameter's methods or attributes, indexing it, indexing with it, looping over it."""
    if isinstance(p, ast.Attribute) and p.value is name_node:
        gp = parents.get(p)
        if isinstance(gp, ast.Call) and gp.func is p:
            _add(use.methods, p.attr)
        elif isinstance(p.ctx, ast.Load):
            _add(use.attributes, p.attr)
        return True
    if isinstance(p, ast.Subscript) and p.value is name_node:
        use.indexed = True
        return True
    if isinstance(p, ast.Subscript) and p.slice is name_node:
        container = ast.unparse(p.value)
        _add(use.index_into, container if SIMPLE_NAME.fullmatch(container) else "?")
        return True
    if isinstance(p, ast.For | ast.AsyncFor | ast.comprehension) and p.iter is name_node:
        use.iterated = True
        return True
    return False


def _in_comparison(
    use: ParamUse, name_node: ast.Name, p: ast.AST | None, parents: dict[ast.AST, ast.AST]
) -> bool:
    """The parameter checked for None or compared with a short constant."""
    if not isinstance(p, ast.Compare):
        return False
    operands = [p.left, *p.comparators]
    for i, op in enumerate(p.ops):
        left, right = operands[i], operands[i + 1]
        if name_node not in (left, right):
            continue
        other = right if left is name_node else left
        if isinstance(op, ast.Is | ast.IsNot) and (
            isinstance(other, ast.Constant) and other.value is None
        ):
            use.none_checked = True
        elif isinstance(op, ast.In | ast.NotIn):
            continue
        elif isinstance(other, ast.Constant) and len(repr(other.value)) <= 12:
            _add(use.compared_with, ast.unparse(other))
    return True


def _as_result(
    use: ParamUse, name_node: ast.Name, p: ast.AST | None, parents: dict[ast.AST, ast.AST]
) -> bool:
    """The parameter returned, or stored as an attribute of ``self`` or ``cls``."""
    if isinstance(p, ast.Return):
        use.returned = True
        return True
    if (
        isinstance(p, ast.Assign)
        and p.value is name_node
        and len(p.targets) == 1
        and isinstance(p.targets[0], ast.Attribute)
        and isinstance(p.targets[0].value, ast.Name)
        and p.targets[0].value.id in ("self", "cls")
    ):
        _add(use.stored, ast.unparse(p.targets[0]))
        return True
    return False


def _add(items: list[str], item: str) -> None:
    """Append ``item`` unless it is empty or already there."""
    if item and item not in items:
        items.append(item)
