"""``docagent outcomes``: record what became of applied and proposed drafts in the repository."""

from __future__ import annotations

import argparse
import json
import sys


def run(args: argparse.Namespace) -> int:
    """Compare the followed drafts with the working tree, record and print the outcomes; 0."""
    from docagent.outcomes import check, days_between
    from docagent.repo import find_root
    from docagent.store import Store

    root = find_root(args.repo)
    if not Store.exists(root):
        print("docagent outcomes: no decision log yet: nothing to compare", file=sys.stderr)
        return 0
    with Store.open(root) as store:
        summary = check(root, store, use_git=not args.no_git)
    if args.json:
        sys.stdout.write(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return 0
    c = summary.counts
    print(
        f"{summary.followed} drafts followed: {c['kept']} kept, {c['edited']} edited, "
        f"{c['removed']} removed, {c['gone']} gone ({len(summary.changed)} new or changed)"
    )
    for o in summary.changed:
        days = days_between(o.applied_at, o.changed_at)
        after = "" if days is None or o.outcome == "kept" else f" after {days:.1f} days"
        sim = "" if o.similarity is None else f" (similarity {o.similarity:.2f})"
        commit = f" in {o.commit_sha[:10]}" if o.commit_sha else ""
        print(f"  {o.outcome}{sim} via {o.via}{after}{commit}: {summary.targets[o.draft_id]}")
    return 0
