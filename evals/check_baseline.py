"""CI gate: the offline suite must not score below its recorded baseline.

For every dataset with a baseline in ``evals/baselines/<name>.offline.json`` this runs the offline
provider on ``evals/datasets/<name>.jsonl`` (through the same harness as ``docagent eval``, but
without writing a decision log) and fails when

- the dataset file changed since the baseline was recorded (its sha256 differs), or
- the score is below the baseline score minus :data:`TOLERANCE`.

The offline drafter is deterministic, so any drop is a real change in drafting, rendering,
checks or metrics. A rise above the baseline passes with a note: record the new baseline with
``--update`` in the same commit as the change that earned it.

Usage::

    .venv/bin/python evals/check_baseline.py            # check (CI)
    .venv/bin/python evals/check_baseline.py --update   # re-record after an intended change
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from docagent.draft.providers.offline import OfflineProvider
from docagent.eval.compare import compare, load_baseline
from docagent.eval.datasets import load
from docagent.eval.runner import EvalResult, evaluate

HERE = Path(__file__).resolve().parent
DATASETS = HERE / "datasets"
BASELINES = HERE / "baselines"
TOLERANCE = 0.005
DEFAULT_NAMES = ("dev", "heldout")


def sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_offline(dataset: Path) -> EvalResult:
    """Score the offline provider on one dataset file."""
    label = (
        dataset.relative_to(HERE.parent).as_posix()
        if dataset.is_relative_to(HERE.parent)
        else str(dataset)
    )
    cases = load(dataset, label)
    return asyncio.run(evaluate(cases, OfflineProvider(), datasets=[label]))


def baseline_doc(result: EvalResult, dataset: Path) -> dict[str, Any]:
    """The recorded baseline: score, interval, metrics and per-case scores (no draft text)."""
    doc = result.to_json()
    return {
        "score": doc["score"],
        "ci": doc["ci"],
        "metrics": doc["metrics"],
        "cases": doc["cases"],
        "run": f"baseline:{dataset.stem}.offline",
        "provider": doc["provider"],
        "model": doc["model"],
        "prompt_version": doc["prompt_version"],
        "datasets": doc["datasets"],
        "dataset_sha256": sha256(dataset),
        "tolerance": TOLERANCE,
        "metric_details": doc["metric_details"],
        "reference": doc["reference"],
        "failed_checks": doc["failed_checks"],
        "results": [
            {"id": c["id"], "score": c["score"], "metrics": c["metrics"]} for c in doc["results"]
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """Check (or with ``--update``, record) the offline baselines; return the exit code."""
    parser = argparse.ArgumentParser(description="Fail when the offline eval score drops.")
    parser.add_argument("names", nargs="*", help=f"datasets (default: {', '.join(DEFAULT_NAMES)})")
    parser.add_argument("--update", action="store_true", help="re-record the baselines")
    args = parser.parse_args(argv)
    failed = False
    for name in args.names or DEFAULT_NAMES:
        dataset = DATASETS / f"{name}.jsonl"
        path = BASELINES / f"{name}.offline.json"
        if not dataset.is_file():
            print(f"check_baseline: {dataset}: no such dataset", file=sys.stderr)
            return 2
        result = run_offline(dataset)
        if args.update:
            BASELINES.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(baseline_doc(result, dataset), indent=1) + "\n", "utf-8")
            print(f"check_baseline: {name}: recorded score {result.score:.4f} -> {path.name}")
            continue
        if not path.is_file():
            print(f"check_baseline: {name}: no baseline {path}; record one with --update")
            failed = True
            continue
        base = json.loads(path.read_text("utf-8"))
        if base.get("dataset_sha256") != sha256(dataset):
            print(
                f"check_baseline: {name}: {dataset.name} changed since its baseline was "
                "recorded; re-record with --update in the same commit"
            )
            failed = True
            continue
        floor = float(base["score"]) - float(base.get("tolerance", TOLERANCE))
        deltas = compare([c.to_dict() for c in result.cases], load_baseline(str(path))).rows
        detail = ", ".join(
            f"{k} {v['delta']:+.4f}" for k, v in deltas.items() if abs(v["delta"]) >= 0.0005
        )
        status = "ok"
        if result.score < floor:
            status = "FAILED"
            failed = True
        elif result.score > float(base["score"]) + TOLERANCE:
            status = "ok (above baseline: record it with --update)"
        print(
            f"check_baseline: {name}: score {result.score:.4f} vs baseline "
            f"{float(base['score']):.4f} (floor {floor:.4f}): {status}"
            + (f" [{detail}]" if detail else "")
        )
        if status == "FAILED":
            for c in sorted(result.cases, key=lambda c: c.score)[:5]:
                print(f"  worst: {c.score:.3f} {c.id} {c.notes or c.error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
