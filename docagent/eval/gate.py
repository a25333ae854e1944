"""The eval gate: turn a score (and optionally a comparison) into a pass/fail decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class GateResult:
    """Whether the run passed and the one-line reason."""

    passed: bool
    message: str


def check_gate(score: float, threshold: float | None) -> GateResult:
    """Pass when no threshold is set or ``score >= threshold``."""
    if threshold is None:
        return GateResult(True, "")
    if score < threshold:
        return GateResult(False, f"score {score:.3f} is below --gate {threshold:g}")
    return GateResult(True, f"score {score:.3f} meets --gate {threshold:g}")


def check_regression(comparison: dict[str, Any], tolerance: float = 0.0) -> GateResult:
    """Fail when the paired score delta is significantly negative beyond ``tolerance``.

    ``comparison`` is :meth:`docagent.eval.compare.Comparison.to_dict` output: the run fails
    when the upper end of the score delta's 95% interval is below ``-tolerance``.
    """
    row = comparison.get("deltas", {}).get("score")
    if row is None:
        return GateResult(True, "no score to compare")
    hi = row["ci"][1]
    if hi < -tolerance:
        return GateResult(
            False,
            f"score dropped by {-row['delta']:.3f} against {comparison['base']} "
            f"(95% interval {row['ci'][0]:+.3f}..{hi:+.3f})",
        )
    return GateResult(True, f"score delta {row['delta']:+.3f} against {comparison['base']}")
