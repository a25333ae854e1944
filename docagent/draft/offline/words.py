"""Identifiers and code as prose: split names into words, join them, list them, quote code.

The offline drafter's sentences are built from names; these helpers decide when a name reads as
words (:func:`meaningful`) and how code is shown so the draft checks accept it (backticks for
expressions, bare dotted names for names the names check can look up).
"""

from __future__ import annotations

import re

from docagent.draft.offline.vocabulary import GENERIC_NAMES, NOT_OBJECTS, PREDICATES

#: A bare, possibly dotted name, optionally called: shown without backticks.
SIMPLE_NAME = re.compile(r"~?[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\(\))?")


def split_words(name: str) -> list[str]:
    """Split an identifier into lower-case words; acronyms (``HTTP``) keep their case."""
    name = name.strip("_")
    words: list[str] = []
    for part in re.split(r"_+", name):
        for w in re.findall(
            r"[A-Z]{2,}v\d+|[A-Z]+(?=[A-Z][a-z]|\d|\b|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", part
        ):
            keep = (w.isupper() and len(w) > 1) or re.fullmatch(r"[A-Z]{2,}v\d+", w)
            words.append(w if keep else w.lower())
    return words


def as_phrase(words: list[str]) -> str:
    """Join words into a phrase."""
    return " ".join(words)


def clip(text: str, limit: int = 70) -> str:
    """``text`` on one line, cut to ``limit`` characters with "..." when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def plain_code(text: str) -> str:
    """Code shown in prose: one line, no backticks (they would be checked as names)."""
    return clip(text.replace("`", "'"))


def quoted_code(text: str, limit: int = 60) -> str:
    """Code in prose: in backticks unless it is a bare (possibly dotted) name, which the names
    check would look up; '' when it is too long to help."""
    text = " ".join(text.replace("`", "'").split())
    if not text or len(text) > limit:
        return ""
    if SIMPLE_NAME.fullmatch(text):
        return text
    return f"`{text}`"


def listing(names: list[str], conj: str = "and", limit: int = 8) -> str:
    """``a, b and c``: at most ``limit`` names, then how many more."""
    shown = names[:limit]
    if not shown:
        return ""
    more = len(names) - len(shown)
    if more > 0:
        return ", ".join(shown) + f" and {more} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" {conj} " + shown[-1]


def call_listing(callees: list[str]) -> str:
    """The first two callees as calls: ``f() and g()``."""
    return listing([f"{c}()" for c in callees[:2]], "and", 2)


def meaningful(name: str) -> bool:
    """True when ``name`` reads as words (``initial_indent``), not a letter or a generic name.

    One- to three-letter names (``s``, ``lo``, ``pat``) and generic names (``obj``, ``arg``,
    ``result``) say nothing reliable about a value, so they are never turned into prose.
    """
    words = split_words(name)
    bare = name.strip("_").lower()
    if not words or bare in GENERIC_NAMES:
        return False
    if len(words) == 1:
        return len(words[0]) >= 4 and not words[0].isdigit()
    return sum(len(w) for w in words) >= 5 and any(len(w) >= 3 for w in words)


def predicate_clause(subject: str, head: str, rest: str) -> str:
    """``the parser is closed`` from a predicate name's ``head`` (``is``) and ``rest``."""
    verb = PREDICATES[head]
    if subject:
        return f"{subject} {verb} {rest}"
    return f"the {rest} check passes"


def verb_sentence(verb: str, rest: list[str]) -> str:
    """``Find all links.`` / ``Parse the header.``: no article before adverbs and particles."""
    if rest[0] in NOT_OBJECTS:
        return f"{verb} {as_phrase(rest)}."
    return f"{verb} the {as_phrase(rest)}."
