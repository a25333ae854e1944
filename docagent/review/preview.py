"""What accepting a draft would do to its file, as diff-marked lines (no Textual here).

:func:`build_preview` plans the edit with the safe edit engine (nothing is written) and returns
the lines around the target: unchanged code, the inserted docstring lines (``+``) and, for a
stale target, the old docstring lines (``-``). :func:`build_readme_preview` does the same for a
README section with :func:`docagent.readme.apply_section` in a dry run: the section in place in
the README, inserted lines ``+`` and a stale section's replaced lines ``-``. The code view
renders them with highlighting (Python or Markdown).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from docagent.code.edit import DocEdit, plan_file_edits
from docagent.code.targets import FileFacts
from docagent.draft.models import Draft
from docagent.session import README_KIND, Session, WorkItem


@dataclass(frozen=True)
class PreviewLine:
    """One displayed line: its number in the new file (or the old one for removed lines)."""

    number: int
    mark: str  # " " unchanged, "+" inserted, "-" removed
    text: str


@dataclass
class Preview:
    """The lines to show for one draft, and why the edit would be refused (if it would).

    ``line`` is where the target starts in the file the preview was planned on (1-based, 0
    when unknown): it follows this session's earlier edits to the file.
    """

    lines: list[PreviewLine] = field(default_factory=list)
    problem: str = ""
    language: str = "python"
    note: str = ""
    line: int = 0

    @property
    def first_change(self) -> int | None:
        """The index in ``lines`` of the first inserted or removed line, or None."""
        return next((i for i, line in enumerate(self.lines) if line.mark != " "), None)

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
    merged = _merge(old, new)
    first = max(0, target.line - 1 - before)
    changed = [anchor for anchor, line in merged if line.mark != " "]
    last = target.end_line - 1
    last = min(last, (max(changed) if changed else target.line - 1) + after)
    lines = [line for anchor, line in merged if first <= anchor <= last]
    return Preview(lines, problem, line=target.line)


def _merge(old: list[str], new: list[str]) -> list[tuple[int, PreviewLine]]:
    """Old and new lines interleaved like a diff, each with its anchor (an old line index)."""
    merged: list[tuple[int, PreviewLine]] = []
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
    return merged


def build_readme_preview(
    root: str | Path,
    path: str,
    heading: str,
    text: str,
    code_sha: str | None = None,
    *,
    heading_line: int = 0,
    before: int = 3,
    after: int = 6,
) -> Preview:
    """Plan writing section ``heading`` with Markdown ``text`` into the README at ``path``.

    Nothing is written. The window runs from ``before`` lines above the first changed line
    (or the section's heading, ``heading_line``, 1-based, for a stale section) to ``after``
    lines past the last one. When the edit would be refused, the section as it stands is shown
    and ``problem`` says why; when it would change nothing, ``note`` says why.
    """
    from docagent.readme import apply_section

    result = apply_section(root, path, heading, text, code_sha=code_sha or None, dry_run=True)
    outcome, reason = result.outcomes[0] if result.outcomes else ("refused", "no outcome")
    old = result.old_text.splitlines()
    new = result.new_text.splitlines() if outcome == "applied" else old
    problem = reason if outcome == "refused" else ""
    note = reason if outcome == "skipped" else ""
    merged = _merge(old, new)
    changed = [anchor for anchor, line in merged if line.mark != " "]
    if changed:
        first, last = min(changed), max(changed)
    elif heading_line:
        first, last = heading_line - 1, heading_line - 1 + 2 * after
    else:
        first, last = len(old), len(old)
    if heading_line:
        first = min(first, heading_line - 1)
    first, last = max(0, first - before), last + after
    lines = [line for anchor, line in merged if first <= anchor <= last]
    where = next((line.number for _, line in merged if _is_heading(line, heading)), 0)
    return Preview(lines, problem, language="markdown", note=note, line=where)


def _is_heading(line: PreviewLine, heading: str) -> bool:
    """True for a kept or inserted Markdown heading line titled ``heading``."""
    text = line.text.strip()
    return line.mark != "-" and text.startswith("#") and text.lstrip("#").strip() == heading


def make_preview(session: Session, item: WorkItem, draft: Draft) -> Preview:
    """The preview of ``draft`` for ``item``: the file (or README) with the draft in place.

    Runs on the drafting loop (it reads the file). A failed draft previews the code alone.
    """
    if item.kind == README_KIND:
        text = "" if draft.error else draft.text
        sha = draft.code_sha or None
        return build_readme_preview(
            session.root, item.path, item.qualname, text, sha, heading_line=item.line
        )
    facts = session.facts(item.path)
    if facts is None:
        return Preview([], f"{item.path} cannot be read")
    if draft.error or not draft.text:
        return build_preview(facts, item.qualname, "", None)
    return build_preview(
        facts,
        item.qualname,
        draft.text,
        draft.code_sha or None,
        line_length=session.settings.line_length,
    )
