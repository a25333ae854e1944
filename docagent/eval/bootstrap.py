"""Bootstrap confidence intervals: one sample, and paired differences over shared cases.

Resampling uses a fixed seed, so the same numbers always give the same interval (baselines and
CI output are reproducible).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from docagent.report.stats import wilson

__all__ = [
    "RESAMPLES",
    "SEED",
    "bootstrap_ci",
    "effect_size",
    "mean",
    "paired_bootstrap",
    "sign_flip_p",
    "spread",
    "wilson",
]

RESAMPLES = 1000
SEED = 20240601


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean (0.0 for no values)."""
    return sum(values) / len(values) if values else 0.0


def _percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` in [0, 1] of already sorted values."""
    if not sorted_values:
        return 0.0
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bootstrap_ci(
    values: Sequence[float],
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` at ``level``.

    One value (or none) gives a degenerate interval at the mean.
    """
    n = len(values)
    if n < 2:
        m = mean(values)
        return (m, m)
    rng = random.Random(seed)
    vals = list(values)
    means = sorted(sum(rng.choices(vals, k=n)) / n for _ in range(resamples))
    alpha = (1 - level) / 2
    return (_percentile(means, alpha), _percentile(means, 1 - alpha))


def paired_bootstrap(
    new: Sequence[float],
    old: Sequence[float],
    level: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[float, tuple[float, float]]:
    """Mean difference ``new - old`` over paired values, with its bootstrap interval.

    Both sequences are indexed by the same cases; resampling draws cases, so per-case
    difficulty cancels out and the interval is much tighter than two independent ones.
    """
    if len(new) != len(old):
        raise ValueError("paired samples must have the same length")
    diffs = [a - b for a, b in zip(new, old, strict=True)]
    return mean(diffs), bootstrap_ci(diffs, level, resamples, seed)


def sign_flip_p(diffs: Sequence[float], resamples: int = 4000, seed: int = SEED) -> float:
    """Two-sided p-value of a paired sign-flip permutation test that the mean diff is 0.

    Each resample flips the sign of every difference at random (fixed seed); the p-value is
    the share of resamples whose absolute mean is at least the observed one (add-one
    smoothed, so never exactly 0). No difference at all gives 1.0.
    """
    n = len(diffs)
    if n == 0:
        return 1.0
    observed = abs(sum(diffs)) / n
    if observed == 0:
        return 1.0
    rng = random.Random(seed)
    hits = 0
    for _ in range(resamples):
        total = sum(d if rng.random() < 0.5 else -d for d in diffs)
        if abs(total) / n >= observed - 1e-12:
            hits += 1
    return (hits + 1) / (resamples + 1)


def effect_size(diffs: Sequence[float]) -> float:
    """Cohen's d_z of paired differences: mean / standard deviation (0 when no spread)."""
    n = len(diffs)
    if n < 2:
        return 0.0
    m = mean(diffs)
    var = sum((d - m) ** 2 for d in diffs) / (n - 1)
    return m / var**0.5 if var > 0 else 0.0


def spread(values: Sequence[float]) -> float:
    """The sample standard deviation (0 for fewer than two values)."""
    n = len(values)
    if n < 2:
        return 0.0
    m = mean(values)
    return (sum((v - m) ** 2 for v in values) / (n - 1)) ** 0.5
