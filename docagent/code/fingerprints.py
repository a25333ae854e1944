"""Fingerprints of a parsed file with docstrings removed, kept per file version for edits."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from docagent.code import pyast
from docagent.code.astfacts import no_gc, tree_facts
from docagent.code.proof import doc_ranges


def parse_module(text: str, path: str) -> ast.Module:
    """Parse ``text`` (the file at ``path``) with Python's compiler, without garbage collection."""
    with no_gc():  # building a large tree triggers useless collections (half the parse time)
        return pyast.compile_ast(text, path)


class Fingerprints:
    """The fingerprints of a parsed file, docstrings removed, from one pass over its tree.

    :attr:`shas` has each definition's by ``(line, name)`` and :attr:`module_sha` the whole
    module's (the same fingerprints as ``targets.code_shas``); with ``keep_docstrings``,
    :attr:`docstrings` has each definition's docstring and the module's (key ``MODULE``).
    With ``source`` (the UTF-8 bytes ``tree`` was parsed from), :attr:`doc_ranges` holds the
    byte ranges of its docstring statements (for :func:`docagent.code.proof.prove`).
    """

    def __init__(
        self, tree: ast.Module, keep_docstrings: bool = False, source: bytes | None = None
    ) -> None:
        """Fingerprint ``tree`` in one pass (see the class docstring for the options)."""
        found = tree_facts(tree, docstrings=keep_docstrings)
        self.module_sha = found.module_sha
        self.shas = found.shas
        self.docstrings = found.docstrings
        self.doc_ranges = doc_ranges(tree, source) if source is not None else frozenset()


#: fingerprints of file versions by the SHA-256 of their UTF-8 text: a file planned again
#: (a dry run, then the run; review's accepts) is not parsed and fingerprinted again
_BEFORE: dict[bytes, Fingerprints] = {}
_BEFORE_SIZE = 64
#: docstring ranges of file versions whose fingerprints came from the facts cache (same key)
_RANGES: dict[bytes, frozenset[tuple[int, int]]] = {}


def fingerprints_of(source: bytes, text: str, path: str) -> Fingerprints:
    """The :class:`Fingerprints` (with docstring ranges) of a file version: ``source`` its UTF-8
    bytes, ``text`` its text; parsed once and kept for the next plan of the same version."""
    key = hashlib.sha256(source).digest()
    found = _BEFORE.get(key)
    if found is None:
        found = Fingerprints(parse_module(text, path), source=source)
        _BEFORE[key] = found
        while len(_BEFORE) > _BEFORE_SIZE:
            _BEFORE.pop(next(iter(_BEFORE)))
    return found


def held_fingerprints(source: bytes) -> Fingerprints | None:
    """The :class:`Fingerprints` of the file version whose UTF-8 bytes are ``source`` when
    :func:`fingerprints_of` computed them before (kept in memory), else None."""
    return _BEFORE.get(hashlib.sha256(source).digest())


def doc_ranges_of(source: bytes, text: str, path: str) -> frozenset[tuple[int, int]]:
    """The byte ranges of the docstring statements of a file version (``source`` its UTF-8
    bytes, ``text`` its text), for a plan whose fingerprints came from elsewhere (the facts
    cache): one parse and a walk of its statements, no fingerprint traversal. Kept like
    :func:`fingerprints_of`'s."""
    key = hashlib.sha256(source).digest()
    known = _BEFORE.get(key)
    if known is not None:
        return known.doc_ranges
    found = _RANGES.get(key)
    if found is None:
        found = _RANGES[key] = doc_ranges(parse_module(text, path), source)
        while len(_RANGES) > _BEFORE_SIZE:
            _RANGES.pop(next(iter(_RANGES)))
    return found


@dataclass
class DefFingerprints:
    """Fingerprints of some definitions of a parsed module (see :func:`def_fingerprints`)."""

    #: the whole module's, or None when not asked
    module_sha: str | None
    #: the definitions' by ``(line, name)``
    shas: dict[tuple[int, str], str]
    #: which of those keys are classes
    classes: set[tuple[int, str]]


def def_fingerprints(tree: ast.Module, keys: set[tuple[int, str]], module: bool) -> DefFingerprints:
    """The fingerprints of the definitions of ``tree`` at ``keys`` (``(line, name)``), and of
    the whole module with ``module``: those :func:`~docagent.code.astfacts.tree_facts` gives
    (``ast.dump`` of the tree with docstrings removed, hashed), which owns their format."""
    with no_gc():  # the traversal builds many small objects: collections would only slow it
        found = tree_facts(tree)
    shas = {k: v for k, v in found.shas.items() if k in keys}
    classes = {k for k in shas if isinstance(found.nodes.get(k), ast.ClassDef)}
    return DefFingerprints(found.module_sha if module else None, shas, classes)
