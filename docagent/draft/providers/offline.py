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
import dataclasses
import re
from dataclasses import dataclass, field

from docagent.code import pyast
from docagent.code.targets import FileFacts, Param, Target
from docagent.draft.models import StructuredDraft, Usage
from docagent.draft.providers.base import DraftRequest, ProviderError, ProviderResult
from docagent.draft.resolve import walk
from docagent.draft.symbols import module_name, target_code

OFFLINE_MODEL = "offline-2"
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
align allow archive backup break broadcast center chunk clip collapse compress connect crop
decompress decrypt dedent deduplicate deny describe digest disconnect draw encrypt estimate
explain feed flatten flip forbid fork grow guess indent infer inject listen login logout
measure mount pad partition peek permit plot poll provide publish reverse rotate scale shift
shorten shrink shuffle sign sleep spawn summarize tick toggle tokenize trim unescape unmount
unwrap
"""
VERBS = frozenset(_VERB_WORDS.split())
#: Words that follow a verb without being its object (``find_all`` is "Find all.", not
#: "Find the all.").
_NOT_OBJECT_WORDS = (
    "all any once left right first last inplace in out up down back away now later recursive "
    "recursively async sync safe safely fast quietly lazy lazily many one next prev previous "
    "strict forever again deep shallow raw direct directly if on off over into with by or and "
    "from to for as"
)
_NOT_OBJECTS = frozenset(_NOT_OBJECT_WORDS.split())

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

#: Parameter names whose meaning is a reliable convention anywhere.
_PARAM_PHRASES = {
    "path": "The file system path",
    "filename": "The name of the file",
    "fname": "The name of the file",
    "fp": "The file object",
    "callback": "The callable to invoke",
    "func": "The function to use",
    "function": "The function to use",
    "timeout": "The timeout, in seconds",
    "encoding": "The text encoding",
    "format_spec": "The format specification",
    "exc_type": "The type of the exception being handled, if any",
    "exc_val": "The exception being handled, if any",
    "exc_value": "The exception being handled, if any",
    "exc_tb": "The traceback of the exception being handled, if any",
    "traceback": "The traceback",
}
_EXC = (
    "The type of the exception being handled, if any",
    "The exception being handled, if any",
    "The traceback of the exception being handled, if any",
)
_CMP = ("The object to compare with",)
#: What the parameters of protocol methods are, by position (the names vary: ``typ``, ``tb``,
#: ``instance``, ``obj``…, the protocol does not).
_PROTOCOL_PARAMS: dict[str, tuple[str, ...]] = {
    "__exit__": _EXC,
    "__aexit__": _EXC,
    "__get__": (
        "The instance the attribute is accessed through, or None",
        "The class that owns the attribute",
    ),
    "__set__": ("The instance the attribute is set on", "The value to set"),
    "__delete__": ("The instance the attribute is deleted from",),
    "__set_name__": ("The class that owns the attribute", "The attribute name"),
    "__getitem__": ("The key or index",),
    "__setitem__": ("The key or index", "The value to set"),
    "__delitem__": ("The key or index",),
    "__missing__": ("The missing key",),
    "__contains__": ("The item to look for",),
    "__getattr__": ("The attribute name",),
    "__getattribute__": ("The attribute name",),
    "__setattr__": ("The attribute name", "The value to set"),
    "__delattr__": ("The attribute name",),
    "__format__": ("The format specification",),
    "__deepcopy__": ("The memo dictionary of objects already copied",),
    "__reduce_ex__": ("The pickle protocol version",),
    "__setstate__": ("The state to restore",),
    "__eq__": _CMP,
    "__ne__": _CMP,
    "__lt__": _CMP,
    "__le__": _CMP,
    "__gt__": _CMP,
    "__ge__": _CMP,
    "__instancecheck__": ("The object to check",),
    "__subclasscheck__": ("The class to check",),
    "__subclasshook__": ("The class to check",),
}
#: What protocol methods return, when the body does not say more.
_PROTOCOL_RETURNS = {
    "__repr__": "A string",
    "__str__": "A string",
    "__format__": "A string",
    "__bytes__": "A bytes object",
    "__len__": "An integer",
    "__hash__": "An integer",
    "__index__": "An integer",
    "__int__": "An integer",
    "__float__": "A float",
    "__complex__": "A complex number",
    "__bool__": "True or False",
    "__contains__": "True or False",
    "__instancecheck__": "True or False",
    "__subclasscheck__": "True or False",
    "__iter__": "An iterator",
    "__aiter__": "An asynchronous iterator",
    "__fspath__": "A str or bytes path",
    "__sizeof__": "An integer",
    "__dir__": "An iterable of attribute names",
}
#: Names that say nothing about a value: described as "The `x` argument", never guessed.
_GENERIC_WORDS = (
    "arg val obj tmp temp var param elem thing stuff foo bar baz spam eggs ham res ret rv "
    "retval result out"
)
_GENERIC_NAMES = frozenset(_GENERIC_WORDS.split())
#: Names of returned variables that say nothing about the value.
_GENERIC_RESULTS = _GENERIC_NAMES | {"value", "data", "x", "y", "z", "output", "answer"}
_MAX_USES = 3


def split_words(name: str) -> list[str]:
    """Split an identifier into lower-case words; acronyms (``HTTP``) keep their case."""
    name = name.strip("_")
    words: list[str] = []
    for part in re.split(r"_+", name):
        for w in re.findall(
            r"[A-Z]{2,}v\d+|[A-Z]+(?=[A-Z][a-z]|\d|\b|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", part
        ):
            keep = (w.isupper() and len(w) > 1) or re.fullmatch(r"[A-Z]{2,}v\d+", w)
            words.append(w if keep else w.lower())
    return words


def _phrase(words: list[str]) -> str:
    return " ".join(words)


def _clip(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _safe(text: str) -> str:
    """Code shown in prose: one line, no backticks (they would be checked as names)."""
    return _clip(text.replace("`", "'"))


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


def _children(node: ast.AST) -> list[ast.AST]:
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


def _walk_own(node: ast.AST):
    """Yield the nodes of a function body without entering nested definitions."""
    stack = list(_children(node))
    while stack:
        n = stack.pop()
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield n
        stack.extend(_children(n))


def _callee(call: ast.Call) -> str:
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


def _add(items: list[str], item: str) -> None:
    if item and item not in items:
        items.append(item)


def _param_uses(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ParamUse]:
    """Read how each parameter of ``fn`` is used in its body (nested scopes that rebind a
    parameter's name are skipped for that name)."""
    a = fn.args
    names = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    uses = {n: ParamUse() for n in names}
    parents: dict[ast.AST, ast.AST] = {}
    shadowed: dict[ast.AST, set[str]] = {}

    def visit(node: ast.AST, hidden: frozenset[str]) -> None:
        for child in _children(node):
            parents[child] = node
            inner = hidden
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                ca = child.args
                bound = {x.arg for x in (*ca.posonlyargs, *ca.args, *ca.kwonlyargs)}
                bound |= {x.arg for x in (ca.vararg, ca.kwarg) if x is not None}
                inner = hidden | bound
            if isinstance(child, ast.Name) and child.id in uses and child.id not in hidden:
                shadowed[child] = set()
            visit(child, inner)

    for stmt in fn.body:
        parents[stmt] = fn
        visit(stmt, frozenset())
    for name_node in shadowed:
        assert isinstance(name_node, ast.Name)
        use = uses[name_node.id]
        p = parents.get(name_node)
        if isinstance(name_node.ctx, ast.Store | ast.Del):
            use.reassigned = True
            continue
        if isinstance(p, ast.Call):
            if p.func is name_node:
                use.called = True
            else:
                _add(use.passed_to, _callee(p))
        elif isinstance(p, ast.Starred) and isinstance(parents.get(p), ast.Call):
            _add(use.forwarded_to, _callee(parents[p]))  # type: ignore[arg-type]
        elif isinstance(p, ast.keyword) and isinstance(parents.get(p), ast.Call):
            call = parents[p]
            assert isinstance(call, ast.Call)
            _add(use.forwarded_to if p.arg is None else use.passed_to, _callee(call))
        elif isinstance(p, ast.Attribute) and p.value is name_node:
            gp = parents.get(p)
            if isinstance(gp, ast.Call) and gp.func is p:
                _add(use.methods, p.attr)
            elif isinstance(p.ctx, ast.Load):
                _add(use.attributes, p.attr)
        elif isinstance(p, ast.Subscript) and p.value is name_node:
            use.indexed = True
        elif isinstance(p, ast.Subscript) and p.slice is name_node:
            container = ast.unparse(p.value)
            _add(use.index_into, container if _SIMPLE_NAME.fullmatch(container) else "?")
        elif isinstance(p, ast.For | ast.AsyncFor | ast.comprehension) and p.iter is name_node:
            use.iterated = True
        elif isinstance(p, ast.Compare):
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
        elif isinstance(p, ast.Return):
            use.returned = True
        elif (
            isinstance(p, ast.Assign)
            and p.value is name_node
            and len(p.targets) == 1
            and isinstance(p.targets[0], ast.Attribute)
            and isinstance(p.targets[0].value, ast.Name)
            and p.targets[0].value.id in ("self", "cls")
        ):
            _add(use.stored, ast.unparse(p.targets[0]))
    return uses


def body_facts(facts: FileFacts, target: Target) -> BodyFacts:
    """Analyse the target's body with :mod:`ast` (empty facts when it cannot be parsed)."""
    out = BodyFacts()
    try:
        tree = pyast.parse(target_code(facts, target), quiet=True)
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
    for n in walk(fn):
        for c in _children(n):
            parents[c] = n
    for n in _walk_own(fn):
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
            name = ast.unparse(exc)
            child: ast.AST = n
            p = parents.get(n)
            cond = ""
            while p is not None and p is not fn:
                if isinstance(p, ast.If):
                    test = p.test
                    if child in p.orelse:  # the else branch raises: the test is false
                        test = ast.UnaryOp(op=ast.Not(), operand=p.test)
                    cond = _readable_condition(test, fn)
                    break
                if isinstance(p, ast.ExceptHandler):
                    caught = ast.unparse(p.type) if p.type is not None else "an exception"
                    cond = f"except:{caught}"
                    break
                child, p = p, parents.get(p)
            out.raise_conditions.setdefault(name, cond)
    # ``_walk_own`` pops from a stack: put returns back in source order
    order = sorted(range(len(out.return_nodes)), key=lambda i: _pos(out.return_nodes[i]))
    out.return_nodes = [out.return_nodes[i] for i in order]
    out.returns = [out.returns[i] for i in order]
    if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
        exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
        out.not_implemented = ast.unparse(exc).endswith("NotImplementedError")
    if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
        v = body[0].value
        if not (isinstance(v, ast.Constant) and v.value is None):
            out.single_return = v
        if (
            isinstance(v, ast.Attribute)
            and isinstance(v.value, ast.Name)
            and v.value.id in ("self", "cls")
        ):
            out.returns_attribute = v.attr
    out.returns_self = bool(out.returns) and all(r == "self" for r in out.returns)
    out.uses = _param_uses(fn)
    return out


def _readable_condition(test: ast.expr, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The condition of a raising branch as a reader can check it, or "" when it cannot be.

    A condition that names a local variable of the body is not shown (the reader cannot see
    the variable); a bare ``*args``/``**kwargs`` truth test is said in words.
    """
    a = fn.args
    params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    packs = {x.arg: kind for x, kind in ((a.vararg, "positional"), (a.kwarg, "keyword")) if x}
    params |= set(packs)
    bare = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else test
    if isinstance(bare, ast.Name) and bare.id in packs:
        given = "no" if bare is not test else "any"
        return f"words:If {given} extra {packs[bare.id]} arguments are given."
    assigned = {
        n.id
        for n in _walk_own(fn)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id not in params
    }
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    if names & assigned:
        return ""
    return ast.unparse(test)


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class OfflineDrafter:
    """Build a :class:`StructuredDraft` for any target from its code facts."""

    def draft(
        self, facts: FileFacts, target: Target, init_in_class: bool = False
    ) -> StructuredDraft:
        """Return a draft for ``target`` of ``facts``.

        ``init_in_class``: a class's draft documents the arguments and exceptions of an
        undocumented ``__init__`` (for repositories that want no ``__init__`` docstrings).
        """
        if target.kind == "module":
            return self._module(facts, target)
        if target.kind == "class":
            return self._class(facts, target, init_in_class)
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

    def _class(
        self, facts: FileFacts, target: Target, init_in_class: bool = False
    ) -> StructuredDraft:
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
        init = facts.target(target.qualname + ".__init__")
        stored: dict[str, str] = {}
        params: dict[str, str] = {}
        raises: dict[str, str] = {}
        if init is not None:
            init_body = body_facts(facts, init)
            if init_in_class and init.docstring is None:
                params = {
                    p.name: self._param_text(p, init, init_body) for p in init.documented_params()
                }
                raises = self._raises(init, init_body)
            for pname, use in init_body.uses.items():
                for attr in use.stored:
                    stored.setdefault(attr.split(".", 1)[1], pname)
        attrs = {}
        for a in target.attributes:
            if a.startswith("_"):
                continue
            text = f"The {_phrase(split_words(a))}." if meaningful(a) else f"The `{a}` attribute."
            if a in stored:
                text += f" Set from the {stored[a]} argument."
            attrs[a] = text
        return StructuredDraft(
            summary=summary,
            description=description,
            params=params,
            raises=raises,
            attributes=attrs,
        )

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
        params = {p.name: self._param_text(p, target, body) for p in target.documented_params()}
        returns = ""
        ann = target.returns
        annotated_none = ann is None or ann.strip() in ("None", "NoReturn", "Never")
        if not target.yields and (target.returns_value or not annotated_none):
            returns = self._returns_text(target, body, cls_words)
        yields = self._yields_text(target, body) if target.yields else ""
        raises = self._raises(target, body)
        return StructuredDraft(
            summary=summary,
            description="\n\n".join(notes),
            params=params,
            returns=returns,
            yields=yields,
            raises=raises,
        )

    def _raises(self, target: Target, body: BodyFacts) -> dict[str, str]:
        """What the function's ``raise`` statements raise, by exception class."""
        raises: dict[str, str] = {}
        for exc in target.raises:
            last = exc.rsplit(".", 1)[-1]
            if not last or not last[0].isupper():
                continue
            raises[exc] = self._raise_text(exc, body)
        return raises

    def _subject(self, target: Target, cls_words: str) -> str:
        """What a method acts on (its object) or a function on (its first parameter)."""
        if target.kind == "method":
            return f"the {cls_words}" if cls_words else "the object"
        first = [p for p in target.documented_params() if p.kind not in _VAR_KINDS]
        if not first:
            return ""
        name = first[0].name
        return f"the given {_phrase(split_words(name))}" if meaningful(name) else f"`{name}`"

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
        params = target.documented_params()
        first = [p.name for p in params]
        subject = self._subject(target, cls_words)
        setter = next((d for d in target.decorators if d.endswith((".setter", ".deleter"))), None)
        if setter is not None:
            verb = "Set" if setter.endswith(".setter") else "Delete"
            return f"{verb} the {phrase} of {obj}.", ""
        if target.is_property:
            if len(words) > 1 and words[0] in _PREDICATES:
                return f"Whether {_predicate(obj, words[0], _phrase(words[1:]))}.", ""
            return f"The {phrase} of {obj}.", ""
        if name == "__init__":
            what = cls_words or "object"
            if first and len(first) <= 4:
                return f"Initialize the {what} from {_listing(first, 'and', 4)}.", ""
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
        if head in _PREDICATES and rest:
            return f"Return True if {_predicate(subject, head, rest)}.", ""
        if head == "get" and rest:
            return _verb_phrase("Return", words[1:]), ""
        if head == "set" and rest:
            return _verb_phrase("Set", words[1:]), ""
        if head == "to" and rest:
            return f"Convert {subject or 'the value'} to {rest}.", ""
        if head == "as" and rest:
            return f"Return {subject or 'the value'} as {rest}.", ""
        if head == "from" and rest:
            what = cls_words or "the result"
            return f"Create {'a ' + what if cls_words else what} from {rest}.", ""
        if head in ("iter", "iterate") and rest:
            return f"Iterate over the {rest}.", ""
        if head == "on" and rest:
            return f"Handle the {rest} event.", ""
        if head not in VERBS and "to" in words[1:-1]:
            i = words.index("to", 1)
            return f"Convert {_phrase(words[:i])} to {_phrase(words[i + 1 :])}.", ""
        returned = self._returned_phrase(target, body)
        if head in VERBS:
            verb = head.capitalize()
            if rest:
                return _verb_phrase(verb, words[1:]), ""
            named = [p for p in params if p.kind not in _VAR_KINDS]
            required = named[0].name if named and named[0].default is None else ""
            if required and meaningful(required):
                given = "the" if target.kind == "method" else "the given"
                return f"{verb} {given} {_phrase(split_words(required))}.", ""
            if target.kind == "method":
                return (f"{verb} using `{required}`." if required else f"{verb} {obj}."), ""
            if returned:
                return f"Return {returned}.", ""
            if params:
                return f"{verb} {_listing([f'`{p}`' for p in first], 'and', 3)}.", ""
            return f"Perform the {head} operation.", ""
        if body.returns_attribute:
            attr = body.returns_attribute
            if meaningful(attr):
                return f"Return the {_phrase(split_words(attr))} of {obj}.", ""
            return f"Return the value of self.{attr}.", ""
        if body.return_nodes and all(_is_boolean(n) for n in body.return_nodes):
            if len(body.return_nodes) == 1 and not isinstance(body.return_nodes[0], ast.Constant):
                code = _short_code(body.return_nodes[0])
                if code:
                    return f"Return True if {code}.", ""
            if not returned and meaningful(name):
                return f"Return the result of the {phrase} check.", ""
        if returned:
            return f"Return {returned}.", ""
        args = _listing([f"`{p}`" for p in first], "and", 3)
        if not meaningful(name):
            if target.yields:
                return (f"Yield values computed from {args}." if args else "Yield values."), ""
            if target.returns_value:
                return (f"Compute a value from {args}." if args else "Compute a value."), ""
            return f"Perform the `{name}` operation.", ""
        plural = words[-1].endswith("s") and not words[-1].endswith("ss")
        if target.yields:
            return (f"Yield the {phrase}." if plural else f"Yield the {phrase} values."), ""
        if target.returns_value:
            if len(words) == 1 or words[-1] in _NOT_OBJECTS or words[0] in _NOT_OBJECTS:
                return f"Return the {phrase} result.", ""
            return f"Return the {phrase}.", ""
        return f"Perform the {phrase} operation.", ""

    def _returned_phrase(self, target: Target, body: BodyFacts) -> str:
        """What a one-statement ``return`` body returns, quoted when that says it all."""
        node = body.single_return
        if node is None:
            return ""
        if isinstance(node, ast.Name):
            use = body.uses.get(node.id)
            if use is not None and not use.reassigned:
                return f"`{node.id}` unchanged"
            return ""
        return _short_code(node)

    def _param_text(self, p: Param, target: Target, body: BodyFacts | None = None) -> str:
        words = split_words(p.name)
        use = body.uses.get(p.name, ParamUse()) if body is not None else ParamUse()
        ann = _clip(p.annotation) if p.annotation else ""
        is_bool = (ann == "bool") or (p.default in ("True", "False"))
        is_dunder = target.name.startswith("__") and target.name.endswith("__")
        protocol = ""
        if target.kind == "method" and target.name in _PROTOCOL_PARAMS:
            named = [q.name for q in target.documented_params() if q.kind not in _VAR_KINDS]
            meanings = _PROTOCOL_PARAMS[target.name]
            if p.name in named and named.index(p.name) < len(meanings):
                protocol = meanings[named.index(p.name)]
        usage = ""
        if p.kind == "var_positional":
            if use.forwarded_to:
                text = "Positional arguments passed on to " + _calls(use.forwarded_to)
            else:
                text = "Additional positional arguments"
        elif p.kind == "var_keyword":
            if use.forwarded_to:
                text = "Keyword arguments passed on to " + _calls(use.forwarded_to)
            else:
                text = "Additional keyword arguments"
        else:
            usage = _use_text(use)
            if protocol:
                text = protocol
            elif p.name == "other" and is_dunder:
                text = "The other operand"
            elif p.name in _PARAM_PHRASES:
                text = _PARAM_PHRASES[p.name]
            elif is_bool and len(words) > 1 and words[0] in VERBS and words[0] not in ("set",):
                text = f"Whether to {_phrase(words)}"
            elif is_bool and meaningful(p.name):
                text = f"The {_phrase(words)} {'flag' if ann == 'bool' else 'option'}"
            elif (
                len(words) > 1
                and words[0] in ("num", "n", "max", "min")
                and meaningful("_".join(words[1:]))
            ):
                lead = {"num": "number of", "n": "number of", "max": "maximum", "min": "minimum"}
                text = f"The {lead[words[0]]} {_phrase(words[1:])}"
            elif meaningful(p.name):
                text = f"The {_phrase(words)}"
            else:
                text = f"The `{p.name}` argument"
        if ann and p.kind not in ("var_positional", "var_keyword"):
            text += f" ({_safe(ann)})"
        text += "."
        if usage:
            text += " " + usage
        if p.default is not None:
            default = " ".join(p.default.split())
            if "`" in default or len(default) > 40:
                text += " Optional."
            else:
                text += f" Defaults to {default}."
        return text

    def _returns_text(self, target: Target, body: BodyFacts, cls_words: str) -> str:
        nodes = body.return_nodes
        keep = [i for i, n in enumerate(nodes) if not _is_not_implemented(n)]
        if nodes and 0 < len(keep) < len(nodes):  # a binary operator's "I cannot do this"
            rest = dataclasses.replace(
                body,
                returns=[body.returns[i] for i in keep],
                return_nodes=[nodes[i] for i in keep],
            )
            text = self._returns_text(target, rest, cls_words).rstrip(".")
            return f"{text}; NotImplemented when it does not support the other operand."
        ann = target.returns.strip() if target.returns else ""
        suffix = f" ({_safe(ann)})" if ann else ""
        values = list(dict.fromkeys(body.returns))
        nodes = body.return_nodes
        if body.returns_self and target.name in ("__enter__", "__aenter__"):
            subject = cls_words or "object"
            return f"This {subject} itself, which the with statement binds to its as target."
        if body.returns_self:
            return f"This {cls_words or 'object'} itself, to allow chaining."
        if len(values) == 1 and isinstance(nodes[0], ast.Constant):
            if target.name in ("__exit__", "__aexit__") and values[0] in ("False", "None"):
                return f"Always {values[0]}: an exception raised in the with block propagates."
            if target.name in ("__exit__", "__aexit__") and values[0] == "True":
                return "Always True: an exception raised in the with block is suppressed."
            return f"Always {_safe(values[0])}."
        if ann == "bool" or (nodes and all(_is_boolean(n) for n in nodes)):
            words = split_words(target.name)
            if words and words[0] in _PREDICATES and len(words) > 1:
                cond = _predicate(self._subject(target, cls_words), words[0], _phrase(words[1:]))
                return f"True if {cond}, otherwise False."
            if len(nodes) == 1 and not isinstance(nodes[0], ast.Constant):
                code = _short_code(nodes[0])
                if code:
                    return f"True if {code}, otherwise False."
            return "True or False."
        if body.returns_attribute:
            attr = body.returns_attribute
            if meaningful(attr):
                return f"The {_phrase(split_words(attr))}{suffix}."
            return f"The value of self.{attr}{suffix}."
        params = {p.name for p in target.params}
        generic = f"The result{suffix}." if ann else "The computed value."
        if target.kind == "method" and target.name in _PROTOCOL_RETURNS:
            generic = f"{_PROTOCOL_RETURNS[target.name]}{suffix}."
        if len(values) == 1:
            text = _describe_value(nodes[0], params, body, suffix)
            return generic if text in (f"The result{suffix}.", "The computed value.") else text
        if nodes and all(isinstance(n, ast.Tuple) for n in nodes):
            sizes = {len(n.elts) for n in nodes if isinstance(n, ast.Tuple)}
            if len(sizes) == 1:
                return f"A tuple of {sizes.pop()} values{suffix}."
        return generic

    def _yields_text(self, target: Target, body: BodyFacts) -> str:
        values = list(dict.fromkeys(body.yields))
        params = {p.name for p in target.params}
        if len(values) == 1 and re.fullmatch(r"[A-Za-z_]\w*", values[0]):
            v = values[0]
            if v in params:
                return f"Values of the `{v}` argument."
            source = _code(body.loops.get(v, ""), 50)
            if source and not body.yields_from:
                return f"Each item of {source}."
            if meaningful(v) and v not in _GENERIC_RESULTS:
                return f"Each {_phrase(split_words(v))}."
            return "The generated values."
        if len(values) == 1:
            code = _code(values[0])
            return f"The values of {code}." if code else "The generated values."
        return "The generated values."

    def _raise_text(self, exc: str, body: BodyFacts) -> str:
        if exc.rsplit(".", 1)[-1] == "NotImplementedError" and body.not_implemented:
            return "Always; subclasses must implement this."
        cond = body.raise_conditions.get(exc)
        if cond is None:
            return "When the operation fails (re-raised from a handler)."
        if cond.startswith("except:"):
            return f"When {_safe(cond[7:])} is caught during the operation."
        if cond.startswith("words:"):
            return cond[6:]
        if cond:
            return f"If {_safe(cond)}."
        return "When the operation cannot be completed."


def _is_not_implemented(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "NotImplemented"


_VAR_KINDS = ("var_positional", "var_keyword")
_PREDICATES = {
    "is": "is",
    "has": "has",
    "can": "can",
    "should": "should",
    "needs": "needs",
    "supports": "supports",
    "was": "was",
    "are": "are",
}


def meaningful(name: str) -> bool:
    """True when ``name`` reads as words (``initial_indent``), not a letter or a generic name.

    One- to three-letter names (``s``, ``lo``, ``pat``) and generic names (``obj``, ``arg``,
    ``result``) say nothing reliable about a value, so they are never turned into prose.
    """
    words = split_words(name)
    bare = name.strip("_").lower()
    if not words or bare in _GENERIC_NAMES:
        return False
    if len(words) == 1:
        return len(words[0]) >= 4 and not words[0].isdigit()
    return sum(len(w) for w in words) >= 5 and any(len(w) >= 3 for w in words)


def _predicate(subject: str, head: str, rest: str) -> str:
    verb = _PREDICATES[head]
    if subject:
        return f"{subject} {verb} {rest}"
    return f"the {rest} check passes"


def _verb_phrase(verb: str, rest: list[str]) -> str:
    """``Find all links.`` / ``Parse the header.``: no article before adverbs and particles."""
    if rest[0] in _NOT_OBJECTS:
        return f"{verb} {_phrase(rest)}."
    return f"{verb} the {_phrase(rest)}."


def _calls(callees: list[str]) -> str:
    return _listing([f"{c}()" for c in callees[:2]], "and", 2)


def _use_text(use: ParamUse) -> str:
    """Describe what the body visibly does with a parameter, in at most three facts."""
    parts: list[str] = []
    if use.stored:
        parts.append(f"stored as {use.stored[0]}")
    if use.called:
        parts.append("called")
    if use.iterated:
        parts.append("iterated over")
    if use.indexed:
        parts.append("indexed")
    if use.index_into:
        where = [c for c in use.index_into if c != "?"][:2]
        parts.append("used to index " + _listing(where) if where else "used as an index")
    if use.none_checked:
        parts.append("checked for None")
    if use.compared_with:
        parts.append("compared with " + _listing([_safe(c) for c in use.compared_with[:2]], "and"))
    if use.passed_to:
        parts.append("passed to " + _calls(use.passed_to))
    parts = parts[:_MAX_USES]
    room = _MAX_USES - len(parts)
    tail: list[str] = []
    if room > 0 and use.methods:
        ms = use.methods[:2]
        many = len(ms) > 1
        tail.append(
            f"Its {_listing([m + '()' for m in ms])} method{'s are' if many else ' is'} called."
        )
        room -= 1
    if room > 0 and use.attributes:
        at = use.attributes[:2]
        many = len(at) > 1
        tail.append(f"Its {_listing(at)} attribute{'s are' if many else ' is'} read.")
    if not parts and not tail and use.returned:
        parts.append("returned")
    out = []
    if parts:
        out.append("It is " + _listing(parts) + ".")
    out.extend(tail)
    return " ".join(out)


_SIMPLE_NAME = re.compile(r"~?[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\(\))?")


def _code(text: str, limit: int = 60) -> str:
    """Code in prose: in backticks unless it is a bare (possibly dotted) name, which the names
    check would look up; '' when it is too long to help."""
    text = " ".join(text.replace("`", "'").split())
    if len(text) > limit:
        return ""
    if _SIMPLE_NAME.fullmatch(text):
        return text
    return f"`{text}`"


def _short_code(node: ast.expr | None) -> str:
    """A short expression worth quoting in a summary (calls with long arguments are not)."""
    if node is None:
        return ""
    return _code(ast.unparse(node), 50)


def _is_boolean(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not)
    if isinstance(node, ast.BoolOp):
        return all(_is_boolean(v) for v in node.values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("isinstance", "issubclass", "callable", "hasattr", "bool")
    return False


_CONSTRUCTED = {
    "list": "A list",
    "tuple": "A tuple",
    "dict": "A dict",
    "set": "A set",
    "frozenset": "A frozenset",
    "sorted": "A sorted list",
    "str": "A string",
    "repr": "A string",
    "int": "An integer",
    "float": "A float",
    "bytes": "A bytes object",
    "str.join": "The joined string",
    "str.format": "A formatted string",
}


def _describe_value(node: ast.expr, params: set[str], body: BodyFacts, suffix: str) -> str:
    """Say what the single returned expression ``node`` is, without guessing its meaning."""
    if isinstance(node, ast.Name):
        name = node.id
        use = body.uses.get(name)
        if name in params and use is not None:
            if use.reassigned:
                return f"The final value of `{name}`{suffix}."
            return f"The `{name}` argument{suffix}."
        if meaningful(name) and name not in _GENERIC_RESULTS:
            return f"The {_phrase(split_words(name))}{suffix}."
        return f"The result{suffix}." if suffix else "The computed value."
    if isinstance(node, ast.Tuple):
        code = _code(ast.unparse(node), 50)
        if code and all(isinstance(e, ast.Name | ast.Constant | ast.Attribute) for e in node.elts):
            return f"The tuple {code}{suffix}."
        return f"A tuple of {len(node.elts)} values{suffix}."
    if isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):
        return f"A formatted string{suffix}."
    if isinstance(node, ast.List | ast.ListComp):
        return f"A list{suffix}."
    if isinstance(node, ast.Dict | ast.DictComp):
        return f"A dict{suffix}."
    if isinstance(node, ast.Set | ast.SetComp):
        return f"A set{suffix}."
    if isinstance(node, ast.GeneratorExp):
        return f"A generator{suffix}."
    if isinstance(node, ast.Call):
        callee = _callee(node)
        if callee in _CONSTRUCTED:
            return f"{_CONSTRUCTED[callee]}{suffix}."
        if callee == "len" and len(node.args) == 1:
            arg = _code(ast.unparse(node.args[0]), 40)
            if arg:
                return f"The length of {arg}."
        code = _code(ast.unparse(node))
        if code:
            return f"The result of {code}{suffix}."
        if callee:
            return f"The result of {callee}(){suffix}."
    code = _code(ast.unparse(node))
    if code and not _SIMPLE_NAME.fullmatch(code):
        return f"The value of {code}{suffix}."
    if isinstance(node, ast.Attribute) and code:
        return f"The value of {code}{suffix}."
    return f"The result{suffix}." if suffix else "The computed value."


def _listing(names: list[str], conj: str = "and", limit: int = 8) -> str:
    shown = names[:limit]
    if not shown:
        return ""
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
        draft = self.drafter.draft(request.facts, request.target, request.init_in_class)
        data = draft.to_json()
        return ProviderResult(data=data, raw="", usage=Usage(), model=self.model)

    async def aclose(self) -> None:
        """Nothing to release."""
