"""The report computed in Python, draft by draft: the reference the SQL aggregation is tested
against (tests/test_report_sql.py). Not used by docagent itself.

:func:`collect` reads every draft and standing decision (``Store.decisions``, which applies
:func:`docagent.decisions.standing_decision`) and :func:`compute` summarizes the items; the
product computes the same figures in the database (docagent/store/aggregate.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from docagent.draft.models import Usage
from docagent.draft.pricing import cache_savings
from docagent.errors import DocagentError
from docagent.report.stats import edit_similarity, histogram, median, ratio, wilson
from docagent.store.records import unreviewed

DIMENSIONS = ("model", "prompt", "kind", "style", "path", "reviewer", "mode", "day", "effort")
DEFAULT_BY = ("model", "prompt", "kind")
OUTCOMES = ("accepted", "edited", "rejected", "skipped", "pending", "auto_applied")

#: A slice with fewer decided drafts (accepted + edited + rejected) than this is marked small.
SMALL_N = 10
NONE_KEY = "(none)"
PENDING_KEY = "(pending)"
NO_REASON = "(no reason given)"


@dataclass
class Item:
    """One draft in the report's scope with its standing outcome."""

    draft_id: str
    outcome: str
    path: str = ""
    qualname: str = ""
    kind: str = ""
    style: str = ""
    provider: str = ""
    model: str = ""
    prompt_version: str = ""
    reviewer: str = ""
    mode: str = ""
    drafted_at: str = ""
    decided_at: str | None = None
    reason: str = ""
    review_seconds: float | None = None
    similarity: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    effort: str = ""
    checks: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    #: an undecided draft that a newer draft or a later decision on its target replaced
    superseded: bool = False

    @property
    def target(self) -> tuple[str, str, str]:
        """``(path, qualname, kind)``: the documented target this draft is for."""
        return (self.path, self.qualname, self.kind)

    @property
    def awaiting(self) -> bool:
        """True for a pending draft that still waits for a decision (not superseded)."""
        return self.outcome == "pending" and not self.superseded

    @property
    def day(self) -> str:
        """The UTC day of the decision (of the draft while pending), ``YYYY-MM-DD``."""
        return (self.decided_at or self.drafted_at)[:10]

    @property
    def kept(self) -> bool:
        """True for accepted and edited drafts (what the accept rate counts as success)."""
        return self.outcome in ("accepted", "edited")

    @property
    def decided(self) -> bool:
        """True for accepted, edited and rejected drafts (the accept rate's denominator)."""
        return self.outcome in ("accepted", "edited", "rejected")


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


def outcome_of(decision: str, draft_text: str, final_text: str | None) -> str:
    """The report outcome of an effective decision (see the module docstring)."""
    if decision in ("accept", "edit"):
        if final_text is None or final_text.strip() == (draft_text or "").strip():
            return "accepted"
        return "edited"
    return {"reject": "rejected", "skip": "skipped"}.get(decision, "pending")


def collect(store: Any, since: datetime | None = None) -> tuple[list[Item], list[Coverage]]:
    """Read the drafts, their standing decisions and coverage snapshots in scope from ``store``.

    In scope: drafts whose standing decision was made at or after ``since``, and undecided
    drafts created at or after it. Drafts of ``eval`` runs are left out (nobody reviews them).
    """
    modes = {r.id: r.mode for r in store.runs()}
    all_drafts = store.drafts()
    effort = {
        d.id: str(d.context.get("effort") or "") if isinstance(d.context, dict) else ""
        for d in all_drafts
    }
    items: list[Item] = []
    decided: set[str] = set()
    last_decision: dict[tuple[str, str, str], datetime] = {}
    for r in store.decisions():
        decided.add(r.draft_id)
        key = (r.path, r.qualname, r.kind)
        at = _at(r.decided_at)
        if key not in last_decision or at > last_decision[key]:
            last_decision[key] = at
        if modes.get(r.run_id or "") == "eval":
            continue
        if since is not None and _at(r.decided_at) < since:
            continue
        outcome = outcome_of(r.decision, r.draft_text, r.final_text)
        if unreviewed(r.reviewer, r.mode) and outcome in ("accepted", "edited"):
            outcome = "auto_applied"
        items.append(
            Item(
                draft_id=r.draft_id,
                outcome=outcome,
                path=r.path,
                qualname=r.qualname,
                kind=r.kind,
                style=r.style,
                provider=r.provider,
                model=r.model,
                prompt_version=r.prompt_version,
                reviewer=r.reviewer,
                mode=r.mode or modes.get(r.run_id or "", ""),
                drafted_at=r.drafted_at,
                decided_at=r.decided_at,
                reason=r.reason if outcome == "rejected" else "",
                review_seconds=None if r.review_ms is None else r.review_ms / 1000,
                similarity=(
                    edit_similarity(r.draft_text or "", r.final_text or "")
                    if outcome == "edited"
                    else None
                ),
                tokens_in=r.tokens_in,
                tokens_out=r.tokens_out,
                cost_usd=r.cost_usd,
                cache_read_tokens=r.cache_read_tokens,
                cache_write_tokens=r.cache_write_tokens,
                effort=effort.get(r.draft_id, ""),
                checks=list(r.checks or []),
            )
        )
    drafts = [d for d in all_drafts if modes.get(d.run_id or "") != "eval"]
    newest = {(d.path, d.qualname, d.kind): d.id for d in drafts}  # oldest first: last wins
    for d in drafts:
        if d.id in decided:
            continue
        if since is not None and _at(d.created_at) < since:
            continue
        key = (d.path, d.qualname, d.kind)
        later = key in last_decision and last_decision[key] > _at(d.created_at)
        items.append(
            Item(
                draft_id=d.id,
                outcome="pending",
                path=d.path,
                qualname=d.qualname,
                kind=d.kind,
                style=d.style,
                provider=d.provider,
                model=d.model,
                prompt_version=d.prompt_version,
                mode=modes.get(d.run_id or "", ""),
                drafted_at=d.created_at,
                tokens_in=d.tokens_in,
                tokens_out=d.tokens_out,
                cost_usd=d.cost_usd,
                cache_read_tokens=d.cache_read_tokens,
                cache_write_tokens=d.cache_write_tokens,
                effort=effort.get(d.id, ""),
                checks=list(d.checks or []),
                error=d.error,
                superseded=newest[key] != d.id or later,
            )
        )
    coverage = [
        Coverage(c.created_at, c.before, c.after, c.scope)
        for c in store.coverage()
        if since is None or _at(c.created_at) >= since
    ]
    return items, coverage


def prompt_cache(items: Sequence[Item]) -> dict[str, Any]:
    """Prompt-cache use: tokens read from and written to the cache, the hit ratio (cache reads
    over all prompt tokens) and the dollars caching saved at list prices (negative when cache
    writes were never read back)."""
    read = sum(i.cache_read_tokens for i in items)
    written = sum(i.cache_write_tokens for i in items)
    plain = sum(i.tokens_in for i in items)
    saved = sum(
        cache_savings(
            i.model, Usage(i.tokens_in, i.tokens_out, i.cache_read_tokens, i.cache_write_tokens)
        )
        for i in items
        if i.cache_read_tokens or i.cache_write_tokens
    )
    return {
        "read_tokens": read,
        "write_tokens": written,
        "hit_ratio": _r(ratio(read, read + written + plain), 4),
        "saved_usd": round(saved, 6),
    }


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def summarize(items: Sequence[Item]) -> dict[str, Any]:
    """The report fields (§4 ``overall`` plus extras) for one group of items."""
    counts = Counter(i.outcome for i in items)
    accepted, edited = counts["accepted"], counts["edited"]
    rejected, skipped = counts["rejected"], counts["skipped"]
    pending = len({i.target for i in items if i.awaiting})
    kept = accepted + edited
    decided = kept + rejected
    low, high = wilson(kept, decided)
    cost = sum(i.cost_usd for i in items)
    sims = [i.similarity for i in items if i.similarity is not None]
    secs = [i.review_seconds for i in items if i.review_seconds is not None and i.decided_at]
    checked = [i for i in items if i.checks]
    passed = sum(1 for i in checked if all(bool(c.get("ok")) for c in i.checks))
    return {
        "drafts": len(items),
        "accepted": accepted,
        "edited": edited,
        "rejected": rejected,
        "skipped": skipped,
        "accept_rate": round(ratio(kept, decided) or 0.0, 4),
        "accept_rate_ci": [round(low, 4), round(high, 4)],
        "unchanged_rate": round(ratio(accepted, decided) or 0.0, 4),
        "median_edit_similarity": _r(median(sims), 4),
        "median_review_seconds": _r(median(secs), 1),
        "cost_usd": round(cost, 6),
        "cost_per_accepted_usd": _r(ratio(cost, kept), 6),
        "tokens": {
            "input": sum(i.tokens_in for i in items),
            "output": sum(i.tokens_out for i in items),
        },
        "pending": pending,
        "auto_applied": counts["auto_applied"],
        "failed": len({i.target for i in items if i.awaiting and i.error}),
        "decided": decided,
        "checks_pass_rate": _r(ratio(passed, len(checked)), 4),
        "small": decided < SMALL_N,
    }


KEYS: dict[str, Callable[[Item], str]] = {
    "model": lambda i: i.model or i.provider,
    "prompt": lambda i: i.prompt_version,
    "kind": lambda i: i.kind,
    "style": lambda i: i.style,
    "path": lambda i: i.path,
    "reviewer": lambda i: i.reviewer if i.decided_at else PENDING_KEY,
    "mode": lambda i: i.mode,
    "day": lambda i: i.day,
    "effort": lambda i: i.effort,
}


def group(items: Iterable[Item], dim: str) -> dict[str, list[Item]]:
    """Items grouped by their key in dimension ``dim``, keys sorted."""
    if dim not in KEYS:
        raise DocagentError(f"--by {dim}: unknown dimension (one of {', '.join(DIMENSIONS)})")
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[KEYS[dim](item) or NONE_KEY].append(item)
    return dict(sorted(groups.items()))


def slices(items: Sequence[Item], dim: str) -> list[dict[str, Any]]:
    """One summary per key of ``dim``: ``{"key": ..., **summarize(...)}``."""
    return [{"key": key, **summarize(group_)} for key, group_ in group(items, dim).items()]


def reasons(items: Iterable[Item]) -> dict[str, int]:
    """Rejection reasons with their counts, most frequent first."""
    counts = Counter(
        (i.reason or "").strip() or NO_REASON for i in items if i.outcome == "rejected"
    )
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


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


def time_saved(items: Sequence[Item], baseline_seconds: float) -> dict[str, Any]:
    """A rough estimate of writing time saved, with its method and assumptions.

    Only decisions with a measured review time count. Saved = kept docstrings × baseline −
    all measured review time (rejected and skipped drafts cost review time and save nothing).
    The range uses half and one and a half times the baseline, because the baseline is an
    assumption, not a measurement.
    """
    measured = [i for i in items if i.decided_at and i.review_seconds is not None]
    kept = sum(1 for i in measured if i.kept)
    spent = sum(i.review_seconds or 0.0 for i in measured)

    def saved(base: float) -> float:
        return kept * base - spent

    est = saved(baseline_seconds) if measured else None
    rng = [saved(baseline_seconds * 0.5), saved(baseline_seconds * 1.5)] if measured else None
    return {
        "method": "kept docstrings with a measured review time x writing_seconds_baseline,"
        " minus all measured review time",
        "writing_seconds_baseline": baseline_seconds,
        "kept_with_measured_review": kept,
        "decisions_with_measured_review": len(measured),
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


def timeline(items: Sequence[Item], dim: str) -> dict[str, Any]:
    """Accept rate per period for each key of ``dim``: what the HTML line charts draw.

    Periods are days, or weeks (starting Monday) when the decisions span more than 45 days,
    or more than 14 days with a median of fewer than 5 decisions per key and day (daily
    rates of a handful of decisions are noise).
    """
    decided = [i for i in items if i.decided]
    days = sorted({i.day for i in decided})
    span = (date.fromisoformat(days[-1]) - date.fromisoformat(days[0])).days if days else 0
    cells = Counter((KEYS[dim](i), i.day) for i in decided)
    weekly = span > 45 or (span > 14 and (median(cells.values()) or 0) < 5)
    periods = sorted({_bucket(d, weekly) for d in days})
    series: dict[str, list[tuple[str, int, int]]] = {}
    for key, group_ in group(decided, dim).items():
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for i in group_:
            cell = per[_bucket(i.day, weekly)]
            cell[0] += int(i.kept)
            cell[1] += 1
        series[key] = [(p, per[p][0], per[p][1]) for p in periods if p in per]
    return {"periods": periods, "weekly": weekly, "series": series}


def _since_label(since: datetime | None) -> str | None:
    if since is None:
        return None
    if since.time() == datetime.min.time():
        return since.date().isoformat()
    return since.isoformat()


def compute(
    items: Sequence[Item],
    coverage: Sequence[Coverage] = (),
    by: Sequence[str] = DEFAULT_BY,
    *,
    writing_seconds_baseline: float = 120.0,
    since: datetime | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Build the report from ``items``: overall, one slice list per ``by`` dimension, and more."""
    dims = list(dict.fromkeys(by))
    for dim in dims:
        if dim not in DIMENSIONS:
            raise DocagentError(f"--by {dim}: unknown dimension (one of {', '.join(DIMENSIONS)})")
    stamps = sorted(i.decided_at or i.drafted_at for i in items)
    data: dict[str, Any] = {
        "overall": summarize(items),
        "slices": {dim: slices(items, dim) for dim in dims},
        "reasons": reasons(items),
        "coverage": coverage_summary(coverage),
        "time_saved": time_saved(items, writing_seconds_baseline),
        "prompt_cache": prompt_cache(items),
        "since": _since_label(since),
        "period": {"first": stamps[0][:10], "last": stamps[-1][:10]} if stamps else None,
        "small_n": SMALL_N,
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    charts = {
        "timeline_prompt": timeline(items, "prompt"),
        "timeline_model": timeline(items, "model"),
        "kinds": slices(items, "kind"),
        "models": slices(items, "model"),
        "similarity_bins": histogram([i.similarity for i in items if i.similarity is not None]),
    }
    return Report(data, charts)
