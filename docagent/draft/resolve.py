"""Resolved references: what a call in the repository's code refers to, across files.

:class:`Resolver` reads every file of the repository once (:func:`docagent.code.pyast.parse`, one
thread at a time: the CPython 3.11 parser is not thread-safe) and resolves calls the way a reader
would:

- names bound in the module (functions, classes) and by imports, including relative imports and
  names re-exported by a package's ``__init__``;
- ``self.x()`` and ``cls.x()`` through the class and its base classes anywhere in the
  repository (the method resolution order), ``super().x()`` from the next class in it;
- ``self.attr.x()`` through the type of ``attr``: class-level annotations and assignments, and
  ``self.attr = ...`` in any method (a constructor call, an annotated parameter, an annotation);
- methods called on parameters and locals whose type is known (annotations, ``x = Cls(...)``,
  return annotations of repository functions).

Anything it cannot resolve is left out: a call on a value of unknown type (``links.get(key)``
on a dict) is never taken for a call of a repository method of the same name. Callers are the
inverse of callees, so they are resolved references too (:meth:`Resolver.callers`).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from docagent.code import pyast

_EXTERNAL = "<external>"
#: Bases that define nothing a call could reach (typing helpers, ``object``).
_NEUTRAL_BASES = {"object", "Protocol", "Generic", "ABC", "NamedTuple", "TypedDict"}

#: A reference to a repository definition: ``(path, qualname)``; ``(path, "<module>")`` is a
#: module.
Ref = tuple[str, str]


@dataclass(frozen=True)
class Inst:
    """An instance of the repository class ``cls``."""

    cls: Ref


@dataclass(frozen=True)
class Site:
    """One resolved call: where it is, in which target, and what it calls."""

    path: str
    line: int
    caller: str
    callee: Ref


@dataclass
class _Class:
    ref: Ref
    node: ast.ClassDef
    module: str
    methods: dict[str, str] = field(default_factory=dict)
    #: attribute name -> (expression or annotation, is_annotation, defining function)
    attrs: dict[str, tuple[ast.expr, bool, ast.AST | None]] = field(default_factory=dict)
    #: methods whose ``self.x = ...`` assignments are not read yet (read on first lookup)
    pending: list[ast.AST] = field(default_factory=list)


def module_of(path: str) -> str:
    """Return the dotted module name of a repository path (``pkg/__init__.py`` -> ``pkg``)."""
    mod = path[:-3] if path.endswith(".py") else path
    mod = mod.replace("/", ".")
    if mod.endswith(".__init__"):
        mod = mod[: -len(".__init__")]
    return mod


def _module_names(path: str, paths: Iterable[str]) -> list[str]:
    """The dotted names ``path`` is imported by: its full name and, for a ``src``-style layout,
    the name without leading directories that are not packages."""
    known = set(paths)
    parts = path.split("/")
    names = [module_of(path)]
    for i in range(1, len(parts)):
        prefix = "/".join(parts[:i])
        if f"{prefix}/__init__.py" in known:
            break
        names.append(module_of("/".join(parts[i:])))
    return names


def _parse(text: str) -> ast.Module | None:
    try:
        return pyast.parse(text, quiet=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # hostile code: no graph
        return None


_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Resolver:
    """Resolve calls across the repository's files (see the module docstring)."""

    def __init__(self, texts: dict[str, str], trees: Mapping[str, ast.Module] | None = None):
        """Index every file of ``texts`` (path -> source); ``trees`` are files already parsed."""
        self.trees: dict[str, ast.Module] = {}
        self.modules: dict[str, str] = {}  # dotted name -> path
        self.globals: dict[str, dict[str, tuple[str, ...]]] = {}
        self.classes: dict[Ref, _Class] = {}
        self.functions: dict[Ref, ast.AST] = {}  # functions and methods
        self.owner: dict[Ref, Ref] = {}  # method -> its class
        parsed = trees or {}
        for path in sorted(texts):
            tree = parsed.get(path) or _parse(texts[path])
            if tree is None:
                continue
            self.trees[path] = tree
        for path in self.trees:
            for name in _module_names(path, self.trees):
                self.modules.setdefault(name, path)
        for path, tree in self.trees.items():
            self._index(path, tree)
        self._mro: dict[Ref, list[Ref]] = {}
        self._attr_types: dict[tuple[Ref, str], Ref | Inst | None] = {}
        self._callees: dict[Ref, list[tuple[Ref, int]]] = {}
        self._callers: dict[Ref, list[Site]] | None = None
        #: what each function's own nodes give a scope (:func:`_own_facts`), read once
        self._own: dict[ast.AST, _OwnFacts] = {}

    # ------------------------------------------------------------------ indexing

    def _index(self, path: str, tree: ast.Module) -> None:
        names: dict[str, tuple[str, ...]] = {}
        self.globals[path] = names
        package = module_of(path)
        if not path.endswith("__init__.py"):
            package = package.rpartition(".")[0]
        for node in tree.body:
            self._bind(path, package, node, names)
        self._walk_defs(path, tree.body, "")

    def _bind(
        self, path: str, package: str, node: ast.stmt, names: dict[str, tuple[str, ...]]
    ) -> None:
        if isinstance(node, (*_FUNCS, ast.ClassDef)):
            names[node.name] = ("def", path, node.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    names[a.asname] = ("mod", a.name)
                else:
                    top = a.name.split(".")[0]
                    names[top] = ("mod", top)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                up = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*up, base] if base else up)
            for a in node.names:
                if a.name == "*":
                    continue
                names[a.asname or a.name] = ("from", base, a.name)
        elif isinstance(node, (ast.If, ast.Try)):
            for sub in [*node.body, *getattr(node, "orelse", [])]:
                self._bind(path, package, sub, names)
            for handler in getattr(node, "handlers", []):
                for sub in handler.body:
                    self._bind(path, package, sub, names)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(node.value, (ast.Name, ast.Attribute)):
                names.setdefault(target.id, ("alias", path, node.value))  # type: ignore[arg-type]

    def _walk_defs(self, path: str, body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                qual = prefix + node.name
                cls = _Class((path, qual), node, module_of(path))
                self.classes[cls.ref] = cls
                for item in node.body:
                    if isinstance(item, _FUNCS):
                        cls.methods[item.name] = f"{qual}.{item.name}"
                        ref = (path, f"{qual}.{item.name}")
                        self.functions[ref] = item
                        self.owner[ref] = cls.ref
                        cls.pending.append(item)
                    elif isinstance(item, ast.ClassDef):
                        cls.methods[item.name] = f"{qual}.{item.name}"
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        cls.attrs[item.target.id] = (item.annotation, True, None)
                    elif isinstance(item, ast.Assign):
                        for t in item.targets:
                            if isinstance(t, ast.Name):
                                cls.attrs.setdefault(t.id, (item.value, False, None))
                self._walk_defs(
                    path, [n for n in node.body if isinstance(n, ast.ClassDef)], qual + "."
                )
            elif isinstance(node, _FUNCS):
                self.functions[(path, prefix + node.name)] = node

    @staticmethod
    def _self_attrs(cls: _Class, fn: ast.AST) -> None:
        args = fn.args.posonlyargs + fn.args.args  # type: ignore[attr-defined]
        if not args:
            return
        me = args[0].arg
        for node in _statements(fn):  # the assignments of walk(fn), in its order
            if type(node) is ast.AnnAssign:
                target = node.target
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == me
                ):
                    cls.attrs[target.attr] = (node.annotation, True, fn)
            elif type(node) is ast.Assign:
                init = getattr(fn, "name", "") == "__init__"
                for t in node.targets:
                    if not (
                        isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id == me
                    ):
                        continue
                    if t.attr not in cls.attrs or init:
                        cls.attrs[t.attr] = (node.value, False, fn)

    # ------------------------------------------------------------------ names

    def module_attr(self, module: str, name: str, seen: frozenset[str] = frozenset()) -> Ref | None:
        """Resolve ``module.name``: a definition, an import re-exported by it, or a submodule."""
        key = f"{module}:{name}"
        if key in seen:
            return None
        seen = seen | {key}
        path = self.modules.get(module)
        if path is not None:
            bound = self.globals.get(path, {}).get(name)
            if bound is not None:
                ref = self._binding(path, bound, seen)
                if ref is not None:
                    return ref
        sub = self.modules.get(f"{module}.{name}" if module else name)
        return (sub, "<module>") if sub is not None else None

    def _binding(self, path: str, bound: tuple, seen: frozenset[str]) -> Ref | None:
        kind = bound[0]
        if kind == "def":
            return (bound[1], bound[2])
        if kind == "mod":
            mod = self.modules.get(bound[1])
            return (mod, "<module>") if mod is not None else None
        if kind == "from":
            return self.module_attr(bound[1], bound[2], seen)
        if kind == "alias":
            value = self._static_ref(bound[1], bound[2], seen)
            return value
        return None

    def _static_ref(self, path: str, expr: ast.expr, seen: frozenset[str]) -> Ref | None:
        if isinstance(expr, ast.Name):
            bound = self.globals.get(path, {}).get(expr.id)
            if bound is None or bound[0] == "alias":
                return None
            return self._binding(path, bound, seen)
        if isinstance(expr, ast.Attribute):
            base = self._static_ref(path, expr.value, seen)
            if base is None:
                return None
            return self.member(base, expr.attr)
        return None

    def global_ref(self, path: str, name: str) -> Ref | None:
        """Resolve a module-level ``name`` of ``path``."""
        bound = self.globals.get(path, {}).get(name)
        return self._binding(path, bound, frozenset()) if bound is not None else None

    def member(self, ref: Ref, name: str) -> Ref | None:
        """Resolve ``name`` on a module or class reference."""
        path, qual = ref
        if qual == "<module>":
            return self.module_attr(module_of(path), name)
        if ref in self.classes:
            found = self.lookup(ref, name)
            return found if isinstance(found, tuple) else None
        return None

    # ------------------------------------------------------------------ classes

    def bases(self, ref: Ref) -> list[Ref]:
        """The repository classes ``ref`` derives from directly, in order."""
        return [b for b in self._bases(ref) if b[0] != _EXTERNAL]

    def _bases(self, ref: Ref) -> list[Ref]:
        """Direct bases in order; a base outside the repository is ``(_EXTERNAL, name)``."""
        cls = self.classes.get(ref)
        if cls is None:
            return []
        out = []
        for b in cls.node.bases:
            if isinstance(b, ast.Subscript):  # ``Base[KT, VT]``
                b = b.value
            r = self._static_ref(ref[0], b, frozenset())
            if r is None and isinstance(b, ast.Name):
                r = (ref[0], b.id) if (ref[0], b.id) in self.classes else None
            if r is not None and r in self.classes and r != ref:
                out.append(r)
            elif r is None:
                head = b.value if isinstance(b, ast.Subscript) else b
                name = _source_of(head)
                if name.rsplit(".", 1)[-1] not in _NEUTRAL_BASES:
                    out.append((_EXTERNAL, name))
        return out

    def mro(self, ref: Ref) -> list[Ref]:
        """The method resolution order of ``ref`` (C3, else depth-first); a base outside the
        repository appears as ``(_EXTERNAL, name)``: a name may be defined there."""
        if ref in self._mro:
            return self._mro[ref]
        self._mro[ref] = [ref]  # cycle guard
        direct = self._bases(ref)
        seqs = [self.mro(b) if b[0] != _EXTERNAL else [b] for b in direct] + [direct]
        out = [ref]
        seqs = [list(s) for s in seqs if s]
        while seqs:
            for seq in seqs:
                head = seq[0]
                if not any(head in s[1:] for s in seqs):
                    break
            else:  # inconsistent hierarchy: fall back to depth-first order
                rest = [c for s in seqs for c in s]
                out.extend(dict.fromkeys(c for c in rest if c not in out))
                break
            out.append(head)
            seqs = [[c for c in s if c != head] for s in seqs]
            seqs = [s for s in seqs if s]
        self._mro[ref] = out
        return out

    def lookup(self, cls: Ref, name: str, after: Ref | None = None) -> Ref | Inst | None:
        """Find ``name`` on class ``cls``: a method reference, or an attribute's type.

        ``after`` starts the search after that class in the MRO (``super()``).
        """
        order = self.mro(cls)
        if after is not None and after in order:
            order = order[order.index(after) + 1 :]
        for c in order:
            if c[0] == _EXTERNAL:
                return None  # a base outside the repository may define it
            info = self.classes[c]
            if name in info.methods:
                return (c[0], info.methods[name])
            while info.pending:
                self._self_attrs(info, info.pending.pop(0))
            if name in info.attrs:
                key = (c, name)
                if key not in self._attr_types:
                    self._attr_types[key] = None  # recursion guard: unknown while resolving
                    expr, is_ann, fn = info.attrs[name]
                    scope = _Scope(self, c[0], fn, c)
                    if (
                        fn is None
                        and isinstance(expr, ast.Name)
                        and expr.id != name
                        and (expr.id in info.methods or expr.id in info.attrs)
                    ):  # ``_update = update`` in the class body: another member
                        found = self.lookup(c, expr.id)
                    else:
                        found = scope.annotation(expr) if is_ann else scope.type_of(expr)
                    self._attr_types[key] = found
                return self._attr_types[key]
        return None

    def overridden(self, ref: Ref) -> Ref | None:
        """The base-class method that method ``ref`` overrides, or None."""
        cls = self.owner.get(ref)
        if cls is None:
            return None
        name = ref[1].rsplit(".", 1)[-1]
        for c in self.mro(cls)[1:]:
            if c[0] == _EXTERNAL:
                return None
            if name in self.classes[c].methods:
                return (c[0], self.classes[c].methods[name])
        return None

    # ------------------------------------------------------------------ calls

    def callees(self, path: str, qualname: str) -> list[Ref]:
        """The repository definitions called in target ``qualname`` of ``path``, in order."""
        return list(dict.fromkeys(r for r, _ in self._calls(path, qualname)))

    def _calls(self, path: str, qualname: str) -> list[tuple[Ref, int]]:
        key = (path, qualname)
        if key in self._callees:
            return self._callees[key]
        fn = self.functions.get(key)
        out: list[tuple[Ref, int]] = []
        if fn is not None:
            scope = _Scope(self, path, fn, self.owner.get(key))
            calls = scope.calls  # found by the scope's own walk of the body
            calls.sort(key=lambda n: (n.lineno, n.col_offset))
            for call in calls:
                try:
                    ref = scope.ref_of(call.func)
                except RecursionError:  # absurdly nested code: the call stays unresolved
                    continue
                if ref is not None and ref != key and ref[1] != "<module>":
                    out.append((ref, call.lineno))
        self._callees[key] = out
        return out

    def callers(self, ref: Ref) -> list[Site]:
        """Every resolved call of ``ref`` in the repository (module-level code included)."""
        if self._callers is None:
            index: dict[Ref, list[Site]] = {}
            for key in sorted(self.functions):
                for callee, line in self._calls(*key):
                    index.setdefault(callee, []).append(Site(key[0], line, key[1], callee))
            for path, tree in sorted(self.trees.items()):
                scope = _Scope(self, path, None, None)
                for node in _module_level_calls(tree):
                    try:
                        r = scope.ref_of(node.func)
                    except RecursionError:
                        continue
                    if r is not None and r[1] != "<module>":
                        index.setdefault(r, []).append(Site(path, node.lineno, "<module>", r))
            self._callers = index
        return self._callers.get(ref, [])


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk``: the same nodes in the same (breadth-first) order, without its two nested
    generators per node (the resolver walks every function body it resolves)."""
    todo = deque([node])
    pop, push, AST = todo.popleft, todo.append, ast.AST
    while todo:
        node = pop()
        for name in node._fields:
            try:
                value = getattr(node, name)
            except AttributeError:
                continue
            if isinstance(value, AST):
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        push(item)
        yield node


#: the nodes that hold statements (expressions never do)
_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def _statements(node: ast.AST) -> list[ast.AST]:
    """``list(walk(node))`` without the expressions: the statements (and exception handlers
    and match cases, which hold statements) of ``node``, in :func:`walk`'s order.

    Statements are only ever in lists of other statements, handlers and cases, so the walk
    need not go into expressions (most of the nodes); breadth-first order restricted to these
    nodes is the order of the full walk.
    """
    out = [node]
    push = out.append
    for current in out:
        for name in current._fields:
            value = getattr(current, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _STATEMENTS):
                        push(item)
    return out


@dataclass
class _OwnFacts:
    """What a function's own nodes (:func:`_own_facts`) give a scope, read once per function."""

    calls: list[ast.Call]
    imports: list[ast.Import | ast.ImportFrom]
    annotated: dict[str, ast.expr]
    assigned: dict[str, ast.expr]


def _own_facts(fn: ast.AST) -> _OwnFacts:
    """The calls, imports and local assignments among the nodes of ``fn``'s body and
    decorators (nested functions and classes included), in the order :func:`walk` gives them
    statement by statement; one pass without generators (every function of the repository is
    read for its callers)."""
    calls: list[ast.Call] = []
    imports: list[ast.Import | ast.ImportFrom] = []
    annotated: dict[str, ast.expr] = {}
    assigned: dict[str, ast.expr] = {}
    Call, Import, ImportFrom, visit = ast.Call, ast.Import, ast.ImportFrom, _VISIT
    AnnAssign, Assign, Name = ast.AnnAssign, ast.Assign, ast.Name
    roots = [*fn.body, *getattr(fn, "decorator_list", [])]  # type: ignore[attr-defined]
    for root in roots:
        queue: list[ast.AST] = [root]  # breadth first, as walk
        push = queue.append
        for node in queue:
            kind = type(node)
            if kind is Call:
                calls.append(node)  # type: ignore[arg-type]
            elif kind is Import or kind is ImportFrom:
                imports.append(node)  # type: ignore[arg-type]
            elif kind is AnnAssign:
                if type(node.target) is Name:  # type: ignore[attr-defined]
                    annotated.setdefault(node.target.id, node.annotation)  # type: ignore[attr-defined]
            elif kind is Assign:
                for t in node.targets:  # type: ignore[attr-defined]
                    if type(t) is Name:
                        assigned.setdefault(t.id, node.value)  # type: ignore[attr-defined]
            for name in node._fields:  # the children, minus leaves (see _leaf_types)
                value: Any = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        go = visit.get(type(item))
                        if go if go is not None else _visits(type(item)):
                            push(item)
                else:
                    go = visit.get(type(value))
                    if go if go is not None else _visits(type(value)):
                        push(value)
    return _OwnFacts(calls, imports, annotated, assigned)


def _source_of(expr: ast.expr) -> str:
    """``ast.unparse(expr)``, without the unparser for a dotted name (``a.b.C``)."""
    parts: list[str] = []
    node = expr
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return ast.unparse(expr)
    parts.append(node.id)
    return ".".join(reversed(parts))


def _leaf_types() -> frozenset[type]:
    """Node types that hold no call, import or assignment (names, constants, operators,
    contexts): a walk that collects those need not visit them."""
    found: set[type] = {ast.Name, ast.Constant, ast.alias}
    for base in (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop):
        found.update(base.__subclasses__())
    return frozenset(found)


_LEAVES = _leaf_types()
#: per type met in a walk: whether it is a node to visit (not a leaf, not a str or None)
_VISIT: dict[type, bool] = {}


def _visits(kind: type) -> bool:
    found = _VISIT[kind] = issubclass(kind, ast.AST) and kind not in _LEAVES
    return found


def _module_level_calls(tree: ast.Module) -> list[ast.Call]:
    """The calls of the module's own code (not in functions or classes), in the order of a
    depth-first walk from its last statement."""
    stack: list[ast.AST] = [n for n in tree.body if not isinstance(n, (*_FUNCS, ast.ClassDef))]
    out: list[ast.Call] = []
    visit, defs = _VISIT, (*_FUNCS, ast.ClassDef)
    while stack:
        node = stack.pop()
        if type(node) is ast.Call:
            out.append(node)
        for name in node._fields:  # ast.iter_child_nodes, minus leaves and definitions
            value: Any = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    kind = type(item)
                    go = visit.get(kind)
                    if (go if go is not None else _visits(kind)) and kind not in defs:
                        stack.append(item)
            else:
                kind = type(value)
                go = visit.get(kind)
                if (go if go is not None else _visits(kind)) and kind not in defs:
                    stack.append(value)
    return out


class _Scope:
    """Names of one function (parameters, annotated and assigned locals) over its module."""

    def __init__(self, r: Resolver, path: str, fn: ast.AST | None, cls: Ref | None):
        self.r = r
        self.path = path
        self.cls = cls
        self.fn = fn
        self.types: dict[str, Ref | Inst | None] = {}
        self._pending: dict[str, ast.expr] = {}
        self._assigned: dict[str, ast.expr] = {}
        self._annotated: dict[str, ast.expr] = {}
        self._busy: set[str] = set()
        self._defaults: dict[str, ast.expr] = {}
        #: the calls in the function's body, in walk order (the resolver's callees)
        self.calls: list[ast.Call] = []
        if fn is None:
            return
        args = fn.args  # type: ignore[attr-defined]
        params = [*args.posonlyargs, *args.args]
        decorators = {d.id for d in getattr(fn, "decorator_list", []) if isinstance(d, ast.Name)}
        if cls is not None and params and "staticmethod" not in decorators:
            first = params[0].arg
            self.types[first] = cls if "classmethod" in decorators else Inst(cls)
            params = params[1:]
        positional_defaults = dict(
            zip([a.arg for a in params][::-1], args.defaults[::-1], strict=False)
        )
        kw_defaults = {
            a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d
        }
        for a in [*params, *args.kwonlyargs]:
            if a.annotation is not None:
                self._pending[a.arg] = a.annotation
            else:  # a default such as ``cache_getitem=Cache.__getitem__`` gives the type
                default = positional_defaults.get(a.arg) or kw_defaults.get(a.arg)
                if default is not None:
                    self._defaults[a.arg] = default
        package = module_of(path)
        if not path.endswith("__init__.py"):
            package = package.rpartition(".")[0]
        own = r._own.get(fn)
        if own is None:
            own = r._own[fn] = _own_facts(fn)
        self.calls = list(own.calls)
        self._annotated = own.annotated
        self._assigned = own.assigned
        for node in own.imports:
            bound: dict[str, tuple[str, ...]] = {}
            r._bind(path, package, node, bound)
            for local, binding in bound.items():
                self.types.setdefault(local, r._binding(path, binding, frozenset()))

    # names

    def name(self, ident: str) -> Ref | Inst | None:
        if ident in self._pending:
            ann = self._pending.pop(ident)
            self.types[ident] = self.annotation(ann)
        if ident in self._defaults:
            default = self._defaults.pop(ident)
            self.types[ident] = None
            self.types[ident] = self.value(default)
        if ident in self.types:
            return self.types[ident]
        if self.fn is not None and ident not in self._busy:
            if ident in self._annotated:
                self._busy.add(ident)
                self.types[ident] = self.annotation(self._annotated[ident])
                return self.types[ident]
            if ident in self._assigned:
                self._busy.add(ident)
                self.types[ident] = self.type_of(self._assigned[ident])
                return self.types[ident]
        if self.fn is not None and (ident in self._assigned or ident in self._annotated):
            return None  # a local being resolved: unknown
        return self.r.global_ref(self.path, ident)

    def annotation(self, expr: ast.expr) -> Inst | Ref | None:
        """The instance type an annotation names (``T``, ``"T"``, ``T | None``, ``Optional[T]``);
        ``type[T]`` names the class itself."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            tree = _parse(expr.value.strip())
            if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
                return None
            expr = tree.body[0].value
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            left = self.annotation(expr.left)
            right = self.annotation(expr.right)
            return left or right
        if isinstance(expr, ast.Subscript):
            head = expr.value
            head_name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
            if head_name == "Optional":
                return self.annotation(expr.slice)
            if head_name in ("type", "Type"):
                inner = self.annotation(expr.slice)
                return inner.cls if isinstance(inner, Inst) else None
            expr = head
        ref = self.ref_of(expr)
        return Inst(ref) if ref is not None and ref in self.r.classes else None

    def ref_of(self, expr: ast.expr) -> Ref | None:
        """The repository definition ``expr`` denotes (a function, method, class or module)."""
        value = self.value(expr)
        return value if isinstance(value, tuple) else None

    def type_of(self, expr: ast.expr) -> Inst | Ref | None:
        """What ``expr`` evaluates to: a definition, an instance of a repository class, or None."""
        if isinstance(expr, ast.Call):
            callee = self.ref_of(expr.func)
            if callee is None:
                return None
            if callee in self.r.classes:
                return Inst(callee)
            fn = self.r.functions.get(callee)
            returns = getattr(fn, "returns", None)
            if returns is not None:
                scope = _Scope(self.r, callee[0], None, self.r.owner.get(callee))
                return scope.annotation(returns)
            return None
        return self.value(expr)

    def value(self, expr: ast.expr) -> Ref | Inst | None:
        if isinstance(expr, ast.Name):
            return self.name(expr.id)
        if isinstance(expr, ast.Attribute):
            if (
                isinstance(expr.value, ast.Call)
                and isinstance(expr.value.func, ast.Name)
                and expr.value.func.id == "super"
                and self.cls is not None
            ):
                found = self.r.lookup(self.cls, expr.attr, after=self.cls)
                return found
            base = self.type_of(expr.value)
            if isinstance(base, Inst):
                return self.r.lookup(base.cls, expr.attr)
            if isinstance(base, tuple):
                if base in self.r.classes:
                    return self.r.lookup(base, expr.attr)
                return self.r.member(base, expr.attr)
            return None
        if isinstance(expr, ast.Call):
            return self.type_of(expr)
        if isinstance(expr, ast.Subscript):  # ``Cls[int, str]`` is still ``Cls``
            base = self.value(expr.value)
            return base if isinstance(base, tuple) and base in self.r.classes else None
        if isinstance(expr, ast.IfExp):
            return self.type_of(expr.body) or self.type_of(expr.orelse)
        if isinstance(expr, ast.BoolOp):
            for v in expr.values:
                found = self.type_of(v)
                if found is not None:
                    return found
        return None


__all__ = ["Inst", "Ref", "Resolver", "Site", "module_of"]
