"""Targets (modules, classes, functions, methods) and their code facts, extracted with tree-sitter.

The definitions follow docs/scanning.md (a contract): what counts as a target, its kind, its
qualname (with ``#2`` suffixes for repeated names), and ``has_docstring`` by Python's own rule.
"""

from __future__ import annotations

import ast
import codecs
import inspect
import io
import tokenize
from dataclasses import asdict, dataclass, field
from typing import Any

from tree_sitter import Node

from docagent.code import parser as ts
from docagent.code import pyast

PARAM_KINDS = ("positional_only", "normal", "var_positional", "keyword_only", "var_keyword")
_DEF_TYPES = ("function_definition", "class_definition")
_STRING_PREFIXES_OK = {"", "r", "u"}


TOO_DEEP = "nested too deeply for Python's parser; skipped"


class SourceError(Exception):
    """A file that cannot be decoded or parsed; it is reported and skipped."""


@dataclass(frozen=True)
class Param:
    """One parameter of a function signature."""

    name: str
    kind: str
    annotation: str | None = None
    default: str | None = None

    @property
    def display_name(self) -> str:
        """The name as written in a signature: ``*args``, ``**kwargs`` or ``name``."""
        if self.kind == "var_positional":
            return "*" + self.name
        if self.kind == "var_keyword":
            return "**" + self.name
        return self.name


@dataclass(frozen=True)
class Docstring:
    """An existing docstring: its cleaned text and where its literal sits in the file."""

    text: str
    start_byte: int
    end_byte: int
    line: int
    end_line: int
    quote: str
    prefix: str


@dataclass
class Target:
    """A documentable definition with the facts that scanning, drafting and checks need.

    Byte offsets index the file's UTF-8 encoding (``FileFacts.source``); lines are 1-based.
    """

    path: str
    qualname: str
    kind: str
    name: str
    line: int
    end_line: int
    start_byte: int
    end_byte: int
    public: bool
    body_start_byte: int = 0
    decorators: tuple[str, ...] = ()
    is_async: bool = False
    params: tuple[Param, ...] = ()
    returns: str | None = None
    returns_value: bool = False
    yields: bool = False
    #: a ``yield`` gives a value (not bare, not ``None``): only then is Yields documented
    yields_value: bool = False
    raises: tuple[str, ...] = ()
    #: what functions nested in this one raise (a decorator's wrapper): documenting them is
    #: not stale, though they are not this function's own ``raises``
    nested_raises: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    docstring: Docstring | None = None
    status: str = "missing"
    problems: list[str] = field(default_factory=list)
    body_facts: bool = True
    #: where a new docstring of a function or class goes, as bytes of ``FileFacts.source``: the
    #: start of the definition (decorators aside), the end of its header's colon and the start
    #: of its body's first statement (-1 when either of these cannot be found). Set by the full
    #: extraction (``body_facts="all"``), kept in the facts cache, so that ``apply`` places a
    #: docstring without reading the file with tree-sitter again; None when not extracted.
    insertion: tuple[int, int, int] | None = None

    @property
    def has_docstring(self) -> bool:
        """True when the definition has a docstring by Python's rule."""
        return self.docstring is not None

    @property
    def is_property(self) -> bool:
        """True for ``@property`` (and ``functools.cached_property``) getters."""
        return any(d.rsplit(".", 1)[-1] in ("property", "cached_property") for d in self.decorators)

    @property
    def is_context_manager(self) -> bool:
        """True for ``@contextmanager`` (and ``asynccontextmanager``) generators."""
        return any(
            d.rsplit(".", 1)[-1] in ("contextmanager", "asynccontextmanager")
            for d in self.decorators
        )

    @property
    def is_abstract(self) -> bool:
        """True for methods decorated with ``abstractmethod``."""
        return any(d.rsplit(".", 1)[-1] == "abstractmethod" for d in self.decorators)

    def documented_params(self) -> list[Param]:
        """Signature parameters that a docstring should document (no ``self``/``cls``)."""
        params = list(self.params)
        if self.kind == "method" and params and params[0].kind in ("positional_only", "normal"):
            if "staticmethod" not in self.decorators:
                params = params[1:]
        elif self.kind == "class":
            return []
        return [p for p in params if p.name not in ("self", "cls") or self.kind == "function"]

    def to_dict(self) -> dict[str, Any]:
        """Serialize every fact (used for the scan cache)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        """Rebuild a Target from :meth:`to_dict` output."""
        data = dict(data)
        data["params"] = tuple(Param(**p) for p in data.get("params", ()))
        for key in ("decorators", "raises", "nested_raises", "attributes", "bases"):
            data[key] = tuple(data.get(key, ()))
        doc = data.get("docstring")
        data["docstring"] = Docstring(**doc) if doc else None
        data["problems"] = list(data.get("problems", ()))
        return cls(**data)

    def contract_dict(self) -> dict[str, Any]:
        """The target as the ``scan --json`` contract lists it."""
        return {
            "path": self.path,
            "qualname": self.qualname,
            "kind": self.kind,
            "line": self.line,
            "end_line": self.end_line,
            "public": self.public,
            "has_docstring": self.has_docstring,
            "status": self.status,
            "problems": list(self.problems),
        }


@dataclass
class FileFacts:
    """A decoded source file and its targets."""

    path: str
    encoding: str
    newline: str
    text: str
    source: bytes
    targets: list[Target]

    def target(self, qualname: str) -> Target | None:
        """Return the target with ``qualname`` or None (a dict lookup: context packs ask for
        ``X.__init__`` and neighbours of every target, so a scan of the list was quadratic)."""
        index = self.__dict__.get("_by_qualname")
        if index is None or index[0] != len(self.targets):
            by_name: dict[str, Target] = {}
            for t in self.targets:
                by_name.setdefault(t.qualname, t)
            index = self.__dict__["_by_qualname"] = (len(self.targets), by_name)
        return index[1].get(qualname)

    def target_source(self, target: Target) -> str:
        """Return the source text of ``target`` (decorators included)."""
        return self.source[target.start_byte : target.end_byte].decode("utf-8")


def decode_source(data: bytes, path: str = "<string>") -> tuple[str, str]:
    """Decode Python source bytes honouring a BOM and the PEP 263 coding cookie.

    Returns ``(text, encoding)``; raises :class:`SourceError` when the bytes do not decode.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        msg = getattr(exc, "msg", str(exc))
        if "invalid or missing encoding declaration" in msg:
            msg = "cannot decode as utf-8 and no PEP 263 coding declaration says otherwise"
        raise SourceError(f"{path}: {msg}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"{path}: cannot decode as {encoding}: {exc}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
        encoding = "utf-8-sig"
    return text, codecs.lookup(encoding).name


def detect_newline(text: str) -> str:
    """Return the line ending of the first line: CRLF or LF."""
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def _is_public_name(name: str) -> bool:
    if name in ("__init__", "__call__"):
        return True
    return not name.startswith("_")


def module_target_name(path: str) -> str:
    """The ``name`` of the module target of the file at ``path``."""
    return path.rsplit("/", 1)[-1][:-3] if path.endswith(".py") else path


def module_public(path: str) -> bool:
    """True when the module at ``path`` is public (no private package or file name)."""
    parts = path.split("/")
    stem = parts[-1][:-3] if parts[-1].endswith(".py") else parts[-1]
    for part in [*parts[:-1], stem]:
        if part.startswith("_") and part not in ("__init__", "__main__"):
            return False
    return True


def _unwrap_string(node: Node) -> Node | None:
    """Return the string node of a docstring expression statement, or None if it is not one."""
    named = [c for c in node.named_children if c.type != "comment"]
    if len(named) != 1:
        return None
    expr = named[0]
    while expr.type == "parenthesized_expression":
        inner = [c for c in expr.named_children if c.type != "comment"]
        if len(inner) != 1:
            return None
        expr = inner[0]
    if expr.type == "string":
        parts = [expr]
    elif expr.type == "concatenated_string":
        parts = [c for c in expr.named_children if c.type != "comment"]
        if not parts or any(p.type != "string" for p in parts):
            return None
    else:
        return None
    for part in parts:
        start = part.child(0)
        if start is None or start.type != "string_start":
            return None
        prefix = ts.text(start).rstrip("'\"").lower()
        if prefix not in _STRING_PREFIXES_OK:
            return None
        if any(c.type == "interpolation" for c in part.named_children):
            return None
    return expr


def first_statement(body: Node) -> Node | None:
    """Return the first statement of a block or module, skipping comments."""
    for i in range(body.named_child_count):
        child = body.named_child(i)
        if child is not None and child.type != "comment":
            return child
    return None


def insertion_point(node: Node, body: Node | None = None) -> tuple[int, int, int]:
    """:attr:`Target.insertion` of the function or class definition ``node`` (``body``: its
    body, when the caller has it)."""
    if body is None:
        body = node.child_by_field_name("body")
    colon = None
    for child in node.children:
        if child.type == ":" and (body is None or child.end_byte <= body.start_byte):
            colon = child
    stmt = first_statement(body) if body is not None else None
    return (
        node.start_byte,
        colon.end_byte if colon is not None else -1,
        stmt.start_byte if stmt is not None else -1,
    )


def _literal_value(stmt: Node, expr: Node) -> Any:
    """The value of a docstring literal: read directly when plain, else ``ast.literal_eval``.

    A single string with no backslash and no carriage return means exactly its characters
    between the quotes; anything else (escapes, concatenation, CRLF) goes through Python.
    """
    if expr.type == "string" and expr.child_count in (2, 3):
        start, end = expr.child(0), expr.child(expr.child_count - 1)
        raw = (stmt.text or b"")[
            start.end_byte - stmt.start_byte : end.start_byte - stmt.start_byte
        ]
        if b"\\" not in raw and b"\r" not in raw:
            return raw.decode("utf-8")
    return pyast.literal_eval(ts.text(stmt).strip())


def docstring_of(body: Node | None) -> Docstring | None:
    """Return the docstring of a block/module node by Python's rule, or None."""
    if body is None:
        return None
    return docstring_statement(first_statement(body))


def docstring_statement(stmt: Node | None) -> Docstring | None:
    """The docstring ``stmt`` is when it is the first statement of a body, or None when it is
    not a string-literal statement."""
    if stmt is None or stmt.type != "expression_statement":
        return None
    expr = _unwrap_string(stmt)
    if expr is None:
        return None
    try:
        value = _literal_value(stmt, expr)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, str):
        return None
    first = expr if expr.type == "string" else expr.named_children[0]
    start_tok = ts.text(first.child(0))
    prefix = start_tok.rstrip("'\"")
    quote = start_tok[len(prefix) :]
    return Docstring(
        text=inspect.cleandoc(value),
        start_byte=stmt.start_byte,
        end_byte=stmt.end_byte,
        line=stmt.start_point[0] + 1,
        end_line=stmt.end_point[0] + 1,
        quote=quote,
        prefix=prefix,
    )


def _decorators(def_node: Node) -> tuple[str, ...]:
    parent = def_node.parent
    if parent is None or parent.type != "decorated_definition":
        return ()
    out = []
    for child in parent.named_children:
        if child.type == "decorator":
            expr = next((c for c in child.named_children if c.type != "comment"), None)
            if expr is None:
                continue
            if expr.type == "call":
                fn = expr.child_by_field_name("function")
                out.append(ts.text(fn) if fn is not None else ts.text(expr))
            else:
                out.append(ts.text(expr))
    return tuple(out)


def _is_overload(decorators: tuple[str, ...]) -> bool:
    return any(d == "overload" or d.endswith(".overload") for d in decorators)


def _params(params_node: Node | None) -> tuple[Param, ...]:
    if params_node is None:
        return ()
    raw: list[Param] = []
    mode = "normal"
    for child in params_node.named_children:
        t = child.type
        if t == "comment":
            continue
        if t == "positional_separator":
            raw = [Param(p.name, "positional_only", p.annotation, p.default) for p in raw]
            continue
        if t == "keyword_separator":
            mode = "keyword_only"
            continue
        annotation = default = None
        name_node = child
        if t in ("typed_parameter", "typed_default_parameter", "default_parameter"):
            ann = child.child_by_field_name("type")
            annotation = ts.text(ann) if ann is not None else None
            val = child.child_by_field_name("value")
            default = ts.text(val) if val is not None else None
            name_node = child.child_by_field_name("name") or child.named_children[0]
        kind = mode
        if name_node.type == "list_splat_pattern":
            kind = "var_positional"
            mode = "keyword_only"
            name_node = name_node.named_children[0] if name_node.named_children else name_node
        elif name_node.type == "dictionary_splat_pattern":
            kind = "var_keyword"
            name_node = name_node.named_children[0] if name_node.named_children else name_node
        elif name_node.type != "identifier":
            continue
        raw.append(Param(ts.text(name_node), kind, annotation, default))
    return tuple(raw)


def _enclosing_def(node: Node) -> Node | None:
    """Nearest enclosing function/class definition (or lambda) of ``node``, else None."""
    p = node.parent
    while p is not None:
        if p.type in _DEF_TYPES or p.type == "lambda":
            return p
        p = p.parent
    return None


def _raise_names(node: Node) -> list[str]:
    exprs = [c for c in node.named_children if c.type != "comment"]
    if not exprs:
        # bare ``raise``: re-raises what the enclosing except clause caught
        p = node.parent
        while p is not None and p.type not in _DEF_TYPES:
            if p.type == "except_clause":
                caught = next((c for c in p.named_children if c.type != "block"), None)
                if caught is None:
                    return []
                if caught.type == "as_pattern":
                    caught = caught.named_children[0]
                items = caught.named_children if caught.type == "tuple" else [caught]
                return [ts.text(i) for i in items if i.type in ("identifier", "attribute")]
            p = p.parent
        return []
    expr = exprs[0]
    if expr.type == "call":
        expr = expr.child_by_field_name("function") or expr
    if expr.type in ("identifier", "attribute"):
        return [ts.text(expr)]
    return []


def _class_attributes(class_node: Node, body: Node | None) -> tuple[str, ...]:
    if body is None:
        return ()
    names: list[str] = []
    init_body = None
    for stmt in body.named_children:
        inner = stmt
        if stmt.type == "expression_statement" and stmt.named_children:
            inner = stmt.named_children[0]
            if inner.type == "assignment":
                left = inner.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    names.append(ts.text(left))
        elif stmt.type in ("function_definition", "decorated_definition"):
            fn = (
                stmt
                if stmt.type == "function_definition"
                else stmt.child_by_field_name("definition")
            )
            if fn is not None and fn.type == "function_definition":
                n = fn.child_by_field_name("name")
                if n is not None and ts.text(n) == "__init__":
                    init_body = fn.child_by_field_name("body")
    if init_body is not None:
        stack = [init_body]
        while stack:
            n = stack.pop()
            if n.type in _DEF_TYPES or n.type == "lambda":
                continue
            if n.type == "assignment":
                left = n.child_by_field_name("left")
                if left is not None and left.type == "attribute":
                    obj = left.child_by_field_name("object")
                    attr = left.child_by_field_name("attribute")
                    if obj is not None and attr is not None and ts.text(obj) == "self":
                        names.append(ts.text(attr))
            stack.extend(reversed(n.named_children))
    return tuple(dict.fromkeys(names))


# Statements that can contain definitions (definitions never sit inside expressions).
_DEF_CONTAINERS = frozenset(
    {
        "module",
        "block",
        "decorated_definition",
        "if_statement",
        "elif_clause",
        "else_clause",
        "for_statement",
        "while_statement",
        "try_statement",
        "except_clause",
        "except_group_clause",
        "finally_clause",
        "with_statement",
        "match_statement",
        "case_clause",
    }
)


# Statements whose Python 2 form tree-sitter-python reads without an error.
_PYTHON2_CANDIDATES = frozenset({"print_statement", "exec_statement", "raise_statement"})


def python2_statement(node: Node) -> bool:
    """True when the statement ``node`` has a form only Python 2 has: ``print x``, ``exec
    code``, ``raise E, "message"``, or (an ``except_clause``) ``except E, e:``.

    tree-sitter-python reads these without an error node; Python 3's parser rejects them
    (``print >>f, x`` aside: a valid expression, which the confirming parse lets through).
    """
    kind = node.type
    if kind == "raise_statement":
        return node.named_child_count > 0 and node.named_children[0].type == "expression_list"
    if kind == "except_clause":
        return any(c.type == "," for c in node.children)
    return kind in _PYTHON2_CANDIDATES


def statement_definitions(
    root: Node, python2: list[Node] | None = None
) -> list[tuple[Node, Node | None]]:
    """Every function/class definition under ``root`` with its enclosing definition (or None).

    Visits statements only: about three times faster than a query over the whole tree,
    because expressions (most of the nodes) are never visited. Agreement with the query is
    tested on the standard library. The statements of Python 2's forms
    (:func:`python2_statement`) are appended to ``python2`` when it is given.
    """
    out: list[tuple[Node, Node | None]] = []
    stack: list[tuple[Node, Node | None]] = [(root, None)]
    while stack:
        node, owner = stack.pop()
        for child in node.named_children:
            kind = child.type
            if kind in _DEF_TYPES:
                out.append((child, owner))
                body = child.child_by_field_name("body")
                if body is not None:
                    stack.append((body, child))
            elif kind in _DEF_CONTAINERS:
                stack.append((child, owner))
                if kind == "except_clause" and python2 is not None and python2_statement(child):
                    python2.append(child)
            elif kind in _PYTHON2_CANDIDATES and python2 is not None and python2_statement(child):
                python2.append(child)
    return out


def _sectioned(doc: Docstring | None) -> bool:
    """True when a docstring has sections (the only ones staleness rules look into)."""
    if doc is None:
        return False
    from docagent.code.docstrings import detect_style

    return detect_style(doc.text) != "pep257"


def extract(
    path: str,
    source: bytes,
    tree: Any | None = None,
    *,
    body_facts: str = "all",
    python2: list[Node] | None = None,
) -> list[Target]:
    """Extract every target of a UTF-8 ``source`` in source order (module first).

    ``body_facts`` chooses which functions get ``returns_value``, ``yields`` and ``raises``:
    ``"all"`` (the default), or ``"sectioned"`` — only those whose docstring has sections,
    the only ones a scan's staleness rules need; the others (``__init__`` aside) get neither
    parameters nor body facts and ``body_facts=False``, and class attributes are not
    collected. The scanner uses ``"sectioned"``; drafting and editing use ``"all"``.
    The statements of Python 2's forms (:func:`python2_statement`) are appended to
    ``python2`` when it is given.
    """
    if tree is None:
        tree = ts.parse(source)
    root = tree.root_node
    parent_of: dict[int, Node | None] | None = None
    if body_facts == "all":
        caps = ts.captures(ts.DEFINITIONS_QUERY, root)
        defs = sorted(caps.get("def", []), key=lambda n: n.start_byte)
        if python2 is not None:
            python2.extend(caps.pop("python2", ()))
    else:
        caps = {}
        pairs = sorted(statement_definitions(root, python2), key=lambda p: p[0].start_byte)
        defs = [n for n, _ in pairs]
        parent_of = {n.id: owner for n, owner in pairs}

    module = Target(
        path=path,
        qualname="<module>",
        kind="module",
        name=module_target_name(path),
        line=1,
        end_line=max(1, root.end_point[0] + (1 if root.end_point[1] else 0)),
        start_byte=0,
        end_byte=len(source),
        public=module_public(path),
        body_start_byte=0,
        docstring=docstring_of(root),
    )
    targets = [module]
    by_id: dict[int, Target | None] = {}
    taken: set[str] = set()

    for node in defs:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            continue
        parent_def = parent_of[node.id] if parent_of is not None else _enclosing_def(node)
        parent: Target | None = None
        if parent_def is not None:
            if parent_def.id not in by_id:
                continue  # inside a lambda, or inside a skipped definition
            parent = by_id[parent_def.id]
            if parent is None:
                by_id[node.id] = None  # children of @overload stubs are skipped too
                continue
        decorators = _decorators(node)
        if node.type == "function_definition" and _is_overload(decorators):
            by_id[node.id] = None
            continue
        name = ts.text(name_node)
        base = f"{parent.qualname}.{name}" if parent is not None else name
        qualname = base
        n = 2
        while qualname in taken:
            qualname = f"{base}#{n}"
            n += 1
        taken.add(qualname)

        is_class = node.type == "class_definition"
        if is_class:
            kind = "class"
        elif parent is not None and parent.kind == "class":
            kind = "method"
        else:
            kind = "function"
        public = _is_public_name(name) and (
            parent is None or (parent.public and parent.kind == "class")
        )
        body = node.child_by_field_name("body")
        outer = (
            node.parent
            if node.parent is not None and node.parent.type == ("decorated_definition")
            else node
        )
        target = Target(
            path=path,
            qualname=qualname,
            kind=kind,
            name=name,
            line=node.start_point[0] + 1,
            end_line=node.end_point[0] + 1,
            start_byte=outer.start_byte,
            end_byte=node.end_byte,
            public=public,
            body_start_byte=body.start_byte if body is not None else node.end_byte,
            decorators=decorators,
            is_async=not is_class and ts.text(node.child(0)) == "async",
            docstring=docstring_of(body),
        )
        if is_class:
            supers = node.child_by_field_name("superclasses")
            if supers is not None:
                target.bases = tuple(
                    ts.text(c) for c in supers.named_children if c.type != "comment"
                )
            if body_facts == "all":
                target.attributes = _class_attributes(node, body)
        elif body_facts == "all" or name == "__init__" or _sectioned(target.docstring):
            target.params = _params(node.child_by_field_name("parameters"))
            ret = node.child_by_field_name("return_type")
            target.returns = ts.text(ret) if ret is not None else None
        else:
            target.body_facts = False
        if body_facts == "all":
            target.insertion = insertion_point(node, body)
        by_id[node.id] = target
        targets.append(target)

    if body_facts != "all":
        body_caps: dict[str, list[Node]] = {"return": [], "yield": [], "raise": []}
        for node in defs:
            t = by_id.get(node.id)
            if t is None or t.kind == "class":
                continue
            if not _sectioned(t.docstring):
                t.body_facts = False
                continue
            for name, nodes in ts.captures(ts.BODY_FACTS_QUERY, node).items():
                body_caps[name].extend(nodes)
        caps = body_caps
    # tree-sitter does not promise an order of the captures of a query with several patterns
    # (it varied from one process to the next): source order makes ``raises`` deterministic
    caps = {name: sorted(nodes, key=lambda n: n.start_byte) for name, nodes in caps.items()}
    for node in caps.get("return", []):
        owner = _enclosing_def(node)
        t = by_id.get(owner.id) if owner is not None else None
        if t is None or t.kind == "class" or not t.body_facts:
            continue
        values = [c for c in node.named_children if c.type != "comment"]
        if values and not (len(values) == 1 and ts.text(values[0]) == "None"):
            t.returns_value = True
    for node in caps.get("yield", []):
        owner = _enclosing_def(node)
        t = by_id.get(owner.id) if owner is not None else None
        if t is not None and t.kind != "class" and t.body_facts:
            t.yields = True
            values = [c for c in node.named_children if c.type != "comment"]
            if values and not (len(values) == 1 and ts.text(values[0]) == "None"):
                t.yields_value = True
    for node in caps.get("raise", []):
        owner = _enclosing_def(node)
        t = by_id.get(owner.id) if owner is not None else None
        if t is not None and t.kind != "class" and t.body_facts:
            names = [n for n in _raise_names(node) if n not in t.raises]
            if names:
                t.raises = (*t.raises, *names)
        around = _enclosing_def(owner) if owner is not None else None
        while around is not None:  # the functions this one is nested in
            o = by_id.get(around.id)
            if o is not None and o.kind != "class" and o.body_facts:
                names = [n for n in _raise_names(node) if n not in o.nested_raises]
                if names:
                    o.nested_raises = (*o.nested_raises, *names)
            around = _enclosing_def(around)
    return targets


def read_file(
    root_path: str, rel_path: str, data: bytes | None = None, *, body_facts: str = "all"
) -> FileFacts:
    """Read, decode and parse one file; raise :class:`SourceError` when that fails.

    ``body_facts`` is passed to :func:`extract`.
    """
    return read_file_and_tree(root_path, rel_path, data, body_facts=body_facts)[0]


def read_file_and_tree(
    root_path: str, rel_path: str, data: bytes | None = None, *, body_facts: str = "all"
) -> tuple[FileFacts, Any]:
    """:func:`read_file`, also returning the tree-sitter tree of ``FileFacts.source``.

    For callers that need the syntax tree again (the edit engine), so the file is parsed once.
    """
    if data is None:
        try:
            with open(root_path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise SourceError(f"{rel_path}: cannot read: {exc.strerror or exc}") from None
    text, encoding = decode_source(data, rel_path)
    source = text.encode("utf-8")
    tree = ts.parse(source)
    if tree.root_node.has_error:
        _raise_syntax_error(text, rel_path, tree)
    python2: list[Node] = []
    targets = extract(rel_path, source, tree, body_facts=body_facts, python2=python2)
    if python2:
        _confirm_python3(text, rel_path)
    facts = FileFacts(
        path=rel_path,
        encoding=encoding,
        newline=detect_newline(text),
        text=text,
        source=source,
        targets=targets,
    )
    return facts, tree


PYTHON2_HINT = "(Python 2 code? docagent reads Python 3 only)"


def _confirm_python3(text: str, rel_path: str) -> None:
    """Raise a SourceError when Python's parser rejects a file with a Python 2 statement.

    Only files tree-sitter read a Python 2 form in (:func:`python2_statement`) are parsed
    here, so a scan parses no other file twice. Their definitions are never targets: no edit of
    them could be verified.
    """
    try:
        pyast.parse(text, rel_path, quiet=True)
    except SyntaxError as exc:
        where = f"{rel_path}:{exc.lineno}" if exc.lineno else rel_path
        raise SourceError(f"{where}: syntax error: {exc.msg} {PYTHON2_HINT}") from None
    except ValueError as exc:  # null bytes
        raise SourceError(f"{rel_path}: cannot parse: {exc}") from None
    except (RecursionError, MemoryError):
        pass  # valid syntax too deep for the parser: reported where a fingerprint is needed


def _raise_syntax_error(text: str, rel_path: str, tree: Any) -> None:
    """Confirm a tree-sitter error with Python's compiler and raise a SourceError for it."""
    try:
        pyast.compile_ast(text, rel_path)
    except SyntaxError as exc:
        where = f"{rel_path}:{exc.lineno}" if exc.lineno else rel_path
        raise SourceError(f"{where}: syntax error: {exc.msg}") from None
    except ValueError as exc:  # null bytes
        raise SourceError(f"{rel_path}: cannot parse: {exc}") from None
    line = _first_error_line(tree.root_node)
    raise SourceError(
        f"{rel_path}:{line}: syntax the Python grammar of tree-sitter does not support"
    )


def _first_error_line(node: Node) -> int:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            return n.start_point[0] + 1
        if n.has_error:
            stack.extend(reversed(n.children))
    return 1


def strip_docstrings(tree: ast.AST) -> ast.AST:
    """Remove docstring statements (in place) from every module/class/function body."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    if isinstance(tree, ast.Module) and not tree.body:
        tree.body = [ast.Pass()]  # an empty module equals one whose only docstring was removed
    return tree


def fingerprint_stripped(node: ast.AST) -> str:
    """Hash of an AST node whose docstrings are already stripped (see :func:`strip_docstrings`)."""
    dumped = ast.dump(node, include_attributes=False)
    import hashlib  # not at import: a scan never hashes this way (OpenSSL loads)

    return hashlib.sha256(dumped.encode("utf-8")).hexdigest()[:16]


def code_fingerprint(tree: ast.AST) -> str:
    """Hash of an AST with docstrings removed: equal exactly when the code is equal."""
    return fingerprint_stripped(strip_docstrings(tree))


def code_shas(facts: FileFacts) -> dict[str, str]:
    """Return ``{qualname: code_sha}`` for every target of ``facts``.

    A ``code_sha`` ignores docstrings, comments and formatting: it changes only when the
    target's code changes, so applying docstrings never invalidates other drafts.

    Raises:
        SourceError: the code is nested too deeply for Python's own parser (for example an
            expression of 200,000 terms), so it cannot be fingerprinted or verified.
    """
    from docagent.code.astfacts import ast_facts

    found = ast_facts(facts)  # one parse and one pass per file version, kept on ``facts``
    if isinstance(found.error, RecursionError | MemoryError):
        raise SourceError(f"{facts.path}: {TOO_DEEP}")
    if found.error is not None:
        raise found.error
    return dict(found.shas)
