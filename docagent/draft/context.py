"""Context packs: what a model sees about one target, under a token budget (docs/drafting.md).

A pack holds the target's source (an outline for classes and modules), the enclosing class
header and attributes, signatures and docstrings of repository functions it calls, a few call
sites, the module docstring and imports, and style examples (the team's accepted docstrings when
given, else nearby docstrings of the same file). Sections are filled in a fixed priority order and
truncated line by line, so the same inputs always give the same pack.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from docagent.code.targets import FileFacts, Target
from docagent.draft.resolve import Site
from docagent.draft.symbols import Symbol, SymbolIndex, signature, target_code

#: Share of the budget the target's own source may take before it is truncated.
TARGET_SHARE = 0.6
MIN_SECTION_TOKENS = 24
MAX_CALLEES = 8
MAX_CALL_SITES = 3
MAX_TEST_SITES = 2
MAX_EXAMPLES = 2
#: Estimated tokens of a file's source sent whole as the file-level context (else an outline).
FILE_BUDGET = 6000


def estimate_tokens(text: str) -> int:
    """Estimate tokens as one per four characters (rounded up); deterministic and fast."""
    return (len(text) + 3) // 4


@dataclass
class ContextSection:
    """One titled part of a context pack."""

    title: str
    text: str
    truncated: bool = False

    @property
    def tokens(self) -> int:
        """Estimated tokens of the section including its title line."""
        return estimate_tokens(self.render())

    def render(self) -> str:
        """Return the section as prompt text."""
        return f"## {self.title}\n{self.text.rstrip()}\n"


@dataclass
class ContextPack:
    """The context for one target, as logged with its draft."""

    path: str
    qualname: str
    budget: int
    sections: list[ContextSection] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    examples_source: str = "none"

    _ORDER = (
        "module",
        "class",
        "inherited",
        "callees",
        "call sites",
        "usage in tests",
        "accepted examples",
        "style examples",
        "previous draft rejected",
        "target",
    )

    @property
    def text(self) -> str:
        """The pack as prompt text: context first, the target last."""
        ordered = sorted(
            self.sections,
            key=lambda s: self._ORDER.index(s.title) if s.title in self._ORDER else 99,
        )
        return "\n".join(s.render() for s in ordered)

    @property
    def tokens(self) -> int:
        """Estimated tokens of :attr:`text` plus any team style examples."""
        return estimate_tokens(self.text) + sum(estimate_tokens(e) for e in self.team_examples)

    @property
    def team_examples(self) -> list[str]:
        """Style examples that belong in the cached prompt prefix (the team's accepted ones)."""
        return self.examples if self.examples_source == "team" else []

    @property
    def hash(self) -> str:
        """A short hash of everything the model sees from this pack."""
        h = hashlib.sha256(self.text.encode("utf-8"))
        for e in self.team_examples:
            h.update(b"\0" + e.encode("utf-8"))
        return h.hexdigest()[:16]

    def section(self, title: str) -> ContextSection | None:
        """Return the section called ``title``, or None."""
        return next((s for s in self.sections if s.title == title), None)


def _truncate(text: str, max_tokens: int) -> tuple[str, bool]:
    """Keep whole lines from the start of ``text`` while they fit in ``max_tokens``."""
    if estimate_tokens(text) <= max_tokens:
        return text, False
    lines = text.splitlines()
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = estimate_tokens(line + "\n")
        if used + cost > max_tokens - 8:
            break
        kept.append(line)
        used += cost
    kept.append(f"... ({len(lines) - len(kept)} more lines)")
    return "\n".join(kept), True


def _doc_head(doc: str, max_lines: int = 6) -> str:
    lines = doc.strip().splitlines()
    head = lines[:max_lines]
    if len(lines) > max_lines:
        head.append("...")
    return "\n".join(head)


def _outline(facts: FileFacts, target: Target) -> str:
    """A class or module outline: header, attributes, member signatures and summaries."""
    lines: list[str] = []
    if target.kind == "class":
        lines.append(signature(target) + ":")
        if target.attributes:
            lines.append("    # attributes: " + ", ".join(target.attributes))
        prefix = target.qualname + "."
        depth = target.qualname.count(".") + 1
        members = [
            t
            for t in facts.targets
            if t.qualname.startswith(prefix) and t.qualname.count(".") == depth
        ]
        for m in members:
            lines.extend(f"    @{d}" for d in m.decorators)
            lines.append(f"    {signature(m)}:")
            if m.docstring and m.docstring.text.strip():
                lines.append(f'        """{_summary_line(m.docstring.text)}"""')
        return "\n".join(lines)
    for t in facts.targets:
        if t.kind == "module" or "." in t.qualname:
            continue
        lines.append(signature(t))
        if t.docstring and t.docstring.text.strip():
            lines.append(f'    """{_summary_line(t.docstring.text)}"""')
    return "\n".join(lines)


def _summary_line(text: str) -> str:
    """The first non-blank line of a docstring (callers skip empty ones)."""
    return next(line.strip() for line in text.splitlines() if line.strip())


def _imports(facts: FileFacts) -> list[str]:
    """The file's top-level import lines (found once per file version, kept on ``facts``)."""
    cached = facts.__dict__.get("_import_lines")
    if cached is None:
        cached = [
            line.rstrip()
            for line in facts.text.splitlines()
            if line.startswith(("import ", "from "))
        ]
        facts.__dict__["_import_lines"] = cached
    return list(cached)


def _enclosing_class(facts: FileFacts, target: Target) -> Target | None:
    if "." not in target.qualname:
        return None
    parent = facts.target(target.qualname.rsplit(".", 1)[0])
    return parent if parent is not None and parent.kind == "class" else None


def _class_section(facts: FileFacts, cls: Target) -> str:
    lines = [signature(cls) + ":"]
    if cls.docstring:
        lines.append(f'    """{_doc_head(cls.docstring.text, 3)}"""')
    if cls.attributes:
        lines.append("    # attributes: " + ", ".join(cls.attributes))
    init = facts.target(cls.qualname + ".__init__")
    if init is not None:
        lines.append(f"    {signature(init)}: ...")
    return "\n".join(lines)


def _callee_entry(s: Symbol) -> str:
    head = f"{s.path}: {s.qualname}\n    {s.signature}"
    if s.docstring:
        doc = _doc_head(s.docstring, 4).replace("\n", "\n        ")
        head += f'\n        """{doc}"""'
    return head


def file_context(facts: FileFacts, budget: int = FILE_BUDGET) -> str:
    """The file-level context shared by every target of ``facts``'s file (the cached prefix).

    The whole source when it fits in ``budget`` estimated tokens; else the module docstring,
    the imports and an outline of the file's classes and functions (signatures and first
    docstring lines). It depends on the file only, never on a target, so requests for targets
    of one file share it byte for byte.
    """
    source = facts.text.rstrip()
    if estimate_tokens(source) <= budget:
        return f"## file\nThe module the target is in, {facts.path}:\n```python\n{source}\n```\n"
    lines: list[str] = []
    module = facts.target("<module>")
    if module is not None and module.docstring:
        lines.append(f'"""{_doc_head(module.docstring.text, 6)}"""')
    lines.extend(_imports(facts))
    for t in facts.targets:
        if t.kind == "module":
            continue
        depth = t.qualname.count(".")
        pad = "    " * depth
        lines.extend(f"{pad}@{d}" for d in t.decorators)
        lines.append(f"{pad}{signature(t)}:")
        if t.docstring:
            lines.append(f'{pad}    """{t.docstring.text.splitlines()[0]}"""')
    body, _ = _truncate("\n".join(lines), budget)
    return f"## file outline\nAn outline of the module the target is in, {facts.path}:\n{body}\n"


def is_test_path(path: str) -> bool:
    """True for files of a test suite (``tests/``, ``test_*.py``, ``*_test.py``, conftest)."""
    parts = path.split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _site_text(symbols: SymbolIndex, site: Site, before: int, after: int) -> str:
    where = "module level" if site.caller == "<module>" else site.caller
    lines = symbols.site_lines(site, before, after)
    return f"{site.path}:{site.line} (in {where}):\n" + "\n".join("    " + x for x in lines)


def _usage(facts: FileFacts, target: Target, symbols: SymbolIndex) -> tuple[list[str], list[str]]:
    """Resolved call sites of ``target`` (a few lines each) and its uses in tests.

    Falls back to lines that call the name when the file cannot be resolved (no parse).
    """
    if not symbols.parses(facts.path):
        name = target.name
        if target.kind == "class" or (name.startswith("__") and name.endswith("__")):
            return [], []
        lines = symbols.call_sites(name, (facts.path, target.line), MAX_CALL_SITES)
        return [f"{p}:{n}: {t}" for p, n, t in lines], []
    resolved = symbols.callers(facts.path, target.qualname)
    code = [s for s in resolved if not is_test_path(s.path)]
    tests = [s for s in resolved if is_test_path(s.path)]
    # one site per caller first, so the few shown cover different uses
    code.sort(key=lambda s: (s.path != facts.path, s.path, s.line))

    def one_per_caller(sites: list[Site]) -> list[Site]:
        seen: set[tuple[str, str]] = set()
        picked = []
        for s in sites:
            if (s.path, s.caller) not in seen:
                seen.add((s.path, s.caller))
                picked.append(s)
        return picked

    return (
        [_site_text(symbols, s, 1, 1) for s in one_per_caller(code)[:MAX_CALL_SITES]],
        [_site_text(symbols, s, 2, 2) for s in one_per_caller(tests)[:MAX_TEST_SITES]],
    )


def _inherited(facts: FileFacts, target: Target, symbols: SymbolIndex) -> list[str]:
    """For a method, the base-class method it overrides; for a class, its repository bases."""
    if not symbols.parses(facts.path):
        return []  # the call graph does not know the file's classes
    resolver = symbols.resolver
    ref = (facts.path, target.qualname)
    if target.kind == "class":
        refs = resolver.bases(ref)
    else:
        over = resolver.overridden(ref)
        refs = [over] if over is not None else []
    out = []
    for r in refs:
        s = symbols.get(*r)
        if s is not None:
            out.append(("overrides " if target.kind != "class" else "base ") + _callee_entry(s))
    return out


def nearby_docstrings(
    facts: FileFacts,
    target: Target,
    limit: int = MAX_EXAMPLES,
    exclude: Collection[str] = (),
) -> list[str]:
    """Existing docstrings of the same file with sections first, nearest to ``target``.

    Never a stale docstring (one that disagrees with its code) nor one whose qualname is in
    ``exclude`` (the drafter passes docstrings written by a model that no person reviewed).
    """
    # The order is that of sorting the candidates by (plain, of another kind, distance in
    # lines, line), ties in source order: the first ``limit`` are read from the file's
    # candidates grouped by (plain, kind) and sorted by line, nearest first, without going
    # through the others (every target of a file asks: quadratic in its docstrings otherwise).
    groups = _example_groups(facts)
    chosen: list[str] = []
    line, own = target.line, target.qualname
    for plain in (False, True):
        same = [groups[(plain, target.kind)]] if (plain, target.kind) in groups else []
        other = [g for (p, kind), g in groups.items() if p == plain and kind != target.kind]
        for kinds in (same, other):
            for _d, _line, _i, t in heapq.merge(*(_nearest(g, line) for g in kinds)):
                if len(chosen) >= limit:
                    return chosen
                if t.qualname != own and t.qualname not in exclude:
                    chosen.append(t.docstring.text)  # type: ignore[union-attr]
    return chosen


#: candidates of one (plain, kind) group: their lines (sorted) and ``(line, index, target)``
#: in the same order (``index``: the place in :func:`_example_candidates`)
_Group = tuple[list[int], list[tuple[int, int, Target]]]


def _example_groups(facts: FileFacts) -> dict[tuple[bool, str], _Group]:
    """:func:`_example_candidates` by (plain, kind), each sorted by line then source order;
    once per file version."""
    cached = facts.__dict__.get("_example_groups")
    if cached is None:
        found: dict[tuple[bool, str], list[tuple[int, int, Target]]] = {}
        for i, (plain, t) in enumerate(_example_candidates(facts)):
            found.setdefault((plain, t.kind), []).append((t.line, i, t))
        cached = {}
        for key, entries in found.items():
            entries.sort(key=lambda e: (e[0], e[1]))
            cached[key] = ([e[0] for e in entries], entries)
        facts.__dict__["_example_groups"] = cached
    return cached


def _nearest(group: _Group, line: int) -> Iterator[tuple[int, int, int, Target]]:
    """The group's candidates as ``(distance, line, index, target)`` in that order (nearest
    to ``line`` first; at one distance the earlier line; on one line, source order)."""
    lines, entries = group
    right = bisect.bisect_left(lines, line)  # entries from here are at or after ``line``
    left = right  # entries before this are before ``line``, read backwards a line at a time
    run: list[tuple[int, int, Target]] = []  # the entries of the line ``left`` reached
    while True:
        if not run and left > 0:
            start = bisect.bisect_left(lines, lines[left - 1], 0, left)
            run, left = entries[start:left], start  # one line's entries in source order
        after = entries[right] if right < len(entries) else None
        if run and (after is None or line - run[0][0] <= after[0] - line):
            at, i, t = run.pop(0)
            yield line - at, at, i, t
        elif after is not None:
            right += 1
            yield after[0] - line, after[0], after[1], after[2]
        else:
            return


def _example_candidates(facts: FileFacts) -> list[tuple[bool, Target]]:
    """The file's documented targets (no module) whose docstring agrees with their code, in
    source order, each with whether its docstring is plain (no sections); once per file version
    (every target of the file chooses its style examples among them)."""
    cached = facts.__dict__.get("_example_candidates")
    if cached is None:
        from docagent.code.docstrings import consistency_problems, detect_style

        cached = []
        for t in facts.targets:
            if t.docstring is None or t.kind == "module":
                continue
            init = facts.target(t.qualname + ".__init__") if t.kind == "class" else None
            if not consistency_problems(t, t.docstring.text, None, init):
                cached.append((detect_style(t.docstring.text) == "pep257", t))
        facts.__dict__["_example_candidates"] = cached
    return cached


def build_context(
    facts: FileFacts,
    target: Target,
    symbols: SymbolIndex | None = None,
    budget: int = 1500,
    examples: list[str] | None = None,
    call_sites: list[str] | None = None,
    module_section: bool = True,
    exclude_examples: Collection[str] = (),
    accepted: str = "",
    note: str = "",
) -> ContextPack:
    """Build the context pack of ``target`` in ``facts`` under ``budget`` estimated tokens.

    ``examples`` are the team's accepted docstrings (they go to the cached prompt prefix);
    without them, nearby docstrings of the file are used. ``call_sites`` overrides the call
    sites found in ``symbols``. ``module_section=False`` leaves out the module docstring and
    imports (the drafter sends them in the file-level context, :func:`file_context`);
    ``exclude_examples`` are qualnames of this file whose docstrings are never style examples.
    ``accepted`` is the rendered few-shot examples chosen for this target
    (:mod:`docagent.draft.examples`; they replace nearby style examples); ``note`` is a
    reviewer's rejection of the previous draft.
    """
    pack = ContextPack(path=facts.path, qualname=target.qualname, budget=budget)
    remaining = budget

    def add(title: str, text: str, cap: int | None = None) -> None:
        nonlocal remaining
        if not text.strip():
            return
        allowance = min(remaining, cap) if cap is not None else remaining
        if allowance < MIN_SECTION_TOKENS:
            return
        title_cost = estimate_tokens(f"## {title}\n")
        body, cut = _truncate(text, allowance - title_cost)
        section = ContextSection(title, body, cut)
        pack.sections.append(section)
        remaining -= section.tokens

    if examples:
        pack.examples = list(examples)
        pack.examples_source = "team"
        remaining -= sum(estimate_tokens(e) for e in examples[:MAX_EXAMPLES])
        pack.examples = pack.examples[:MAX_EXAMPLES]

    if target.kind in ("class", "module"):
        source = _outline(facts, target)
    else:
        source = target_code(facts, target)
    add("target", f"# {facts.path}\n{source}", cap=int(budget * TARGET_SHARE))

    cls = _enclosing_class(facts, target)
    if cls is not None:
        add("class", _class_section(facts, cls))

    if symbols is not None and target.kind != "module":
        inherited = _inherited(facts, target, symbols)
        if inherited:
            add("inherited", "\n".join(inherited))

    if symbols is not None and target.kind in ("function", "method"):
        entries = [_callee_entry(s) for s in symbols.callees(facts, target)[:MAX_CALLEES]]
        kept: list[str] = []
        for e in entries:
            if estimate_tokens("\n".join([*kept, e])) + 8 > remaining:
                break
            kept.append(e)
        if kept:
            add("callees", "\n".join(kept))

    mod_lines = []
    module = facts.target("<module>") if module_section else None
    if module is not None and module.docstring and target.kind != "module":
        mod_lines.append(f'"""{_doc_head(module.docstring.text, 4)}"""')
    if module_section:
        mod_lines.extend(_imports(facts))
    add("module", "\n".join(mod_lines))

    tests: list[str] = []
    if call_sites is None and symbols is not None and target.kind != "module":
        call_sites, tests = _usage(facts, target, symbols)
    if call_sites:
        add("call sites", "\n".join(call_sites[:MAX_CALL_SITES]))
    if tests:
        add("usage in tests", "\n".join(tests[:MAX_TEST_SITES]))

    if note:
        add("previous draft rejected", note)
    if accepted and not examples:
        pack.examples_source = "accepted"
        add("accepted examples", accepted)
    elif not examples:
        near = nearby_docstrings(facts, target, exclude=exclude_examples)
        if near:
            pack.examples = near
            pack.examples_source = "nearby"
            add("style examples", "\n---\n".join(_doc_head(e, 12) for e in near))
    return pack
