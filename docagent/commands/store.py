"""``docagent store copy``: copy the repository's local SQLite log into the shared store."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from docagent.errors import DocagentError
from docagent.repo import find_root
from docagent.store import Store
from docagent.store.api import repo_name, resolve_db_path, resolve_store_url


def run(args: argparse.Namespace) -> int:
    """Copy the local log into the store ``--to`` (or the configured one); print what moved.

    Idempotent: a second copy adds nothing (see :mod:`docagent.store.copy`).
    """
    root = find_root(args.repo)
    target_url = resolve_store_url(root, store=args.to or None)
    if target_url is None:
        raise DocagentError(
            "no shared store to copy into: give --to postgresql://… or set DOCAGENT_STORE"
        )
    if args.source:
        source = Path(args.source).expanduser()
        source = source if source.is_absolute() else Path(os.getcwd()) / source
    else:
        source = resolve_db_path(root)
    if not source.is_file():
        raise DocagentError(f"{source}: no local decision log to copy")
    name = args.repo_name or repo_name(root)
    with Store(source, root=root) as local, Store(None, root=root, url=target_url) as shared:
        counts = shared.copy_from(local, name)
        where = shared.label
    if args.json:
        out = {"from": str(source), "to": where, "repo": name, "tables": counts}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    copied = sum(c[0] for c in counts.values())
    print(f"Copied {source} into {where} (repo {name}): {copied} rows new.")
    for table, (new, there) in counts.items():
        print(f"  {table:<14} {new:>7} copied {there:>7} already there")
    return 0
