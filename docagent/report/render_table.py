"""The default ``table`` format: rich tables for a terminal (plain text when redirected)."""

from __future__ import annotations

import io
from typing import Any

from docagent.report import fmt
from docagent.report.compute import Report

#: The slice columns kept on terminals narrower than 116 columns.
NARROW = ("drafts", "accept rate", "95% CI", "median review", "cost / accepted")


def overall_lines(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs describing the overall numbers, shared by table and markdown."""
    o = data["overall"]
    small = f" — too few to judge (< {data['small_n']} decided)" if o["small"] else ""
    rate = (
        f"{fmt.pct(o['accept_rate'])} (95% CI {fmt.ci(o['accept_rate_ci'], o['decided'])},"
        f" n={o['decided']}){small}"
        if o["decided"]
        else "- (nothing accepted, edited or rejected yet)"
    )
    cov = data["coverage"]
    coverage = (
        f"{cov['before']:.1f}% → {cov['after']:.1f}%"
        if cov.get("snapshots")
        else "- (no coverage snapshots)"
    )
    return [
        (
            "Drafts",
            f"{o['drafts']}: {o['accepted']} accepted unchanged, {o['edited']} edited,"
            f" {o['rejected']} rejected, {o['skipped']} skipped, {o['pending']} pending,"
            f" {o['auto_applied']} applied unreviewed (batch policy or apply),"
            f" {o['pr_applied']} applied on pull requests",
        ),
        ("Accept rate", rate),
        ("Retention", fmt.retention_sentence(o)),
        ("Accepted unchanged", fmt.pct(o["unchanged_rate"]) if o["decided"] else "-"),
        ("Median edit similarity", fmt.num(o["median_edit_similarity"])),
        ("Median review time", fmt.seconds(o["median_review_seconds"])),
        ("Checks pass rate", fmt.pct(o["checks_pass_rate"])),
        ("Cost", f"{fmt.usd(o['cost_usd'])} ({fmt.usd(o['cost_per_accepted_usd'])} per accepted)"),
        (
            "Tokens",
            f"{fmt.tokens(o['tokens']['input'])} in, {fmt.tokens(o['tokens']['output'])} out",
        ),
        ("Coverage", coverage),
    ]


def scope_line(data: dict[str, Any]) -> str:
    """What the report covers: the period and the ``--since`` bound."""
    parts = []
    if data.get("period"):
        parts.append(f"{data['period']['first']} to {data['period']['last']}")
    if data.get("since"):
        parts.append(f"since {data['since']}")
    return ", ".join(parts)


def print_report(report: Report, console: Any) -> None:
    """Print the report's tables on a rich ``console``."""
    from rich.table import Table
    from rich.text import Text

    data = report.data
    if report.empty:
        console.print(fmt.empty_message(data))
        return
    title = "docagent report"
    if scope_line(data):
        title += f" ({scope_line(data)})"
    grid = Table(title=title, show_header=False, title_justify="left", box=None, padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in overall_lines(data):
        grid.add_row(label, value)
    console.print(grid)
    console.print()
    any_small = False
    wide = fmt.columns(data)
    extra = 6 * (len(wide) - len(fmt.COLUMNS))  # the retention column's width
    columns = wide
    if console.width < 116 + extra:
        columns = [c for c in wide if c[0] in NARROW]
    for dim, rows in data["slices"].items():
        table = Table(title=f"by {dim}", title_justify="left", padding=(0, 1))
        longest = max((len(fmt.short_key(dim, r["key"])) + 2 for r in rows), default=0)
        room = console.width - (106 + extra if columns is wide else 58)
        table.add_column(dim, overflow="fold", min_width=max(8, min(longest, 26, room)))
        for _, header, _ in columns:
            table.add_column(header, justify="right", no_wrap=True)
        for row in rows:
            key = fmt.short_key(dim, row["key"])
            cells = [f(row) for _, _, f in columns]
            if row["small"]:
                any_small = True
                table.add_row(Text(key + " *"), *cells, style="dim")
            else:
                table.add_row(key, *cells)
        console.print(table)
    if columns is wide:
        console.print(
            "acc = accepted unchanged, edit = accepted after an edit, rate = (acc + edit) /"
            " (acc + edit + rej), unchg = acc / (acc + edit + rej), kept = retention (docagent"
            " outcomes), sim = median edit similarity.",
            style="dim",
        )
    else:
        console.print(
            "rate = (accepted + edited) / (accepted + edited + rejected); widen the terminal"
            " or use --format markdown for every column.",
            style="dim",
        )
    if any_small:
        console.print(
            f"* fewer than {data['small_n']} decided drafts: too small to judge"
            " (the interval shows how little is known)."
        )
    if data["reasons"]:
        table = Table(title="rejection reasons", title_justify="left")
        table.add_column("reason", overflow="fold")
        table.add_column("count", justify="right")
        for reason, count in data["reasons"].items():
            table.add_row(reason, str(count))
        console.print(table)
    console.print(fmt.time_saved_sentence(data["time_saved"]), style="italic")
    cache_line = fmt.prompt_cache_sentence(data.get("prompt_cache"))
    if cache_line:
        console.print(cache_line, style="italic")


def render(report: Report, width: int = 120) -> str:
    """The table format as plain text (for ``--out``)."""
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False)
    print_report(report, console)
    return buf.getvalue()
