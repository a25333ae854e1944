"""The literal text a regular expression cannot match without: a cheap screen before a search.

:func:`required_literals` reads a compiled pattern's syntax tree (Python's own ``re`` parser)
and returns strings of which every match contains at least one (``AccountKey=`` for
``AccountKey=[a-zA-Z0-9+/=]{88}``, ``key`` or ``token`` or ... for a branch of keywords), or
None when it finds no such string. A text that contains none of them cannot match, so the
pattern need not run on it: ``str.__contains__`` is many times faster than a search that has
to try the pattern at every position (a ``\\b`` or a look-behind in front turns off ``re``'s own
prefix scan). For a case-insensitive pattern the strings are lower case and hold only for ASCII
text: look for them in ``text.lower()`` of a text for which ``text.isascii()`` is true (outside
ASCII, case folding has exceptions such as ``ſ`` for ``s``), else search without the screen.

The derivation is conservative: a part it does not understand (classes, anchors,
look-arounds, optional parts, group references) adds no requirement, and a Python whose ``re``
internals differ gives None for every pattern (no screen, same results).
"""

from __future__ import annotations

import re
from typing import Any

try:  # CPython 3.11+: the parser behind ``re.compile``
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another implementation
    _c = _p = None

_Need = frozenset[str]


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` contains, or None when none is known.

    Lower case when ``pattern`` ignores case (see the module docstring for how to use them).
    """
    if _p is None or not isinstance(pattern.pattern, str):
        return None
    try:
        tree = _p.parse(pattern.pattern, pattern.flags)
        need = _sequence(list(tree), bool(pattern.flags & re.IGNORECASE))
    except Exception:  # an unknown node shape: no screen rather than a wrong one
        return None
    return tuple(sorted(need)) if need else None


def required_literal_sets(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """Every requirement :func:`required_literals` finds in ``pattern``'s top-level sequence,
    most selective first: each is strings one of which every match contains, so a text must
    meet all of them (``cl`` and one of ``key``, ``pwd``, ... for ``(?:cloudant|cl)(?:key|pwd|
    ...)``). Empty when none is known; the first is :func:`required_literals`'s.
    """
    if _p is None or not isinstance(pattern.pattern, str):
        return ()
    try:
        tree = _p.parse(pattern.pattern, pattern.flags)
        found = _requirements(list(tree), bool(pattern.flags & re.IGNORECASE))
    except Exception:  # an unknown node shape: no screen rather than a wrong one
        return ()
    ordered: list[tuple[str, ...]] = []
    # stable: of equally selective ones, the first found comes first (as in ``_sequence``)
    for need in sorted(found, key=lambda need: -min(len(s) for s in need)):
        item = tuple(sorted(need))
        if item not in ordered:
            ordered.append(item)
    return tuple(ordered)


def _sequence(items: list[tuple[Any, Any]], icase: bool) -> _Need | None:
    """The best requirement of a sequence of nodes: each run of consecutive literal
    characters is one, and so is each part that needs one; the most selective is kept."""
    found = _requirements(items, icase)
    if not found:
        return None
    return max(found, key=lambda need: min(len(s) for s in need))


def _requirements(items: list[tuple[Any, Any]], icase: bool) -> list[_Need]:
    """Every requirement of a sequence of nodes, in order: each run of consecutive literal
    characters is one, and so is each part that needs one."""
    found: list[_Need] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            found.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            ch = chr(av)
            if icase and not ch.isascii():
                end_run()
            else:
                run.append(ch.lower() if icase else ch)
            continue
        end_run()
        need = _node(op, av, icase)
        if need:
            found.append(need)
    end_run()
    return found


def _node(op: Any, av: Any, icase: bool) -> _Need | None:
    """The requirement of one node other than a literal character (None: none known)."""
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if (add_flags | del_flags) & re.IGNORECASE:
            return None  # case sensitivity changes inside: not worth following
        return _sequence(list(sub), icase)
    if op is _c.BRANCH:
        alternatives = [_sequence(list(sub), icase) for sub in av[1]]
        if all(alternatives):
            return frozenset().union(*alternatives)  # type: ignore[arg-type]
        return None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        return _sequence(list(sub), icase) if low >= 1 else None
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(av), icase)
    if op is _c.IN and len(av) == 1 and av[0][0] is _c.LITERAL:
        ch = chr(av[0][1])
        if icase and not ch.isascii():
            return None
        return frozenset([ch.lower() if icase else ch])
    return None
