"""The repository symbol index: every target's signature and docstring, by name.

Built from the :class:`~docagent.code.targets.FileFacts` of scanned files. Context packs use it
for callee signatures and call sites, checks use it to verify names in backticks, and batch
feeds accepted docstrings back into it so callers drafted later see their callees' new docs.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from docagent.code import pyast
from docagent.code.astfacts import call_name
from docagent.code.targets import FileFacts, Target
from docagent.draft.resolve import Resolver, Site


@dataclass
class Symbol:
    """One target of the repository as the index knows it."""

    path: str
    qualname: str
    kind: str
    name: str
    line: int
    signature: str
    docstring: str = ""

    @property
    def module(self) -> str:
        """The dotted module name of the symbol's file (``pkg/mod.py`` -> ``pkg.mod``)."""
        return module_name(self.path)


def module_name(path: str) -> str:
    """Return the dotted module name for a repository path."""
    mod = path[:-3] if path.endswith(".py") else path
    mod = mod.replace("/", ".")
    if mod.endswith(".__init__"):
        mod = mod[: -len(".__init__")]
    return mod


def _one_line(text: str) -> str:
    return " ".join(text.split())


def signature(target: Target) -> str:
    """Return a one-line signature: ``def name(a: int = 1, *args) -> R`` or ``class N(B)``."""
    if target.kind == "module":
        return f"module {module_name(target.path)}"
    if target.kind == "class":
        bases = f"({', '.join(_one_line(b) for b in target.bases)})" if target.bases else ""
        return f"class {target.name}{bases}"
    parts: list[str] = []
    seen_kwonly = False
    pos_only = any(p.kind == "positional_only" for p in target.params)
    for i, p in enumerate(target.params):
        if p.kind == "keyword_only" and not seen_kwonly:
            if not any(q.kind == "var_positional" for q in target.params):
                parts.append("*")
            seen_kwonly = True
        if p.kind == "var_positional":
            seen_kwonly = True
        s = p.display_name
        if p.annotation:
            s += f": {_one_line(p.annotation)}"
        if p.default is not None:
            s += f" = {_one_line(p.default)}" if p.annotation else f"={_one_line(p.default)}"
        parts.append(s)
        nxt = target.params[i + 1] if i + 1 < len(target.params) else None
        if pos_only and p.kind == "positional_only" and (nxt is None or nxt.kind != p.kind):
            parts.append("/")
    ret = f" -> {_one_line(target.returns)}" if target.returns else ""
    prefix = "async def" if target.is_async else "def"
    return f"{prefix} {target.name}({', '.join(parts)}){ret}"


def target_code(facts: FileFacts, target: Target) -> str:
    """Return the target's source, dedented, from the start of its first line."""
    start = facts.source.rfind(b"\n", 0, target.start_byte) + 1
    raw = facts.source[start : target.end_byte].decode("utf-8", "replace")
    return textwrap.dedent(raw.expandtabs(8) if "\t" in raw[:200] else raw)


_CALL_RE = re.compile(r"(?<![\w.])((?:self|cls)\.)?([A-Za-z_]\w*)\s*\(")


def calls_in(code: str) -> list[str]:
    """Return the names called in ``code`` in first-use order.

    ``self.x()`` and ``cls.x()`` give ``"self.x"``; ``a.b.c()`` gives ``"a.b.c"``.
    """
    out: dict[str, None] = {}
    try:
        tree = pyast.parse(code, quiet=True)
    except (SyntaxError, ValueError):
        for m in _CALL_RE.finditer(code):
            out.setdefault(("self." if m.group(1) else "") + m.group(2), None)
        return list(out)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    for call in calls:
        name = call_name(call)
        if name is not None:
            out.setdefault(name, None)
    return list(out)


_SITE_RE = re.compile(r"(?<![\w])([A-Za-z_]\w*)\s*\(")
_BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | {"self", "cls"}


def _builtin_attribute(parts: list[str]) -> bool:
    """True when ``parts`` name an attribute of a builtin (``list.extend``, ``str.join``)."""
    obj: object = builtins
    for part in parts:
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


class SymbolIndex:
    """Signatures and docstrings of every target of the repository, searchable by name."""

    def __init__(self, symbols: Iterable[Symbol] = (), texts: dict[str, str] | None = None):
        """Index ``symbols``; ``texts`` maps paths to file text for call-site search."""
        self.symbols: dict[tuple[str, str], Symbol] = {}
        self.by_name: dict[str, list[Symbol]] = {}
        self.texts: dict[str, str] = dict(texts or {})
        self.imports: dict[str, frozenset[str]] = {}
        #: each file's lines, split on first use (the lines around call sites)
        self._lines: dict[str, list[str]] = {}
        self._qualified: set[str] | None = None
        self._modules: frozenset[str] | None = None
        #: names whose list in :attr:`by_name` needs sorting (sorted on first read)
        self._unsorted: set[str] = set()
        #: callees per target: ``(path, qualname) -> (facts, symbols)``; cleared by any add
        self._callees: dict[tuple[str, str], tuple[FileFacts, list[Symbol]]] = {}
        self._resolver: Resolver | None = None
        #: the facts of every indexed file (their parse is shared with the resolver)
        self._file_facts: dict[str, FileFacts] = {}
        for s in symbols:
            self.add(s)

    @classmethod
    def from_files(cls, files: Iterable[FileFacts]) -> SymbolIndex:
        """Build the index from scanned files (deterministic: sorted by path)."""
        index = cls()
        for facts in sorted(files, key=lambda f: f.path):
            index.add_file(facts)
        return index

    def add_file(self, facts: FileFacts) -> None:
        """Add (or replace) every target of one file."""
        from docagent.code.astfacts import ast_facts

        self.texts[facts.path] = facts.text
        self._lines.pop(facts.path, None)
        self._file_facts[facts.path] = facts
        self._resolver = None
        self._modules = None
        found = ast_facts(facts)
        self.imports[facts.path] = (
            found.imports if found.error is None else frozenset(imported_names(facts.text))
        )
        for t in facts.targets:
            self.add(
                Symbol(
                    path=t.path,
                    qualname=t.qualname,
                    kind=t.kind,
                    name=t.name if t.kind != "module" else module_name(t.path).rsplit(".", 1)[-1],
                    line=t.line,
                    signature=signature(t),
                    docstring=t.docstring.text if t.docstring else "",
                )
            )

    def add(self, symbol: Symbol) -> None:
        """Add one symbol, replacing an earlier one with the same path and qualname."""
        key = (symbol.path, symbol.qualname)
        old = self.symbols.get(key)
        if old is not None:
            self.by_name[old.name] = [s for s in self.by_name[old.name] if s is not old]
        self.symbols[key] = symbol
        self._qualified = None
        self._callees.clear()
        same = self.by_name.setdefault(symbol.name, [])
        if same and (same[-1].path, same[-1].line) > (symbol.path, symbol.line):
            self._unsorted.add(symbol.name)  # sorted once, when the name is next looked up
        same.append(symbol)

    def named(self, name: str) -> list[Symbol]:
        """The symbols called ``name``, ordered by path and line."""
        if name in self._unsorted:
            self._unsorted.discard(name)
            self.by_name[name].sort(key=lambda s: (s.path, s.line))
        return self.by_name.get(name, [])

    def get(self, path: str, qualname: str) -> Symbol | None:
        """Return the symbol of ``qualname`` in ``path``, or None."""
        return self.symbols.get((path, qualname))

    def set_docstring(self, path: str, qualname: str, text: str) -> None:
        """Record a newly accepted docstring so later drafts see it."""
        s = self.symbols.get((path, qualname))
        if s is not None:
            s.docstring = text

    def resolve(self, call: str, path: str, qualname: str = "") -> Symbol | None:
        """Resolve a called name (from :func:`calls_in`) made inside ``qualname`` of ``path``.

        ``self.x`` resolves to a method of the enclosing class; a plain name to a definition in
        the same file first, then to the only definition of that name in the repository.
        """
        if call.startswith("self."):
            name = call[5:]
            scope = qualname.split(".")
            while scope:
                scope.pop()
                s = self.symbols.get((path, ".".join([*scope, name])))
                if s is not None and s.kind == "method":
                    return s
            return None
        parts = call.split(".")
        name = parts[-1]
        if len(parts) == 1:
            scope = qualname.split(".") if qualname and qualname != "<module>" else []
            while True:
                s = self.symbols.get((path, ".".join([*scope, name])))
                if s is not None and s.qualname != qualname:
                    return s
                if not scope:
                    break
                scope.pop()
        candidates = [s for s in self.named(name) if s.kind != "module"]
        if len(parts) > 1:
            mod = ".".join(parts[:-1])
            narrowed = [s for s in candidates if s.module.endswith(mod) or s.qualname == call]
            candidates = narrowed or [
                s for s in candidates if s.kind in ("function", "class") and len(candidates) == 1
            ]
        top = [s for s in candidates if s.kind in ("function", "class")] or candidates
        if len(top) == 1 and not (top[0].path == path and top[0].qualname == qualname):
            return top[0]
        return None

    @property
    def resolver(self) -> Resolver:
        """The resolved-reference graph of the indexed files (built on first use)."""
        if self._resolver is None:
            from docagent.code.astfacts import ast_facts, no_gc

            trees = {}
            for path, facts in self._file_facts.items():
                tree = ast_facts(facts).tree
                if tree is not None:
                    trees[path] = tree
            with no_gc():  # the files whose tree is not kept are parsed here
                self._resolver = Resolver(self.texts, trees)
        return self._resolver

    def parses(self, path: str) -> bool:
        """Whether the :attr:`resolver` knows the file ``path`` (Python's parser reads it).

        Answered from the file's facts without building the call graph: a batch that drafts
        only targets of files that do not parse never builds it.
        """
        if self._resolver is None:
            facts = self._file_facts.get(path)
            if facts is not None:
                from docagent.code.astfacts import ast_facts

                error = ast_facts(facts).error
                if error is None or isinstance(error, SyntaxError | ValueError | RecursionError):
                    return error is None
        return path in self.resolver.trees

    def _symbol(self, ref: tuple[str, str]) -> Symbol | None:
        return self.symbols.get(ref)

    def callees(self, facts: FileFacts, target: Target) -> list[Symbol]:
        """Return the repository symbols ``target`` calls, in first-use order.

        Calls are resolved references (:class:`~docagent.draft.resolve.Resolver`: imports,
        base classes, attribute and local types); a target the resolver does not know (its
        file is not indexed or does not parse) falls back to name matching. Computed once per
        target and file version (a new list each call); adding symbols forgets what was
        computed.
        """
        if target.kind == "module":
            return []
        key = (facts.path, target.qualname)
        cached = self._callees.get(key)
        if cached is not None and cached[0] is facts:
            return list(cached[1])
        out: list[Symbol] = []
        seen: set[int] = set()
        if self.parses(facts.path) and (facts.path, target.qualname) in self.resolver.functions:
            for ref in self.resolver.callees(facts.path, target.qualname):
                s = self._symbol(ref)
                if s is not None and id(s) not in seen:
                    seen.add(id(s))
                    out.append(s)
            self._callees[key] = (facts, out)
            return list(out)
        from docagent.code.astfacts import ast_facts

        found = ast_facts(facts)
        calls = found.calls.get((target.line, target.name)) if found.error is None else None
        if calls is None:
            calls = calls_in(target_code(facts, target))
        for call in calls:
            s = self.resolve(call, facts.path, target.qualname)
            if s is not None and id(s) not in seen:
                seen.add(id(s))
                out.append(s)
        self._callees[key] = (facts, out)
        return list(out)

    def callers(self, path: str, qualname: str) -> list[Site]:
        """Every resolved call of target ``qualname`` of ``path`` in the indexed files."""
        return self.resolver.callers((path, qualname))

    def site_lines(self, site: Site, before: int = 1, after: int = 1) -> list[str]:
        """The source lines around a call site (``before`` and ``after`` it), dedented."""
        lines = self._lines.get(site.path)
        if lines is None:
            lines = self._lines[site.path] = self.texts.get(site.path, "").splitlines()
        lo = max(0, site.line - 1 - before)
        chunk = lines[lo : site.line + after]
        return textwrap.dedent("\n".join(chunk)).splitlines()

    def call_sites(
        self, name: str, exclude: tuple[str, int] | None = None, limit: int = 3
    ) -> list[tuple[str, int, str]]:
        """Return up to ``limit`` ``(path, line, text)`` lines that call ``name(`` (text match;
        :meth:`callers` gives resolved ones), in path and line order.

        Only files and lines that contain ``name`` are split and matched, and the search stops
        at ``limit`` lines: it is asked only for targets of files Python cannot parse.
        """
        out: list[tuple[str, int, str]] = []
        if limit <= 0:
            return out
        for path in sorted(self.texts):
            text = self.texts[path]
            if name not in text:
                continue
            for n, line in enumerate(text.splitlines(), 1):
                if name not in line:
                    continue
                stripped = line.strip()
                if stripped.startswith(("def ", "async def ", "class ", "#")):
                    continue
                if name in _SITE_RE.findall(line) and (path, n) != exclude:
                    out.append((path, n, stripped))
                    if len(out) >= limit:
                        return out
        return out

    def known(self, name: str, path: str = "") -> bool:
        """True when ``name`` (possibly dotted) is a repository, imported or builtin name."""
        name = name.strip().rstrip("()")
        if not name:
            return False
        parts = name.split(".")
        if parts[0] in _BUILTIN_NAMES and (len(parts) == 1 or _builtin_attribute(parts)):
            return True
        if parts[0] in self.imports.get(path, frozenset()):
            return True
        if name in self.by_name or parts[-1] in self.by_name:
            return True
        if self._qualified is None:
            self._qualified = {s.qualname for s in self.symbols.values()}
            self._qualified |= {f"{s.module}.{s.qualname}" for s in self.symbols.values()}
            self._qualified |= {module_name(p) for p in self.texts}
        if name in self._qualified:
            return True
        if self._modules is None:
            modules = {module_name(p) for p in self.texts}
            # every dotted suffix of a module name: "b.c" and "c" for "a.b.c"
            suffixes = {m.split(".", i)[-1] for m in modules for i in range(1, m.count(".") + 1)}
            self._modules = frozenset(modules | suffixes)
        return name in self._modules

    def all(self) -> list[Symbol]:
        """Every symbol, ordered by path and line."""
        return sorted(self.symbols.values(), key=lambda s: (s.path, s.line, s.qualname))


def imported_names(text: str) -> list[str]:
    """Return the names bound by ``import`` statements anywhere in ``text``."""
    try:
        tree = pyast.parse(text, quiet=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out.append(a.asname or a.name.split(".")[0])
                out.append(a.name)
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                out.append(a.asname or a.name)
            if node.module:
                out.append(node.module.split(".")[0])
    return out
