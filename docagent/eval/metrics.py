"""Per-case metrics of a drafted docstring, each a number in [0, 1].

- ``completeness`` (DocAgent-style): the share of the sections the code calls for that the text
  has — a summary line; every signature parameter (for a class, its ``__init__``'s when
  ``__init__`` has no docstring of its own); Returns when the function returns a value; Yields
  for generators; every exception type raised with ``raise``. Sectioned docstrings are read with
  :func:`~docagent.code.docstrings.parse_sections`; prose (pep257) docstrings count an element
  when the text names it ("Return …", the parameter's name, the exception's name).
- ``truthfulness``: the share of the names the text asserts that exist — documented parameters
  must be in the signature, names in backticks must exist in the code, the module, its imports,
  the standard library or builtins. Nothing asserted scores 1.
- ``checks``: 1 when every hard check of :mod:`docagent.draft.checks` passed, else 0.
- ``similarity``: chrF (character n-gram F-score, Popović 2015, the sacrebleu definition:
  orders 1–6, beta 2, whitespace ignored) against the reference, when the case has one.
- ``judge``: an LLM judge's rubric score, only with ``--judge`` (see :mod:`docagent.eval.judge`).

:data:`WEIGHTS` combine the metrics a case has into its score (weights of absent metrics are
redistributed proportionally).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from docagent.code import pyast
from docagent.code.docstrings import parse_sections
from docagent.code.targets import FileFacts, Target

#: Weights of the metrics in a case's score; see docs/evals.md.
WEIGHTS: dict[str, float] = {
    "completeness": 0.30,
    "truthfulness": 0.30,
    "checks": 0.20,
    "similarity": 0.20,
    "judge": 0.25,
}
METRICS = tuple(WEIGHTS)

_PEP257_ITEM = re.compile(r"^\s*(\*{0,2}[A-Za-z_][\w.]*)\s+--\s")
_PEP257_HEADERS = {
    "arguments": "params",
    "args": "params",
    "parameters": "params",
    "params": "params",
    "keyword arguments": "params",
    "positional arguments": "params",
    "optional arguments": "params",
    "exceptions": "raises",
    "raises": "raises",
    "instance variables": "attributes",
    "class variables": "attributes",
    "attributes": "attributes",
}
_RETURNS_RE = re.compile(r"\breturn(s|ed|ing)?\b", re.IGNORECASE)
_YIELDS_RE = re.compile(r"\byield|\bgenerat|\biterat", re.IGNORECASE)
_BACKTICK_RE = re.compile(r"(?<!`)``?([^`\n]+?)``?(?!`)")
_NAME_RE = re.compile(r"^~?[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\(\))?$")
_KNOWN_GLOBAL = (
    frozenset(dir(builtins))
    | frozenset(keyword.kwlist)
    | frozenset(getattr(sys, "stdlib_module_names", ()))
    | {"self", "cls"}
)


@dataclass
class Finding:
    """A metric value with what lowered it (missing elements or invented names)."""

    value: float
    notes: list[str] = field(default_factory=list)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", text))


def pep257_items(text: str) -> dict[str, list[str]]:
    """Items of PEP 257 sections (``name -- description`` under a header line).

    Returns ``{"params": [...], "raises": [...], "attributes": [...]}`` (names without
    ``*``). A header is a line such as ``Arguments`` or ``Exceptions:`` that starts a paragraph;
    the section ends at the next blank line.
    """
    out: dict[str, list[str]] = {"params": [], "raises": [], "attributes": []}
    section: str | None = None
    previous_blank = True
    for line in text.splitlines():
        if not line.strip():
            section, previous_blank = None, True
            continue
        header = line.strip().rstrip(":").lower()
        if previous_blank and header in _PEP257_HEADERS:
            section = _PEP257_HEADERS[header]
        elif section is not None:
            m = _PEP257_ITEM.match(line)
            if m:
                name = m.group(1).lstrip("*")
                if name not in out[section]:
                    out[section].append(name)
        previous_blank = False
    return out


def required_elements(
    target: Target, init: Target | None = None, init_documented: bool = False
) -> list[tuple[str, str]]:
    """What a complete docstring for ``target`` documents: ``[(kind, name), ...]``.

    Kinds are ``summary``, ``param``, ``returns``, ``yields`` and ``raises``.
    """
    out: list[tuple[str, str]] = [("summary", "")]
    if target.kind == "module":
        return out
    if target.kind == "class":
        if init is not None and not init_documented:
            out.extend(("param", p.name) for p in init.documented_params())
        return out
    out.extend(("param", p.name) for p in target.documented_params())
    if target.returns_value and not target.yields and not target.is_property:
        out.append(("returns", ""))
    if target.yields:
        out.append(("yields", ""))
    seen: set[str] = set()
    for r in target.raises:
        name = r.rsplit(".", 1)[-1]
        if name and name[0].isupper() and name != "NotImplementedError" and name not in seen:
            seen.add(name)
            out.append(("raises", name))
    return out


def completeness(
    target: Target, text: str, init: Target | None = None, init_documented: bool = False
) -> Finding:
    """Score how many of the sections the code calls for ``text`` has (see module docs)."""
    text = text or ""
    required = required_elements(target, init, init_documented)
    sec = parse_sections(text)
    words = _words(text)
    summary = text.strip().split("\n", 1)[0].strip()
    items = pep257_items(text)
    documented_params = set(sec.params) | set(items["params"])
    raised = {r.rsplit(".", 1)[-1] for r in (*sec.raises, *items["raises"])}
    missing: list[str] = []
    for kind, name in required:
        if kind == "summary":
            ok = bool(summary)
        elif kind == "param":
            ok = name in documented_params or (not sec.has_params_section and name in words)
        elif kind == "returns":
            ok = sec.returns or bool(_RETURNS_RE.search(text))
        elif kind == "yields":
            ok = sec.yields or bool(_YIELDS_RE.search(text))
        else:
            ok = name in raised or name in words
        if not ok:
            missing.append(f"{kind} {name}".strip())
    value = 1.0 - len(missing) / len(required) if required else 1.0
    return Finding(value, missing)


def backticked_names(text: str) -> list[str]:
    """Identifiers written in backticks (single, double or ``:role:`` form), in order."""
    out: list[str] = []
    for m in _BACKTICK_RE.finditer(text or ""):
        inner = m.group(1).strip()
        if "<" in inner and inner.endswith(">"):
            inner = inner[inner.index("<") + 1 : -1].strip()
        if _NAME_RE.match(inner) and inner not in out:
            out.append(inner)
    return out


def code_names(facts: FileFacts) -> set[str]:
    """Every identifier of the module: definitions, variables, attributes, arguments, imports."""
    names: set[str] = set()
    try:
        tree = pyast.parse(facts.text, quiet=True)
    except (SyntaxError, ValueError):
        return _words(facts.text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names.add((a.asname or a.name).split(".")[0])
                names.update(a.name.split("."))
            if isinstance(node, ast.ImportFrom) and node.module:
                names.update(node.module.split("."))
    return names


def truthfulness(
    target: Target,
    text: str,
    facts: FileFacts,
    init: Target | None = None,
    known: set[str] | None = None,
) -> Finding:
    """Score the share of asserted names that exist (see module docs).

    ``known`` is the module's identifiers (:func:`code_names`); computed when not given.
    """
    text = text or ""
    if known is None:
        known = code_names(facts)
    sec = parse_sections(text)
    asserted: list[tuple[str, str]] = []
    owner = init if target.kind == "class" else target
    items = pep257_items(text)
    if target.kind != "module":
        documented = list(sec.params) + items["params"]
        params = {p.name for p in owner.params} if owner is not None else set()
        for name in dict.fromkeys(documented):
            asserted.append(("param", name) if name not in params else ("ok", name))
        attrs = set(target.attributes) | known
        for name in dict.fromkeys([*sec.attributes, *items["attributes"]]):
            asserted.append(("attribute", name) if name not in attrs else ("ok", name))
    for name in backticked_names(text):
        bare = name.lstrip("~").rstrip("()")
        parts = bare.split(".")
        exists = (
            parts[0] in known
            or parts[0] in _KNOWN_GLOBAL
            or parts[-1] in known
            or bare in _KNOWN_GLOBAL
        )
        asserted.append(("ok", name) if exists else ("name", name))
    if not asserted:
        return Finding(1.0)
    invented = [f"{kind} {name}" for kind, name in asserted if kind != "ok"]
    return Finding(1.0 - len(invented) / len(asserted), invented)


def checks_value(checks: Iterable[Mapping[str, object]]) -> Finding:
    """1 when every hard check passed (soft checks are ignored), else 0 with the failures."""
    failed = [str(c.get("name", "?")) for c in checks if not c.get("ok") and c.get("hard", True)]
    return Finding(0.0 if failed else 1.0, failed)


def _ngrams(text: str, n: int) -> Counter[str]:
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def chrf(hypothesis: str, reference: str, order: int = 6, beta: float = 2.0) -> float:
    """Character n-gram F-score of ``hypothesis`` against ``reference``, in [0, 1].

    Whitespace is removed; precision and recall are averaged over the n-gram orders that both
    strings have, then combined with weight ``beta`` on recall (sacrebleu's chrF, scaled to 1).
    """
    hyp = "".join((hypothesis or "").split())
    ref = "".join((reference or "").split())
    if not hyp or not ref:
        return 1.0 if hyp == ref else 0.0
    eps = 1e-16
    total_p = total_r = 0.0
    effective = 0
    for n in range(1, order + 1):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        n_hyp, n_ref = sum(h.values()), sum(r.values())
        match = sum((h & r).values())
        total_p += match / n_hyp if n_hyp else eps
        total_r += match / n_ref if n_ref else eps
        if n_hyp and n_ref:
            effective += 1
    if not effective:
        return 0.0
    p, r = total_p / effective, total_r / effective
    if p + r == 0:
        return 0.0
    factor = beta**2
    score = (1 + factor) * p * r / (factor * p + r)
    return 0.0 if score < 1e-9 else min(1.0, score)


def combine(values: Mapping[str, float | None], weights: Mapping[str, float] = WEIGHTS) -> float:
    """The weighted mean of the metrics present in ``values`` (None = not applicable)."""
    present = {k: v for k, v in values.items() if v is not None and weights.get(k, 0) > 0}
    total = sum(weights[k] for k in present)
    if not total:
        return 0.0
    return sum(weights[k] * float(v) for k, v in present.items()) / total
