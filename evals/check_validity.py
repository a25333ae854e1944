"""CI gate: the metrics must still tell a reference docstring from a bad one.

For each dataset, every case's reference is scored against its perturbations (empty, ``TODO.``,
template, signature in prose, another file's docstring, an invented parameter, a false
return / raise / side-effect claim, truncated; see :mod:`docagent.eval.perturb`), with and
without the reference. The share of cases where the reference's combined score is higher is
compared with the figure recorded in ``evals/baselines/validity.json``; any drop fails (the
measurement is deterministic, so a drop is a real loss of validity in the metrics).

Usage::

    .venv/bin/python evals/check_validity.py            # check (CI)
    .venv/bin/python evals/check_validity.py --update   # re-record after an intended change
    .venv/bin/docagent eval evals/datasets/heldout.jsonl --validate   # the full table
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from docagent.eval.datasets import load
from docagent.eval.validity import below, validate

HERE = Path(__file__).resolve().parent
DATASETS = HERE / "datasets"
RECORD = HERE / "baselines" / "validity.json"
DEFAULT_NAMES = ("dev", "heldout")


def measure(name: str) -> dict[str, Any]:
    """The validity table of one dataset (combined score only, plus the dataset's sha256)."""
    path = DATASETS / f"{name}.jsonl"
    doc = validate(load(path, f"evals/datasets/{name}.jsonl"))
    return {
        "dataset_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "cases": doc["cases"],
        "uninformative": doc["uninformative"],
        "modes": {
            mode: {p: {"score": row["score"]} for p, row in table.items()}
            for mode, table in doc["modes"].items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Check (or with ``--update``, record) the validity figures; return the exit code."""
    parser = argparse.ArgumentParser(description="Fail when the metrics lose validity.")
    parser.add_argument("names", nargs="*", help=f"datasets (default: {', '.join(DEFAULT_NAMES)})")
    parser.add_argument("--update", action="store_true", help="re-record the figures")
    args = parser.parse_args(argv)
    recorded = json.loads(RECORD.read_text("utf-8")) if RECORD.is_file() else {}
    failed = False
    for name in args.names or DEFAULT_NAMES:
        if not (DATASETS / f"{name}.jsonl").is_file():
            print(f"check_validity: {name}: no such dataset", file=sys.stderr)
            return 2
        doc = measure(name)
        worst = min(
            (row["score"]["rate"], f"{mode} {p}")
            for mode, table in doc["modes"].items()
            for p, row in table.items()
        )
        if args.update:
            recorded[name] = doc
            print(f"check_validity: {name}: recorded (lowest: {worst[1]} {worst[0]:.1%})")
            continue
        base = recorded.get(name)
        if base is None:
            print(f"check_validity: {name}: no recorded figures; record them with --update")
            failed = True
            continue
        if base.get("dataset_sha256") != doc["dataset_sha256"]:
            print(
                f"check_validity: {name}: dataset changed since recorded; re-record with --update"
            )
            failed = True
            continue
        drops = below(doc, base)
        status = "FAILED" if drops else "ok"
        print(
            f"check_validity: {name}: reference beats every perturbation on at least "
            f"{worst[0]:.1%} of cases (lowest: {worst[1]}): {status}"
        )
        for line in drops:
            print(f"  {line}")
        failed = failed or bool(drops)
    if args.update:
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        RECORD.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", "utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
