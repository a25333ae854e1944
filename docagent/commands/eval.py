"""``docagent eval``: score a provider on eval datasets, store the run, compare, gate.

Without DATASET it runs the ``datasets`` setting, else every ``evals/**/*.jsonl`` of the
repository. The run is stored in the decision log (mode ``eval``); its id is printed and can be
passed to a later ``--compare``. ``--gate S`` exits 1 when the score is below S.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent.commands import write_out
from docagent.errors import DocagentError

if TYPE_CHECKING:
    from docagent.config import Settings

WORST_SHOWN = 10
LOG_JUDGED = 200
#: where the LLM claim checker keeps its verdicts, under the repository root
CLAIMS_CACHE = Path(".docagent") / "claims-cache.json"


def _root(repo: str) -> Path:
    """The repository root, or the directory itself when it is not inside a git repository."""
    from docagent.repo import find_root

    try:
        return find_root(repo)
    except DocagentError:
        path = Path(repo).resolve()
        if not path.exists():
            raise
        return path if path.is_dir() else path.parent


def _label(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


def run(args: argparse.Namespace) -> int:
    """Run the eval; print the table or JSON; return 1 when the gate fails."""
    from docagent.config import load_settings
    from docagent.draft.providers import ProviderError, make_provider, provider_spec
    from docagent.eval import gate
    from docagent.eval.bootstrap import mean, spread
    from docagent.eval.compare import compare, load_baseline
    from docagent.eval.datasets import find_datasets, load_all
    from docagent.eval.runner import (
        DEFAULT_CONCURRENCY,
        EvalCache,
        cache_namespace,
        evaluate,
        score_drafts,
    )
    from docagent.store import Store

    if args.gate is not None and not 0 <= args.gate <= 1:
        raise DocagentError(f"--gate must be between 0 and 1, got {args.gate:g}")
    if getattr(args, "repeat", None) is not None and args.repeat < 1:
        raise DocagentError(f"--repeat must be at least 1, got {args.repeat}")
    root = _root(args.repo)
    flags = {
        "provider": args.provider,
        "model": args.model,
        "openai_base_url": getattr(args, "base_url", None),
    }
    settings = load_settings(root, flags)
    if args.datasets:
        paths = [Path(p) for p in args.datasets]
    else:
        paths = find_datasets(root, settings.datasets)
        if not paths:
            raise DocagentError(
                f"no eval datasets: pass DATASET, set 'datasets' in [tool.docagent], "
                f"or add evals/**/*.jsonl under {root}"
            )
    labels = [_label(p) for p in paths]
    cases = load_all(paths, labels)
    split = getattr(args, "split", None)
    if split:
        cases = [c for c in cases if split in c.tags or c.extra.get("split") == split]
        if not cases:
            raise DocagentError(f"--split {split}: no case has that tag")
    if getattr(args, "validate", False):
        return _validate(args, cases)
    drafts_file = getattr(args, "drafts", None)
    repeat = max(1, int(getattr(args, "repeat", 1) or 1))
    if drafts_file:
        from docagent.eval.datasets import load_drafts

        texts = load_drafts(drafts_file)
        unknown = sorted(set(texts) - {c.id for c in cases})
        if unknown:
            raise DocagentError(
                f"{drafts_file}: {len(unknown)} id(s) are not cases of the datasets, "
                f"e.g. {unknown[0]!r}"
            )
        skipped = len(cases) - len(texts)
        if skipped:
            print(
                f"docagent eval: {skipped} case(s) have no draft in {drafts_file}", file=sys.stderr
            )
        provider = None
    else:
        try:
            provider, notice = make_provider(settings, interactive=False)
        except ProviderError as exc:
            raise DocagentError(str(exc)) from None
        print(f"docagent eval: {notice}", file=sys.stderr)
    judge = None
    if getattr(args, "judge", False):
        if not os.environ.get("ANTHROPIC_API_KEY"):
            raise DocagentError("--judge uses Anthropic: set ANTHROPIC_API_KEY")
        from docagent.eval.judge import Judge

        judge = Judge(
            getattr(args, "judge_model", None) or None,
            drafter_model=getattr(provider, "model", None),
            timeout=settings.timeout or 60.0,
            max_retries=settings.max_retries,
        )
        print(f"docagent eval: judge {judge.model} (one extra call per case)", file=sys.stderr)
    checker = None
    claims_model = getattr(args, "claims_model", None)
    if claims_model:
        if not os.environ.get("ANTHROPIC_API_KEY"):
            raise DocagentError("--claims-model uses Anthropic: set ANTHROPIC_API_KEY")
        from docagent.eval.claim_checker import ClaimChecker

        checker = ClaimChecker(
            claims_model,
            cache_path=None if getattr(args, "no_cache", False) else root / CLAIMS_CACHE,
            timeout=settings.timeout or 60.0,
            max_retries=settings.max_retries,
        )
        print(
            f"docagent eval: claims statics cannot decide are checked by {claims_model}",
            file=sys.stderr,
        )
    # a local server answers one request at a time: queueing more only makes them time out
    spec = provider_spec(provider.name) if provider is not None else None
    cap = spec.default_concurrency if spec and spec.makes_model_calls else DEFAULT_CONCURRENCY
    concurrency = settings.concurrency or min(DEFAULT_CONCURRENCY, cap)
    use_cache = bool(spec and spec.makes_model_calls) and not getattr(args, "no_cache", False)

    scores: list[float] = []
    with Store.open(root) as store:
        baseline = load_baseline(args.compare, store) if args.compare else None
        logged = _logged_decisions(store, root, {c.id for c in cases}) if judge else []
        if provider is None:
            results = [
                score_drafts(
                    cases,
                    texts,
                    label=_label(Path(str(drafts_file))),
                    datasets=labels,
                    checker=checker,
                )
                for _ in range(repeat)
            ]
        else:
            caches = [
                EvalCache(root / ".docagent" / "eval-cache.json", cache_namespace(provider, i))
                if use_cache
                else None
                for i in range(repeat)
            ]
            results = asyncio.run(
                _evaluate_repeated(
                    evaluate,
                    cases,
                    provider,
                    settings,
                    labels,
                    concurrency,
                    caches,
                    judge,
                    logged,
                    checker,
                )
            )
        for result in results:
            result.run = _record(store, result, labels, judge, split)
            scores.append(result.score)
        if checker is not None:  # the claim checker's requests, logged like drafts' calls
            for call in checker.calls:
                store.record_call(results[0].run, call)

    doc = result.to_json()
    if repeat > 1:
        doc["repeat"] = {
            "n": repeat,
            "scores": [round(x, 6) for x in scores],
            "mean": round(mean(scores), 6),
            "sd": round(spread(scores), 6),
        }
    comparison = None
    if baseline is not None:
        comparison = compare([c.to_dict() for c in result.cases], baseline).to_dict()
        doc["compare"] = comparison
    if args.format == "json":
        import json

        text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    else:
        text = render_table(doc, comparison)
    if args.out:
        write_out(args.out, text)
        print(
            f"docagent eval: score {result.score:.3f} on {len(result.cases)} cases; "
            f"wrote {args.out}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    if result.errors:
        print(f"docagent eval: {result.errors} case(s) failed to draft", file=sys.stderr)
    status = 0
    if comparison is not None:
        regression = gate.check_regression(comparison)
        print(f"docagent eval: compare: {regression.message}", file=sys.stderr)
        if not regression.passed:
            status = 1
    verdict = gate.check_gate(result.score, args.gate)
    if not verdict.passed:
        print(f"docagent eval: gate failed: {verdict.message}", file=sys.stderr)
        return 1
    if verdict.message:
        print(f"docagent eval: gate passed: {verdict.message}", file=sys.stderr)
    return status


def _record(store: Any, result: Any, labels: list[str], judge: Any, split: str | None) -> str:
    """Store one scored run in the decision log; return its id."""
    run_id = store.start_run(
        "eval",
        result.provider,
        result.model,
        result.prompt_version,
        {"datasets": labels, "judge": judge.model if judge else None, "split": split},
    )
    store.record_eval_run(
        result.score,
        {**result.metric_values(), "ci": list(result.ci), "details": result.metrics},
        [c.to_dict() for c in result.cases],
        run_id=run_id,
        eval_id=run_id,
        datasets=labels,
        provider=result.provider,
        model=result.model,
        prompt_version=result.prompt_version,
    )
    store.end_run(run_id, score=result.score, cases=len(result.cases), errors=result.errors)
    return run_id


def _validate(args: argparse.Namespace, cases: list[Any]) -> int:
    """``eval --validate``: print how often each case's reference beats each perturbation."""
    from docagent.eval.validity import render, validate

    doc = validate(cases)
    if not doc["cases"]:
        raise DocagentError("--validate needs cases with a reference docstring")
    if args.format == "json":
        import json

        text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    else:
        text = render(doc)
    if args.out:
        write_out(args.out, text)
    else:
        sys.stdout.write(text)
    return 0


def _logged_decisions(store: Any, root: Path, skip: set[str]) -> list[Any]:
    """Cases built from people's decisions in the decision log (newest :data:`LOG_JUDGED`)."""
    from docagent.eval.datasets import parse_case
    from docagent.store.export import eval_cases

    out = []
    for n, record in enumerate(eval_cases(store, root).cases, 1):
        if record["id"] in skip or not record.get("draft"):
            continue
        try:
            out.append(parse_case(record, "decision log", n))
        except DocagentError:
            continue
    return out[-LOG_JUDGED:]


async def _evaluate_repeated(
    evaluate: Any,
    cases: list[Any],
    provider: Any,
    settings: Settings,
    labels: list[str],
    concurrency: int,
    caches: list[Any],
    judge: Any,
    logged: list[Any] | None = None,
    checker: Any = None,
) -> list[Any]:
    """Run the eval once per cache (``--repeat``) on one event loop; close clients after."""
    out = []
    try:
        for cache in caches:
            out.append(
                await _evaluate(
                    evaluate,
                    cases,
                    provider,
                    settings,
                    labels,
                    concurrency,
                    cache,
                    judge,
                    logged,
                    close=False,
                    checker=checker,
                )
            )
    finally:
        await provider.aclose()
        if judge is not None:
            await judge.aclose()
        if checker is not None:
            await checker.aclose()
    return out


async def _evaluate(
    evaluate: Any,
    cases: list[Any],
    provider: Any,
    settings: Settings,
    labels: list[str],
    concurrency: int,
    cache: Any,
    judge: Any,
    logged: list[Any] | None = None,
    close: bool = True,
    checker: Any = None,
) -> Any:
    """Run the eval with a progress bar on an interactive stderr; close clients after
    (when ``close``: the last of ``--repeat`` runs)."""
    progress = None
    bar = None
    if sys.stderr.isatty():
        from rich.progress import Progress

        bar = Progress(transient=True, console=None)
        task = bar.add_task("drafting", total=len(cases))
        bar.start()

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done)

    try:
        from docagent.batch import preflight

        await preflight(provider)
        result = await evaluate(
            cases,
            provider,
            settings=settings,
            datasets=labels,
            concurrency=concurrency,
            cache=cache,
            judge=judge,
            progress=progress,
            checker=checker,
        )
        if judge is not None:
            from docagent.eval.judge import agreement
            from docagent.eval.runner import judge_decisions

            from_log = await judge_decisions(judge, logged or [])
            result.judge_agreement = agreement(result.cases + from_log)
            result.judge_agreement["from_log"] = len(from_log)
        return result
    finally:
        if bar is not None:
            bar.stop()
        if close:
            await provider.aclose()
            if judge is not None:
                await judge.aclose()
            if checker is not None:
                await checker.aclose()


def _ci(ci: list[float]) -> str:
    return f"{ci[0]:.3f}–{ci[1]:.3f}"


def render_table(doc: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    """The human report: score and interval, per-metric table, worst cases, comparison."""
    lines = [
        f"eval run {doc['run']}: {doc['cases']} cases from {', '.join(doc['datasets'])}",
        f"provider {doc['provider']}, model {doc['model']}, prompt {doc['prompt_version']}",
        "",
        f"score  {doc['score']:.3f}   (95% CI {_ci(doc['ci'])})",
        "",
        f"{'metric':<14}{'mean':>7}  {'95% CI':<13}{'cases':>6}{'weight':>8}",
    ]
    for name, row in doc["metric_details"].items():
        lines.append(
            f"{name:<14}{row['mean']:>7.3f}  {_ci(row['ci']):<13}{row['n']:>6}{row['weight']:>8.2f}"
        )
    rep = doc.get("repeat")
    if rep:
        lines.append(
            f"repeated {rep['n']} times: mean {rep['mean']:.3f}, sd {rep['sd']:.3f}, "
            f"range {min(rep['scores']):.3f}–{max(rep['scores']):.3f}"
        )
    ref = doc.get("reference") or {}
    if ref:
        lines += [
            "",
            f"reference docstrings (calibration, n={ref['n']}): completeness "
            f"{ref['completeness']:.3f}, truthfulness {ref['truthfulness']:.3f}",
        ]
    if doc.get("failed_checks"):
        failed = ", ".join(f"{k} {v}" for k, v in doc["failed_checks"].items())
        lines.append(f"failed checks: {failed}")
    if doc.get("errors"):
        lines.append(f"drafting errors: {doc['errors']}")
    agree = doc.get("judge_agreement")
    if agree:
        if agree["n"]:
            lines.append(
                f"judge agreement with people (n={agree['n']}, {agree.get('from_log', 0)} from "
                f"the decision log): exact {agree['exact']:.0%}, "
                f"usable-or-not {agree['usable']:.0%}"
            )
            if agree.get("kappa") is not None:
                lo, hi = agree["kappa_ci"]
                lines.append(
                    f"  Cohen's kappa {agree['kappa']:.2f} (95% CI {lo:.2f}–{hi:.2f}); "
                    f"usable-or-not kappa {agree['usable_kappa']:.2f} — 0 is chance level"
                )
        else:
            lines.append(
                "judge agreement: no decisions by people in the datasets or the decision log"
            )
    worst = [w for w in doc["worst"] if w["score"] < 1][:WORST_SHOWN]
    if worst:
        lines += ["", "worst cases"]
        for w in worst:
            why = w["error"] or "; ".join(
                f"{k.replace('_', ' ')}: {', '.join(v[:4])}" for k, v in w["notes"].items()
            )
            lines.append(f"  {w['score']:.3f}  {w['id']}" + (f"  ({why})" if why else ""))
    if comparison:
        lines += [
            "",
            f"compared with {comparison['base']} on {comparison['shared']} shared cases"
            + (
                f" ({comparison['only_new']} new-only, {comparison['only_base']} base-only)"
                if comparison["only_new"] or comparison["only_base"]
                else ""
            ),
            f"{'metric':<14}{'base':>7}{'new':>7}{'delta':>8}  {'95% CI':<17}{'d_z':>6}{'p':>8}",
        ]
        for name, row in comparison["deltas"].items():
            ci = f"{row['ci'][0]:+.3f}..{row['ci'][1]:+.3f}"
            lines.append(
                f"{name:<14}{row['base']:>7.3f}{row['new']:>7.3f}{row['delta']:>+8.3f}  "
                f"{ci:<17}{row.get('effect', 0.0):>+6.2f}{row.get('p', 1.0):>8.4f}  "
                f"{row['change']}"
            )
    return "\n".join(lines) + "\n"
