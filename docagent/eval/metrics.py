"""Per-case metrics of a drafted docstring, each a number in [0, 1].

- ``completeness`` (DocAgent-style): the share of the sections the code calls for that the text
  has — a summary line; every signature parameter (for a class, its ``__init__``'s when
  ``__init__`` has no docstring of its own); Returns when the function returns a value (or is
  an abstract stub annotated with one); Yields for generators; every exception type raised
  with ``raise`` — halved (:data:`CUT_PENALTY`) when the text is cut short
  (:mod:`docagent.eval.ending`). Sectioned docstrings are read with
  :func:`~docagent.code.docstrings.parse_sections`; prose (pep257) docstrings count an element
  when the text names it ("Return …", the parameter's name, the exception's name).
- ``truthfulness``: every checkable claim verified against the code (parameters, defaults,
  types, returns, yields, raises, backticked names, side effects; :mod:`docagent.eval.claims`):
  ``0.5 ** false claims``. Nothing false scores 1.
- ``helpfulness``: what the text says beyond the signature, without a reference
  (:mod:`docagent.eval.helpfulness`).
- ``specificity``: whether the text is about this code at all — 1 when at least a fifth of its
  vocabulary occurs in the target's code (:func:`docagent.eval.helpfulness.specificity`); a
  factor of the score.
- ``checks``: 1 when every hard check of :mod:`docagent.draft.draft_checks` passed, else 0.
- ``similarity``: chrF (character n-gram F-score, Popović 2015, the sacrebleu definition:
  orders 1–6, beta 2, whitespace ignored) against the reference, when the case has one.
- ``judge``: an LLM judge's rubric score, only with ``--judge`` (see :mod:`docagent.eval.judge`).
- ``unlike_rejected``: for a case exported from a rejection, how far the draft is from the
  rejected text (:func:`unlike_rejected`; a factor of the score).

:func:`combine` makes a case's score: the :data:`WEIGHTS`-weighted mean of the metrics the case
has (weights of absent metrics are redistributed proportionally), multiplied by
``truthfulness`` — a false claim cannot be outweighed by completeness or fluency — by
``specificity`` — nor can a docstring about other code — and by
``min(1, helpfulness / 0.1)`` — a docstring that only restates the signature scores 0.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from docagent.code import pyast
from docagent.code.docstrings import parse_sections
from docagent.code.targets import FileFacts, Target
from docagent.draft.symbols import SymbolIndex
from docagent.eval.claims import Claim, CodeView, is_stub, truth_value, verify
from docagent.eval.ending import finished

#: Weights of the metrics in a case's score; see docs/evals.md.
#: ``truthfulness`` and ``specificity`` are factors of the score (see :data:`FACTORS`), not
#: terms of the mean.
#: ``checks`` is reported but weighs nothing: people's docstrings fail the drafting engine's
#: format checks (multi-line summaries) on a third of the cases, so it does not measure quality.
#: ``style`` (conformance to the repository's docstring style) is reported and weighs nothing,
#: so a gate on it is a separate decision (``eval --format json`` has it per case and per run).
WEIGHTS: dict[str, float] = {
    "completeness": 0.25,
    "truthfulness": 1.0,
    "checks": 0.0,
    "style": 0.0,
    "helpfulness": 0.30,
    "specificity": 1.0,
    "similarity": 0.25,
    "judge": 0.25,
    "unlike_rejected": 1.0,
}
#: Metrics that multiply the weighted mean of the others instead of joining it.
FACTORS = ("truthfulness", "specificity", "unlike_rejected")
#: Helpfulness below this also scales the score down (``min(1, helpfulness / floor)``): a
#: docstring that says nothing beyond the signature scores 0 however complete it looks.
HELPFUL_FLOOR = 0.10
#: The share of ``completeness`` a text cut short loses (:func:`docagent.eval.ending.finished`).
CUT_PENALTY = 0.5
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

    Kinds are ``summary``, ``ending`` (the text ends where a docstring can end, not cut short:
    :func:`docagent.eval.ending.finished`), ``param``, ``returns`` (the function returns a
    value, or is an abstract or ``NotImplementedError`` stub annotated with one), ``yields``
    (the generator yields a value) and ``raises``.
    """
    out: list[tuple[str, str]] = [("summary", ""), ("ending", "")]
    if target.kind == "module":
        return out
    if target.kind == "class":
        if init is not None and not init_documented:
            out.extend(("param", p.name) for p in init.documented_params())
        return out
    out.extend(("param", p.name) for p in target.documented_params())
    # an interface's body returns nothing, but its annotation says what implementations return
    declared = is_stub(target) and target.returns not in (None, "None", "NoReturn", "Never")
    if (target.returns_value or declared) and not target.yields and not target.is_property:
        out.append(("returns", ""))
    if target.yields_value:  # a bare ``yield`` gives nothing to document
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
    """Score how many of the sections the code calls for ``text`` has (see module docs).

    The value is the share of the required elements present, times ``1 - CUT_PENALTY`` when
    the text does not end where a docstring can end (a docstring cut short is incomplete
    however many parameters the function has).
    """
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
        elif kind == "ending":
            ok = finished(text)
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
    elements = [kind for kind, _ in required if kind != "ending"]
    found = len(elements) - sum(1 for note in missing if note != "ending")
    value = found / len(elements) if elements else 1.0
    if "ending" in missing:
        value *= 1.0 - CUT_PENALTY
    return Finding(value, missing)


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
    symbols: SymbolIndex | None = None,
    view: CodeView | None = None,
    claims: list[Claim] | None = None,
) -> Finding:
    """Verify every checkable claim of ``text`` against the code (see :mod:`~.claims`).

    The value is ``0.5 ** false claims``; the notes name each false claim (``param zeta``,
    ``name fancy_walker``, ``deletes: no such call in the code``). ``known`` is the module's
    identifiers (:func:`code_names`) and ``view`` the parsed code, computed when not given.
    ``claims`` are verdicts already reached (static ones settled further by the LLM claim
    checker, :mod:`~.claim_checker`); without them the claims are verified here.
    """
    if claims is None:
        if view is None:
            view = CodeView.of(facts, target, init, known, symbols)
        claims = verify(view, text or "")
    false = [c.note() for c in claims if c.verdict == "false"]
    return Finding(truth_value(claims), false)


def style_conformance(text: str, style: str) -> tuple[float | None, list[str]]:
    """1 when ``text`` is written in the repository's ``style``, else 0 (None: no style known).

    A docstring that is prose only (no sections) conforms to every style; one with sections
    conforms when its sections are written the way ``style`` writes them (``pep257``: none).
    """
    from docagent.code.docstrings import STYLES, detect_style

    if style not in STYLES:
        return None, []
    found = detect_style(text)
    if found == "pep257" or found == style:
        return 1.0, []
    return 0.0, [f"{found} sections in a {style} repository"]


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
        hyp_grams, ref_grams = _ngrams(hyp, n), _ngrams(ref, n)
        n_hyp, n_ref = sum(hyp_grams.values()), sum(ref_grams.values())
        match = sum((hyp_grams & ref_grams).values())
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


def unlike_rejected(text: str, rejected: str) -> float:
    """How far ``text`` is from a docstring a person rejected, in [0, 1] (a score factor).

    1 while the chrF similarity to the rejected text is at most 0.5, falling linearly to 0 for
    the rejected text itself: a draft close to a rejected text scores lower.
    """
    sim = chrf(text, rejected)
    return max(0.0, min(1.0, (1.0 - sim) / 0.5))


def combine(values: Mapping[str, float | None], weights: Mapping[str, float] = WEIGHTS) -> float:
    """A case's score from its metrics (None = not applicable).

    The weighted mean of the metrics present, except :data:`FACTORS`, times each factor
    present, times ``min(1, helpfulness / HELPFUL_FLOOR)`` when helpfulness is present.
    """
    present = {
        k: v
        for k, v in values.items()
        if v is not None and k not in FACTORS and weights.get(k, 0) > 0
    }
    total = sum(weights[k] for k in present)
    if not total:
        return 0.0
    score = sum(weights[k] * float(v) for k, v in present.items()) / total
    for k in FACTORS:
        v = values.get(k)
        if v is not None:
            score *= float(v)
    helps = values.get("helpfulness")
    if helps is not None:
        score *= min(1.0, float(helps) / HELPFUL_FLOOR)
    return score
