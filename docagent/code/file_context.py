"""What planning an edit reads of one file, computed once: positions, indentation, fingerprints."""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Mapping
from itertools import accumulate

from tree_sitter import Node, Tree

from docagent.code import parser as ts
from docagent.code.fingerprints import (
    Fingerprints,
    def_fingerprints,
    doc_ranges_of,
    fingerprints_of,
    held_fingerprints,
)
from docagent.code.proof import line_ends, line_starts
from docagent.code.refusal import RefusedEdit
from docagent.code.splices import Splice
from docagent.code.targets import FileFacts, Target, insertion_point

_DEF_TYPES = ("function_definition", "class_definition")


class FileContext:
    """Lazily computed per-file facts that planning needs (tree, code shas, indent unit).

    ``known_shas`` are code fingerprints of this very file version computed earlier (the facts
    cache's entry for its bytes, :mod:`docagent.code.factscache`), by qualname: a qualname
    found there takes its ``code_sha`` from there, and the file is then not parsed to
    fingerprint it. Any other qualname is fingerprinted from the file.

    With ``defer``, a ``code_sha`` guard whose fingerprint is not known yet is not checked when
    the edit is screened (:meth:`defer_code_sha`): it is checked once the edit is proved, from
    the fingerprints of the edited file's parse (:meth:`deferred_hold`), which the proof shows
    are the file's own. Python then parses the file once instead of twice (before and after the
    edit). The planner plans again without deferring when a deferred guard does not hold.
    """

    def __init__(
        self,
        facts: FileFacts,
        tree: Tree | None = None,
        known_shas: Mapping[str, str] | None = None,
        *,
        defer: bool = False,
    ) -> None:
        """Read ``facts``; ``tree`` is the tree-sitter tree of its source when the caller has it;
        ``known_shas`` the fingerprints of this file version by qualname, when known; with
        ``defer``, unknown fingerprints are checked after the proof (see the class docstring)."""
        self.facts = facts
        self._defer = defer
        #: qualname -> the ``code_sha`` its edit expects, for the guards :meth:`defer_code_sha` left
        self.deferred: dict[str, str] = {}
        #: the edited file's tree and splices of the last edit :func:`~docagent.code.proof.prove`
        #: showed changes only docstrings (kept while guards are deferred)
        self.proven: tuple[ast.Module, list[Splice]] | None = None
        self.source = facts.source
        self._tree: Tree | None = tree
        self._known = known_shas
        self._shas: dict[str, str | None] = {}
        self._stripped: Fingerprints | None = None
        self._unit: str | None = None
        self._by_qualname: dict[str, Target] | None = None

    @property
    def tree(self) -> Tree | None:
        """The file's tree-sitter tree when it was parsed or given, else None."""
        return self._tree

    @property
    def root(self) -> Node:
        """The root of the file's tree-sitter tree (parsed on first use)."""
        if self._tree is None:
            self._tree = ts.parse(self.source)
        return self._tree.root_node

    def stripped(self) -> Fingerprints:
        """The file's fingerprints and docstring ranges (parsed once per file version)."""
        if self._stripped is None:
            self._stripped = fingerprints_of(self.source, self.facts.text, self.facts.path)
        return self._stripped

    def target(self, qualname: str) -> Target | None:
        """``facts.target(qualname)``, from an index built on first use."""
        if self._by_qualname is None:
            self._by_qualname = {}
            for t in self.facts.targets:
                self._by_qualname.setdefault(t.qualname, t)
        return self._by_qualname.get(qualname)

    def doc_ranges(self) -> frozenset[tuple[int, int]]:
        """The byte ranges of the file's docstring statements in Python's own parse (for the
        proof): from its fingerprints when they were computed, else one parse without them."""
        if self._stripped is not None:
            return self._stripped.doc_ranges
        return doc_ranges_of(self.source, self.facts.text, self.facts.path)

    def code_sha(self, qualname: str) -> str | None:
        """``code_shas(facts)[qualname]``, without a deep copy per target.

        Stripping docstrings is local to each body, so stripping the whole tree once and
        dumping one definition gives the same hash as stripping a copy of that definition.
        """
        if qualname not in self._shas:
            t = self.target(qualname)
            # qualnames are unique in a file (a second ``f`` is ``f#2``), as in the cache
            known = None if t is None or self._known is None else self._known.get(qualname)
            if t is None or known is not None:
                self._shas[qualname] = known
            else:
                stripped = self.stripped()
                self._shas[qualname] = (
                    stripped.module_sha
                    if t.kind == "module"
                    else stripped.shas.get((t.line, t.name))
                )
        return self._shas[qualname]

    def defer_code_sha(self, qualname: str, expected: str) -> bool:
        """True when the ``code_sha`` guard of ``qualname`` (``expected``) is left for
        :meth:`deferred_hold`: deferring is on and the fingerprint is not known yet (neither
        given, nor computed, nor kept in memory for this file version)."""
        if not self._defer or self._stripped is not None or qualname in self._shas:
            return False
        if self._known is not None and qualname in self._known:
            return False
        if self.target(qualname) is None:
            return False
        if not self.deferred:  # the first one: this version's fingerprints may be in memory
            held = held_fingerprints(self.source)
            if held is not None:
                self._stripped = held
                return False
        self.deferred[qualname] = expected
        return True

    def deferred_hold(self) -> bool:
        """True when every deferred ``code_sha`` guard holds: checked against the fingerprints
        of the edited file's parse when an edit was proved (the proof shows the edited file has
        the same code, so the same fingerprints, definition for definition), else against the
        file's own (parsed now). False (plan again, without deferring) when one does not hold or
        cannot be checked from the edited file."""
        if self._stripped is None and self.proven is not None:
            found = self._proven_shas()
            return found is not None and all(
                found.get(q) == want for q, want in self.deferred.items()
            )
        return all(self.code_sha(q) == want for q, want in self.deferred.items())

    def _proven_shas(self) -> dict[str, str | None] | None:
        """The fingerprints of the deferred qualnames, from the proven edited file's parse:
        each definition is found there at its line moved by the lines the splices before it
        added or removed, and only those asked for are fingerprinted (the whole module only
        when its own guard waits); None when a definition's line cannot be placed so."""
        assert self.proven is not None
        tree, splices = self.proven
        moves = sorted(splices, key=lambda s: s.start)
        ends = [s.end for s in moves]
        shifts = list(
            accumulate(
                (line_ends(s.data) - line_ends(self.source[s.start : s.end]) for s in moves),
                initial=0,
            )
        )
        starts = line_starts(self.source)
        keys: dict[str, tuple[int, str] | None] = {}
        for q in self.deferred:
            t = self.target(q)
            if t is None:
                return None
            if t.kind == "module":
                keys[q] = None
                continue
            if not 0 < t.line <= len(starts):
                return None
            at = starts[t.line - 1]
            k = bisect_right(ends, at)  # the splices that end by the start of its line
            if k < len(moves) and moves[k].start < at:
                return None  # its line starts inside a replaced range: not a definition's
            keys[q] = (t.line + shifts[k], t.name)
        wanted = {key for key in keys.values() if key is not None}
        found = def_fingerprints(tree, wanted, module=None in keys.values())
        out: dict[str, str | None] = {}
        for q, key in keys.items():
            if key is None:
                out[q] = found.module_sha
                continue
            t = self.target(q)
            assert t is not None
            if key not in found.shas or (key in found.classes) != (t.kind == "class"):
                return None
            out[q] = found.shas[key]
        return out

    def line_start(self, pos: int) -> int:
        """Index of the first byte of the line that contains ``pos``."""
        return self.source.rfind(b"\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        """Index of the ``\\n`` ending the line that contains ``pos`` (or len(source))."""
        i = self.source.find(b"\n", pos)
        return len(self.source) if i < 0 else i

    def newline_at(self, pos: int) -> str:
        """The line end of the line that contains ``pos`` (the file's own on its last line)."""
        end = self.line_end(pos)
        if end >= len(self.source):
            return self.facts.newline
        return "\r\n" if end > 0 and self.source[end - 1 : end] == b"\r" else "\n"

    def indent_of_line(self, pos: int) -> str:
        """The leading spaces and tabs of the line that contains ``pos``."""
        start = self.line_start(pos)
        line = self.source[start : self.line_end(pos)].decode("utf-8")
        return line[: len(line) - len(line.lstrip(" \t"))]

    def indent_unit(self, header_indent: str) -> str:
        """The file's indentation step, from existing blocks (default four spaces or a tab)."""
        if self._unit is None:
            self._unit = ""
            starts = [0, *(i + 1 for i, b in enumerate(self.source) if b == 10)]
            for t in self.facts.targets:
                if t.kind == "module" or t.line > len(starts):
                    continue
                def_pos = starts[t.line - 1]
                if self.line_start(t.body_start_byte) <= def_pos:
                    continue  # one-line body
                body = self.indent_of_line(t.body_start_byte)
                head = self.indent_of_line(def_pos)
                if body.startswith(head) and len(body) > len(head):
                    self._unit = body[len(head) :]
                    break
        if self._unit:
            return self._unit
        return "\t" if "\t" in header_indent else "    "

    def insertion(self, t: Target) -> tuple[int, int, int]:
        """:attr:`Target.insertion` of ``t``: from the facts when extracted with them (or taken
        from the facts cache), else from the file's tree-sitter tree."""
        if t.insertion is not None:
            return t.insertion
        return insertion_point(self.def_node(t))

    def def_node(self, t: Target) -> Node:
        """The tree-sitter definition node of ``t`` (found from its body's start)."""
        node = self.root.descendant_for_byte_range(t.body_start_byte, t.body_start_byte)
        while node is not None:
            if (
                node.type == "block"
                and node.start_byte == t.body_start_byte
                and node.parent is not None
                and node.parent.type in _DEF_TYPES
            ):
                return node.parent
            node = node.parent
        raise RefusedEdit(f"cannot locate the body of {t.qualname}")
