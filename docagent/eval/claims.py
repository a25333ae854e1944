"""Static verification of what a docstring claims about its code (the ``truthfulness`` metric).

Every checkable claim is read from the text and checked against the code facts
(:mod:`docagent.code.targets`) and the target's body (:mod:`ast`):

- documented parameters exist in the signature; documented attributes in the class or module;
- a default the text states ("Defaults to 3") equals the signature's default;
- a documented type agrees with the annotation, when both are plain builtin types;
- a Returns section or a "Return…" summary is backed by a ``return value`` (and "returns
  nothing" by its absence); a Yields section by a ``yield``;
- a documented exception is raised by the body, is at least named in the module, or is a
  builtin exception that library calls raise implicitly; a ``If <condition>`` copied from the
  code must not be the test of an ``if`` whose ``else`` branch raises;
- names in backticks resolve in the module, its imports, the repository, builtins or the
  standard library (:func:`docagent.draft.draft_checks.unresolved_names`, the drafting check);
- side-effect verbs — deleting files, writing files, talking to the network — are backed by a
  matching call in the target, or at least in its module.

A claim is ``true``, ``false`` or ``unknown`` (statics cannot decide). The metric is
``0.5 ** false`` — one false claim halves it, however many true claims surround it — so a
docstring cannot dilute a lie with true statements.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from docagent.code import pyast
from docagent.code.docstrings import parse_sections
from docagent.code.targets import FileFacts, Target
from docagent.draft.draft_checks import unresolved_names
from docagent.draft.symbols import _BUILTIN_NAMES, SymbolIndex, target_code

#: How much one false claim multiplies the truthfulness metric by.
FALSE_CLAIM_FACTOR = 0.5

_BUILTIN_EXCEPTIONS = frozenset(
    n
    for n in dir(builtins)
    if isinstance(getattr(builtins, n), type) and issubclass(getattr(builtins, n), BaseException)
)
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
_EXC_WORD = r"[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt|Iteration)"
_PROSE_RAISE = re.compile(
    rf"\b(?i:raise[sd]?)\s+(?:an?\s+|the\s+)?(?::exc:)?`{{0,2}}((?:\w+\.)*{_EXC_WORD})`{{0,2}}"
    rf"|`{{0,2}}((?:\w+\.)*{_EXC_WORD})`{{0,2}}\s+(?:is|will be|may be|can be)\s+raised"
)
_NEGATION = re.compile(r"\b(not|never|no|without|nor|cannot|n't)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
_DELETE_CLAIM = re.compile(
    r"\b(delet|remov|eras|wip|unlink|purg)\w*\b[^.\n]*\b(files?|director(?:y|ies)|folders?|"
    r"disk|home)\b",
    re.IGNORECASE,
)
_WRITE_CLAIM = re.compile(
    r"\b(writes|write|saves|save|persists?|dumps?)\b[^.\n]*\b(to|into|onto|on)\b[^.\n]*"
    r"\b(files?|disk)\b",
    re.IGNORECASE,
)
_NETWORK_CLAIM = re.compile(
    r"\b(send|sends|sent|fetch|fetches|download|downloads|upload|uploads|post|posts|"
    r"connect|connects|transmit|transmits)\b[^.\n]*\b(network|remote|server|internet|https?)\b",
    re.IGNORECASE,
)
#: Calls that delete files. ``remove`` counts only as ``os.remove`` (or a bare ``remove``):
#: ``items.remove(x)`` takes an element out of a list; nor do ``del x`` or ``d.clear()``
#: touch a file.
_DELETE_CALLS = frozenset({"unlink", "rmtree", "rmdir", "removedirs", "rm", "delete", "truncate"})
#: Calls that move or copy files only as ``os.replace(a, b)``, ``shutil.move(a, b)`` or a
#: path's ``p.replace(target)`` / ``p.rename(target)`` (one argument): ``text.replace(a, b)``,
#: ``d.copy()`` and ``s.rename(columns=...)`` touch no file.
_MOVE_CALLS = frozenset({"rename", "replace", "copy", "move"})
_WRITE_CALLS = frozenset(
    {
        "write",
        "writelines",
        "write_text",
        "write_bytes",
        "dump",
        "save",
        "mkdir",
        "makedirs",
        "copyfile",
        "copy2",
        "copytree",
        "touch",
        "chmod",
        "symlink_to",
        "mkstemp",
        "NamedTemporaryFile",
    }
)
_NETWORK_MODULES = frozenset(
    {
        "socket",
        "ssl",
        "http",
        "urllib",
        "requests",
        "httpx",
        "aiohttp",
        "smtplib",
        "ftplib",
        "poplib",
        "imaplib",
        "xmlrpc",
        "websockets",
        "socketserver",
        "telnetlib",
        "nntplib",
    }
)
_NETWORK_CALLS = frozenset(
    {
        "urlopen",
        "connect",
        "create_connection",
        "open_connection",
        "send",
        "sendall",
        "sendto",
        "recv",
        "request",
        "getaddrinfo",
        "start_server",
    }
)
_RETURN_NOTHING = re.compile(
    r"\b(returns? nothing|always returns? `{0,2}None`{0,2}|"
    r"(?:does not|doesn't|never) returns? (?:a |any )?(?:value|anything))\b",
    re.IGNORECASE,
)
_RETURN_LEAD = re.compile(
    r"^(?:return|returns|get|gets|compute|computes)\b(?!\s+(?:nothing|none|immediately|early|"
    r"when|if|once|after|before|without|to\b|from the|control))",
    re.IGNORECASE,
)
_DEFAULT_RE = re.compile(
    r"\bdefaults? (?:to|is|:)\s*`{0,2}([^`,;\s]+?)`{0,2}[.,;)]?(?:\s|$)", re.IGNORECASE
)
_PLAIN_WORD = re.compile(r"^[A-Za-z][a-z]*$")
#: Short names such as ``G1``, ``vA``, ``M_i``, ``N_k``: mathematical notation, not code.
_NOTATION = re.compile(r"^[A-Za-z]{1,2}_?[A-Za-z0-9]{0,2}$")
_EXC_NAME = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
_PARAM_PHRASE = re.compile(
    r"`{1,2}(\w+)`{1,2}\s+(?:argument|parameter|keyword argument)\b"
    r"|\b(?:argument|parameter)\s+`{1,2}(\w+)`{1,2}"
)
_FILE_SUFFIXES = (".py", ".txt", ".cfg", ".toml", ".json", ".ini", ".md", ".rst", ".h", ".c")
_SIMPLE_TYPES = frozenset({"int", "str", "bytes", "float", "bool", "list", "dict", "tuple", "set"})
_COMPATIBLE = {("float", "int"), ("int", "bool")}


@dataclass
class Claim:
    """One checkable statement of a docstring and the verdict on it."""

    kind: str
    subject: str
    verdict: str  # "true" | "false" | "unknown"
    why: str = ""

    def note(self) -> str:
        """The note shown for a false claim (``param zeta``, ``raises FooError: ...``)."""
        return f"{self.kind} {self.subject}".strip() + (f": {self.why}" if self.why else "")


@dataclass
class Effects:
    """What the code visibly does: calls, file deletion or writing, network use, raises."""

    calls: set[str] = field(default_factory=set)
    deletes: bool = False
    writes: bool = False
    network: bool = False
    #: ``(exception name, if-test source, raised in the else branch)`` for raises under an if
    branches: list[tuple[str, str, bool]] = field(default_factory=list)
    #: names bound inside the code (assignments, loop and ``with`` targets), not parameters
    assigned: set[str] = field(default_factory=set)


def _parse(code: str) -> ast.Module | None:
    try:
        return pyast.parse(code, quiet=True)
    except (SyntaxError, ValueError):
        return None


def _os_call(func: ast.expr) -> bool:
    """True for ``remove(…)`` and ``os.remove(…)``, not for ``items.remove(…)``."""
    if isinstance(func, ast.Name):
        return True
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and (func.value.id in ("os", "shutil", "posix", "nt"))
    )


def effects_of(tree: ast.AST | None) -> Effects:
    """The side effects visible in ``tree`` (nested definitions included)."""
    out = Effects()
    if tree is None:
        return out
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for sub_node in ast.iter_child_nodes(node):
            parents[sub_node] = node
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            out.calls.add(name)
            if name in _DELETE_CALLS or (name == "remove" and _os_call(func)):
                out.deletes = True
            if name in _WRITE_CALLS or (name in _MOVE_CALLS and _moves_a_file(node)):
                out.writes = True
            if name in _NETWORK_CALLS:
                out.network = True
            if name == "open" and _opens_for_writing(node):
                out.writes = True
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.assigned.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom) and node.module:
                mods.append(node.module)
            if any(m.split(".")[0] in _NETWORK_MODULES for m in mods):
                out.network = True
        elif isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            child: ast.AST = node
            parent = parents.get(node)
            while parent is not None and not isinstance(
                parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            ):
                if isinstance(parent, ast.If):
                    in_else = child in parent.orelse
                    out.branches.append(
                        (ast.unparse(exc).rsplit(".", 1)[-1], ast.unparse(parent.test), in_else)
                    )
                    break
                child, parent = parent, parents.get(parent)
    return out


def _moves_a_file(call: ast.Call) -> bool:
    """True for ``os.replace(a, b)``, ``shutil.move(a, b)``, ``p.rename(target)``; not for
    ``text.replace(a, b)`` or ``d.copy()``."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("os", "shutil", "posix", "nt")
    ):
        return True
    if not isinstance(func, ast.Attribute) or func.attr not in ("replace", "rename"):
        return False
    return len(call.args) == 1 and not call.keywords


def _opens_for_writing(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else None
    for kw in call.keywords:
        if kw.arg == "mode":
            mode = kw.value
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and any(c in mode.value for c in "wax+")
    )


@dataclass
class CodeView:
    """The code a docstring is checked against: the target, its module, and their effects."""

    facts: FileFacts
    target: Target
    init: Target | None
    known: set[str]
    symbols: SymbolIndex | None
    own: Effects
    module: Effects
    module_words: set[str]
    #: the module imports from its own package: names may live in modules the eval cannot see
    in_package: bool = False

    @classmethod
    def of(
        cls,
        facts: FileFacts,
        target: Target,
        init: Target | None = None,
        known: set[str] | None = None,
        symbols: SymbolIndex | None = None,
    ) -> CodeView:
        """Build the view (parses the target and the module once)."""
        from docagent.eval.metrics import code_names

        module_tree = _parse(facts.text)
        own_tree = module_tree if target.kind == "module" else _parse(target_code(facts, target))
        return cls(
            facts=facts,
            target=target,
            init=init,
            known=known if known is not None else code_names(facts),
            symbols=symbols,
            own=effects_of(own_tree),
            module=effects_of(module_tree),
            module_words=set(re.findall(r"[A-Za-z_]\w*", facts.text)),
            in_package=_imports_own_package(module_tree, facts.path),
        )

    @property
    def stub(self) -> bool:
        """True for abstract methods and bodies that only raise NotImplementedError."""
        return is_stub(self.target)


def is_stub(target: Target) -> bool:
    """True for an abstract method or a body that raises NotImplementedError: an interface
    whose implementations, not its own body, do the work."""
    return target.is_abstract or any(
        r.rsplit(".", 1)[-1] == "NotImplementedError" for r in target.raises
    )


def _imports_own_package(tree: ast.Module | None, path: str) -> bool:
    """True when the module has relative imports or imports its own top-level package."""
    if tree is None or "/" not in path:
        return False
    top = path.split("/", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").split(".")[0] == top
        ):
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == top for a in node.names):
            return True
    return False


def _literal(text: str) -> object:
    text = text.strip().strip("`").rstrip(".")
    try:
        return pyast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return _Unparsed(text)


class _Unparsed(str):
    """A default that is not a literal (compared as text, never judged false)."""


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _param_claims(view: CodeView, text: str) -> list[Claim]:
    from docagent.eval.metrics import pep257_items

    t = view.target
    sec = parse_sections(text)
    items = pep257_items(text)
    owner = view.init if t.kind == "class" else t
    out: list[Claim] = []
    params = {p.name: p for p in owner.params} if owner is not None else {}
    # documented keys of **kwargs cannot be refuted by the signature; a class without an
    # ``__init__`` of its own (dataclass, attrs, a base class's) takes its fields or inherits
    open_ended = any(p.kind == "var_keyword" for p in params.values())
    fields = set(t.attributes) | view.known if owner is None else set()
    for name in dict.fromkeys([*sec.params, *items["params"]]):
        if name in params or name in fields:
            out.append(Claim("param", name, "true"))
        else:
            out.append(Claim("param", name, "unknown" if open_ended else "false"))
    if not open_ended:
        for m in _PARAM_PHRASE.finditer(text):
            name = m.group(1) or m.group(2)
            if name not in params and name not in sec.params and name not in items["params"]:
                out.append(Claim("param", name, "false"))
    attrs = set(t.attributes) | view.known
    for name in dict.fromkeys([*sec.attributes, *items["attributes"]]):
        out.append(Claim("attribute", name, "true" if name in attrs else "false"))
    out.extend(_typed_claims(text, params, t))
    return out


def _typed_claims(text: str, params: Mapping[str, object], target: Target) -> list[Claim]:
    """Defaults and types stated in sections, against the signature."""
    import docstring_parser

    from docagent.code.docstrings import detect_style

    style = detect_style(text)
    if style == "pep257":
        return []
    parse_style = {
        "google": docstring_parser.DocstringStyle.GOOGLE,
        "numpy": docstring_parser.DocstringStyle.NUMPYDOC,
        "sphinx": docstring_parser.DocstringStyle.REST,
    }[style]
    try:
        doc = docstring_parser.parse(text, style=parse_style)
    except docstring_parser.ParseError:
        return []
    out: list[Claim] = []
    for p in doc.params:
        param = params.get(p.arg_name)
        if param is None:
            continue
        default = getattr(param, "default", None)
        stated = p.default
        if stated is None and p.description:
            m = _DEFAULT_RE.search(p.description)
            stated = m.group(1) if m else None
        if stated is not None and default is not None and default != "None":
            a, b = _literal(stated), _literal(default)
            if isinstance(a, _Unparsed) or isinstance(b, _Unparsed):
                out.append(Claim("default", p.arg_name, "unknown"))
            elif a == b and type(a) is type(b):
                out.append(Claim("default", p.arg_name, "true"))
            else:
                out.append(
                    Claim("default", p.arg_name, "false", f"stated {stated}, code has {default}")
                )
        ann = getattr(param, "annotation", None)
        out.extend(_type_claim("type", p.arg_name, p.type_name, ann))
    if doc.returns is not None and not doc.returns.is_generator:
        out.extend(_type_claim("return type", "", doc.returns.type_name, target.returns))
    return out


def _type_claim(kind: str, subject: str, stated: str | None, annotation: str | None) -> list[Claim]:
    if not stated or not annotation:
        return []
    a = stated.strip().strip("`").split(",")[0].strip()
    b = annotation.strip().strip("'\"")
    if a not in _SIMPLE_TYPES or b not in _SIMPLE_TYPES:
        return [Claim(kind, subject, "unknown")]
    if a == b or (b, a) in _COMPATIBLE:
        return [Claim(kind, subject, "true")]
    return [Claim(kind, subject, "false", f"documented {a}, annotated {b}")]


def _return_claims(view: CodeView, text: str) -> list[Claim]:
    t = view.target
    if t.kind not in ("function", "method"):
        return []
    sec = parse_sections(text)
    out: list[Claim] = []
    no_value = (
        not t.returns_value
        and not t.yields
        and t.returns in (None, "None")
        and not view.stub
        and not t.is_property
    )
    summary = sec.summary or (text.strip().split("\n", 1)[0] if text.strip() else "")
    claims_value = sec.returns or bool(_RETURN_LEAD.match(summary))
    if not claims_value:
        for s in _sentences(text):
            if re.match(r"^returns?\s+(the|a|an)\b", s, re.IGNORECASE) and not _NEGATION.search(s):
                claims_value = True
                break
    if claims_value:
        out.append(
            Claim("returns", "", "false", "the body never returns a value")
            if no_value
            else Claim("returns", "", "true")
        )
    if _RETURN_NOTHING.search(text):
        wrong = t.returns_value and t.returns not in ("None",) and not view.stub
        out.append(
            Claim("returns", "nothing", "false", "the body returns a value")
            if wrong
            else Claim("returns", "nothing", "true")
        )
    if sec.yields:
        out.append(
            Claim("yields", "", "true" if t.yields or view.stub else "false", "not a generator")
        )
    return out


def claimed_exceptions(text: str) -> list[str]:
    """Exception names the text says are raised (Raises sections and prose), in order."""
    from docagent.eval.metrics import pep257_items

    sec = parse_sections(text)
    names = [*sec.raises, *pep257_items(text)["raises"]]
    for m in _PROSE_RAISE.finditer(text):
        names.append(m.group(1) or m.group(2))
    out = []
    for n in names:
        bare = re.sub(r":\w+:", "", n or "").strip("`~ ").rsplit(".", 1)[-1]
        if _EXC_NAME.match(bare) and bare not in out:
            out.append(bare)
    return out


def _raise_claims(view: CodeView, text: str) -> list[Claim]:
    t = view.target
    raised = {r.rsplit(".", 1)[-1] for r in t.raises}
    out: list[Claim] = []
    for name in claimed_exceptions(text):
        if name in raised:
            out.append(Claim("raises", name, "true"))
        elif name in view.module_words or name in view.known or name in _BUILTIN_EXCEPTIONS:
            out.append(Claim("raises", name, "unknown"))
        else:
            out.append(
                Claim("raises", name, "false", "not raised, nor named in the module or repository")
            )
    out.extend(_condition_claims(view, text))
    return out


_IF_CODE = re.compile(r"\b[Ii]f\s+`{0,2}([^`\n]+?)`{0,2}\.?\s*(?:\n|$)")


def _condition_claims(view: CodeView, text: str) -> list[Claim]:
    """Raise conditions written as code: true code of the raising branch, with visible names.

    For each exception the body raises under an ``if``, an ``If <code>`` after the exception's
    name is false when ``<code>`` is the test of an ``if`` whose ``else`` branch raises, when it
    names a local variable of the body (the reader cannot see it), or when it is a bare
    ``*args``/``**kwargs`` name (a truth value of a parameter pack says nothing).
    """
    owner = view.init if view.target.kind == "class" else view.target
    params = {p.name: p for p in owner.params} if owner is not None else {}
    local = view.own.assigned - set(params) - {"self", "cls"}
    packs = {n for n, p in params.items() if p.kind in ("var_positional", "var_keyword")}
    out: list[Claim] = []
    seen: set[tuple[str, str]] = set()
    for exc in {b[0] for b in view.own.branches}:
        else_tests = {t for e, t, in_else in view.own.branches if e == exc and in_else}
        for m in re.finditer(rf"\b{re.escape(exc)}\b", text):
            window = text[m.end() : m.end() + 300].split("\n\n", 1)[0]
            found = _IF_CODE.search(window)
            if found is None:
                continue
            cond = found.group(1).strip()
            if (exc, cond) in seen:
                continue
            seen.add((exc, cond))
            tree = _parse(cond)
            if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
                continue
            expr = tree.body[0].value
            names = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
            if ast.unparse(expr) in else_tests:
                why = f"raised when `{cond}` is false, not true"
            elif names & local:
                why = f"names local variable {', '.join(sorted(names & local))}"
            elif isinstance(expr, ast.Name) and expr.id in packs:
                why = f"`{expr.id}` as a truth value says nothing"
            else:
                out.append(Claim("raises", exc, "true"))
                continue
            out.append(Claim("raises", exc, "false", why))
    return out


def _effect_claims(view: CodeView, text: str) -> list[Claim]:
    out: list[Claim] = []
    for sentence in _sentences(text):
        if _NEGATION.search(sentence):
            continue
        for kind, pattern, own, module in (
            ("deletes", _DELETE_CLAIM, view.own.deletes, view.module.deletes),
            ("writes", _WRITE_CLAIM, view.own.writes, view.module.writes),
            ("network", _NETWORK_CLAIM, view.own.network, view.module.network),
        ):
            if not pattern.search(sentence):
                continue
            if own:
                out.append(Claim(kind, "", "true"))
            elif module:
                out.append(Claim(kind, "", "unknown"))
            else:
                out.append(Claim(kind, "", "false", "no such call in the code"))
    return out


def _name_claims(view: CodeView, text: str) -> list[Claim]:
    from docagent.draft.draft_checks import backticked_names

    unknown = set(
        unresolved_names(
            text,
            view.target,
            view.symbols,
            view.init,
            view.facts,
            known=view.known | _STDLIB | _BUILTIN_NAMES,
        )
    )
    out = []
    for n in backticked_names(text):
        if n not in unknown:
            out.append(Claim("name", n, "true"))
        elif _PLAIN_WORD.match(n) or _NOTATION.match(n) or n.endswith(_FILE_SUFFIXES):
            out.append(Claim("name", n, "unknown"))  # a value, a word or a file name
        elif view.in_package:
            out.append(Claim("name", n, "unknown"))  # may live in a module of the package
        else:
            out.append(Claim("name", n, "false"))
    return out


def verify(view: CodeView, text: str) -> list[Claim]:
    """Every checkable claim of ``text`` about the code in ``view``, with its verdict."""
    text = text or ""
    claims: list[Claim] = []
    if view.target.kind != "module":
        claims += _param_claims(view, text)
        claims += _return_claims(view, text)
    else:  # a module has no signature: a documented parameter is invented
        claims += [Claim("param", n, "false") for n in parse_sections(text).params]
        claims += [
            Claim("param", m.group(1) or m.group(2), "false") for m in _PARAM_PHRASE.finditer(text)
        ]
    claims += _raise_claims(view, text)
    claims += _effect_claims(view, text)
    judged = {c.subject for c in claims if c.kind == "raises"}
    claims += [
        c
        for c in _name_claims(view, text)
        if c.subject.lstrip("~").rstrip("()").rsplit(".", 1)[-1] not in judged
    ]
    return claims


def truth_value(claims: list[Claim]) -> float:
    """``FALSE_CLAIM_FACTOR ** (number of false claims)``; 1.0 when nothing is false."""
    return FALSE_CLAIM_FACTOR ** sum(1 for c in claims if c.verdict == "false")
