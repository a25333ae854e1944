"""``docagent scan``: coverage, missing and stale docstrings, detected style."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from docagent.config import load_settings
from docagent.display import printable
from docagent.errors import DocagentError
from docagent.repo import find_root
from docagent.scan import ScanResult, scan

MAX_LISTED = 40


def run(args: argparse.Namespace) -> int:
    """Scan the repository and print the summary (or the JSON document); return the exit code."""
    root = find_root(args.path)
    settings = load_settings(root, {"visibility": "all" if args.all else None}, path=args.path)
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise DocagentError(f"--fail-under must be between 0 and 100, got {args.fail_under}")
    changed_lines = bool(getattr(args, "changed_lines", False))
    if changed_lines and not args.since:
        raise DocagentError("--changed-lines needs --since REV (the lines changed since what?)")
    result = scan(args.path, settings, since=args.since)
    if changed_lines:
        from docagent.repo import changed_lines as lines_changed

        result.narrow_to_changed(lines_changed(root, args.since, sorted(result.files)))
    for _path, message in result.errors:
        print(f"docagent scan: skipped {printable(message)}", file=sys.stderr)
    fmt = getattr(args, "format", None) or ("json" if args.json else "text")
    if args.json and fmt != "json":
        raise DocagentError(f"--json and --format {fmt} ask for different outputs; give one")
    if fmt == "json":
        label = os.path.relpath(root) if not os.path.isabs(args.path) else str(root)
        sys.stdout.write(result.to_json(label.replace(os.sep, "/")) + "\n")
    elif fmt == "github":
        from docagent.annotations import github_annotations

        sys.stdout.write(github_annotations(result, args.fail_under))
    elif fmt == "sarif":
        from docagent.annotations import sarif

        sys.stdout.write(sarif(result))
    else:
        print_report(result)
    summary = result.summary()
    if args.fail_under is not None and summary["coverage"] < args.fail_under:
        print(
            f"docagent scan: coverage {summary['coverage']:.1f}% is below "
            f"--fail-under {args.fail_under:g}%",
            file=sys.stderr,
        )
        return 1
    return 0


#: Width of the output when it is not a terminal (CI logs, pipes): lines are never wrapped.
PIPE_WIDTH = 10_000


def make_console() -> Any:
    """A rich console for stdout: the terminal's width, or no wrapping when piped.

    Rich's own markup, highlighting and ``:emoji:`` codes are off for text docagent did not
    write (paths and names are escaped by the caller; emoji codes are never read).
    """
    from rich.console import Console

    width = None if sys.stdout.isatty() else PIPE_WIDTH
    return Console(width=width, highlight=False, emoji=False, soft_wrap=width is not None)


def print_report(result: ScanResult) -> None:
    """Print a readable summary: per-file coverage, missing and stale targets, style."""
    from rich.markup import escape
    from rich.table import Table

    console = make_console()
    summary = result.summary()
    files = result.per_file()
    table = Table(title="Docstring coverage by file", show_lines=False)
    table.add_column("file")
    table.add_column("documented", justify="right")
    table.add_column("total", justify="right")
    table.add_column("stale", justify="right")
    table.add_column("coverage", justify="right")
    shown = sorted(files, key=lambda f: (f["coverage"], f["path"]))
    for f in shown[:MAX_LISTED]:
        color = "green" if f["coverage"] == 100 else "yellow" if f["coverage"] >= 50 else "red"
        table.add_row(
            escape(printable(f["path"])),
            str(f["documented"]),
            str(f["total"]),
            str(f["stale"] or ""),
            f"[{color}]{f['coverage']:.1f}%[/]",
        )
    if files:
        console.print(table)
    if len(files) > MAX_LISTED:
        console.print(f"… {len(files) - MAX_LISTED} more files (use --json for all)")

    targets = [t for t in result.records() if t["status"] != "ok"]
    stale = [t for t in targets if t["status"] == "stale"]
    missing = [t for t in targets if t["status"] == "missing"]
    if stale:
        console.print("\n[bold]Stale docstrings[/]")
        for t in stale[:MAX_LISTED]:
            console.print(
                escape(printable(f"  {t['path']}:{t['line']} {t['qualname']} — "))
                + escape(printable("; ".join(t["problems"])))
            )
        if len(stale) > MAX_LISTED:
            console.print(f"  … {len(stale) - MAX_LISTED} more")
    if missing:
        console.print("\n[bold]Missing docstrings[/]")
        for t in missing[:MAX_LISTED]:
            where = f"  {t['path']}:{t['line']} {t['kind']} {t['qualname']}"
            console.print(escape(printable(where)))
        if len(missing) > MAX_LISTED:
            console.print(f"  … {len(missing) - MAX_LISTED} more (use --json for all)")
    scope = "targets (private included)" if result.include_private else "public targets"
    n = len(result.errors)  # a coverage of files that were skipped says so
    skipped = f", {n} file{'s' if n != 1 else ''} skipped (listed above)" if n else ""
    console.print(
        f"\n[bold]Coverage {summary['coverage']:.1f}%[/] — {summary['documented']} of "
        f"{summary['total']} {scope} documented, {summary['missing']} missing, "
        f"{summary['stale']} stale{skipped}. Style: {escape(result.style)} "
        f"({escape(result.style_source)})."
    )
    if result.special.source:
        console.print(escape(printable(f"Special methods: {result.special.describe()}.")))
