"""Shared number formatting and column definitions for the text renderers."""

from __future__ import annotations

from typing import Any

EMPTY = (
    "No decisions logged yet: review drafts with `docagent review` (or decide them with"
    " `docagent batch`), then run `docagent report` again."
)


def empty_message(data: dict[str, Any]) -> str:
    """The friendly line shown when the report has nothing in scope."""
    if data.get("since"):
        return f"No drafts or decisions since {data['since']}: nothing to report."
    return EMPTY


def pct(value: float | None) -> str:
    """A rate in [0, 1] as a percentage with one decimal (``-`` for None)."""
    return "-" if value is None else f"{value * 100:.1f}%"


def ci(pair: list[float] | tuple[float, float], decided: int) -> str:
    """A Wilson interval as ``[lo–hi]`` percent, ``-`` when nothing was decided."""
    if not decided:
        return "-"
    return f"{pair[0] * 100:.1f}–{pair[1] * 100:.1f}%"


def usd(value: float | None) -> str:
    """Dollars with four decimals (``-`` for None)."""
    return "-" if value is None else f"${value:.4f}"


def num(value: float | None, digits: int = 2) -> str:
    """A plain number (``-`` for None)."""
    return "-" if value is None else f"{value:.{digits}f}"


def seconds(value: float | None) -> str:
    """Seconds with one decimal and a unit (``-`` for None)."""
    return "-" if value is None else f"{value:.1f}s"


def tokens(value: int) -> str:
    """A token count with thousands separators."""
    return f"{value:,}"


def short_key(dim: str, key: str) -> str:
    """A slice key as shown in tables: prompt version hashes are cut to 12 characters."""
    if dim == "prompt" and len(key) > 12 and " " not in key:
        return key[:12]
    return key


#: (header, short header, function of a summary dict) for the text renderers' slice tables.
COLUMNS: list[tuple[str, str, Any]] = [
    ("drafts", "drafts", lambda s: str(s["drafts"])),
    ("accepted", "acc", lambda s: str(s["accepted"])),
    ("edited", "edit", lambda s: str(s["edited"])),
    ("rejected", "rej", lambda s: str(s["rejected"])),
    ("skipped", "skip", lambda s: str(s["skipped"])),
    ("accept rate", "rate", lambda s: pct(s["accept_rate"]) if s["decided"] else "-"),
    ("95% CI", "95% CI", lambda s: ci(s["accept_rate_ci"], s["decided"])),
    ("unchanged", "unchg", lambda s: pct(s["unchanged_rate"]) if s["decided"] else "-"),
    ("edit similarity", "sim", lambda s: num(s["median_edit_similarity"])),
    ("median review", "review", lambda s: seconds(s["median_review_seconds"])),
    ("cost", "cost", lambda s: usd(s["cost_usd"])),
    ("cost / accepted", "$/acc", lambda s: usd(s["cost_per_accepted_usd"])),
]


#: the retention column, shown once ``docagent outcomes`` has followed a draft in scope
RETAINED: tuple[str, str, Any] = ("retained", "kept", lambda s: pct(s.get("retention_rate")))


def columns(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The slice-table columns of a report: :data:`COLUMNS`, plus retention when there is one."""
    if not (data["overall"].get("retention") or {}).get("followed"):
        return list(COLUMNS)
    at = [c[0] for c in COLUMNS].index("unchanged") + 1
    return [*COLUMNS[:at], RETAINED, *COLUMNS[at:]]


def retention_sentence(o: dict[str, Any]) -> str:
    """Retention of a summary as one phrase: the rate and its counts (``docagent outcomes``)."""
    r = o.get("retention") or {}
    if not r.get("followed"):
        return "- (run `docagent outcomes` to compare applied drafts with the repository)"
    return (
        f"{pct(r['rate'])} kept in the repository ({r['kept']} kept, {r['edited']} edited,"
        f" {r['removed']} removed; {r['gone']} whose target is gone)"
    )


def duration(secs: float) -> str:
    """A duration in minutes below two hours, else in hours (sign kept)."""
    if abs(secs) < 7200:
        return f"{secs / 60:.0f} min"
    return f"{secs / 3600:.1f} h"


def time_saved_sentence(ts: dict[str, Any]) -> str:
    """The time-saved estimate as one hedged sentence."""
    if ts.get("estimate_seconds") is None:
        return (
            "Time saved: not estimated (no decisions with a measured review time; batch"
            " decisions have none)."
        )
    est = ts["estimate_seconds"]
    lo, hi = ts["range_seconds"]
    if est >= 0:
        head = f"Time saved (rough estimate): about {duration(est)}"
    else:
        head = f"Time saved (rough estimate): none; review took about {duration(-est)} more"
    return (
        f"{head} (plausible range {duration(lo)} to {duration(hi)}). Method:"
        f" {ts['kept_with_measured_review']} kept docstrings × {ts['writing_seconds_baseline']:g} s"
        f" assumed hand-writing time (writing_seconds_baseline; ±50% for the range) minus"
        f" {duration(ts['review_seconds_measured'])} of review time measured over"
        f" {ts['decisions_with_measured_review']} decisions. The baseline is an assumption,"
        " not a measurement."
    )


def prompt_cache_sentence(pc: dict[str, Any] | None) -> str:
    """Prompt-cache use as one sentence (``""`` when nothing was cached)."""
    if not pc or not (pc.get("read_tokens") or pc.get("write_tokens")):
        return ""
    saved = pc["saved_usd"]
    money = f"saved {usd(saved)}" if saved >= 0 else f"cost {usd(-saved)} more than it saved"
    return (
        f"Prompt cache: {pct(pc['hit_ratio'])} of prompt tokens read from the cache"
        f" ({tokens(pc['read_tokens'])} read, {tokens(pc['write_tokens'])} written); caching"
        f" {money} at list prices."
    )
