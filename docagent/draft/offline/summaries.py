"""The summary sentence of a function or method, from its name, decorators and body.

:func:`function_summary` tries one step after another, first match wins: accessors
(properties, setters), special methods (``__init__``, magic methods), conventions (``main``,
tests), the name's leading word (``is_``, ``get_``, ``to_``, ``from_``, ``on_``...), ``x_to_y``
conversions, a leading verb, what the body returns, and last the name itself.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from docagent.code.targets import FileFacts, Param, Target
from docagent.draft.offline.body_facts import BodyFacts
from docagent.draft.offline.nodes import is_boolean, short_code
from docagent.draft.offline.vocabulary import (
    DUNDER_SUMMARIES,
    NOT_OBJECTS,
    OPERATORS,
    PREDICATES,
    VAR_KINDS,
    VERBS,
)
from docagent.draft.offline.words import (
    as_phrase,
    listing,
    meaningful,
    predicate_clause,
    split_words,
    verb_sentence,
)
from docagent.draft.symbols import module_name


def function_summary(facts: FileFacts, target: Target, body: BodyFacts, cls_words: str) -> str:
    """The summary sentence of function or method ``target`` (``cls_words``: its class's name
    as words, '' for a function)."""
    about = _About(facts, target, body, cls_words)
    for step in _STEPS:
        summary = step(about)
        if summary is not None:
            return summary
    return _by_name(about)


def subject(target: Target, cls_words: str) -> str:
    """What a method acts on (its object) or a function on (its first parameter)."""
    if target.kind == "method":
        return f"the {cls_words}" if cls_words else "the object"
    first = [p for p in target.documented_params() if p.kind not in VAR_KINDS]
    if not first:
        return ""
    name = first[0].name
    return f"the given {as_phrase(split_words(name))}" if meaningful(name) else f"`{name}`"


def returned_phrase(body: BodyFacts) -> str:
    """What a one-statement ``return`` body returns, quoted when that says it all."""
    node = body.single_return
    if node is None:
        return ""
    if isinstance(node, ast.Name):
        use = body.uses.get(node.id)
        if use is not None and not use.reassigned:
            return f"`{node.id}` unchanged"
        return ""
    return short_code(node)


@dataclass
class _About:
    """What the summary steps read about one function."""

    facts: FileFacts
    target: Target
    body: BodyFacts
    cls_words: str
    name: str = field(init=False)
    words: list[str] = field(init=False)
    phrase: str = field(init=False)
    obj: str = field(init=False)
    params: list[Param] = field(init=False)
    first: list[str] = field(init=False)
    subject: str = field(init=False)

    def __post_init__(self) -> None:
        """Derive the words of the name, the object and the parameters."""
        self.name = self.target.name
        self.words = split_words(self.name)
        self.phrase = as_phrase(self.words)
        self.obj = f"the {self.cls_words}" if self.cls_words else "the object"
        self.params = self.target.documented_params()
        self.first = [p.name for p in self.params]
        self.subject = subject(self.target, self.cls_words)

    @cached_property
    def returned(self) -> str:
        """:func:`returned_phrase` of the body."""
        return returned_phrase(self.body)


def _accessor(a: _About) -> str | None:
    """Property getters, setters and deleters."""
    setter = next((d for d in a.target.decorators if d.endswith((".setter", ".deleter"))), None)
    if setter is not None:
        verb = "Set" if setter.endswith(".setter") else "Delete"
        return f"{verb} the {a.phrase} of {a.obj}."
    if a.target.is_property:
        if len(a.words) > 1 and a.words[0] in PREDICATES:
            return f"Whether {predicate_clause(a.obj, a.words[0], as_phrase(a.words[1:]))}."
        return f"The {a.phrase} of {a.obj}."
    return None


def _special_method(a: _About) -> str | None:
    """``__init__`` and the other magic methods."""
    name = a.name
    if name == "__init__":
        what = a.cls_words or "object"
        if a.first and len(a.first) <= 4:
            return f"Initialize the {what} from {listing(a.first, 'and', 4)}."
        return f"Initialize the {what}."
    if not (name.startswith("__") and name.endswith("__")):
        return None
    if name in DUNDER_SUMMARIES:
        return DUNDER_SUMMARIES[name].format(obj=a.obj, cls=f"the {a.cls_words or 'class'}")
    operator = _operator_summary(name[2:-2], a.obj)
    return operator or f"Implement the {a.phrase} protocol for {a.obj}."


def _operator_summary(core: str, obj: str) -> str:
    """``Implement the + operator (reflected) for ...`` for ``add``/``radd``/``iadd``; ''
    when ``core`` names no operator."""
    base = core[1:] if core[:1] in ("r", "i") and core[1:] in OPERATORS else core
    if base not in OPERATORS:
        return ""
    kind = {"r": " (reflected)", "i": " (in place)"}.get(core[0], "") if base != core else ""
    return f"Implement the {OPERATORS[base]} operator{kind} for {obj}."


def _by_convention(a: _About) -> str | None:
    """``main``, tests, and names with no words at all."""
    if a.name == "main":
        return f"Run the command-line entry point of {module_name(a.facts.path)}."
    if a.name.startswith("test") and a.target.kind in ("function", "method"):
        rest = as_phrase(a.words[1:])
        return f"Test {rest}." if rest else "Run this test."
    if not a.words:
        return "Run this function."
    return None


#: Leading words of a name that say what the function does with the rest of the name.
_LEADING_WORDS = {
    "to": "Convert {subject} to {rest}.",
    "as": "Return {subject} as {rest}.",
    "iter": "Iterate over the {rest}.",
    "iterate": "Iterate over the {rest}.",
    "on": "Handle the {rest} event.",
}


def _by_leading_word(a: _About) -> str | None:
    """Predicates (``is_x``), accessors (``get_x``, ``set_x``), ``to_x``, ``as_x``, ``from_x``,
    ``iter_x``, ``on_x``."""
    head, rest = a.words[0], as_phrase(a.words[1:])
    if not rest:
        return None
    if head in PREDICATES:
        return f"Return True if {predicate_clause(a.subject, head, rest)}."
    if head in ("get", "set"):
        return verb_sentence("Return" if head == "get" else "Set", a.words[1:])
    if head == "from":
        what = a.cls_words or "the result"
        return f"Create {'a ' + what if a.cls_words else what} from {rest}."
    if head in _LEADING_WORDS:
        return _LEADING_WORDS[head].format(subject=a.subject or "the value", rest=rest)
    return None


def _by_conversion(a: _About) -> str | None:
    """``x_to_y`` names that do not start with a verb."""
    words = a.words
    if words[0] not in VERBS and "to" in words[1:-1]:
        i = words.index("to", 1)
        return f"Convert {as_phrase(words[:i])} to {as_phrase(words[i + 1 :])}."
    return None


def _by_verb(a: _About) -> str | None:
    """Names that start with a verb: the verb and its object (the rest of the name or the
    first required parameter)."""
    head = a.words[0]
    if head not in VERBS:
        return None
    verb = head.capitalize()
    if as_phrase(a.words[1:]) and not all(w.isdigit() for w in a.words[1:]):  # not read1
        return verb_sentence(verb, a.words[1:])
    named = [p for p in a.params if p.kind not in VAR_KINDS]
    required = named[0].name if named and named[0].default is None else ""
    if required and meaningful(required):
        given = "the" if a.target.kind == "method" else "the given"
        return f"{verb} {given} {as_phrase(split_words(required))}."
    if a.target.kind == "method":
        return f"{verb} using `{required}`." if required else f"{verb} {a.obj}."
    if a.returned:
        return f"Return {a.returned}."
    if a.params:
        return f"{verb} {listing([f'`{p}`' for p in a.first], 'and', 3)}."
    return f"Perform the {head} operation."


def _by_body(a: _About) -> str | None:
    """What the body returns: an attribute, a condition, or one short expression."""
    attr = a.body.returns_attribute
    if attr:
        if meaningful(attr):
            return f"Return the {as_phrase(split_words(attr))} of {a.obj}."
        return f"Return the value of self.{attr}."
    nodes = a.body.return_nodes
    if nodes and all(is_boolean(n) for n in nodes):
        condition = _condition_summary(a, nodes)
        if condition is not None:
            return condition
    if a.returned:
        return f"Return {a.returned}."
    return None


def _condition_summary(a: _About, nodes: list[ast.expr]) -> str | None:
    """A function that returns only conditions: the condition when it is one short one."""
    if len(nodes) == 1 and not isinstance(nodes[0], ast.Constant):
        code = short_code(nodes[0])
        if code:
            return f"Return True if {code}."
    if not a.returned and meaningful(a.name):
        return f"Return the result of the {a.phrase} check."
    return None


def _by_name(a: _About) -> str:
    """The last resort: the name as words, or the arguments when the name says nothing."""
    target = a.target
    if target.is_context_manager:
        return f"Context manager for the {a.phrase}."
    if not meaningful(a.name):
        args = listing([f"`{p}`" for p in a.first], "and", 3)
        if target.yields_value:
            return f"Yield values computed from {args}." if args else "Yield values."
        if target.returns_value:
            return f"Compute a value from {args}." if args else "Compute a value."
        return f"Perform the `{a.name}` operation."
    words = a.words
    plural = words[-1].endswith("s") and not words[-1].endswith("ss")
    if target.yields_value:
        return f"Yield the {a.phrase}." if plural else f"Yield the {a.phrase} values."
    if target.returns_value:
        if len(words) == 1 or words[-1] in NOT_OBJECTS or words[0] in NOT_OBJECTS:
            return f"Return the {a.phrase} result."
        return f"Return the {a.phrase}."
    return f"Perform the {a.phrase} operation."


#: The steps of :func:`function_summary` before :func:`_by_name`, in order.
_STEPS: tuple[Callable[[_About], str | None], ...] = (
    _accessor,
    _special_method,
    _by_convention,
    _by_leading_word,
    _by_conversion,
    _by_verb,
    _by_body,
)
