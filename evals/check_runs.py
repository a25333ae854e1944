"""CI gate for prompt and model changes: a recorded model run must exist and hold up.

The offline gate (``check_baseline.py``) never reads the prompt, so it cannot see a prompt or
model change. This gate can: a model eval run is recorded in ``evals/runs/`` with its prompt
hash, model, drafter version, dataset hash and per-case scores, and CI fails unless

1. a recorded run of the held-out set exists for the **current** prompt hash (the hash of
   ``docagent/draft/prompts/``) and the checked model (default: the Anthropic provider's
   default model) on the current dataset file;
2. its score is at least the offline drafter's recorded baseline (a model that cannot beat
   the fact-only drafter is not an improvement); and
3. it is not significantly worse (paired test, ``docagent.eval.gate.check_regression``) than
   the newest recorded run of the same model under an earlier prompt hash.

A failure prints the command that records a run. Where no model can be reached (CI and this
project's workplace have no model key), a prompt hash can instead be *waived* with a reason:
``--waive REASON`` writes ``evals/runs/waivers.json``, a change that shows in the commit, and
the check then passes with a loud ``NOT MEASURED`` line. A waiver names one prompt hash and
model, so the next prompt or model change fails CI again. Usage::

    .venv/bin/python evals/check_runs.py                     # check (CI)
    .venv/bin/python evals/check_runs.py --record            # needs ANTHROPIC_API_KEY
    .venv/bin/python evals/check_runs.py --record --provider openai --model llama3.1
    .venv/bin/python evals/check_runs.py --waive "no model access; measured in PR #12"
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from docagent.draft.prompts import prompt_version
from docagent.eval.compare import Baseline, compare
from docagent.eval.datasets import load
from docagent.eval.gate import check_regression
from docagent.eval.runner import drafter_version, evaluate

HERE = Path(__file__).resolve().parent
DATASETS = HERE / "datasets"
BASELINES = HERE / "baselines"
RUNS = HERE / "runs"
DATASET = "heldout"
WAIVERS = "waivers.json"


def default_model(provider: str) -> str:
    """The model checked when ``--model`` is not given (the provider's default)."""
    if provider == "anthropic":
        from docagent.draft.providers.anthropic import default_model as anthropic_default

        return anthropic_default()
    from docagent.config import Settings

    return Settings().model or "default"


def record_command(provider: str, model: str) -> str:
    """The command that records a run (printed when the check fails)."""
    return f".venv/bin/python evals/check_runs.py --record --provider {provider} --model {model}"


def run_path(dataset: str, provider: str, model: str, prompt: str) -> Path:
    """Where a run is recorded: ``evals/runs/<dataset>.<provider>.<model>.<prompt>.json``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model)
    return RUNS / f"{dataset}.{provider}.{safe}.{prompt}.json"


def record(dataset: str, provider_name: str, model: str) -> Path:
    """Draft and score ``dataset`` with the provider (no cache) and write the run file."""
    from docagent.config import load_settings
    from docagent.draft.providers import make_provider

    path = DATASETS / f"{dataset}.jsonl"
    cases = load(path, f"evals/datasets/{dataset}.jsonl")
    settings = load_settings(HERE.parent, {"provider": provider_name, "model": model})
    provider, _ = make_provider(settings, interactive=False)

    async def go() -> Any:
        try:
            return await evaluate(cases, provider, settings=settings, datasets=[path.name])
        finally:
            await provider.aclose()

    result = asyncio.run(go())
    doc = result.to_json()
    out = {
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dataset": dataset,
        "dataset_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "provider": provider.name,
        "model": provider.model,
        "endpoint": str(getattr(provider, "base_url", "") or ""),
        "prompt_version": result.prompt_version,
        "drafter_version": drafter_version(),
        "score": doc["score"],
        "ci": doc["ci"],
        "metrics": doc["metrics"],
        "errors": doc["errors"],
        "results": [
            {"id": c["id"], "score": c["score"], "metrics": c["metrics"]} for c in doc["results"]
        ],
    }
    target = run_path(dataset, provider.name, provider.model, result.prompt_version)
    RUNS.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(out, indent=1) + "\n", "utf-8")
    return target


def _waiver_key(dataset: str, provider: str, model: str, prompt: str) -> str:
    return f"{dataset}|{provider}|{model}|{prompt}"


def read_waivers() -> dict[str, Any]:
    """The waivers file (empty when absent or unreadable)."""
    path = RUNS / WAIVERS
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def waive(dataset: str, provider: str, model: str, reason: str) -> Path:
    """Record that the current prompt hash and model were not measured, and why."""
    waivers = read_waivers()
    waivers[_waiver_key(dataset, provider, model, prompt_version())] = {
        "reason": reason,
        "waived_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "drafter_version": drafter_version(),
    }
    RUNS.mkdir(parents=True, exist_ok=True)
    path = RUNS / WAIVERS
    path.write_text(json.dumps(waivers, indent=1, sort_keys=True) + "\n", "utf-8")
    return path


def recorded_runs() -> list[dict[str, Any]]:
    """Every recorded run (unreadable files are reported and skipped)."""
    out = []
    for path in sorted(RUNS.glob("*.json")):
        if path.name == WAIVERS:
            continue
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            print(f"check_runs: {path.name}: unreadable: {exc}", file=sys.stderr)
            continue
        if isinstance(doc, dict) and "prompt_version" in doc and "results" in doc:
            doc["_file"] = path.name
            out.append(doc)
    return out


def check(dataset: str, provider: str, model: str) -> list[str]:
    """Problems with the recorded runs for the current prompt (empty: the gate passes)."""
    prompt = prompt_version()
    path = DATASETS / f"{dataset}.jsonl"
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    runs = [
        r
        for r in recorded_runs()
        if r.get("dataset") == dataset and r.get("provider") == provider and r["model"] == model
    ]
    current = [r for r in runs if r["prompt_version"] == prompt and r.get("dataset_sha256") == sha]
    how = (
        f"record one: {record_command(provider, model)} (or, without model access, waive it "
        'in the commit: .venv/bin/python evals/check_runs.py --waive "REASON")'
    )
    if not current:
        waiver = read_waivers().get(_waiver_key(dataset, provider, model, prompt))
        if isinstance(waiver, dict) and waiver.get("reason"):
            print(
                f"check_runs: NOT MEASURED: no {provider} run of {dataset} for prompt {prompt} "
                f"and model {model}; waived: {waiver['reason']}"
            )
            return []
        return [
            f"no recorded {provider} run of {dataset} for prompt {prompt} and model {model} "
            f"(a prompt or model change needs a fresh run); {how}"
        ]
    run = max(current, key=lambda r: r.get("recorded_at", ""))
    problems = []
    floor_file = BASELINES / f"{dataset}.offline.json"
    if floor_file.is_file():
        floor = float(json.loads(floor_file.read_text("utf-8"))["score"])
        if float(run["score"]) < floor:
            problems.append(
                f"{run['_file']}: score {float(run['score']):.3f} is below the offline "
                f"drafter's baseline {floor:.3f}"
            )
    earlier = [r for r in runs if r["prompt_version"] != prompt]
    if earlier:
        base = max(earlier, key=lambda r: r.get("recorded_at", ""))
        comparison = compare(
            run["results"],
            Baseline(
                label=base["_file"],
                score=float(base["score"]),
                cases={c["id"]: c for c in base["results"]},
            ),
        ).to_dict()
        verdict = check_regression(comparison)
        print(f"check_runs: {run['_file']} vs {base['_file']}: {verdict.message}")
        if not verdict.passed:
            problems.append(verdict.message)
    if not problems:
        print(
            f"check_runs: {run['_file']}: prompt {prompt}, model {model}, "
            f"score {float(run['score']):.3f}: ok"
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check (or with ``--record``, record) the model run for the current prompt."""
    parser = argparse.ArgumentParser(description="Gate prompt and model changes on a run.")
    parser.add_argument("--record", action="store_true", help="draft, score and record a run")
    parser.add_argument("--provider", default="anthropic", help="provider (default: anthropic)")
    parser.add_argument("--model", help="model (default: the provider's default)")
    parser.add_argument("--dataset", default=DATASET, help=f"dataset (default: {DATASET})")
    parser.add_argument(
        "--waive", metavar="REASON", help="record that this prompt and model go unmeasured"
    )
    args = parser.parse_args(argv)
    if not (DATASETS / f"{args.dataset}.jsonl").is_file():
        print(f"check_runs: {args.dataset}: no such dataset", file=sys.stderr)
        return 2
    model = args.model or default_model(args.provider)
    if args.waive is not None:
        if not args.waive.strip():
            print("check_runs: --waive needs a reason", file=sys.stderr)
            return 2
        path = waive(args.dataset, args.provider, model, args.waive.strip())
        print(f"check_runs: waived prompt {prompt_version()} and model {model} in {path.name}")
        return 0
    if args.record:
        from docagent.draft.providers import ProviderError
        from docagent.errors import DocagentError

        try:
            path = record(args.dataset, args.provider, model)
        except (DocagentError, ProviderError) as exc:
            print(f"check_runs: {exc}", file=sys.stderr)
            return 2
        shown = path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path
        print(f"check_runs: recorded {shown}")
        return 0
    problems = check(args.dataset, args.provider, model)
    for p in problems:
        print(f"check_runs: FAILED: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
