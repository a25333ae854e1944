"""``docagent rules``: list, distill, add and remove the team's drafting rules."""

from __future__ import annotations

import argparse
import json
import sys

from docagent.draft.rules import Rules, distill, load_rules, save_rules
from docagent.errors import DocagentError
from docagent.repo import find_root
from docagent.store import Store


def _print(rules: Rules, as_json: bool) -> None:
    if as_json:
        data = {"version": rules.version, "rules": rules.rules, "source": rules.source}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if not rules.rules:
        print(f"No team rules (version {rules.version}): `docagent rules distill` proposes some.")
        return
    print(f"Team rules, version {rules.version} ({rules.source}):")
    for i, rule in enumerate(rules.rules, 1):
        print(f"  {i}. {rule}")


def run(args: argparse.Namespace) -> int:
    """Run one ``rules`` action; return 0 (bad input raises :class:`DocagentError`)."""
    root = find_root(args.repo)
    with Store.open(root) as store:
        current = load_rules(store)
        if args.action == "list":
            _print(current, args.json)
            return 0
        if args.action == "distill":
            proposed = distill(store.decisions())
            new = [r for r, _ in proposed if r not in current.rules]
            if args.json and not args.save:
                data = [{"rule": r, "support": n} for r, n in proposed]
                sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
                return 0
            if not args.save:
                if not proposed:
                    print("Nothing to distill yet: no rule is supported by two or more decisions.")
                for rule, n in proposed:
                    mark = "new" if rule in new else "kept"
                    print(f"  [{mark}, {n} decisions] {rule}")
                if new:
                    print("Record them with `docagent rules distill --save`.")
                return 0
            if not new:
                print("No new rules: the current version stays.")
                _print(current, args.json)
                return 0
            _print(save_rules(store, [*current.rules, *new], "distilled"), args.json)
            return 0
        if args.action == "add":
            text = (args.value or "").strip()
            if not text:
                raise DocagentError(
                    "rules add needs the rule's text, e.g. docagent rules add 'No …'"
                )
            _print(save_rules(store, [*current.rules, text], "added"), args.json)
            return 0
        try:
            number = int(args.value or "")
        except ValueError:
            raise DocagentError(f"rules remove needs a rule number, got {args.value!r}") from None
        if not 1 <= number <= len(current.rules):
            raise DocagentError(f"rules remove: no rule {number} (there are {len(current.rules)})")
        kept = [r for i, r in enumerate(current.rules, 1) if i != number]
        _print(save_rules(store, kept, f"removed rule {number}"), args.json)
        return 0
