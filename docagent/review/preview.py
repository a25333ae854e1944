"""What accepting a draft would do to its file, as diff-marked lines (no Textual here).

:func:`build_preview` plans the edit with the safe edit engine (nothing is written) and returns
the lines around the target: unchanged code, the inserted docstring lines (``+``) and, for a
stale target, the old docstring lines (``-``). The code view renders them with highlighting.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from docagent.code.edit import DocEdit, plan_file_edits
from docagent.code.targets import FileFacts


@dataclass(frozen=True)
class PreviewLine:
    """One displayed line: its number in the new file (or the old one for removed lines)."""

    number: int
    mark: str  # " " unchanged, "+" inserted, "-" removed
    text: str


@dataclass
class Preview:
    """The lines to show for one draft, and why the edit would be refused (if it would)."""

    lines: list[PreviewLine] = field(default_factory=list)
    problem: str = ""

    @property
    def added(self) -> int:
        """How many lines the edit inserts."""
        return sum(1 for line in self.lines if line.mark == "+")

    @property
    def removed(self) -> int:
        """How many lines the edit removes."""
        return sum(1 for line in self.lines if line.mark == "-")


def build_preview(
    facts: FileFacts,
    qualname: str,
    text: str,
    code_sha: str | None = None,
    *,
    line_length: int = 88,
    before: int = 2,
    after: int = 24,
) -> Preview:
    """Plan setting ``qualname``'s docstring to ``text`` in ``facts`` and return the lines to show.

    The window starts ``before`` lines above the definition and ends at the end of the target,
    or ``after`` lines past the last changed line, whichever comes first. When the edit engine
    would refuse the edit, the target's current code is shown and ``problem`` says why.
    """
    target = facts.target(qualname)
    old = facts.text.splitlines()
    if target is None:
        return Preview([], f"{qualname} is no longer in {facts.path}")
    problem = ""
    new = old
    if text.strip():
        plan = plan_file_edits(facts, [DocEdit(qualname, text, code_sha or None)], line_length)
        if plan.new_text is not None:
            new = plan.new_text.splitlines()
        elif plan.refused:
            problem = "; ".join(reason for _, reason in plan.refused)
    merged: list[tuple[int, PreviewLine]] = []  # (old index anchor, line)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                merged.append((i1 + k, PreviewLine(j1 + k + 1, " ", new[j1 + k])))
            continue
        for i in range(i1, i2):
            merged.append((i, PreviewLine(i + 1, "-", old[i])))
        for j in range(j1, j2):
            merged.append((i1, PreviewLine(j + 1, "+", new[j])))
    first = max(0, target.line - 1 - before)
    changed = [anchor for anchor, line in merged if line.mark != " "]
    last = target.end_line - 1
    last = min(last, (max(changed) if changed else target.line - 1) + after)
    lines = [line for anchor, line in merged if first <= anchor <= last]
    return Preview(lines, problem)
