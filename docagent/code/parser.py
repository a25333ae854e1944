"""The tree-sitter Language, Parser and Query objects, created once and shared.

tree-sitter 0.25+ API: ``Query(language, source)`` and ``QueryCursor(query).captures(node)``.
The grammar is pinned to ``tree-sitter-python>=0.25,<0.26`` because later versions change the
docstring node shape (see tests/test_parser.py for the fixture that guards it).
"""

from __future__ import annotations

import threading
from functools import cache

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

LANGUAGE = Language(tree_sitter_python.language())

DEFINITIONS_QUERY = """
(function_definition) @def
(class_definition) @def
(return_statement) @return
(yield) @yield
(raise_statement) @raise
"""

DEFS_ONLY_QUERY = """
(function_definition) @def
(class_definition) @def
"""

BODY_FACTS_QUERY = """
(return_statement) @return
(yield) @yield
(raise_statement) @raise
"""

_local = threading.local()


def parser() -> Parser:
    """Return this thread's Parser (Parser objects are not shared between threads)."""
    p = getattr(_local, "parser", None)
    if p is None:
        p = _local.parser = Parser(LANGUAGE)
    return p


@cache
def query(source: str) -> Query:
    """Return a compiled (and cached) Query for ``source``."""
    return Query(LANGUAGE, source)


def parse(source: bytes) -> Tree:
    """Parse UTF-8 ``source`` bytes into a tree-sitter Tree."""
    return parser().parse(source)


def captures(source: str, node: Node) -> dict[str, list[Node]]:
    """Run the query ``source`` on ``node`` and return its captures by name."""
    return QueryCursor(query(source)).captures(node)


def text(node: Node) -> str:
    """Return a node's source text (UTF-8 decoded)."""
    raw = node.text
    return raw.decode("utf-8") if raw is not None else ""
