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


#: A drop is significant when the paired test's p-value is below this.
ALPHA = 0.05


def check_regression(
    comparison: dict[str, Any], tolerance: float = 0.0, alpha: float = ALPHA
) -> GateResult:
    """Fail when the new run is significantly worse than the base run.

    ``comparison`` is :meth:`docagent.eval.compare.Comparison.to_dict` output. The run fails
    when the paired score delta is below ``-tolerance``, the upper end of its 95% bootstrap
    interval is below 0, and the sign-flip test's p-value is below ``alpha``. The message
    states the effect (delta and Cohen's d_z) and p either way.
    """
    row = comparison.get("deltas", {}).get("score")
    if row is None:
        return GateResult(True, "no score to compare")
    lo, hi = row["ci"]
    p = row.get("p", 0.0 if hi < 0 else 1.0)
    stats = (
        f"delta {row['delta']:+.3f} (95% interval {lo:+.3f}..{hi:+.3f}), "
        f"effect d_z {row.get('effect', 0.0):+.2f}, p = {p:.4f}, n = {row['n']}"
    )
    if row["delta"] < -tolerance and hi < 0 and p < alpha:
        return GateResult(False, f"significantly worse than {comparison['base']}: {stats}")
    return GateResult(True, f"not significantly worse than {comparison['base']}: {stats}")
