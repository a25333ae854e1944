"""Turn the decision log's aggregates into the report (the ``--format json`` document).

:func:`collect` has the database aggregate the log (:func:`docagent.store.aggregate.aggregate`:
GROUP BY in SQL, nothing per decision comes back to Python) and :func:`compute` turns those
counters into a :class:`Report`. Renderers only format a :class:`Report`.

Outcomes (docs/reports.md): a draft whose standing decision (docagent/decisions.py) is ``accept``
and whose kept text equals the draft is *accepted*; one accepted with a different text (an
``edit``, or an ``accept`` that stored another text) is *edited*; ``reject`` is *rejected*,
``skip`` *skipped*; a draft without a standing decision is *pending*. Accept rate is
(accepted + edited) / (accepted + edited + rejected); skips and pending drafts are counted apart.
The ``pending`` (and ``failed``) numbers count *targets*, not drafts: a target is pending when
its newest draft has no standing decision and no decision on the target came after it; older
undecided drafts of a target (regenerated, drafted again by another run or model) are
*superseded* and counted only among the drafts.
Drafts applied by the batch policy (reviewer ``batch-policy``) or by ``docagent apply`` (mode
``apply``) are *auto_applied*, and drafts only proposed whose text ``docagent outcomes`` found
committed (a suggestion applied on a pull request) are *pr_applied*: no person judged them in
review, so they are counted apart and never raise the accept rate. *Retention* is what
``docagent outcomes`` found in the repository for followed drafts: kept / (kept + edited +
removed); drafts whose target is gone are counted apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from docagent.draft.models import Usage
from docagent.draft.pricing import cache_savings
from docagent.errors import DocagentError
from docagent.report.stats import edit_similarity, histogram, ratio, wilson
from docagent.store.aggregate import NO_REASON, NONE_KEY, OVERALL, PENDING_KEY, Aggregates, Slice
from docagent.vocab import REPORT_DIMENSIONS

DIMENSIONS = REPORT_DIMENSIONS
DEFAULT_BY = ("model", "prompt", "kind")
OUTCOMES = ("accepted", "edited", "rejected", "skipped", "pending", "auto_applied", "pr_applied")
#: what ``docagent outcomes`` finds of a followed draft
RETENTION = ("kept", "edited", "removed", "gone")

#: A slice with fewer decided drafts (accepted + edited + rejected) than this is marked small.
SMALL_N = 10

__all__ = ["NONE_KEY", "NO_REASON", "PENDING_KEY"]


@dataclass
class Coverage:
    """One coverage snapshot (percent before and after a run)."""

    created_at: str
    before: float
    after: float
    scope: str = ""


@dataclass
class Report:
    """A computed report: ``data`` is the JSON document, ``charts`` what the HTML draws."""

    data: dict[str, Any]
    charts: dict[str, Any]

    @property
    def empty(self) -> bool:
        """True when there was nothing to report (no drafts in scope)."""
        return not self.data["overall"]["drafts"]


def parse_since(value: str | None) -> datetime | None:
    """Parse ``--since`` (``YYYY-MM-DD`` or an ISO 8601 time; naive means UTC)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise DocagentError(f"--since {value}: not a date (expected YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _at(ts: str) -> datetime:
    """Parse a stored timestamp (naive = UTC)."""
    try:
        parsed = datetime.fromisoformat(ts)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def collect(
    store: Any,
    by: Sequence[str] = DEFAULT_BY,
    since: datetime | None = None,
    repo: str = "",
    *,
    charts: bool = True,
) -> tuple[Aggregates, list[Coverage]]:
    """Aggregate the drafts and standing decisions in scope, and read coverage snapshots.

    In scope: drafts whose standing decision was made at or after ``since``, and undecided
    drafts created at or after it. Drafts of ``eval`` runs are left out (nobody reviews them).
    ``repo`` names the repository of drafts the log does not attribute to one; without
    ``charts`` what only the HTML charts draw is not aggregated.
    """
    _check_dims(by)
    lower = None if since is None else since.astimezone(UTC).isoformat(timespec="milliseconds")
    agg = store.aggregate(list(dict.fromkeys(by)), lower, repo, edit_similarity, charts=charts)
    coverage = [
        Coverage(c.created_at, c.before, c.after, c.scope)
        for c in store.coverage()
        if since is None or _at(c.created_at) >= since
    ]
    return agg, coverage


def _check_dims(by: Sequence[str]) -> None:
    for dim in by:
        if dim not in DIMENSIONS:
            raise DocagentError(f"--by {dim}: unknown dimension (one of {', '.join(DIMENSIONS)})")


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ms_median(middle: list[int]) -> float | None:
    """The median in seconds of the middle one or two values (ms) of a sorted list."""
    if not middle:
        return None
    if len(middle) == 1:
        return float(middle[0] / 1000)
    return (middle[0] / 1000 + middle[1] / 1000) / 2


def _median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def retention(s: Slice) -> dict[str, Any]:
    """What ``docagent outcomes`` found of the followed drafts of one slice, and the rate."""
    kept, edited, removed = s.retention["kept"], s.retention["edited"], s.retention["removed"]
    judged = kept + edited + removed
    return {
        "followed": judged + s.retention["gone"],
        **{name: s.retention[name] for name in RETENTION},
        "rate": _r(ratio(kept, judged), 4),
    }


def summarize(s: Slice) -> dict[str, Any]:
    """The report fields (``overall`` plus extras) for one slice's counters."""
    counts = s.outcomes
    accepted, edited = counts["accepted"], counts["edited"]
    rejected, skipped = counts["rejected"], counts["skipped"]
    kept = accepted + edited
    decided = kept + rejected
    low, high = wilson(kept, decided)
    cost = s.cost_usd
    kept_after = retention(s)
    return {
        "drafts": s.drafts,
        "accepted": accepted,
        "edited": edited,
        "rejected": rejected,
        "skipped": skipped,
        "accept_rate": round(ratio(kept, decided) or 0.0, 4),
        "accept_rate_ci": [round(low, 4), round(high, 4)],
        "unchanged_rate": round(ratio(accepted, decided) or 0.0, 4),
        "median_edit_similarity": _r(_median(s.similarities), 4),
        "median_review_seconds": _r(_ms_median(s.median_ms), 1),
        "cost_usd": round(cost, 6),
        "cost_per_accepted_usd": _r(ratio(cost, kept), 6),
        "tokens": {"input": s.tokens_in, "output": s.tokens_out},
        "pending": s.pending,
        "auto_applied": counts["auto_applied"],
        "pr_applied": counts["pr_applied"],
        "failed": s.failed,
        "decided": decided,
        "checks_pass_rate": _r(ratio(s.passed, s.checked), 4),
        "retention_rate": kept_after["rate"],
        "retention": kept_after,
        "small": decided < SMALL_N,
    }


def slices(per: dict[str, Slice]) -> list[dict[str, Any]]:
    """One summary per key, keys sorted: ``{"key": ..., **summarize(...)}``."""
    return [{"key": key, **summarize(per[key])} for key in sorted(per)]


def reasons(counts: Counter[str]) -> dict[str, int]:
    """Rejection reasons with their counts, most frequent first."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def prompt_cache(agg: Aggregates) -> dict[str, Any]:
    """Prompt-cache use: tokens read from and written to the cache, the hit ratio (cache reads
    over all prompt tokens) and the dollars caching saved at list prices (negative when cache
    writes were never read back)."""
    read, written, plain = agg.cache_read, agg.cache_write, agg.plain_in
    saved = sum(
        cache_savings(model, Usage(t_in, t_out, c_read, c_write))
        for model, (t_in, t_out, c_read, c_write) in agg.cache_by_model.items()
    )
    return {
        "read_tokens": read,
        "write_tokens": written,
        "hit_ratio": _r(ratio(read, read + written + plain), 4),
        "saved_usd": round(saved, 6),
    }


def coverage_summary(snapshots: Sequence[Coverage]) -> dict[str, Any]:
    """Coverage before the first and after the last run in scope (same scope as the latest)."""
    if not snapshots:
        return {"before": 0.0, "after": 0.0, "snapshots": 0}
    ordered = sorted(snapshots, key=lambda c: c.created_at)
    scope = ordered[-1].scope
    same = [c for c in ordered if c.scope == scope]
    return {
        "before": round(same[0].before, 1),
        "after": round(same[-1].after, 1),
        "snapshots": len(same),
    }


def time_saved(agg: Aggregates, baseline_seconds: float) -> dict[str, Any]:
    """A rough estimate of writing time saved, with its method and assumptions.

    Only decisions with a measured review time count. Saved = kept docstrings × baseline −
    all measured review time (rejected and skipped drafts cost review time and save nothing).
    The range uses half and one and a half times the baseline, because the baseline is an
    assumption, not a measurement.
    """
    measured = agg.measured
    kept = agg.measured_kept
    spent = agg.measured_ms / 1000

    def saved(base: float) -> float:
        return kept * base - spent

    est = saved(baseline_seconds) if measured else None
    rng = [saved(baseline_seconds * 0.5), saved(baseline_seconds * 1.5)] if measured else None
    return {
        "method": "kept docstrings with a measured review time x writing_seconds_baseline,"
        " minus all measured review time",
        "writing_seconds_baseline": baseline_seconds,
        "kept_with_measured_review": kept,
        "decisions_with_measured_review": measured,
        "review_seconds_measured": round(spent, 1),
        "estimate_seconds": None if est is None else round(est),
        "range_seconds": None if rng is None else [round(v) for v in rng],
        "estimate_hours": None if est is None else round(est / 3600, 2),
        "range_hours": None if rng is None else [round(v / 3600, 2) for v in rng],
        "assumptions": [
            "writing one docstring by hand takes writing_seconds_baseline seconds"
            " (a setting, not a measurement)",
            "review time is measured in the review UI; batch decisions have none and are left out",
            "time spent outside the review UI (reading diffs, fixing later) is not counted",
            "the range uses 0.5x and 1.5x the baseline",
        ],
    }


def _bucket(day: str, weekly: bool) -> str:
    if not weekly:
        return day
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def timeline(rows: Sequence[tuple[str, str, int, int]]) -> dict[str, Any]:
    """Accept rate per period for each key: what the HTML line charts draw.

    ``rows`` are ``(key, day, kept, decided)``. Periods are days, or weeks (starting Monday)
    when the decisions span more than 45 days, or more than 14 days with a median of fewer
    than 5 decisions per key and day (daily rates of a handful of decisions are noise).
    """
    days = sorted({day for _, day, _, _ in rows})
    span = (date.fromisoformat(days[-1]) - date.fromisoformat(days[0])).days if days else 0
    weekly = span > 45 or (span > 14 and (_median([n for *_, n in rows]) or 0) < 5)
    periods = sorted({_bucket(d, weekly) for d in days})
    per_key: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for key, day, kept, n in rows:
        cell = per_key[key or NONE_KEY][_bucket(day, weekly)]
        cell[0] += kept
        cell[1] += n
    series = {
        key: [(p, per[p][0], per[p][1]) for p in periods if p in per]
        for key, per in sorted(per_key.items())
    }
    return {"periods": periods, "weekly": weekly, "series": series}


def _since_label(since: datetime | None) -> str | None:
    if since is None:
        return None
    if since.time() == datetime.min.time():
        return since.date().isoformat()
    return since.isoformat()


def compute(
    agg: Aggregates,
    coverage: Sequence[Coverage] = (),
    by: Sequence[str] = DEFAULT_BY,
    *,
    writing_seconds_baseline: float = 120.0,
    since: datetime | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Build the report from the aggregates: overall, one slice list per ``by`` dimension, more."""
    dims = list(dict.fromkeys(by))
    _check_dims(dims)
    overall = agg.slices.get(OVERALL, {}).get("", Slice())
    data: dict[str, Any] = {
        "overall": summarize(overall),
        "slices": {dim: slices(agg.slices.get(dim, {})) for dim in dims},
        "reasons": reasons(agg.reasons),
        "coverage": coverage_summary(coverage),
        "time_saved": time_saved(agg, writing_seconds_baseline),
        "prompt_cache": prompt_cache(agg),
        "since": _since_label(since),
        "period": {"first": agg.first[:10], "last": agg.last[:10]}
        if agg.first and agg.last
        else None,
        "small_n": SMALL_N,
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    charts = {
        "timeline_prompt": timeline(agg.timeline.get("prompt", [])),
        "timeline_model": timeline(agg.timeline.get("model", [])),
        "kinds": slices(agg.slices.get("kind", {})),
        "models": slices(agg.slices.get("model", {})),
        "similarity_bins": histogram(agg.similarities),
    }
    return Report(data, charts)
