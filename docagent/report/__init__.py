"""Accept-rate reports from the decision log (``docagent report``).

:func:`build` reads a store and computes a :class:`Report`; :func:`render` formats it as
``table``, ``json``, ``markdown``, ``csv`` or ``html``. See docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from docagent.report.compute import (
    DEFAULT_BY,
    DIMENSIONS,
    SMALL_N,
    Coverage,
    Report,
    collect,
    parse_since,
)
from docagent.report.compute import compute as compute_report
from docagent.store.aggregate import Aggregates

FORMATS = ("table", "json", "markdown", "csv", "html")


def build(
    store: Any | None,
    by: Sequence[str] = DEFAULT_BY,
    since: datetime | None = None,
    writing_seconds_baseline: float = 120.0,
    repo: str = "",
    *,
    charts: bool = True,
) -> Report:
    """Compute the report of ``store`` (None: an empty report).

    ``repo`` names the repository of drafts the log does not attribute to one (``--by repo``);
    ``charts`` (for the html format) also computes what the charts draw.
    """
    agg = Aggregates()
    coverage: list[Coverage] = []
    if store is not None:
        agg, coverage = collect(store, by, since, repo, charts=charts)
    return compute_report(
        agg, coverage, by, writing_seconds_baseline=writing_seconds_baseline, since=since
    )


def render(report: Report, fmt: str) -> str:
    """Format ``report`` as ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        from docagent.report import render_json as mod
    elif fmt == "markdown":
        from docagent.report import render_markdown as mod  # type: ignore[no-redef]
    elif fmt == "csv":
        from docagent.report import render_csv as mod  # type: ignore[no-redef]
    elif fmt == "html":
        from docagent.report import render_html as mod  # type: ignore[no-redef]
    elif fmt == "table":
        from docagent.report import render_table as mod  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    return mod.render(report)


__all__ = [
    "DEFAULT_BY",
    "DIMENSIONS",
    "FORMATS",
    "SMALL_N",
    "Aggregates",
    "Coverage",
    "Report",
    "build",
    "collect",
    "compute_report",
    "parse_since",
    "render",
]
