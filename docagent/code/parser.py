"""The tree-sitter Language, Parser and Query objects, created once and shared.

tree-sitter 0.25+ API: ``Query(language, source)`` and ``QueryCursor(query).captures(node)``.
The grammar is pinned to ``tree-sitter-python>=0.25,<0.26`` because later versions change the
docstring node shape (see tests/test_parser.py for the fixture that guards it).
"""

from __future__ import annotations

import sys
import threading
from functools import cache

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree


def python_grammar() -> object:
    """tree-sitter-python's language pointer, read from the package's compiled module alone.

    The package's ``__init__`` also imports ``importlib.resources`` (with ``tempfile``,
    ``shutil`` and ``random``) for query files docagent does not read: about 10 ms of every
    start-up. Its ``_binding`` extension is found where ``import`` would find it and loaded
    without running the ``__init__``; when it is not found that way (another kind of
    install), or the package is imported already, the package gives it.
    """
    import importlib.machinery
    import importlib.util

    if "tree_sitter_python" not in sys.modules:
        spec = importlib.machinery.PathFinder.find_spec("tree_sitter_python")
        locations = spec.submodule_search_locations if spec is not None else None
        binding = (
            importlib.machinery.PathFinder.find_spec("tree_sitter_python._binding", locations)
            if locations
            else None
        )
        if binding is not None and isinstance(
            binding.loader, importlib.machinery.ExtensionFileLoader
        ):
            module = importlib.util.module_from_spec(binding)
            binding.loader.exec_module(module)
            return module.language()
    import tree_sitter_python

    return tree_sitter_python.language()


LANGUAGE = Language(python_grammar())

# ``@python2``: statements only Python 2 has, which tree-sitter-python reads without an error
# (``print x``, ``exec code``, ``except E, e:``, ``raise E, "message"``); the statement walk of
# :func:`docagent.code.targets.statement_definitions` finds the same ones
DEFINITIONS_QUERY = """
(function_definition) @def
(class_definition) @def
(return_statement) @return
(yield) @yield
(raise_statement) @raise
(print_statement) @python2
(exec_statement) @python2
(except_clause "," @python2)
(raise_statement (expression_list) @python2)
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
