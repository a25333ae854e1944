"""``docagent apply FILE [--all] [--dry-run] [--force]``: apply a proposals JSONL file safely.

Human-readable lines (per skipped/refused record, per changed file, and a summary) go to
stderr; with ``--dry-run`` the unified diff goes to stdout and nothing is written. Exit codes:
0 when nothing was refused, 1 when any record was refused, 2 for a malformed proposals file
(the error names the line; nothing is applied).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docagent.errors import DocagentError


def _root(repo: str) -> Path:
    from docagent.repo import find_root

    try:
        return find_root(repo)
    except DocagentError:
        path = Path(repo)
        if path.is_dir():
            return path.resolve()  # not a git repository: paths are relative to this directory
        raise


def _routine(reason: str) -> bool:
    """Skip reasons that are summarised per file instead of listed per record."""
    return reason in ("already applied", "rejected") or reason.startswith("status is ")


def run(args: argparse.Namespace) -> int:
    """Run ``docagent apply`` and return the exit code."""
    from docagent.apply import APPLIED, SKIPPED, apply_proposals
    from docagent.config import load_settings
    from docagent.proposals import read_proposals

    proposals = read_proposals(args.file)
    root = _root(getattr(args, "repo", ".") or ".")
    settings = load_settings(root)
    report = apply_proposals(
        root,
        proposals,
        include_all=bool(args.all),
        dry_run=bool(args.dry_run),
        line_length=settings.line_length,
        force=bool(getattr(args, "force", False)),
    )
    if args.dry_run and report.diff:
        sys.stdout.write(report.diff)
        sys.stdout.flush()
    err = sys.stderr
    grouped: dict[tuple[str, str], int] = {}
    for outcome in report.outcomes:
        if outcome.outcome == APPLIED:
            if outcome.reason:  # --force replaced hand-written lines: say how many
                print(outcome.describe(), file=err)
            continue
        if outcome.outcome == SKIPPED and _routine(outcome.reason):
            key = (outcome.proposal.path, outcome.reason)
            grouped[key] = grouped.get(key, 0) + 1
            continue
        print(outcome.describe(), file=err)
    for (path, reason), n in grouped.items():
        print(f"{'skipped':<8} {path}: {n} record{'s' if n != 1 else ''}: {reason}", file=err)
    for res in report.files:
        if res.applied:
            verb = "would change" if args.dry_run else "changed"
            n = len(res.applied)
            print(f"{verb:<8} {res.path}: {n} docstring{'s' if n != 1 else ''}", file=err)
    print(f"docagent apply: {report.summary()}", file=err)
    return 1 if report.refused else 0
