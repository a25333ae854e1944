"""The Returns and Yields sections: what the body visibly returns or yields."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable

from docagent.code.targets import Target
from docagent.draft.offline.body_facts import BodyFacts
from docagent.draft.offline.nodes import callee, is_boolean, is_not_implemented, short_code
from docagent.draft.offline.summaries import subject
from docagent.draft.offline.vocabulary import (
    CONSTRUCTED,
    GENERIC_RESULTS,
    PREDICATES,
    PROTOCOL_RETURNS,
)
from docagent.draft.offline.words import (
    SIMPLE_NAME,
    as_phrase,
    meaningful,
    plain_code,
    predicate_clause,
    quoted_code,
    split_words,
)


def returns_text(target: Target, body: BodyFacts, cls_words: str, typed: bool = False) -> str:
    """The Returns section of ``target`` (``cls_words``: its class's name as words, or '').

    ``typed``: the entry's head gives the return annotation (NumPy), so the text does not
    repeat it.
    """
    nodes = body.return_nodes
    keep = [i for i, n in enumerate(nodes) if not is_not_implemented(n)]
    if nodes and 0 < len(keep) < len(nodes):  # a binary operator's "I cannot do this"
        rest = dataclasses.replace(
            body,
            returns=[body.returns[i] for i in keep],
            return_nodes=[nodes[i] for i in keep],
        )
        text = returns_text(target, rest, cls_words, typed).rstrip(".")
        return f"{text}; NotImplemented when it does not support the other operand."
    ann = target.returns.strip() if target.returns else ""
    suffix = f" ({plain_code(ann)})" if ann and not typed else ""
    for step in _RETURN_STEPS:
        said = step(target, body, cls_words, ann, suffix)
        if said is not None:
            return said
    return _returned_value(target, body, ann, suffix)


def _returns_self(
    target: Target, body: BodyFacts, cls_words: str, ann: str, suffix: str
) -> str | None:
    """A method that returns ``self``: a context manager's own object, or chaining."""
    if not body.returns_self:
        return None
    if target.name in ("__enter__", "__aenter__"):
        what = cls_words or "object"
        return f"This {what} itself, which the with statement binds to its as target."
    return f"This {cls_words or 'object'} itself, to allow chaining."


def _returns_constant(
    target: Target, body: BodyFacts, cls_words: str, ann: str, suffix: str
) -> str | None:
    """Always the same constant (``__exit__``'s True, False or None say what happens to the
    exception)."""
    values = list(dict.fromkeys(body.returns))
    if not (len(values) == 1 and isinstance(body.return_nodes[0], ast.Constant)):
        return None
    if target.name in ("__exit__", "__aexit__") and values[0] in ("False", "None"):
        return f"Always {values[0]}: an exception raised in the with block propagates."
    if target.name in ("__exit__", "__aexit__") and values[0] == "True":
        return "Always True: an exception raised in the with block is suppressed."
    return f"Always {plain_code(values[0])}."


def _returns_condition(
    target: Target, body: BodyFacts, cls_words: str, ann: str, suffix: str
) -> str | None:
    """True or False: when, from a predicate name or the one returned condition."""
    nodes = body.return_nodes
    if not (ann == "bool" or (nodes and all(is_boolean(n) for n in nodes))):
        return None
    words = split_words(target.name)
    if words and words[0] in PREDICATES and len(words) > 1:
        cond = predicate_clause(subject(target, cls_words), words[0], as_phrase(words[1:]))
        return f"True if {cond}, otherwise False."
    if len(nodes) == 1 and not isinstance(nodes[0], ast.Constant):
        code = short_code(nodes[0])
        if code:
            return f"True if {code}, otherwise False."
    return "True or False."


def _returns_attribute(
    target: Target, body: BodyFacts, cls_words: str, ann: str, suffix: str
) -> str | None:
    """A body that returns one attribute of ``self`` or ``cls``."""
    attr = body.returns_attribute
    if not attr:
        return None
    if meaningful(attr):
        return f"The {as_phrase(split_words(attr))}{suffix}."
    return f"The value of self.{attr}{suffix}."


#: The steps of :func:`returns_text` before :func:`_returned_value`, in order.
_RETURN_STEPS: tuple[Callable[[Target, BodyFacts, str, str, str], str | None], ...] = (
    _returns_self,
    _returns_constant,
    _returns_condition,
    _returns_attribute,
)


def _returned_value(target: Target, body: BodyFacts, ann: str, suffix: str) -> str:
    """The one returned expression described, a tuple's size, or a generic phrase."""
    values = list(dict.fromkeys(body.returns))
    nodes = body.return_nodes
    params = {p.name for p in target.params}
    generic = f"The result{suffix}." if ann else "The computed value."
    if target.kind == "method" and target.name in PROTOCOL_RETURNS:
        generic = f"{PROTOCOL_RETURNS[target.name]}{suffix}."
    if len(values) == 1:
        text = describe_value(nodes[0], params, body, suffix)
        return generic if text in (f"The result{suffix}.", "The computed value.") else text
    if nodes and all(isinstance(n, ast.Tuple) for n in nodes):
        sizes = {len(n.elts) for n in nodes if isinstance(n, ast.Tuple)}
        if len(sizes) == 1:
            return f"A tuple of {sizes.pop()} values{suffix}."
    return generic


def yields_text(target: Target, body: BodyFacts) -> str:
    """The Yields section of generator ``target``."""
    values = list(dict.fromkeys(body.yields))
    if target.is_context_manager:  # one value: what ``with ... as`` binds
        v = values[0] if len(values) == 1 else ""
        if re.fullmatch(r"[A-Za-z_]\w*", v) and meaningful(v) and v not in GENERIC_RESULTS:
            return f"The {as_phrase(split_words(v))} that the with statement binds."
        return "The object that the with statement binds."
    params = {p.name for p in target.params}
    if len(values) == 1 and re.fullmatch(r"[A-Za-z_]\w*", values[0]):
        v = values[0]
        if v in params:
            return f"Values of the `{v}` argument."
        source = quoted_code(body.loops.get(v, ""), 50)
        if source and not body.yields_from:
            return f"Each item of {source}."
        if meaningful(v) and v not in GENERIC_RESULTS:
            return f"Each {as_phrase(split_words(v))}."
        return "The generated values."
    if len(values) == 1:
        code = quoted_code(values[0])
        return f"The values of {code}." if code else "The generated values."
    return "The generated values."


#: Expressions whose kind says what they build, whatever they contain.
_BUILT = (
    (ast.JoinedStr, "A formatted string"),
    (ast.List | ast.ListComp, "A list"),
    (ast.Dict | ast.DictComp, "A dict"),
    (ast.Set | ast.SetComp, "A set"),
    (ast.GeneratorExp, "A generator"),
)


def describe_value(node: ast.expr, params: set[str], body: BodyFacts, suffix: str) -> str:
    """Say what the single returned expression ``node`` is, without guessing its meaning."""
    if isinstance(node, ast.Name):
        return _describe_name(node.id, params, body, suffix)
    if isinstance(node, ast.Tuple):
        return _describe_tuple(node, suffix)
    if _is_percent_format(node):
        return f"A formatted string{suffix}."
    for kind, what in _BUILT:
        if isinstance(node, kind):
            return f"{what}{suffix}."
    if isinstance(node, ast.Call):
        described = _describe_call(node, suffix)
        if described:
            return described
    code = quoted_code(ast.unparse(node))
    if code and not SIMPLE_NAME.fullmatch(code):
        return f"The value of {code}{suffix}."
    if isinstance(node, ast.Attribute) and code:
        return f"The value of {code}{suffix}."
    return f"The result{suffix}." if suffix else "The computed value."


def _describe_name(name: str, params: set[str], body: BodyFacts, suffix: str) -> str:
    """A returned variable: an argument (maybe changed), or what its name says."""
    use = body.uses.get(name)
    if name in params and use is not None:
        if use.reassigned:
            return f"The final value of `{name}`{suffix}."
        return f"The `{name}` argument{suffix}."
    if meaningful(name) and name not in GENERIC_RESULTS:
        return f"The {as_phrase(split_words(name))}{suffix}."
    return f"The result{suffix}." if suffix else "The computed value."


def _describe_tuple(node: ast.Tuple, suffix: str) -> str:
    """A returned tuple: quoted when it holds only names, constants and attributes."""
    code = quoted_code(ast.unparse(node), 50)
    if code and all(isinstance(e, ast.Name | ast.Constant | ast.Attribute) for e in node.elts):
        return f"The tuple {code}{suffix}."
    return f"A tuple of {len(node.elts)} values{suffix}."


def _is_percent_format(node: ast.expr) -> bool:
    """``"..." % values``."""
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    )


def _describe_call(node: ast.Call, suffix: str) -> str:
    """A returned call: what a builtin builds, a length, or the call quoted; '' if too long."""
    name = callee(node)
    if name in CONSTRUCTED:
        return f"{CONSTRUCTED[name]}{suffix}."
    if name == "len" and len(node.args) == 1:
        arg = quoted_code(ast.unparse(node.args[0]), 40)
        if arg:
            return f"The length of {arg}."
    code = quoted_code(ast.unparse(node))
    if code:
        return f"The result of {code}{suffix}."
    if name:
        return f"The result of {name}(){suffix}."
    return ""
