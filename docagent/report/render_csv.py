"""The ``csv`` format: one row for the overall numbers, then one row per slice."""

from __future__ import annotations

import csv
import io
from typing import Any

from docagent.report.compute import Report

FIELDS = [
    "dimension",
    "key",
    "drafts",
    "accepted",
    "edited",
    "rejected",
    "skipped",
    "pending",
    "auto_applied",
    "pr_applied",
    "decided",
    "accept_rate",
    "accept_rate_ci_low",
    "accept_rate_ci_high",
    "unchanged_rate",
    "median_edit_similarity",
    "median_review_seconds",
    "cost_usd",
    "cost_per_accepted_usd",
    "tokens_input",
    "tokens_output",
    "checks_pass_rate",
    "retention_rate",
    "retained_kept",
    "retained_edited",
    "retained_removed",
    "retained_gone",
    "small",
]


def _row(dimension: str, key: str, s: dict[str, Any]) -> dict[str, Any]:
    """A CSV row for one summary; None becomes an empty cell, booleans ``true``/``false``."""
    flat = {
        **s,
        "dimension": dimension,
        "key": key,
        "accept_rate_ci_low": s["accept_rate_ci"][0],
        "accept_rate_ci_high": s["accept_rate_ci"][1],
        "tokens_input": s["tokens"]["input"],
        "tokens_output": s["tokens"]["output"],
        "small": "true" if s["small"] else "false",
        **{f"retained_{k}": s["retention"][k] for k in ("kept", "edited", "removed", "gone")},
    }
    return {f: "" if flat.get(f) is None else flat[f] for f in FIELDS}


def render(report: Report) -> str:
    """The report as CSV (rejection reasons and coverage are only in json/table/markdown)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(_row("overall", "all", report.data["overall"]))
    for dim, rows in report.data["slices"].items():
        for row in rows:
            writer.writerow(_row(dim, row["key"], row))
    return buf.getvalue()
