"""Apply README sections: insert a missing section where convention puts it, or replace one.

Every edit is a splice: the new bytes go in at one place (an insert) or replace one section's
body (a replace), and every other byte of the README stays identical, including line endings
(CRLF stays CRLF) and the heading line of a replaced section. Before writing, the new text is
parsed again and the edit is refused when it would change how the rest of the document parses
(for example an unclosed code fence swallowing the headings after it). Writes are atomic.

Where a new section goes: sections are ordered overview, installation, usage, configuration,
development, license (other sections keep to the one before them); a new section goes before
the first sibling section that comes later in that order (so Installation and Usage land after
the intro and before License), else at the end. An overview goes right after the intro.

Idempotent: a section whose body already equals the text is skipped as "already applied", and
a missing section whose kind the README has gained meanwhile is skipped too.

:func:`apply_readme_proposals` is the hook :mod:`docagent.apply_proposals` calls for records
with kind ``readme_section``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docagent.code.udiff import unified_diff
from docagent.proposals import check_path
from docagent.readme.find import find_readme, readme_format
from docagent.readme.section_targets import section_sha
from docagent.readme.sections import (
    MarkdownDoc,
    heading_kinds,
    normalize_heading,
    parse_markdown,
)
from docagent.vocab import APPLIED, README_SECTIONS, REFUSED, SKIPPED
from docagent.writes import write_atomic


@dataclass
class SectionEdit:
    """One section to write: heading text, Markdown body and the body hash it was drafted on."""

    heading: str
    text: str
    code_sha: str | None = None


@dataclass
class ReadmeEditResult:
    """What applying section edits to one README did (or would do, in a dry run)."""

    path: str
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""
    diff: str = ""
    written: bool = False

    @property
    def changed(self) -> bool:
        """True when the README's text changes."""
        return self.new_text != self.old_text


def _rank(kinds: frozenset[str] | set[str]) -> float | None:
    known = [README_SECTIONS.index(k) for k in kinds if k in README_SECTIONS]
    if known:
        return float(min(known))
    return None


def _heading_line(heading: str, level: int, setext: bool, nl: str) -> str:
    if setext and level <= 2:
        return heading + nl + ("=" if level == 1 else "-") * max(3, len(heading)) + nl
    return "#" * level + " " + heading + nl


def insert_line(doc: MarkdownDoc, heading: str) -> int:
    """The 0-based line where a new section titled ``heading`` goes (``len(lines)``: the end)."""
    kinds = heading_kinds(heading)
    rank = _rank(kinds)
    if rank is None:
        rank = README_SECTIONS.index("license") - 0.5  # custom sections go before the license
    level = doc.section_level
    siblings = [s for s in doc.sections if s.level <= level and s.heading is not doc.title]
    if rank == 0 and siblings:
        return siblings[0].heading.line
    previous = -1.0
    for s in siblings:
        own = _rank(s.kinds)
        current = own if own is not None else previous
        if current > rank:
            return s.heading.line
        previous = current
    return len(doc.lines)


def _with_newlines(text: str, nl: str) -> list[str]:
    body = text.replace("\r\n", "\n").strip("\n")
    return [line.rstrip() + nl for line in body.split("\n")]


def _blank(line: str) -> bool:
    return not line.strip()


def plan_section(old: str, edit: SectionEdit) -> tuple[str, str, str]:
    """Apply one edit to README text in memory; return ``(new_text, outcome, reason)``.

    ``outcome`` is ``applied``, ``skipped`` (``new_text`` is ``old``) or ``refused``.
    """
    doc = parse_markdown(old)
    nl = doc.newline
    if not edit.text.strip():
        return old, REFUSED, "the section text is empty"
    section = doc.find(edit.heading)
    lines = doc.lines
    if section is not None and section.heading is not doc.title:
        start, end = section.heading.end_line, section.end
        region = lines[start:end]
        if section_sha("".join(region)) == section_sha(edit.text):
            return old, SKIPPED, "already applied"
        if edit.code_sha and edit.code_sha != section_sha("".join(region)):
            if edit.code_sha == section_sha(""):
                return old, SKIPPED, f"the README already has a section `{section.title}`"
            return old, REFUSED, f"section `{section.title}` changed since the draft was made"
        lead: list[str] = []
        for line in region:
            if not _blank(line):
                break
            lead.append(line)
        trail: list[str] = []
        for line in reversed(region[len(lead) :]):
            if not _blank(line):
                break
            trail.insert(0, line)
        if not lead:
            lead = [nl]
        if not trail and end < len(lines):
            trail = [nl]
        if end >= len(lines) and not trail and region and not region[-1].endswith("\n"):
            body = _with_newlines(edit.text, nl)
            body[-1] = body[-1][: -len(nl)]  # the file had no final newline; keep it so
        else:
            body = _with_newlines(edit.text, nl)
        new_lines = lines[:start] + lead + body + trail + lines[end:]
        if start and not lines[start - 1].endswith("\n"):  # heading on a last, unended line
            new_lines = lines[:start] + [nl] + lead + body + trail + lines[end:]
        new = "".join(new_lines)
        problem = _verify(doc, new, edit, expect_new_headings=0)
        return (old, REFUSED, problem) if problem else (new, APPLIED, "")

    kinds = heading_kinds(edit.heading)
    for kind in kinds:
        same = doc.of_kind(kind)
        if same:
            return old, SKIPPED, f"the README already has a {kind} section (`{same[0].title}`)"
    if edit.code_sha and edit.code_sha != section_sha(""):
        return old, REFUSED, f"section `{edit.heading}` is no longer in the README"
    at = insert_line(doc, edit.heading)
    level = doc.section_level
    block = [_heading_line(edit.heading, level, doc.uses_setext, nl), nl]
    block += _with_newlines(edit.text, nl)
    before = lines[:at]
    prefix = ""
    if before and not before[-1].endswith("\n"):
        prefix += nl
    if before and not _blank(before[-1]):
        prefix += nl
    suffix = nl if at < len(lines) else ""
    new = "".join(before) + prefix + "".join(block) + suffix + "".join(lines[at:])
    added = 1 + len(parse_markdown(edit.text).headings)
    problem = _verify(doc, new, edit, expect_new_headings=added)
    return (old, REFUSED, problem) if problem else (new, APPLIED, "")


def _verify(old_doc: MarkdownDoc, new: str, edit: SectionEdit, expect_new_headings: int) -> str:
    """Return why the edited text is wrong (empty string when it is right)."""
    new_doc = parse_markdown(new)
    section = new_doc.find(edit.heading)
    if section is None or section_sha(new_doc.body(section)) != section_sha(edit.text):
        return "after the edit the section does not read back as the text (unclosed code block?)"
    old_heads = [(h.text, h.level) for h in old_doc.headings]
    new_heads = [(h.text, h.level) for h in new_doc.headings]
    if expect_new_headings:
        if len(new_heads) != len(old_heads) + expect_new_headings:
            return "the edit would change how the rest of the README parses (unclosed code block?)"
    else:
        # a replace keeps every heading outside the replaced section
        outside = [h for h in old_doc.headings if not _inside(old_doc, h, edit.heading)]
        kept = [(h.text, h.level) for h in outside]
        if [x for x in new_heads if x in kept] != kept:
            return "the edit would change how the rest of the README parses (unclosed code block?)"
    if any(not b.closed for b in new_doc.code_blocks) and not any(
        not b.closed for b in old_doc.code_blocks
    ):
        return "the section has a code block that is never closed"
    return ""


def _inside(doc: MarkdownDoc, heading: Any, title: str) -> bool:
    section = doc.find(title)
    if section is None:
        return False
    return section.heading.line < heading.line < section.end


def _resolve(root: Path, path: str) -> tuple[Path | None, str]:
    problem = check_path(path)
    if problem:
        return None, f"path {problem}"
    if readme_format(path) != "markdown":
        return None, f"{path}: not a Markdown file; README sections are applied to Markdown only"
    readme = find_readme(root).path
    if path != readme:
        return None, (
            f"{path}: not the repository's README ({readme}); README sections are applied "
            "to the README only"
        )
    full = (root / path).resolve()
    if not full.is_relative_to(root.resolve()):
        return None, f"{path}: resolves outside the repository"
    return full, ""


def _title_for(root: Path) -> str:
    from docagent.readme.facts import gather_facts

    try:
        name = gather_facts(root).name
    except Exception:  # a title is cosmetic; fall back to the directory name
        name = None
    return name or root.resolve().name


def apply_sections(
    root: str | Path,
    path: str,
    edits: Sequence[SectionEdit],
    *,
    dry_run: bool = False,
    create: bool = True,
) -> ReadmeEditResult:
    """Apply ``edits`` to the README at repository-relative ``path``; one outcome per edit.

    ``path`` must be the repository's README (:func:`~docagent.readme.find.find_readme`):
    edits to any other file are refused. A missing README is created with a
    ``# <project name>`` title only when ``create`` (else refused); no directory is ever
    created. The file is written once, atomically, after all edits (nothing is written in a
    dry run or when nothing changed).
    """
    root = Path(root)
    result = ReadmeEditResult(path=path)
    full, problem = _resolve(root, path)
    if full is None:
        result.outcomes = [(REFUSED, problem) for _ in edits]
        return result
    bom = ""
    if full.exists():
        try:
            data = full.read_bytes()
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            result.outcomes = [(REFUSED, f"{path}: not UTF-8 text") for _ in edits]
            return result
        except OSError as exc:
            result.outcomes = [(REFUSED, f"{path}: cannot read: {exc.strerror}") for _ in edits]
            return result
        if text.startswith("\ufeff"):
            bom, text = "\ufeff", text[1:]
        result.old_text = text
        current = text
    elif not create:
        reason = f"{path} does not exist; it is created only when asked (--create-readme)"
        result.outcomes = [(REFUSED, reason) for _ in edits]
        return result
    else:
        result.old_text = ""
        current = f"# {_title_for(root)}\n"
    for edit in edits:
        new, outcome, reason = plan_section(current, edit)
        result.outcomes.append((outcome, reason))
        current = new
    if not any(o == APPLIED for o, _ in result.outcomes):
        current = result.old_text
    result.new_text = current
    if result.changed:
        result.diff = unified_diff(path, result.old_text, result.new_text)
        if not dry_run:
            try:
                write_atomic(full, (bom + result.new_text).encode("utf-8"))
                result.written = True
            except OSError as exc:
                reason = f"{path}: cannot write: {exc.strerror or exc}"
                result.outcomes = [
                    (REFUSED, reason) if o == APPLIED else (o, r) for o, r in result.outcomes
                ]
    return result


def apply_section(
    root: str | Path,
    path: str,
    heading: str,
    text: str,
    *,
    code_sha: str | None = None,
    dry_run: bool = False,
) -> ReadmeEditResult:
    """Insert or replace one section (``heading``, Markdown ``text``) in the README at ``path``.

    ``result.outcomes[0]`` is ``(outcome, reason)``; ``result.diff`` the unified diff.
    """
    return apply_sections(root, path, [SectionEdit(heading, text, code_sha)], dry_run=dry_run)


def apply_readme_proposals(
    root: str | Path, proposals: Sequence[Any], *, dry_run: bool = False, create: bool = False
) -> tuple[list[tuple[str, str]], str]:
    """The :mod:`docagent.apply_proposals` hook: apply ``readme_section`` proposals.

    Records may only target the repository's README; a missing README is created only with
    ``create``. Returns one ``(outcome, reason)`` per proposal, in order, and the unified diff
    of every README changed (or that would change, with ``dry_run``).
    """
    by_path: dict[str, list[int]] = {}
    for i, p in enumerate(proposals):
        by_path.setdefault(p.path, []).append(i)
    outcomes: list[tuple[str, str]] = [(REFUSED, "no outcome")] * len(proposals)
    diffs: list[str] = []
    for path, indexes in by_path.items():
        edits = [
            SectionEdit(proposals[i].qualname, proposals[i].text, proposals[i].code_sha)
            for i in indexes
        ]
        result = apply_sections(root, path, edits, dry_run=dry_run, create=create)
        for i, outcome in zip(indexes, result.outcomes, strict=True):
            outcomes[i] = outcome
        if result.diff:
            diffs.append(result.diff)
    return outcomes, "".join(diffs)


__all__ = [
    "ReadmeEditResult",
    "SectionEdit",
    "apply_readme_proposals",
    "apply_section",
    "apply_sections",
    "insert_line",
    "normalize_heading",
    "plan_section",
]
