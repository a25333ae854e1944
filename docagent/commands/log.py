"""``docagent log``: the latest drafts with their decisions and model calls."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from docagent.errors import DocagentError
from docagent.repo import find_root
from docagent.store import LogEntry, Store, scrub_value

EMPTY = "No drafts logged yet: run `docagent review` or `docagent batch` to start the log."
_COLORS = {"accept": "green", "edit": "cyan", "reject": "red", "skip": "yellow"}


def entry_json(entry: LogEntry) -> dict[str, Any]:
    """One log entry as the ``--json`` output lists it (context pack and source left out)."""
    d = entry.draft
    return {
        "draft_id": d.id,
        "run_id": d.run_id,
        "created_at": d.created_at,
        "path": d.path,
        "qualname": d.qualname,
        "kind": d.kind,
        "status": d.status,
        "style": d.style,
        "provider": d.provider,
        "model": d.model,
        "prompt_version": d.prompt_version,
        "text": d.text,
        "checks": d.checks,
        "checks_ok": d.checks_ok,
        "tokens": {
            "input": d.tokens_in,
            "output": d.tokens_out,
            "cache_read": d.cache_read_tokens,
            "cache_write": d.cache_write_tokens,
        },
        "cost_usd": d.cost_usd,
        "latency_ms": d.latency_ms,
        "attempts": d.attempts,
        "error": d.error,
        "decision": entry.decision,
        "decisions": [
            {k: v for k, v in h.to_dict().items() if k != "draft_id"} for h in entry.decisions
        ],
        "calls": [
            {k: v for k, v in c.to_dict().items() if k not in ("draft_id", "run_id")}
            for c in entry.calls
        ],
    }


def run(args: argparse.Namespace) -> int:
    """Print the latest log entries as a table (or JSON with ``--json``); return 0."""
    if args.n < 1:
        raise DocagentError(f"-n must be at least 1, got {args.n}")
    root = find_root(args.repo)
    entries: list[LogEntry] = []
    path: str | None = None
    if Store.exists(root):
        with Store.open(root) as store:
            path = store.label
            entries = store.latest(args.n, path=args.path, decision=args.decision)
    if args.json:
        data = scrub_value([entry_json(e) for e in entries])
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not entries:
        if path is None or not (args.path or args.decision):
            print(EMPTY)
        else:
            print("No log entries match these filters.")
        return 0
    print_table(entries, path or "")
    return 0


def _when(ts: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(ts).astimezone().strftime("%m-%d %H:%M")
    except ValueError:
        return ts[:16]


def print_table(entries: list[LogEntry], db_path: str) -> None:
    """Print the entries as a rich table, newest first (tokens and kinds are in ``--json``)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from docagent.store import scrub_text

    console = Console(width=None if sys.stdout.isatty() else 120)
    wide = console.width >= 110
    title = f"Latest {len(entries)} draft{'' if len(entries) == 1 else 's'}"
    table = Table(title=title, caption=db_path, show_lines=False)
    table.add_column("when", no_wrap=True)
    table.add_column("target", overflow="fold", ratio=3)
    if wide:
        table.add_column("model", overflow="ellipsis", max_width=18)
    table.add_column("checks", justify="right", no_wrap=True)
    table.add_column("decision", no_wrap=True)
    if wide:
        table.add_column("reviewer", overflow="ellipsis", max_width=18)
    table.add_column("cost", justify="right", no_wrap=True)
    table.add_column("note", overflow="fold", ratio=2)
    calls = errors = 0
    for e in entries:
        d = e.draft
        passed = sum(1 for c in d.checks if c.get("ok"))
        checks = f"{passed}/{len(d.checks)}" if d.checks else "-"
        history = [h.decision for h in e.decisions]
        label = e.decision or ("undone" if history else "pending")
        if "undo" in history and e.decision:
            label += " (after undo)"
        last = next((h for h in reversed(e.decisions) if h.decision != "undo"), None)
        note = d.error or ""
        if not note and last is not None and last.reason:
            note = last.reason
        failed = [c.get("name", "?") for c in d.checks if not c.get("ok")]
        if not note and failed:
            note = "failed: " + ", ".join(failed)
        calls += len(e.calls)
        errors += sum(1 for c in e.calls if c.status not in ("ok", "200"))
        row: list[str | Text] = [_when(e.last_activity), f"{d.path}::{d.qualname}"]
        if wide:
            row.append(d.model or d.provider)
        row += [checks, Text(label, style=_COLORS.get(e.decision or "", "dim"))]
        if wide:
            row.append(last.reviewer if last else "")
        row += [f"${d.cost_usd:.4f}" if d.cost_usd else "-", scrub_text(note)]
        table.add_row(*row)
    console.print(table)
    if calls:
        console.print(f"{calls} model calls for these drafts, {errors} failed.")
