"""Reference-free helpfulness: what a docstring tells a reader that the signature does not.

A docstring's words are split (``snake_case`` and ``CamelCase`` into words, lower-cased, a
trailing plural ``s`` dropped) and sorted into three piles:

- *filler*: English function words and docstring boilerplate (``the``, ``args``, ``returns``,
  ``value``, ``result``, ``todo``, ``if an error occurs`` …);
- *restated*: words of the signature — the target's and its class's names, parameter names,
  annotations, defaults, decorators, the module's file name — and the names of the exceptions
  the code raises (naming them is completeness; saying *when* they are raised is help);
- *new*: everything else.

``information = new / (new + 6)`` grows with every distinct new word and never saturates, so a
truncated docstring scores below the whole one. ``novelty`` is the share of the non-filler
words that are new; it is reported (a note when under half) but is no part of the value:
restated names already add no information, and a share of them would count them twice —
documenting each parameter by name would lower the value, and cutting those lines off would
raise it. ``grounding`` is the share of the distinct
non-filler words that occur in the target's code (identifiers split into words, string
literals, comments) or signature — a word found only elsewhere in the module counts half: an
explanation of *this* code shares vocabulary with it; another function's docstring does not.

``helpfulness = information × (0.1 + 0.9 × weight)``, where the grounding ``weight`` is the
grounded words counted against ``min(distinct non-filler words, GROUNDING_SPAN)``: the
grounding share for a docstring of up to :data:`GROUNDING_SPAN` distinct words, and for a
longer one the grounded words against that fixed span — so a long docstring's explanation in
words the code does not use costs it nothing, and a cut that keeps at least the span's words
cannot weigh more than the whole (a share alone rewards a cut at a sentence, whose first half
is often the denser in the code's words). A template (``Args: x: The x.``), the signature in
prose, or ``TODO.`` has no new word and scores 0.

``specificity = min(1, grounding / SPECIFIC)`` (:func:`specificity`) says whether the text is
about *this* code at all: a docstring less than :data:`SPECIFIC` of whose vocabulary occurs in
the target's code is most likely about other code — another function's docstring pasted in, or
a confident sentence that fits anything. A text of fewer than :data:`SPECIFIC_MIN_WORDS`
distinct non-filler words is too short to tell and counts as specific. It is a factor of the
case's score (:func:`docagent.eval.metrics.combine`), so length and fluency cannot make up for
it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docagent.code.targets import FileFacts, Target
from docagent.draft.symbols import target_code

#: Distinct new words at which information is one half.
HALF = 6
#: How much a word found elsewhere in the module (not in the target's code) counts as grounded.
MODULE_WEIGHT = 0.5
#: Grounding at and above which a text counts as fully about its target (:func:`specificity`).
#: Chosen on the dev set: about 2% of the authors' docstrings ground less than this, half of
#: the docstrings of other files (the ``swapped`` perturbation) do.
SPECIFIC = 0.2
#: Fewer distinct non-filler words than this are too few to judge specificity by.
SPECIFIC_MIN_WORDS = 5
#: The grounding weight of helpfulness (:attr:`Help.weight`) counts a docstring's grounded
#: words against its distinct non-filler words, but against no more than this many: past it a
#: docstring is fully grounded once this many of its words are the code's, so explaining in
#: words the code does not use costs nothing and cutting a long docstring short cannot raise
#: its weight. Chosen on the dev set: about four in five of the authors' docstrings have fewer
#: distinct non-filler words (for them the weight is the grounding share); 28 to 45 measure
#: the same there.
GROUNDING_SPAN = 30

_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "else",
        "etc",
        "every",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "like",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "neither",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "otherwise",
        "our",
        "out",
        "over",
        "own",
        "per",
        "same",
        "shall",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "use",
        "used",
        "uses",
        "using",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "e",
        "g",
        "ie",
        "eg",
        "i.e",
        "e.g",
    ]
)
_BOILERPLATE = frozenset(
    [
        "arg",
        "args",
        "argument",
        "arguments",
        "param",
        "params",
        "parameter",
        "parameters",
        "kwarg",
        "kwargs",
        "keyword",
        "return",
        "returns",
        "returned",
        "yield",
        "yields",
        "raise",
        "raises",
        "raised",
        "exception",
        "exceptions",
        "error",
        "errors",
        "occur",
        "occurs",
        "occurred",
        "type",
        "types",
        "rtype",
        "optional",
        "default",
        "defaults",
        "none",
        "true",
        "false",
        "value",
        "values",
        "result",
        "results",
        "given",
        "object",
        "objects",
        "instance",
        "instances",
        "function",
        "functions",
        "method",
        "methods",
        "class",
        "classes",
        "module",
        "modules",
        "attribute",
        "attributes",
        "property",
        "properties",
        "todo",
        "fixme",
        "xxx",
        "tbd",
        "description",
        "example",
        "examples",
        "note",
        "notes",
        "see",
        "call",
        "called",
        "calls",
        "self",
        "cls",
        "new",
        "specified",
        "provided",
        "input",
        "output",
        "data",
        "item",
        "items",
        "thing",
        "things",
        "something",
        "set",
        "get",
        "number",
        "string",
        "str",
        "int",
        "bool",
        "list",
        "dict",
        "tuple",
        "float",
        "bytes",
        "any",
        # a file extension: "Module asyncio/staggered.py." names the file and says nothing
        "py",
        "pyi",
    ]
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


@dataclass
class Help:
    """The helpfulness value and its parts."""

    value: float
    new: int
    novelty: float
    grounding: float
    notes: list[str]
    #: distinct non-filler words (new and restated)
    vocabulary: int = 0
    #: the grounding weight of the value: grounded words over ``min(vocabulary, GROUNDING_SPAN)``
    weight: float = 0.0


def words(text: str) -> list[str]:
    """The normalised words of ``text`` (identifiers split, lower-cased, plural ``s`` dropped)."""
    out: list[str] = []
    for token in _WORD.findall(text or ""):
        for part in _CAMEL.findall(token):
            w = part.lower()
            if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
                w = w[:-1]
            if len(w) > 1:
                out.append(w)
    return out


def signature_words(target: Target, init: Target | None = None, path: str = "") -> set[str]:
    """Words a reader gets from the signature alone (names, annotations, defaults), and the
    names of the exceptions the code raises."""
    parts = [target.qualname.replace(".", " "), path.replace("/", " ").replace(".py", "")]
    parts += [r.rsplit(".", 1)[-1] for r in target.raises]
    for owner in (target, init):
        if owner is None:
            continue
        for p in owner.params:
            parts += [p.name, p.annotation or "", p.default or ""]
        parts += [owner.returns or "", *owner.decorators]
    parts += list(target.bases)
    return set(words(" ".join(parts)))


def code_words(facts: FileFacts, target: Target) -> set[str]:
    """Words of the target's code (its whole module for a module target)."""
    code = facts.text if target.kind == "module" else target_code(facts, target)
    return set(words(code))


def helpfulness(
    target: Target,
    text: str,
    facts: FileFacts,
    init: Target | None = None,
    code: set[str] | None = None,
    module: set[str] | None = None,
) -> Help:
    """Score what ``text`` says beyond the signature (see the module docs).

    ``code`` and ``module`` are :func:`code_words` of the target and of its whole module,
    computed when not given.
    """
    sig = signature_words(target, init, facts.path)
    content = [w for w in words(text) if w not in _STOP and w not in _BOILERPLATE]
    if not content:
        return Help(0.0, 0, 0.0, 0.0, ["says nothing"])
    code = code if code is not None else code_words(facts, target)
    module = module if module is not None else set(words(facts.text))
    said = set(content)
    near = said & (code | sig)
    elsewhere = (said - near) & module
    grounded = len(near) + MODULE_WEIGHT * len(elsewhere)
    grounding = grounded / len(said)
    weight = min(1.0, grounded / min(len(said), GROUNDING_SPAN))
    new = [w for w in content if w not in sig]
    distinct = set(new)
    if not distinct:
        restated = "the module's name" if target.kind == "module" else "the signature"
        note = f"restates {restated} only"
        return Help(0.0, 0, 0.0, grounding, [note], len(said), weight)
    information = len(distinct) / (len(distinct) + HALF)
    novelty = len(new) / len(content)
    value = information * (0.1 + 0.9 * weight)
    notes = []
    if novelty < 0.5:
        notes.append(f"mostly restates names ({novelty:.0%} new words)")
    if grounding < 0.25:
        notes.append(f"shares little vocabulary with the code ({grounding:.0%})")
    return Help(value, len(distinct), novelty, grounding, notes, len(said), weight)


def specificity(found: Help) -> float:
    """How far the text of ``found`` (its :func:`helpfulness`) is about its target:
    ``min(1, grounding / SPECIFIC)``, 1 for a text too short to tell (see the module docs)."""
    if found.vocabulary < SPECIFIC_MIN_WORDS:
        return 1.0 if found.vocabulary else 0.0
    return max(0.0, min(1.0, found.grounding / SPECIFIC))
