"""What a function's body shows: returned and yielded values, raises and when, its shape."""

from __future__ import annotations

import ast
import functools
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from docagent.code import pyast
from docagent.code.targets import FileFacts, Target
from docagent.draft.offline.nodes import links, position
from docagent.draft.offline.param_uses import ParamUse, param_uses
from docagent.draft.symbols import target_code

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class BodyFacts:
    """What the body of a function shows: returns, yields, raises, parameter uses, its shape."""

    returns: list[str] = field(default_factory=list)
    yields: list[str] = field(default_factory=list)
    raise_conditions: dict[str, str] = field(default_factory=dict)
    trivial: bool = False
    not_implemented: bool = False
    returns_attribute: str = ""
    returns_self: bool = False
    calls: list[str] = field(default_factory=list)
    return_nodes: list[ast.expr] = field(default_factory=list)
    single_return: ast.expr | None = None
    uses: dict[str, ParamUse] = field(default_factory=dict)
    loops: dict[str, str] = field(default_factory=dict)
    yields_from: bool = False


def body_facts(facts: FileFacts, target: Target) -> BodyFacts:
    """Analyse the target's body with :mod:`ast` (empty facts when it cannot be parsed)."""
    out = BodyFacts()
    fn = file_function(facts, target)
    if fn is None:
        fn = _parse_function(facts, target)
    if fn is None:
        return out
    body = _statements_after_docstring(fn)
    out.trivial = all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in body
    )
    linked = links(fn)  # one traversal: every later walk reads its children
    _read_own_nodes(fn, out, linked.own, linked.parents)
    _read_single_statement(body, out)
    out.returns_self = bool(out.returns) and all(r == "self" for r in out.returns)
    out.uses = param_uses(fn, linked.kids, linked.parents)
    return out


def file_function(facts: FileFacts, target: Target) -> _Function | None:
    """The target's definition in the tree of its file that batch parsed already, when that
    node is exactly what :func:`_parse_function` would parse (positions aside); else None.

    :func:`_parse_function` parses :func:`~docagent.draft.symbols.target_code`: the lines of
    the definition, dedented (tabs expanded when the first 200 characters hold one). Its tree
    equals the file's node, but for line and column numbers, when
      * the target's bytes are the node's statement: from the start of the line of its first
        decorator (or ``def``) to the node's end, then nothing but comments;
      * no tab, form feed or carriage return is in them, and every line that is not blank
        starts with the indentation of the first: dedenting removes exactly that (and empties
        blank lines), and a line of Python code gives the same tokens;
      * no string literal spans lines inside it (but docstrings, whose text the drafter never
        reads): dedenting would change its value.
    Then every node's line and column are shifted by the same amounts, and the drafter uses
    positions only to order nodes (:func:`~docagent.draft.offline.nodes.position`).
    """
    found = facts.__dict__.get("_ast_facts")  # computed already: drafting fingerprints code
    if found is None or found.tree is None:
        return None
    node = found.defs.get((target.line, target.name))
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    last = node.end_lineno
    if last is None or node.end_col_offset is None or target.end_line < last:
        return None
    source = facts.source
    raw = source[source.rfind(b"\n", 0, target.start_byte) + 1 : target.end_byte]
    if raw.count(b"\n") != target.end_line - first or b"\t" in raw or b"\x0c" in raw:
        return None
    if b"\r" in raw:
        return None
    at = len(raw)  # where the node ends in ``raw``: what follows may only be comments
    for _ in range(target.end_line - last + 1):
        at = raw.rfind(b"\n", 0, at)
    for line in raw[at + 1 + node.end_col_offset :].split(b"\n"):
        line = line.strip()
        if line and not line.startswith(b"#"):
            return None
    lines = found.string_lines
    i = bisect_left(lines, first)
    if i < len(lines) and lines[i] <= last:
        return None
    # dedenting removes the first line's indentation from every line when no line that is
    # not blank has less (no tab: indentations are spaces; a blank line is emptied)
    margin = len(raw) - len(raw.lstrip(b" "))
    if margin and _shallower(margin).search(raw) is not None:
        return None
    return node


@functools.cache
def _shallower(margin: int) -> re.Pattern[bytes]:
    """A line that holds something other than spaces after fewer than ``margin`` spaces."""
    return re.compile(rb"\n {0,%d}[^ \n]" % (margin - 1))


def _parse_function(facts: FileFacts, target: Target) -> _Function | None:
    """The target's definition, parsed on its own; None when it cannot be."""
    try:
        tree = pyast.parse(target_code(facts, target), quiet=True)
    except (SyntaxError, ValueError):
        return None
    return next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None
    )


def _statements_after_docstring(fn: _Function) -> list[ast.stmt]:
    """The body's statements without its docstring."""
    body = list(fn.body)
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    return body


def _read_own_nodes(
    fn: _Function, out: BodyFacts, own: list[ast.AST], parents: dict[ast.AST, ast.AST]
) -> None:
    """Returns (in source order), loop variables, yields and raises outside nested definitions.

    ``own``: the nodes of ``fn`` outside nested definitions in :func:`walk_own`'s order;
    ``parents``: the parent of every node under ``fn`` (both from :func:`links`).
    """
    stored: set[str] | None = None  # the names the body assigns, once a raise needs them
    wanted = _OWN_KINDS
    for n in own:
        if type(n) not in wanted:  # most nodes: names, calls, constants, ...
            continue
        if isinstance(n, ast.Return) and n.value is not None:
            if not (isinstance(n.value, ast.Constant) and n.value.value is None):
                out.returns.append(ast.unparse(n.value))
                out.return_nodes.append(n.value)
        elif isinstance(n, ast.For | ast.AsyncFor) and isinstance(n.target, ast.Name):
            out.loops.setdefault(n.target.id, ast.unparse(n.iter))
        elif isinstance(n, ast.Yield | ast.YieldFrom):
            out.yields_from = out.yields_from or isinstance(n, ast.YieldFrom)
            if n.value is not None:
                out.yields.append(ast.unparse(n.value))
        elif isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            if stored is None:
                stored = {
                    m.id for m in own if isinstance(m, ast.Name) and isinstance(m.ctx, ast.Store)
                }
            condition = _raise_condition(n, fn, parents, stored)
            out.raise_conditions.setdefault(ast.unparse(exc), condition)
        elif isinstance(n, ast.Raise):  # a bare raise re-raises what its handler caught
            handler = _handler_of(n, fn, parents)
            if handler is None or handler.type is None:
                continue
            if stored is None:
                stored = {
                    m.id for m in own if isinstance(m, ast.Name) and isinstance(m.ctx, ast.Store)
                }
            condition = _raise_condition(n, fn, parents, stored)
            when = "" if condition.startswith("except:") else condition
            kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            for kind in kinds:
                out.raise_conditions.setdefault(ast.unparse(kind), "reraise:" + when)
    # ``walk_own`` pops from a stack: put returns back in source order
    order = sorted(range(len(out.return_nodes)), key=lambda i: position(out.return_nodes[i]))
    out.return_nodes = [out.return_nodes[i] for i in order]
    out.returns = [out.returns[i] for i in order]


#: the node types :func:`_read_own_nodes` reads (the parser makes no subclasses of them)
_OWN_KINDS = frozenset((ast.Return, ast.For, ast.AsyncFor, ast.Yield, ast.YieldFrom, ast.Raise))


def _raise_condition(
    node: ast.Raise, fn: _Function, parents: dict[ast.AST, ast.AST], stored: set[str]
) -> str:
    """When ``node`` raises: the nearest enclosing ``if`` test (negated in its ``else``), an
    ``except:`` mark with the caught class, or "" when neither is there.

    ``stored``: the names ``fn``'s own body assigns.
    """
    child: ast.AST = node
    p = parents.get(node)
    while p is not None and p is not fn:
        if isinstance(p, ast.If):
            test = p.test
            if child in p.orelse:  # the else branch raises: the test is false
                test = ast.UnaryOp(op=ast.Not(), operand=p.test)
            return _readable_condition(test, fn, stored)
        if isinstance(p, ast.ExceptHandler):
            caught = ast.unparse(p.type) if p.type is not None else "an exception"
            return f"except:{caught}"
        child, p = p, parents.get(p)
    return ""


def _handler_of(
    node: ast.Raise, fn: _Function, parents: dict[ast.AST, ast.AST]
) -> ast.ExceptHandler | None:
    """The ``except`` clause a bare ``raise`` is in (within ``fn``), or None."""
    p = parents.get(node)
    while p is not None and p is not fn:
        if isinstance(p, ast.ExceptHandler):
            return p
        p = parents.get(p)
    return None


def _read_single_statement(body: list[ast.stmt], out: BodyFacts) -> None:
    """Facts of a one-statement body: ``raise NotImplementedError``, ``return <expr>``."""
    if len(body) != 1:
        return
    stmt = body[0]
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        out.not_implemented = ast.unparse(exc).endswith("NotImplementedError")
    if isinstance(stmt, ast.Return) and stmt.value is not None:
        v = stmt.value
        if not (isinstance(v, ast.Constant) and v.value is None):
            out.single_return = v
        if (
            isinstance(v, ast.Attribute)
            and isinstance(v.value, ast.Name)
            and v.value.id in ("self", "cls")
        ):
            out.returns_attribute = v.attr


def _readable_condition(test: ast.expr, fn: _Function, stored: set[str]) -> str:
    """The condition of a raising branch as a reader can check it, or "" when it cannot be.

    A condition that names a local variable of the body is not shown (the reader cannot see
    the variable); a bare ``*args``/``**kwargs`` truth test is said in words. ``stored``: the
    names ``fn``'s own body assigns (parameters included).
    """
    a = fn.args
    params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    packs = {x.arg: kind for x, kind in ((a.vararg, "positional"), (a.kwarg, "keyword")) if x}
    params |= set(packs)
    bare = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else test
    if isinstance(bare, ast.Name) and bare.id in packs:
        given = "no" if bare is not test else "any"
        return f"words:If {given} extra {packs[bare.id]} arguments are given."
    assigned = stored - params
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    if names & assigned:
        return ""
    return ast.unparse(test)
