"""Small, dependency-free statistics for reports: Wilson intervals, medians, edit similarity.

Everything here is a pure function so the report numbers can be checked by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

#: The two-sided 95% normal quantile used by :func:`wilson`.
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` trials (95% by default).

    Returns ``(0.0, 0.0)`` when ``n`` is 0 (nothing to judge; reports mark such slices small).
    Unlike the normal approximation it stays inside [0, 1] and behaves at 0/n and n/n.
    """
    if n <= 0:
        return (0.0, 0.0)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be within 0..{n}, got {successes}")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return (max(0.0, center - margin), min(1.0, center + margin))


def median(values: Iterable[float]) -> float | None:
    """The median of ``values`` (mean of the middle two for an even count), or None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None when ``whole`` is 0."""
    return None if not whole else part / whole


def edit_similarity(before: str, after: str) -> float:
    """How much of a draft survived a person's edit: rapidfuzz normalized Indel similarity.

    1.0 means identical, 0.0 means nothing in common. Whitespace at both ends is ignored.
    """
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(before.strip(), after.strip()))


def histogram(values: Sequence[float], bins: int = 10) -> list[int]:
    """Counts of ``values`` in ``bins`` equal-width bins over [0, 1] (1.0 goes in the last bin)."""
    counts = [0] * bins
    for v in values:
        index = min(bins - 1, max(0, int(v * bins)))
        counts[index] += 1
    return counts
