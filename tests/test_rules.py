"""Team rules: distilled from people's rejection reasons and edits, versioned in the decision
log, listed and edited with ``docagent rules``, and part of the prompt and its version."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from docagent.cli import main
from docagent.code.targets import read_file
from docagent.draft.prompts import prompt_version
from docagent.draft.rules import NAME_RULE, REASON_RULES, TYPES_RULE, distill
from docagent.session import Session


def row(decision, draft="", final=None, reason="", qualname="f", reviewer="ana", mode="tui"):
    return SimpleNamespace(
        decision=decision,
        draft_text=draft,
        final_text=final,
        reason=reason,
        qualname=qualname,
        reviewer=reviewer,
        mode=mode,
    )


TYPED = "Add numbers.\n\nArgs:\n    a (int): The first.\n    b (int): The second."
UNTYPED = "Add numbers.\n\nArgs:\n    a: The first.\n    b: The second."


def test_distill_needs_two_supporting_decisions_by_people() -> None:
    """Two edits removing types make a rule; one restated name does not; the batch policy and
    reviewers' single notes do not count."""
    rows = [
        row("edit", TYPED, UNTYPED),
        row("edit", TYPED, UNTYPED, qualname="g"),
        row("edit", TYPED, UNTYPED, reviewer="batch-policy", mode="batch"),
        row("edit", "Get name.", "Return the user's display name.", qualname="get_name"),
        row("reject", "x", reason="vague"),
        row("reject", "y", reason="vague"),
        row("reject", "z", reason="other: mention units"),
        row("accept", TYPED, TYPED),
    ]
    proposed = dict(distill(rows))
    assert proposed == {TYPES_RULE: 2, REASON_RULES["vague"]: 2}
    assert NAME_RULE not in proposed
    rows.append(row("edit", "Get name.", "Return the display name.", qualname="get_name"))
    rows += [row("reject", "w", reason="other: mention units")]
    proposed = dict(distill(rows))
    assert proposed[NAME_RULE] == 2 and proposed["Mention units."] == 2


SRC = '''"""Mod."""


def add(a: int, b: int) -> int:
    return a + b


def mul(a: int, b: int) -> int:
    return a * b
'''


def test_rules_command_and_prompt(repo_factory, capsys) -> None:
    """Edits become a rule version in the log; the next session's prompt states the rules and
    has a new prompt version; add and remove make new versions; bad input is one line."""
    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="tui", flags={"provider": "offline"})
    items = [i for i in session.prepare() if i.kind == "function"]
    for item in items:
        draft = asyncio.run(session.draft(item))
        assert "(int)" in draft.text
        session.accept(item, draft, text=draft.text.replace(" (int)", ""), reviewer="ana")
    session.close()

    assert main(["rules", "--repo", str(root)]) == 0
    assert "No team rules (version 0)" in capsys.readouterr().out
    assert main(["rules", "distill", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"[new, 2 decisions] {TYPES_RULE}" in out
    assert main(["rules", "distill", "--save", "--json", "--repo", str(root)]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["version"] == 1 and saved["rules"] == [TYPES_RULE]

    later = Session(root, mode="tui", flags={"provider": "offline"})
    later.prepare()  # every target is documented now; the drafter still has the rules
    facts = read_file(str(root / "m.py"), "m.py")
    prompt = later.drafter.prompt(facts, facts.target("add"))
    assert "Team rules (version 1)" in prompt.system and TYPES_RULE in prompt.system
    assert later.drafter.prompt_version != prompt_version()
    later.close()

    assert main(["rules", "add", "Mention units.", "--repo", str(root)]) == 0
    assert "version 2" in capsys.readouterr().out
    assert main(["rules", "remove", "1", "--json", "--repo", str(root)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "version": 3,
        "rules": ["Mention units."],
        "source": "removed rule 1",
    }
    assert main(["rules", "remove", "7", "--repo", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "docagent rules: error: rules remove: no rule 7 (there are 1)"
