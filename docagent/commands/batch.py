"""``docagent batch``: draft (and optionally apply) docstrings headless, for CI.

The provider notice, the cost estimate and a progress bar go to stderr; the JSON summary goes to
stdout (with ``--estimate``, the estimate as JSON; with ``--out -`` the proposals go to stdout
and the summary to stderr). Exit codes: 0 success, 1 when a target failed,
an edit was refused or ``--max-cost`` stopped the run, 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys


def run(args: argparse.Namespace) -> int:
    """Run ``docagent batch`` and return the exit code."""
    from docagent.batch import env_poll_interval, exit_code, run_batch

    summary = run_batch(
        args.path,
        since=args.since,
        changed_lines=bool(getattr(args, "changed_lines", False)),
        out=args.out,
        apply=bool(args.apply),
        provider=args.provider,
        model=args.model,
        base_url=getattr(args, "base_url", None),
        concurrency=args.concurrency,
        max_cost=args.max_cost,
        estimate_only=bool(args.estimate),
        batch_api=bool(args.batch_api),
        readme=bool(args.readme),
        progress=sys.stderr.isatty(),
        poll_interval=env_poll_interval(),
    )
    if args.estimate:
        doc = {"estimate": summary["estimate"], "notice": summary["notice"]}
        print(json.dumps(doc, indent=2))
    else:
        # with --out -, stdout carries the proposals: the summary goes to stderr
        stream = sys.stderr if args.out == "-" else sys.stdout
        print(json.dumps(summary, indent=2, ensure_ascii=False), file=stream)
        _explain(summary)
    return exit_code(summary)


def _explain(summary: dict) -> None:
    """One stderr line per failure and a closing count line."""
    from docagent.display import printable

    err = sys.stderr
    for f in summary.get("failures", []):
        where = f"{f['path']}::{f['qualname']}" if f.get("qualname") else f["path"]
        reason = str(f["reason"])
        # a file's error already starts with its place (``path:line: ...``): not said twice
        line = reason if not f.get("qualname") and reason.startswith(f"{where}:") else None
        print(printable(f"failed   {line or f'{where}: {reason}'}"), file=err)
    print(
        f"docagent batch: {summary['targets']} targets, drafted {summary['drafted']}, "
        f"reused {summary['reused']}, applied {summary['applied']}, "
        f"proposed {summary['proposed']}, failed {summary['failed']}"
        + (f", not drafted {summary['not_drafted']}" if summary.get("not_drafted") else "")
        + f"; ${summary['cost_usd']:.4f} in {summary['duration_s']:.1f}s",
        file=err,
    )
