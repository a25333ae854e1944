"""Team rules: what reviewers' rejections and edits teach, as explicit, versioned prompt rules.

:func:`distill` reads the decisions people made (never the batch policy's) and proposes rules
with the number of decisions that support each (at least :data:`MIN_SUPPORT`):

- rejection reasons: ``vague``, ``invented detail``, ``too long``, ``wrong``, ``style`` and
  repeated ``other: …`` notes;
- edit diffs: types removed from parameter entries ("types live in the signature"), a summary
  that restated the name rewritten, private helpers cut to one line, Returns sections removed,
  drafts shortened by a large share.

Rules are kept in the decision log, one version per change (a run of mode ``rules`` whose
configuration holds the list: :func:`load_rules`, :func:`save_rules`); ``docagent rules`` lists,
distills, adds and removes them. The current rules are part of the system prompt and of the
prompt version (:func:`docagent.draft.prompts.prompt_version`), so a rules change is a prompt
change and goes through the eval gate like any template edit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MIN_SUPPORT = 2
RULES_MODE = "rules"

REASON_RULES = {
    "vague": "Be specific: say what the code does with its inputs and what it returns; avoid "
    "generic verbs such as 'handle' or 'process'.",
    "invented detail": "Describe only behaviour the code shows; never guess at callers, "
    "performance or side effects.",
    "too long": "Keep docstrings short: a one-line summary, and sections only when they add "
    "information.",
    "wrong": "Check every claim against the code; when unsure, say less.",
    "style": "Follow the repository's docstring style exactly: its sections, wording and layout.",
}
TYPES_RULE = "Types live in the signature: do not repeat annotations in parameter entries."
NAME_RULE = "Don't restate the name in the summary: say what it does or returns."
PRIVATE_RULE = "One line for private helpers (names starting with an underscore)."
RETURNS_RULE = "Leave out a Returns section when the summary already says what is returned."
SHORTER_RULE = "Prefer shorter docstrings: reviewers cut drafts to about {share}% of their length."

#: an annotation in parentheses: ``a (int): …`` or ``… argument (list[str] | None).``
_TYPE_MENTION = re.compile(r"\(([A-Za-z_][\w.]*(?:\[[^()]*\])?(?: \| [\w.\[\], ]+)*)\)")
_NOT_TYPES = {"optional", "default", "e.g", "i.e", "see", "deprecated"}
_WORDS = re.compile(r"[a-z]+")


@dataclass
class Rules:
    """One version of the team's rules."""

    version: int = 0
    rules: list[str] = field(default_factory=list)
    source: str = ""
    created_at: str = ""

    def prompt_text(self) -> str:
        """The rules as the system prompt states them (empty without rules)."""
        if not self.rules:
            return ""
        listed = "\n".join(f"- {r}" for r in self.rules)
        return f"Team rules (version {self.version}), learned from this team's reviews:\n{listed}"


def _types(text: str) -> int:
    """How many annotations in parentheses ``text`` mentions."""
    return sum(1 for m in _TYPE_MENTION.finditer(text) if m.group(1).lower() not in _NOT_TYPES)


def _summary(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _restates(name: str, summary: str) -> bool:
    tokens = [t for t in re.split(r"_+|(?<=[a-z])(?=[A-Z])", name.strip("_")) if t]
    words = set(_WORDS.findall(summary.lower()))
    filler = {"the", "a", "an", "of", "get", "set", "return", "returns", "this", "method"}
    return (
        bool(tokens)
        and {t.lower() for t in tokens} <= words
        and len(words - filler) <= len(tokens) + 1
    )


def distill(decisions: Iterable[Any]) -> list[tuple[str, int]]:
    """Propose rules from decision rows (``decision``, ``reason``, ``draft_text``,
    ``final_text``, ``qualname``, ``reviewer``, ``mode``): ``(rule, support)``, most supported
    first."""
    from docagent.store.records import unreviewed

    support: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    shares: list[float] = []
    for r in decisions:
        if unreviewed(getattr(r, "reviewer", ""), getattr(r, "mode", "")):
            continue
        if r.decision == "reject":
            reason = (r.reason or "").strip()
            if reason in REASON_RULES:
                support[REASON_RULES[reason]] += 1
            elif reason.startswith("other:") and reason[6:].strip():
                notes[reason[6:].strip().rstrip(".").capitalize() + "."] += 1
            continue
        if r.decision != "edit" or not r.final_text or not r.draft_text:
            continue
        draft, final = r.draft_text, r.final_text
        name = r.qualname.rsplit(".", 1)[-1]
        if _types(final) < _types(draft):
            support[TYPES_RULE] += 1
        if _restates(name, _summary(draft)) and not _restates(name, _summary(final)):
            support[NAME_RULE] += 1
        lines = (len(draft.strip().splitlines()), len(final.strip().splitlines()))
        if name.startswith("_") and lines[0] > 1 and lines[1] == 1:
            support[PRIVATE_RULE] += 1
        if re.search(r"^\s*Returns?:?\s*$", draft, re.M) and not re.search(
            r"^\s*Returns?:?\s*$", final, re.M
        ):
            support[RETURNS_RULE] += 1
        shares.append(len(final.strip()) / max(1, len(draft.strip())))
    support.update(notes)
    short = [s for s in shares if s < 0.6]
    if len(short) >= MIN_SUPPORT and len(short) * 2 > len(shares):
        share = round(100 * sorted(short)[len(short) // 2])
        support[SHORTER_RULE.format(share=share)] = len(short)
    ranked = [(rule, n) for rule, n in support.items() if n >= MIN_SUPPORT]
    ranked.sort(key=lambda t: (-t[1], t[0]))
    return ranked


def load_rules(store: Any) -> Rules:
    """The current rules in the decision log (version 0 with no rules when there are none)."""
    versions = [r for r in store.runs() if r.mode == RULES_MODE]
    if not versions:
        return Rules()
    last = versions[-1]
    config = last.config if isinstance(getattr(last, "config", None), dict) else {}
    rules = [str(x) for x in config.get("rules", []) if str(x).strip()]
    return Rules(len(versions), rules, str(config.get("source", "")), str(last.started_at))


def save_rules(store: Any, rules: list[str], source: str) -> Rules:
    """Record ``rules`` as the next version (``source`` says how they changed)."""
    cleaned = list(dict.fromkeys(r.strip() for r in rules if r.strip()))
    run_id = store.start_run(RULES_MODE, config={"rules": cleaned, "source": source})
    store.end_run(run_id, rules=len(cleaned))
    return load_rules(store)


__all__ = ["Rules", "distill", "load_rules", "save_rules"]
