"""``docagent export``: the decision log as eval cases (jsonl, inspect_ai or promptfoo)."""

from __future__ import annotations

import argparse
import sys

from docagent.commands import write_out
from docagent.repo import find_root
from docagent.store import Store
from docagent.store.export import Export, eval_cases, render


def run(args: argparse.Namespace) -> int:
    """Write the exported cases to ``--out`` or stdout; notes go to stderr; return 0."""
    root = find_root(args.repo)
    result = Export()
    if Store.exists(root):
        with Store.open(root) as store:
            result = eval_cases(store, root)
    text = render(result.cases, args.format)
    for note in result.skipped:
        print(f"docagent export: skipped {note}", file=sys.stderr)
    if not result.cases:
        print(
            "docagent export: no accepted, edited or rejected drafts in the decision log yet",
            file=sys.stderr,
        )
    if args.out:
        write_out(args.out, text)
        negatives = sum(1 for c in result.cases if c["decision"] == "reject")
        print(
            f"docagent export: wrote {len(result.cases)} cases ({negatives} negative) "
            f"to {args.out}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return 0
