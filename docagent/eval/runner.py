"""Run a provider on eval cases and score the drafts.

Each case's source is parsed with the same code facts the scanner uses; the drafter (the same one
``review`` and ``batch`` use: context pack, versioned prompt, checks, one redraft) drafts the
target in the case's style; :mod:`docagent.eval.metrics` scores the text. Cases run concurrently
up to a bound. Model drafts are cached under ``.docagent/eval-cache.json`` by (code sha, context
hash, prompt version, model, style), so re-running an unchanged suite costs nothing; offline
drafts are not cached (they are cheap, and the offline drafter's code is not in the key).

A case's score is :func:`~docagent.eval.metrics.combine` of its metrics; the run's score is the
mean over cases with a bootstrap 95% interval.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docagent.code.docstrings import majority_style
from docagent.code.targets import FileFacts, SourceError, Target, read_file
from docagent.draft.cache import JsonFileCache, hash_key
from docagent.draft.drafter import Drafter
from docagent.draft.models import Draft
from docagent.draft.prompts import prompt_version
from docagent.draft.providers.base import Provider
from docagent.draft.symbols import SymbolIndex
from docagent.errors import DocagentError
from docagent.eval import metrics as m
from docagent.eval.bootstrap import bootstrap_ci, mean
from docagent.eval.claims import Claim, CodeView, verify
from docagent.eval.datasets import Case
from docagent.eval.helpfulness import code_words, helpfulness, specificity, words

if TYPE_CHECKING:
    from docagent.config import Settings

DEFAULT_CONCURRENCY = 8
WORST = 10


@dataclass
class Prepared:
    """A case's parsed source: its file facts, target, ``__init__`` and symbol index."""

    case: Case
    facts: FileFacts
    target: Target
    init: Target | None
    init_documented: bool
    symbols: SymbolIndex
    style: str
    known: set[str]
    view: CodeView
    code_words: set[str]
    module_words: set[str]


@dataclass
class CaseResult:
    """One case's draft and scores."""

    id: str
    path: str
    qualname: str
    kind: str
    style: str
    tags: list[str]
    score: float
    metrics: dict[str, float | None]
    text: str = ""
    error: str = ""
    notes: dict[str, list[str]] = field(default_factory=dict)
    cached: bool = False
    judge: dict[str, Any] | None = None
    decision: str | None = None
    judge_on_draft: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored with the eval run and printed by ``--format json``."""
        out: dict[str, Any] = {
            "id": self.id,
            "path": self.path,
            "qualname": self.qualname,
            "kind": self.kind,
            "style": self.style,
            "tags": self.tags,
            "score": round(self.score, 6),
            "metrics": {k: (None if v is None else round(v, 6)) for k, v in self.metrics.items()},
            "text": self.text,
            "error": self.error,
            "notes": self.notes,
        }
        if self.judge is not None:
            out["judge"] = self.judge
        if self.decision is not None:
            out["decision"] = self.decision
        if self.judge_on_draft is not None:
            out["judge_on_draft"] = self.judge_on_draft
        return out


@dataclass
class EvalResult:
    """A scored run: overall score and interval, per-metric summary, per-case results."""

    score: float
    ci: tuple[float, float]
    metrics: dict[str, dict[str, Any]]
    cases: list[CaseResult]
    provider: str
    model: str
    prompt_version: str
    datasets: list[str]
    reference: dict[str, Any] = field(default_factory=dict)
    failed_checks: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    judge_agreement: dict[str, Any] | None = None
    run: str = ""

    def worst(self, n: int = WORST) -> list[CaseResult]:
        """The ``n`` lowest-scoring cases (ties by id)."""
        return sorted(self.cases, key=lambda c: (c.score, c.id))[:n]

    def metric_values(self) -> dict[str, float]:
        """``{metric: mean}`` for every metric that applied to some case."""
        return {k: v["mean"] for k, v in self.metrics.items()}

    def to_json(self) -> dict[str, Any]:
        """The ``eval --format json`` document (the contract of docs/evals.md plus details)."""
        doc: dict[str, Any] = {
            "score": round(self.score, 6),
            "metrics": {k: round(v, 6) for k, v in self.metric_values().items()},
            "cases": len(self.cases),
            "run": self.run,
            "ci": [round(self.ci[0], 6), round(self.ci[1], 6)],
            "metric_details": self.metrics,
            "weights": {k: m.WEIGHTS[k] for k in self.metrics},
            "provider": self.provider,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "datasets": self.datasets,
            "errors": self.errors,
            "failed_checks": self.failed_checks,
            "reference": self.reference,
            "worst": [
                {"id": c.id, "score": round(c.score, 6), "notes": c.notes, "error": c.error}
                for c in self.worst()
            ],
            "results": [c.to_dict() for c in self.cases],
        }
        if self.judge_agreement is not None:
            doc["judge_agreement"] = self.judge_agreement
        return doc


def drafter_version() -> str:
    """The first 12 hex digits of a hash of the drafting engine's code (``docagent/draft``).

    Part of the eval cache key: a change to context building, rendering, checks or a provider
    adapter drafts again instead of re-scoring old drafts.
    """
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "draft"
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def cache_namespace(provider: Provider, repeat: int = 0) -> str:
    """The part of every eval cache key that names who drafted: provider, model, endpoint,
    prompt hash, drafter version (and the repeat index of ``--repeat``)."""

    parts = [
        provider.name,
        provider.model,
        str(getattr(provider, "base_url", "") or ""),
        prompt_version(),
        drafter_version(),
        str(repeat),
    ]
    return hash_key(*parts, length=16)


class EvalCache(JsonFileCache):
    """A draft cache in one JSON file, loaded once and written once (see :meth:`save`).

    Keys are the drafter's (code sha, context hash, prompt version, model, style) prefixed by
    :attr:`namespace` (:func:`cache_namespace`: provider, model, endpoint, prompt hash, drafter
    version), so a draft is reused only by the same drafter talking to the same endpoint.
    """

    def __init__(self, path: str | os.PathLike[str] | None, namespace: str = ""):
        """Open the cache at ``path`` (None: memory only); unreadable files start empty."""
        super().__init__(path)
        self.dirty = False
        self.namespace = namespace

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}" if self.namespace else key

    def get(self, key: str) -> Draft | None:
        """The draft kept under ``key`` in this namespace, or None."""
        return super().get(self._key(key))

    def put(self, key: str, draft: Draft) -> None:
        """Keep ``draft`` under ``key`` (without its context pack, to stay small)."""
        data = draft.to_dict()
        data["context"] = ""
        self.items[self._key(key)] = data
        self.dirty = True

    def save(self) -> None:
        """Write the cache file atomically when something was added."""
        if self.dirty:
            super().save()
            self.dirty = False


def repository_key(case: Case) -> str:
    """Which repository a case comes from: its origin's package (``rich 15.0.0`` -> ``rich``),
    or ``""`` for cases without an origin (one repository, e.g. exported from the log)."""
    origin = case.extra.get("origin")
    return origin.rsplit(" ", 1)[0] if isinstance(origin, str) and origin.strip() else ""


def repository_names(cases: Sequence[Case]) -> dict[str, set[str]]:
    """Every identifier of every module the cases carry, by :func:`repository_key`.

    A case holds one module; the other cases of its repository hold more of it, so a name a
    docstring mentions (``strongly_connected_components``) can resolve in a sibling module. A
    case may also record ``repository_exceptions`` (the exception classes its whole repository
    defines, listed by ``evals/build_dataset.py``): they resolve too, so a raise claim of an
    exception raised by a decorator or callee in a file no case carries is not judged false.
    """
    import ast

    from docagent.code import pyast

    out: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()
    for case in cases:
        key = repository_key(case)
        if (key, case.path) in seen:
            continue
        seen.add((key, case.path))
        recorded = case.extra.get("repository_exceptions")
        if isinstance(recorded, list):
            out.setdefault(key, set()).update(n for n in recorded if isinstance(n, str))
        try:
            tree = pyast.parse(case.source, quiet=True)
        except (SyntaxError, ValueError):
            continue
        names = out.setdefault(key, set())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return out


def prepare(case: Case, repository: set[str] | None = None) -> Prepared:
    """Parse a case's source and find its target.

    ``repository`` is the names defined elsewhere in the case's repository
    (:func:`repository_names`): they resolve too.

    Raises:
        DocagentError: When the source does not parse or has no such target (bad dataset).
    """
    try:
        facts = read_file(case.path, case.path, case.source.encode("utf-8"))
    except SourceError as exc:
        raise DocagentError(
            f"{case.where}: case {case.id!r}: source does not parse: {exc}"
        ) from None
    target = facts.target(case.qualname)
    if target is None:
        raise DocagentError(
            f"{case.where}: case {case.id!r}: no target {case.qualname!r} in its source"
        )
    init = facts.target(case.qualname + ".__init__") if target.kind == "class" else None
    symbols = SymbolIndex.from_files([facts])
    style = case.style
    if not style:
        style = majority_style(t.docstring.text for t in facts.targets if t.docstring)
    known = m.code_names(facts) | (repository or set())
    return Prepared(
        case=case,
        facts=facts,
        target=target,
        init=init,
        init_documented=init is not None and init.docstring is not None,
        symbols=symbols,
        style=style,
        known=known,
        view=CodeView.of(facts, target, init, known, symbols),
        code_words=code_words(facts, target),
        module_words=set(words(facts.text)),
    )


def score_text(
    prep: Prepared,
    text: str,
    checks: Sequence[dict[str, Any]] | None,
    claims: list[Claim] | None = None,
) -> tuple[dict[str, float | None], dict[str, list[str]]]:
    """Score ``text`` for a prepared case: ``(metrics, notes)`` (judge not included).

    ``checks`` are the drafter's check results (dicts); None runs the checks on ``text``.
    ``claims`` are the text's claims as settled by the LLM claim checker (None: static only).
    """
    from docagent.draft.draft_checks import run_checks

    if checks is None:
        checks = [
            c.to_dict()
            for c in run_checks(
                prep.target, text, prep.style, prep.symbols, None, prep.init, prep.facts
            )
        ]
    comp = m.completeness(prep.target, text, prep.init, prep.init_documented)
    truth = m.truthfulness(prep.target, text, prep.facts, prep.init, view=prep.view, claims=claims)
    chk = m.checks_value(checks)
    conform, off_style = m.style_conformance(text, prep.style)
    helps = helpfulness(
        prep.target, text, prep.facts, prep.init, prep.code_words, prep.module_words
    )
    values: dict[str, float | None] = {
        "completeness": comp.value,
        "truthfulness": truth.value,
        "checks": chk.value,
        "style": conform,
        "helpfulness": helps.value,
        "specificity": specificity(helps),
        "similarity": (
            m.chrf(text, prep.case.reference) if prep.case.reference is not None else None
        ),
    }
    if prep.case.decision == "reject" and prep.case.draft:
        values["unlike_rejected"] = m.unlike_rejected(text, prep.case.draft)
    notes = {
        "missing": comp.notes,
        "invented": truth.notes,
        "unhelpful": helps.notes,
        "failed_checks": chk.notes,
        "off_style": off_style,
    }
    return values, {k: v for k, v in notes.items() if v}


def _failed_result(prep: Prepared, error: str) -> CaseResult:
    metrics: dict[str, float | None] = {
        "completeness": 0.0,
        "truthfulness": 0.0,
        "checks": 0.0,
        "style": 0.0,
        "helpfulness": 0.0,
        "specificity": 0.0,
        "similarity": 0.0 if prep.case.reference is not None else None,
    }
    if prep.case.decision == "reject":
        metrics["unlike_rejected"] = 0.0
    return _result(prep, metrics, "", error, {})


def _result(
    prep: Prepared,
    metrics: dict[str, float | None],
    text: str,
    error: str,
    notes: dict[str, list[str]],
) -> CaseResult:
    c = prep.case
    return CaseResult(
        id=c.id,
        path=c.path,
        qualname=c.qualname,
        kind=prep.target.kind,
        style=prep.style,
        tags=list(c.tags),
        score=m.combine(metrics),
        metrics=metrics,
        text=text,
        error=error,
        notes=notes,
        decision=c.decision,
    )


async def evaluate(
    cases: Sequence[Case],
    provider: Provider,
    *,
    settings: Settings | None = None,
    datasets: Sequence[str] = (),
    concurrency: int = DEFAULT_CONCURRENCY,
    cache: EvalCache | None = None,
    judge: Any = None,
    progress: Callable[[int, int], None] | None = None,
    checker: Any = None,
) -> EvalResult:
    """Draft and score every case; return the scored run (not yet stored).

    ``judge`` (a :class:`docagent.eval.judge.Judge`) adds the ``judge`` metric, and for cases
    exported from the decision log (with ``decision`` and ``draft``) judges the person's draft
    too, to measure agreement. ``checker`` (a
    :class:`docagent.eval.claim_checker.ClaimChecker`) settles the claims statics leave
    ``unknown``. ``progress(done, total)`` is called after each case. A case
    whose source does not parse or lacks its target stops the run with the
    :class:`~docagent.errors.DocagentError` of :func:`prepare` before anything is drafted.
    """
    names = repository_names(cases)
    prepared = [prepare(c, names.get(repository_key(c))) for c in cases]
    sem = asyncio.Semaphore(max(1, concurrency))
    done = 0
    total = len(prepared)

    async def one(prep: Prepared) -> CaseResult:
        nonlocal done
        async with sem:
            drafter = Drafter(provider, settings, prep.symbols, style=prep.style, cache=cache)
            draft = await drafter.draft(prep.facts, prep.target)
            if draft.error or not draft.text:
                result = _failed_result(prep, draft.error or "empty draft")
            else:
                claims = await settle_claims(checker, prep, draft.text)
                checks = [c.to_dict() for c in draft.checks]
                values, notes = score_text(prep, draft.text, checks, claims)
                result = _result(prep, values, draft.text, "", notes)
                result.cached = draft.cached
            if judge is not None:
                await _judge_case(judge, prep, result)
        done += 1
        if progress is not None:
            progress(done, total)
        return result

    results = list(await asyncio.gather(*(one(p) for p in prepared)))
    if cache is not None:
        cache.save()
    if checker is not None:
        checker.save()
    return summarize(
        results,
        provider=provider.name,
        model=provider.model,
        datasets=list(datasets),
        reference=reference_quality(prepared),
        judged=judge is not None,
    )


async def settle_claims(checker: Any, prep: Prepared, text: str) -> list[Claim] | None:
    """The text's claims with the ``unknown`` ones settled by ``checker`` (None without one)."""
    if checker is None:
        return None
    return await checker.settle(prep, text, verify(prep.view, text))


def score_drafts(
    cases: Sequence[Case],
    texts: dict[str, str],
    *,
    label: str = "drafts",
    datasets: Sequence[str] = (),
    checker: Any = None,
) -> EvalResult:
    """Score given texts (``{case id: text}``) instead of drafting: ``eval --drafts FILE``.

    Only the cases with a text are scored; an empty text scores 0 like a failed draft. The
    checks are run on each text. Any drafter, person or perturbation is measured by the same
    metrics this way. ``checker`` settles the claims statics leave ``unknown`` (model calls;
    its client is closed at the end).
    """
    names = repository_names(cases)
    prepared = [prepare(c, names.get(repository_key(c))) for c in cases if c.id in texts]
    settled: dict[str, list[Claim] | None] = {}
    if checker is not None:
        settled = asyncio.run(_settle_texts(checker, prepared, texts))
    results = []
    for prep in prepared:
        text = texts[prep.case.id]
        if not text.strip():
            results.append(_failed_result(prep, "empty draft"))
            continue
        values, notes = score_text(prep, text, None, settled.get(prep.case.id))
        results.append(_result(prep, values, text, "", notes))
    return summarize(
        results,
        provider="drafts",
        model=label,
        datasets=list(datasets),
        reference=reference_quality(prepared),
    )


async def _settle_texts(
    checker: Any, prepared: Sequence[Prepared], texts: dict[str, str]
) -> dict[str, list[Claim] | None]:
    """Settle every given text's claims on one event loop; close the checker's client."""
    try:
        pairs = [(p, texts[p.case.id]) for p in prepared if texts[p.case.id].strip()]
        found = await asyncio.gather(*(settle_claims(checker, p, t) for p, t in pairs))
        return {p.case.id: claims for (p, _), claims in zip(pairs, found, strict=True)}
    finally:
        await checker.aclose()


async def _judge_case(judge: Any, prep: Prepared, result: CaseResult) -> None:
    """Add the judge's verdict on the draft (and on the person's draft, for exported cases)."""
    if result.text:
        verdict = await judge.judge(prep, result.text)
        result.judge = verdict.to_dict()
        result.metrics["judge"] = verdict.value
        if verdict.error:
            result.metrics["judge"] = None
    else:
        result.metrics["judge"] = 0.0
    result.score = m.combine(result.metrics)
    if prep.case.decision in ("accept", "edit", "reject") and prep.case.draft:
        verdict = await judge.judge(prep, prep.case.draft)
        result.judge_on_draft = verdict.to_dict()


async def judge_decisions(judge: Any, cases: Sequence[Case]) -> list[CaseResult]:
    """Judge the drafts people decided on (cases with ``decision`` and ``draft``).

    Returns results that carry only the decision and the judge's verdict on the person's
    draft, for :func:`docagent.eval.judge.agreement`. Cases whose source no longer parses or
    lacks its target are skipped.
    """
    out: list[CaseResult] = []

    async def one(case: Case) -> None:
        try:
            prep = prepare(case)
        except DocagentError:
            return
        if case.decision not in ("accept", "edit", "reject") or not case.draft:
            return
        verdict = await judge.judge(prep, case.draft)
        result = _result(prep, {}, "", "", {})
        result.judge_on_draft = verdict.to_dict()
        out.append(result)

    await asyncio.gather(*(one(c) for c in cases))
    return sorted(out, key=lambda r: r.id)


def reference_quality(prepared: Sequence[Prepared]) -> dict[str, Any]:
    """Completeness and truthfulness of the cases' reference docstrings (a calibration row)."""
    comp: list[float] = []
    truth: list[float] = []
    for p in prepared:
        ref = p.case.reference
        if not ref:
            continue
        comp.append(m.completeness(p.target, ref, p.init, p.init_documented).value)
        truth.append(m.truthfulness(p.target, ref, p.facts, p.init, view=p.view).value)
    if not comp:
        return {}
    return {
        "completeness": round(mean(comp), 6),
        "truthfulness": round(mean(truth), 6),
        "n": len(comp),
    }


def summarize(
    results: list[CaseResult],
    *,
    provider: str = "",
    model: str = "",
    datasets: list[str] | None = None,
    reference: dict[str, Any] | None = None,
    judged: bool = False,
) -> EvalResult:
    """Aggregate per-case results into the run's score, interval and metric table."""
    scores = [r.score for r in results]
    metric_table: dict[str, dict[str, Any]] = {}
    for name in m.METRICS:
        values = [r.metrics[name] for r in results if r.metrics.get(name) is not None]
        if not values:
            continue
        lo, hi = bootstrap_ci(values)  # type: ignore[arg-type]
        metric_table[name] = {
            "mean": round(mean(values), 6),  # type: ignore[arg-type]
            "ci": [round(lo, 6), round(hi, 6)],
            "n": len(values),
            "weight": m.WEIGHTS[name],
        }
    failed: Counter[str] = Counter()
    for r in results:
        failed.update(r.notes.get("failed_checks", []))
    lo, hi = bootstrap_ci(scores)
    result = EvalResult(
        score=mean(scores),
        ci=(lo, hi),
        metrics=metric_table,
        cases=results,
        provider=provider,
        model=model,
        prompt_version=prompt_version(),
        datasets=list(datasets or []),
        reference=dict(reference or {}),
        failed_checks=dict(sorted(failed.items())),
        errors=sum(1 for r in results if r.error),
    )
    if judged:
        from docagent.eval.judge import agreement

        result.judge_agreement = agreement(results)
    return result
