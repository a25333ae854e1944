"""``docagent apply FILE [--all] [--dry-run] [--force] [--create-readme]``: apply proposals.

Human-readable lines (per skipped/refused record, per changed file, and a summary) go to
stderr; with ``--dry-run`` the unified diff goes to stdout and nothing is written. Exit codes:
0 when nothing was refused, 1 when any record was refused, 2 for a malformed proposals file
(the error names the line; nothing is applied).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent.errors import DocagentError

if TYPE_CHECKING:
    from docagent.config import Settings


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


def _open_log(root: Path, settings: Settings) -> Any:
    """Open the decision log and settle intents an interrupted run left (one-line errors).

    ``apply`` records every docstring it writes; when the log cannot be opened, nothing is
    applied.
    """
    from docagent.apply_proposals import intent_written
    from docagent.store import Store

    store = Store.open(root, settings.db or None, store=settings.store or None)
    store.reconcile_intents(lambda intent: intent_written(root, intent))
    return store


def _draft_ids(store: Any, proposals: list[Any], include_all: bool) -> list[str]:
    """The logged draft of every selected docstring record (logged now when unknown).

    A record carries the ``draft_id`` batch gave it; a record the log does not know (written
    by hand, or by another repository's run) is logged as a draft of an ``apply`` run.
    """
    from docagent.apply_proposals import is_selected
    from docagent.store import DraftRecord

    run_id = ""
    out: list[str] = []
    # one query per few hundred records, without reading each draft's module text
    logged = store.drafts_by_id(
        list(dict.fromkeys(p.draft_id for p in proposals if p.draft_id)), with_source=False
    )
    for p in proposals:
        known = p.draft_id and p.draft_id in logged
        if known or p.kind == "readme_section" or not is_selected(p.status, include_all):
            out.append(p.draft_id or "")
            continue
        if not run_id:
            run_id = store.start_run("apply", config={"source": "proposals"})
        record = DraftRecord(
            path=p.path,
            qualname=p.qualname,
            kind=p.kind or "function",
            text=p.text,
            code_sha=p.code_sha or "",
            style=p.style or "",
            provider=p.provider or "proposals",
            model=p.model or "",
            prompt_version=p.prompt_version or "",
            checks=list(p.checks),
        )
        out.append(store.record_draft(run_id, record))
    if run_id:
        store.end_run(run_id)
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``docagent apply`` and return the exit code."""
    from docagent.apply_proposals import APPLIED, SKIPPED, apply_proposals
    from docagent.config import load_settings
    from docagent.display import printable
    from docagent.proposals import read_proposals

    notes: list[str] = []
    proposals = read_proposals(args.file, notes)
    for note in notes:
        print(printable(f"{'refused':<8} {note}"), file=sys.stderr)
    root = _root(getattr(args, "repo", ".") or ".")
    settings = load_settings(root)
    store = None if args.dry_run else _open_log(root, settings)
    try:
        draft_ids = _draft_ids(store, proposals, bool(args.all)) if store else None
        report = apply_proposals(
            root,
            proposals,
            include_all=bool(args.all),
            dry_run=bool(args.dry_run),
            line_length=settings.line_length,
            force=bool(getattr(args, "force", False)),
            create_readme=bool(getattr(args, "create_readme", False)),
            log=store,
            draft_ids=draft_ids,
        )
    finally:
        if store is not None:
            store.close()
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
        line = f"{'skipped':<8} {path}: {n} record{'s' if n != 1 else ''}: {reason}"
        print(printable(line), file=err)
    for res in report.files:
        if res.applied:
            verb = "would change" if args.dry_run else "changed"
            n = len(res.applied)
            line = f"{verb:<8} {res.path}: {n} docstring{'s' if n != 1 else ''}"
            print(printable(line), file=err)
    for path in report.readme_files:
        n = sum(1 for o in report.applied if o.proposal.path == path)
        verb = "would change" if args.dry_run else "changed"
        print(printable(f"{verb:<8} {path}: {n} README section{'s' if n != 1 else ''}"), file=err)
    print(f"docagent apply: {report.summary()}", file=err)
    return 1 if report.refused or notes else 0
