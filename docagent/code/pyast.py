"""Every use of Python's ``ast`` parser in docagent goes through here, one thread at a time.

CPython 3.11's conversion of a parse tree into ``ast`` objects keeps its recursion depth in
interpreter-wide state: two threads parsing at once can fail with ``SystemError: AST constructor
recursion depth mismatch`` (python/cpython gh-106905). The review TUI accepts on one thread while
drafts are prefetched on another, so every parse holds :data:`LOCK`. ``ast.walk``, ``ast.dump``
and ``ast.get_docstring`` only read finished objects and need no lock.
"""

from __future__ import annotations

import ast
import threading
import warnings
from typing import Any

#: held around every call that builds ``ast`` objects from source text (re-entrant)
LOCK = threading.RLock()


def parse(source: str | bytes, filename: str = "<unknown>", *, quiet: bool = False) -> ast.Module:
    """``ast.parse`` of ``source`` under :data:`LOCK`.

    ``quiet`` silences the warnings Python emits about the parsed code (``SyntaxWarning`` and,
    on 3.11, ``DeprecationWarning`` for invalid escape sequences in a user's file: not ours to
    report).
    """
    with LOCK:
        if not quiet:
            return ast.parse(source, filename=filename)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return ast.parse(source, filename=filename)


def compile_ast(text: str, filename: str) -> ast.Module:
    """Parse ``text`` as a module the way the compiler does (no inherited future flags)."""
    with LOCK:
        tree = compile(text, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        assert isinstance(tree, ast.Module)
        return tree


def literal_eval(node_or_text: str | ast.AST) -> Any:
    """``ast.literal_eval`` under :data:`LOCK` (it parses when given text)."""
    with LOCK:
        return ast.literal_eval(node_or_text)
