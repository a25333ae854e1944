"""The offline provider: deterministic drafts built from code facts, with no model and no network.

It is the embedded default when no API key is set. A draft says what the code visibly does: a
summary sentence from the name and body (getters, predicates, ``__init__``, properties,
converters, context managers, dunder methods, tests, ``main``), every parameter with its
annotation and default, Returns from the annotation or the return expressions, Raises from
``raise`` statements (with their conditions), Yields for generators and class attributes. Every
draft passes the hard checks of :mod:`docagent.draft.checks` by construction.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

from docagent.code.targets import FileFacts, Param, Target
from docagent.draft.models import StructuredDraft, Usage
from docagent.draft.providers.base import DraftRequest, ProviderError, ProviderResult
from docagent.draft.symbols import module_name, target_code

OFFLINE_MODEL = "offline-1"
NOTICE = "offline drafter: no model was used; drafts are built from code facts only"

_VERB_WORDS = """
accept acquire activate add adjust advance allocate append apply assert assign attach
authenticate bind build calculate call cancel capture check clean cleanup clear clone close
collect combine commit compare compile complete compose compute configure connect construct
consume convert copy count create decode decorate delete deliver destroy detach detect
disable discard dispatch display do download drop dump emit enable encode end ensure enter
escape evaluate execute exit expand export extend extract fetch fill filter finalize find
finish fix flush format generate handle hash ignore import increment init initialize insert
install interpret invoke iterate join keep kill list load lock log lookup make map mark
match merge migrate move normalize notify open pack parse patch pop post prepare print
process push put query quote raise read rebuild receive record refresh register release
reload remove rename render repeat replace report request reset resolve restore resume retry
return run save scan schedule search seek select send serialize set setup show shutdown skip
sort split start stop store strip submit subscribe substitute swap sync tear teardown
terminate test touch trace transform translate truncate try undo unlock unpack unquote
unregister update upload use validate verify visit wait walk warn wrap write yield
"""
VERBS = frozenset(_VERB_WORDS.split())

_DUNDER = {
    "__repr__": "Return the developer representation of {obj}.",
    "__str__": "Return the string form of {obj}.",
    "__format__": "Format {obj} according to a format specification.",
    "__bytes__": "Return the bytes form of {obj}.",
    "__hash__": "Return the hash of {obj}.",
    "__bool__": "Return whether {obj} is truthy.",
    "__len__": "Return the number of items in {obj}.",
    "__iter__": "Iterate over the items of {obj}.",
    "__next__": "Return the next item of {obj}.",
    "__reversed__": "Iterate over the items of {obj} in reverse order.",
    "__contains__": "Return whether {obj} contains an item.",
    "__getitem__": "Return the item of {obj} at a key or index.",
    "__setitem__": "Set the item of {obj} at a key or index.",
    "__delitem__": "Delete the item of {obj} at a key or index.",
    "__missing__": "Handle a key missing from {obj}.",
    "__getattr__": "Look up an attribute missing from {obj}.",
    "__getattribute__": "Look up an attribute of {obj}.",
    "__setattr__": "Set an attribute of {obj}.",
    "__delattr__": "Delete an attribute of {obj}.",
    "__dir__": "List the attributes of {obj}.",
    "__enter__": "Enter the runtime context of {obj}.",
    "__exit__": "Exit the runtime context of {obj}.",
    "__aenter__": "Enter the asynchronous runtime context of {obj}.",
    "__aexit__": "Exit the asynchronous runtime context of {obj}.",
    "__aiter__": "Return an asynchronous iterator over {obj}.",
    "__anext__": "Return the next item of {obj} asynchronously.",
    "__await__": "Make {obj} awaitable.",
    "__call__": "Call {obj} like a function.",
    "__new__": "Create a new instance of {cls}.",
    "__del__": "Finalize {obj} when it is garbage collected.",
    "__eq__": "Return whether {obj} equals another object.",
    "__ne__": "Return whether {obj} differs from another object.",
    "__lt__": "Return whether {obj} sorts before another object.",
    "__le__": "Return whether {obj} sorts before or equal to another object.",
    "__gt__": "Return whether {obj} sorts after another object.",
    "__ge__": "Return whether {obj} sorts after or equal to another object.",
    "__copy__": "Return a shallow copy of {obj}.",
    "__deepcopy__": "Return a deep copy of {obj}.",
    "__reduce__": "Return the pickling state of {obj}.",
    "__reduce_ex__": "Return the pickling state of {obj} for a protocol.",
    "__getstate__": "Return the state of {obj} for pickling.",
    "__setstate__": "Restore the state of {obj} from pickling.",
    "__getnewargs__": "Return the arguments used to recreate {obj} when unpickling.",
    "__init_subclass__": "Initialize a new subclass of {cls}.",
    "__class_getitem__": "Return a generic alias of {cls}.",
    "__set_name__": "Record the attribute name {obj} is assigned to.",
    "__get__": "Return the attribute value that {obj} manages.",
    "__set__": "Set the attribute value that {obj} manages.",
    "__delete__": "Delete the attribute value that {obj} manages.",
    "__index__": "Return {obj} as an integer index.",
    "__int__": "Return {obj} as an integer.",
    "__float__": "Return {obj} as a float.",
    "__complex__": "Return {obj} as a complex number.",
    "__fspath__": "Return the file system path of {obj}.",
    "__sizeof__": "Return the size of {obj} in memory, in bytes.",
    "__instancecheck__": "Return whether an object is an instance of {cls}.",
    "__subclasscheck__": "Return whether a class is a subclass of {cls}.",
    "__subclasshook__": "Decide whether a class counts as a subclass of {cls}.",
    "__post_init__": "Finish initializing {obj} after the generated __init__.",
}
_OPERATORS = {
    "add": "+", "sub": "-", "mul": "*", "matmul": "@", "truediv": "/", "floordiv": "//",
    "mod": "%", "divmod": "divmod()", "pow": "**", "lshift": "<<", "rshift": ">>", "and": "&",
    "xor": "^", "or": "|", "neg": "unary -", "pos": "unary +", "abs": "abs()", "invert": "~",
    "round": "round()", "trunc": "math.trunc()", "floor": "math.floor()", "ceil": "math.ceil()",
}  # fmt: skip

_PARAM_PHRASES = {
    "path": "The file system path",
    "filename": "The name of the file",
    "fname": "The name of the file",
    "file": "The file to use",
    "fp": "The file object to use",
    "f": "The file object or value to use",
    "name": "The name",
    "key": "The key",
    "value": "The value",
    "val": "The value",
    "obj": "The object to process",
    "o": "The object to process",
    "data": "The data to process",
    "text": "The text to process",
    "s": "The string to process",
    "string": "The string to process",
    "msg": "The message",
    "message": "The message",
    "args": "Additional positional arguments",
    "kwargs": "Additional keyword arguments",
    "kwds": "Additional keyword arguments",
    "kw": "Additional keyword arguments",
    "callback": "The callable to invoke",
    "func": "The callable to use",
    "fn": "The callable to use",
    "function": "The callable to use",
    "timeout": "The timeout, in seconds",
    "encoding": "The text encoding",
    "errors": "The error handling scheme for encoding and decoding",
    "n": "The number of items",
    "size": "The size",
    "count": "The number of items",
    "index": "The index",
    "i": "The index",
    "start": "The start position",
    "end": "The end position",
    "stop": "The stop position",
    "other": "The object to compare or combine with",
    "default": "The value to use when none is found",
    "verbose": "Whether to report progress in detail",
    "debug": "Whether to enable debugging output",
    "exc_type": "The type of the exception being handled, if any",
    "exc_val": "The exception being handled, if any",
    "exc_value": "The exception being handled, if any",
    "exc_tb": "The traceback of the exception being handled, if any",
    "tb": "The traceback",
    "traceback": "The traceback",
    "instance": "The instance the attribute is accessed through",
    "owner": "The class that owns the attribute",
    "memo": "The memo dictionary of objects already copied",
    "protocol": "The pickle protocol version",
    "state": "The state to restore",
    "format_spec": "The format specification",
    "item": "The item",
    "x": "The input value",
    "y": "The second input value",
}


def split_words(name: str) -> list[str]:
    """Split an identifier into lower-case words; acronyms (``HTTP``) keep their case."""
    name = name.strip("_")
    words: list[str] = []
    for part in re.split(r"_+", name):
        for w in re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", part):
            words.append(w if (w.isupper() and len(w) > 1) else w.lower())
    return words


def _phrase(words: list[str]) -> str:
    return " ".join(words)


def _clip(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _safe(text: str) -> str:
    """Code shown in prose: one line, no backticks (they would be checked as names)."""
    return _clip(text.replace("`", "'"))


def _quiet_parse(code: str) -> ast.Module:
    """``ast.parse`` without SyntaxWarnings about the parsed code (not ours to fix)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(code)


@dataclass
class BodyFacts:
    """What the body of a function shows: returns, yields, raises and its shape."""

    returns: list[str] = field(default_factory=list)
    yields: list[str] = field(default_factory=list)
    raise_conditions: dict[str, str] = field(default_factory=dict)
    trivial: bool = False
    not_implemented: bool = False
    returns_attribute: str = ""
    returns_self: bool = False
    calls: list[str] = field(default_factory=list)


def _walk_own(node: ast.AST):
    """Yield the nodes of a function body without entering nested definitions."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        n = stack.pop()
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield n
        stack.extend(ast.iter_child_nodes(n))


def body_facts(facts: FileFacts, target: Target) -> BodyFacts:
    """Analyse the target's body with :mod:`ast` (empty facts when it cannot be parsed)."""
    out = BodyFacts()
    try:
        tree = _quiet_parse(target_code(facts, target))
    except (SyntaxError, ValueError):
        return out
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None)
    if fn is None:
        return out
    body = list(fn.body)
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    out.trivial = all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in body
    )
    parents: dict[ast.AST, ast.AST] = {}
    for n in ast.walk(fn):
        for c in ast.iter_child_nodes(n):
            parents[c] = n
    for n in _walk_own(fn):
        if isinstance(n, ast.Return) and n.value is not None:
            if not (isinstance(n.value, ast.Constant) and n.value.value is None):
                out.returns.append(ast.unparse(n.value))
        elif isinstance(n, ast.Yield | ast.YieldFrom):
            if n.value is not None:
                out.yields.append(ast.unparse(n.value))
        elif isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            name = ast.unparse(exc)
            p = parents.get(n)
            cond = ""
            while p is not None and p is not fn:
                if isinstance(p, ast.If):
                    cond = ast.unparse(p.test)
                    break
                if isinstance(p, ast.ExceptHandler):
                    caught = ast.unparse(p.type) if p.type is not None else "an exception"
                    cond = f"except:{caught}"
                    break
                p = parents.get(p)
            out.raise_conditions.setdefault(name, cond)
    if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
        exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
        out.not_implemented = ast.unparse(exc).endswith("NotImplementedError")
    if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
        v = body[0].value
        if (
            isinstance(v, ast.Attribute)
            and isinstance(v.value, ast.Name)
            and v.value.id in ("self", "cls")
        ):
            out.returns_attribute = v.attr
    out.returns_self = bool(out.returns) and all(r == "self" for r in out.returns)
    return out


class OfflineDrafter:
    """Build a :class:`StructuredDraft` for any target from its code facts."""

    def draft(self, facts: FileFacts, target: Target) -> StructuredDraft:
        """Return a draft for ``target`` of ``facts``."""
        if target.kind == "module":
            return self._module(facts, target)
        if target.kind == "class":
            return self._class(facts, target)
        return self._function(facts, target)

    # -- modules and classes -------------------------------------------------------------

    def _module(self, facts: FileFacts, target: Target) -> StructuredDraft:
        mod = module_name(facts.path)
        top = [t for t in facts.targets if t.kind != "module" and "." not in t.qualname]
        classes = [t.name for t in top if t.kind == "class" and t.public]
        funcs = [t.name for t in top if t.kind == "function" and t.public]
        words = _phrase(split_words(mod.rsplit(".", 1)[-1])) or mod
        if target.name == "__main__" or mod.endswith("__main__"):
            summary = "Run the package as a program (python -m)."
        elif target.name == "__init__" or facts.path.endswith("__init__.py"):
            summary = f"The {words} package."
        elif classes and not funcs:
            summary = f"Classes for {words}."
        elif funcs and not classes:
            summary = f"Functions for {words}."
        elif top:
            summary = f"Classes and functions for {words}."
        else:
            summary = f"The {words} module."
        parts = []
        if classes:
            parts.append(f"Classes: {_listing(classes)}.")
        if funcs:
            parts.append(f"Functions: {_listing(funcs)}.")
        return StructuredDraft(summary=summary, description="\n\n".join(parts))

    def _class(self, facts: FileFacts, target: Target) -> StructuredDraft:
        words = split_words(target.name)
        phrase = _phrase(words)
        bases = [b.rsplit(".", 1)[-1] for b in target.bases if "=" not in b]
        deco = [d.rsplit(".", 1)[-1] for d in target.decorators]
        if any(
            b.endswith(("Error", "Exception")) or b in ("Exception", "BaseException") for b in bases
        ) or target.name.endswith(("Error", "Exception")):
            core = [w for w in words if w.lower() not in ("error", "exception")]
            summary = f"Exception raised for {_phrase(core) or 'these'} errors."
        elif any(b.endswith("Warning") for b in bases) or target.name.endswith("Warning"):
            summary = f"Warning category for {phrase}."
        elif any(b in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag") for b in bases):
            summary = f"Enumeration of {phrase} values."
        elif "Protocol" in bases:
            summary = f"Protocol for {phrase} objects."
        elif any(b.endswith("TestCase") for b in bases) or target.name.startswith("Test"):
            core = [w for w in words if w.lower() not in ("test", "tests")]
            summary = f"Tests for {_phrase(core) or 'this module'}."
        elif "NamedTuple" in bases or "TypedDict" in bases:
            summary = f"Record type for {phrase}."
        elif "dataclass" in deco:
            summary = f"Data container for {phrase}."
        elif target.name.startswith(("Abstract", "Base")) or "ABC" in bases:
            summary = f"Abstract base class for {phrase}."
        elif target.name.endswith("Mixin"):
            summary = f"Mixin that adds {_phrase(words[:-1]) or phrase} behaviour."
        else:
            summary = f"A {phrase}."
        description = ""
        real_bases = [b for b in bases if b not in ("object", "ABC", "Generic", "Protocol")]
        if real_bases and not summary.startswith("Exception"):
            description = f"Extends {_listing(real_bases)}."
        attrs = {
            a: f"The {_phrase(split_words(a)) or a}."
            for a in target.attributes
            if not a.startswith("_")
        }
        return StructuredDraft(summary=summary, description=description, attributes=attrs)

    # -- functions and methods -----------------------------------------------------------

    def _owner(self, facts: FileFacts, target: Target) -> Target | None:
        if target.kind != "method":
            return None
        return facts.target(target.qualname.rsplit(".", 1)[0])

    def _function(self, facts: FileFacts, target: Target) -> StructuredDraft:
        body = body_facts(facts, target)
        owner = self._owner(facts, target)
        cls_words = _phrase(split_words(owner.name)) if owner is not None else ""
        summary, description = self._summary(facts, target, body, owner, cls_words)
        notes = [description] if description else []
        if body.not_implemented:
            notes.append("Subclasses must override this method.")
        elif body.trivial and target.kind == "method":
            notes.append("This implementation does nothing; subclasses may override it.")
        if target.is_async and not target.yields:
            notes.append("This is a coroutine.")
        params = {p.name: self._param_text(p, target) for p in target.documented_params()}
        returns = ""
        ann = target.returns
        annotated_none = ann is None or ann.strip() in ("None", "NoReturn", "Never")
        if not target.yields and (target.returns_value or not annotated_none):
            returns = self._returns_text(target, body, cls_words)
        yields = self._yields_text(target, body) if target.yields else ""
        raises: dict[str, str] = {}
        for exc in target.raises:
            last = exc.rsplit(".", 1)[-1]
            if not last or not last[0].isupper():
                continue
            raises[exc] = self._raise_text(exc, body)
        return StructuredDraft(
            summary=summary,
            description="\n\n".join(notes),
            params=params,
            returns=returns,
            yields=yields,
            raises=raises,
        )

    def _summary(
        self,
        facts: FileFacts,
        target: Target,
        body: BodyFacts,
        owner: Target | None,
        cls_words: str,
    ) -> tuple[str, str]:
        name = target.name
        obj = f"the {cls_words}" if cls_words else "the object"
        words = split_words(name)
        phrase = _phrase(words)
        first = [p.name for p in target.documented_params()]
        subject = (
            obj
            if target.kind == "method"
            else (f"the given {_phrase(split_words(first[0]))}" if first else "the input")
        )
        setter = next((d for d in target.decorators if d.endswith((".setter", ".deleter"))), None)
        if setter is not None:
            verb = "Set" if setter.endswith(".setter") else "Delete"
            return f"{verb} the {phrase} of {obj}.", ""
        if target.is_property:
            return f"The {phrase} of {obj}.", ""
        if name == "__init__":
            what = cls_words or "object"
            if first:
                return f"Initialize the {what} from {_listing(first, 'and', 5)}.", ""
            return f"Initialize the {what}.", ""
        if name.startswith("__") and name.endswith("__"):
            core = name[2:-2]
            if name in _DUNDER:
                return _DUNDER[name].format(obj=obj, cls=f"the {cls_words or 'class'}"), ""
            base = core[1:] if core[:1] in ("r", "i") and core[1:] in _OPERATORS else core
            if base in _OPERATORS:
                kind = (
                    {"r": " (reflected)", "i": " (in place)"}.get(core[0], "")
                    if base != core
                    else ""
                )
                return f"Implement the {_OPERATORS[base]} operator{kind} for {obj}.", ""
            return f"Implement the {phrase} protocol for {obj}.", ""
        if name == "main":
            return f"Run the command-line entry point of {module_name(facts.path)}.", ""
        if name.startswith("test") and target.kind in ("function", "method"):
            rest = _phrase(words[1:])
            return (f"Test {rest}." if rest else "Run this test."), ""
        if not words:
            return "Run this function.", ""
        head, rest = words[0], _phrase(words[1:])
        if head in ("is", "has", "can", "should", "needs", "supports", "was", "are") and rest:
            verb = {
                "is": "is",
                "has": "has",
                "can": "can",
                "should": "should",
                "needs": "needs",
                "supports": "supports",
                "was": "was",
                "are": "are",
            }[head]
            return f"Return whether {subject} {verb} {rest}.", ""
        if head == "get" and rest:
            return f"Return the {rest}.", ""
        if head == "set" and rest:
            return f"Set the {rest}.", ""
        if head == "to" and rest:
            return f"Convert {subject} to {rest}.", ""
        if head == "as" and rest:
            return f"Return {subject} as {rest}.", ""
        if head == "from" and rest:
            what = cls_words or "the result"
            return f"Create {'a ' + what if cls_words else what} from {rest}.", ""
        if head in ("iter", "iterate") and rest:
            return f"Iterate over the {rest}.", ""
        if head == "on" and rest:
            return f"Handle the {rest} event.", ""
        if head in VERBS:
            verb = head.capitalize()
            if rest:
                return f"{verb} the {rest}.", ""
            return f"{verb} {subject}.", ""
        if body.returns_attribute:
            return f"Return the {_phrase(split_words(body.returns_attribute))} of {obj}.", ""
        if target.yields:
            return f"Yield the {phrase}.", ""
        if target.returns_value:
            return f"Return the {phrase}.", ""
        return f"Handle the {phrase} step.", ""

    def _param_text(self, p: Param, target: Target) -> str:
        words = split_words(p.name)
        ann = _clip(p.annotation) if p.annotation else ""
        is_bool = (ann == "bool") or (p.default in ("True", "False"))
        if p.kind == "var_positional":
            text = _PARAM_PHRASES.get(p.name, "Additional positional arguments")
            if p.name not in ("args",):
                text = f"Additional positional arguments ({_phrase(words)})"
        elif p.kind == "var_keyword":
            text = "Additional keyword arguments"
            if p.name not in ("kwargs", "kwds", "kw"):
                text += f" ({_phrase(words)})"
        elif p.name in _PARAM_PHRASES:
            text = _PARAM_PHRASES[p.name]
        elif is_bool:
            text = f"Whether to use {_phrase(words)}"
        elif words and words[-1] in ("path", "file", "dir", "directory"):
            text = f"The {_phrase(words)}"
        elif words and words[0] in ("num", "n", "max", "min") and len(words) > 1:
            text = (
                {
                    "num": "The number of",
                    "n": "The number of",
                    "max": "The maximum",
                    "min": "The minimum",
                }[words[0]]
                + " "
                + _phrase(words[1:])
            )
        else:
            text = f"The {_phrase(words) or p.name}"
        if ann and p.kind not in ("var_positional", "var_keyword"):
            text += f" ({_safe(ann)})"
        text += "."
        if p.default is not None:
            default = " ".join(p.default.split())
            if "`" in default or len(default) > 40:
                text += " Optional."
            else:
                text += f" Defaults to {default}."
        return text

    def _returns_text(self, target: Target, body: BodyFacts, cls_words: str) -> str:
        ann = target.returns.strip() if target.returns else ""
        suffix = f" ({_safe(ann)})" if ann else ""
        values = list(dict.fromkeys(body.returns))
        if body.returns_self:
            return f"This {cls_words or 'object'} itself, to allow chaining."
        if values and all(v in ("True", "False") for v in values) or ann == "bool":
            return "True if the check holds, otherwise False."
        if body.returns_attribute:
            return f"The {_phrase(split_words(body.returns_attribute))}{suffix}."
        if len(values) == 1 and re.fullmatch(r"[A-Za-z_]\w*", values[0]):
            words = _phrase(split_words(values[0])) or values[0]
            return f"The {words}{suffix}."
        if len(values) == 1:
            return f"The value of {_safe(values[0])}{suffix}."
        if ann:
            return f"The result{suffix}."
        return "The result."

    def _yields_text(self, target: Target, body: BodyFacts) -> str:
        values = list(dict.fromkeys(body.yields))
        if len(values) == 1 and re.fullmatch(r"[A-Za-z_]\w*", values[0]):
            return f"Each {_phrase(split_words(values[0])) or values[0]}."
        if len(values) == 1:
            return f"The values of {_safe(values[0])}."
        return "The generated values."

    def _raise_text(self, exc: str, body: BodyFacts) -> str:
        if exc.rsplit(".", 1)[-1] == "NotImplementedError" and body.not_implemented:
            return "Always; subclasses must implement this."
        cond = body.raise_conditions.get(exc)
        if cond is None:
            return "When the operation fails (re-raised from a handler)."
        if cond.startswith("except:"):
            return f"When {_safe(cond[7:])} is caught during the operation."
        if cond:
            return f"If {_safe(cond)}."
        return "When the operation cannot be completed."


def _listing(names: list[str], conj: str = "and", limit: int = 8) -> str:
    shown = names[:limit]
    more = len(names) - len(shown)
    if more > 0:
        return ", ".join(shown) + f" and {more} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" {conj} " + shown[-1]


class OfflineProvider:
    """The deterministic provider: drafts from code facts, offline, free."""

    name = "offline"

    def __init__(self) -> None:
        """Create the provider (it has no options)."""
        self.model = OFFLINE_MODEL
        self.drafter = OfflineDrafter()

    async def complete(self, request: DraftRequest) -> ProviderResult:
        """Draft from ``request.facts`` and ``request.target``; never touches the network."""
        if request.facts is None or request.target is None:
            raise ProviderError("bad_request", "the offline drafter needs the file's code facts")
        draft = self.drafter.draft(request.facts, request.target)
        data = draft.to_json()
        return ProviderResult(data=data, raw="", usage=Usage(), model=self.model)

    async def aclose(self) -> None:
        """Nothing to release."""
