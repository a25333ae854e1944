"""``docagent report``: accept rates, edit similarity, cost and coverage from the decision log."""

from __future__ import annotations

import argparse
import sys

from docagent.commands import write_out


def run(args: argparse.Namespace) -> int:
    """Compute the report and print it (or write it to ``--out``); return 0."""
    from docagent.config import load_settings
    from docagent.repo import find_root
    from docagent.report import DEFAULT_BY, build, parse_since, render
    from docagent.report.fmt import empty_message
    from docagent.store import Store

    since = parse_since(args.since)
    fmt = args.format
    by = list(args.by) or list(DEFAULT_BY)
    root = find_root(args.repo)
    settings = load_settings(root)
    baseline = float(settings.writing_seconds_baseline)
    if Store.exists(root):
        from docagent.store.api import repo_name

        with Store.open(root) as store:
            name = repo_name(root)  # the repository of rows that name none
            report = build(store, by, since, baseline, name, charts=fmt == "html")
    else:
        report = build(None, by, since, baseline)
    if fmt == "table" and not args.out:
        from rich.console import Console

        from docagent.report.render_table import print_report

        print_report(report, Console(width=None if sys.stdout.isatty() else 120))
        return 0
    text = render(report, fmt)
    if report.empty and fmt != "markdown":
        print(empty_message(report.data), file=sys.stderr)
    if args.out:
        write_out(args.out, text, parents=False)
        print(f"Wrote the {fmt} report to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
