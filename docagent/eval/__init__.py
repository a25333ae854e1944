"""The eval harness: datasets, metrics, runs, comparisons and the gate (docs/evals.md).

Public entry points::

    from docagent.eval import evaluate, load_all, compare, load_baseline, check_gate

    cases = load_all(["evals/datasets/heldout.jsonl"])
    result = await evaluate(cases, provider)
    print(result.score, result.ci, result.metric_values())
"""

from __future__ import annotations

from docagent.eval.compare import Baseline, Comparison, compare, load_baseline
from docagent.eval.datasets import Case, find_datasets, load, load_all, parse_case
from docagent.eval.gate import GateResult, check_gate, check_regression
from docagent.eval.metrics import METRICS, WEIGHTS, chrf, combine, completeness, truthfulness
from docagent.eval.runner import CaseResult, EvalCache, EvalResult, evaluate, prepare, summarize

__all__ = [
    "METRICS",
    "WEIGHTS",
    "Baseline",
    "Case",
    "CaseResult",
    "Comparison",
    "EvalCache",
    "EvalResult",
    "GateResult",
    "check_gate",
    "check_regression",
    "chrf",
    "combine",
    "compare",
    "completeness",
    "evaluate",
    "find_datasets",
    "load",
    "load_all",
    "load_baseline",
    "parse_case",
    "prepare",
    "summarize",
    "truthfulness",
]
