"""Apply proposals through the safe edit engine: the library behind ``docagent apply``.

:func:`apply_proposals` selects records by status, groups them by file, and applies each file's
docstring edits together (verified, atomic: :func:`docagent.code.edit.prepare_file_edits`),
writing up to :data:`GROUP_FILES` files at once with one group of syncs
(:func:`docagent.code.edit.write_prepared`).
Every record gets one outcome: ``applied``, ``skipped`` (with a reason: not selected by status,
already applied, a duplicate) or ``refused`` (with a reason: stale ``code_sha``, changed
docstring, hand-written lines it would drop, unknown qualname, unparseable/missing/unwritable
file, failed verification).

README records (``kind == "readme_section"``) go to
:func:`docagent.readme.section_apply.apply_readme_proposals`, which returns one
``(outcome, reason)`` pair per record and a diff. They may only target the repository's
README, which is created only with ``create_readme``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from docagent.code.edit import (
    DocEdit,
    FileEditResult,
    docstring_text,
    prepare_file_edits,
    write_prepared,
)
from docagent.code.factscache import FactsCache
from docagent.code.targets import SourceError, read_file
from docagent.display import printable
from docagent.proposals import Proposal, check_path
from docagent.vocab import APPLIED, REFUSED, SKIPPED

MAX_LISTED_LINES = 5  # line numbers named in a "conflicting proposals" refusal
#: files written (and synced) together: their decisions are intents until the group is on disk
GROUP_FILES = 64


@dataclass
class RecordOutcome:
    """The outcome of one proposal: ``applied``, ``skipped`` or ``refused``, with a reason."""

    proposal: Proposal
    outcome: str
    reason: str = ""

    def describe(self) -> str:
        """One human-readable line: outcome, ``path::qualname``, source line and reason."""
        p = self.proposal
        where = f" (line {p.line})" if p.line is not None else ""
        reason = f": {self.reason}" if self.reason else ""
        return printable(f"{self.outcome:<8} {p.path}::{p.qualname}{where}{reason}")


@dataclass
class ApplyReport:
    """Everything :func:`apply_proposals` did, one outcome per input proposal (same order)."""

    outcomes: list[RecordOutcome] = field(default_factory=list)
    files: list[FileEditResult] = field(default_factory=list)
    #: README files changed by ``readme_section`` records (or that would be, in a dry run)
    readme_files: list[str] = field(default_factory=list)
    #: the unified diff of the README files' changes
    readme_diff: str = ""
    dry_run: bool = False

    @property
    def diff(self) -> str:
        """The unified diff of every change (what ``--dry-run`` prints), made on first use."""
        return "".join(f.diff for f in self.files) + self.readme_diff

    def _with(self, outcome: str) -> list[RecordOutcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    @property
    def applied(self) -> list[RecordOutcome]:
        """Records applied (or that would be, in a dry run)."""
        return self._with(APPLIED)

    @property
    def skipped(self) -> list[RecordOutcome]:
        """Records skipped, each with its reason."""
        return self._with(SKIPPED)

    @property
    def refused(self) -> list[RecordOutcome]:
        """Records refused, each with its reason; their files were left untouched."""
        return self._with(REFUSED)

    @property
    def changed_files(self) -> list[str]:
        """Paths written (or that would be written, in a dry run), README files included."""
        return [f.path for f in self.files if f.new_bytes is not None] + self.readme_files

    def summary(self) -> str:
        """One line: counts of applied, skipped and refused records and changed files."""
        files = len(self.changed_files)
        verb = "would apply" if self.dry_run else "applied"
        text = (
            f"{verb} {len(self.applied)}, skipped {len(self.skipped)}, "
            f"refused {len(self.refused)} ({files} file{'s' if files != 1 else ''}"
            f"{' would change' if self.dry_run else ' changed'})"
        )
        return text + ("; dry run: nothing written" if self.dry_run else "")


def is_selected(status: str, include_all: bool) -> bool:
    """Return True when a record with ``status`` is applied (``accepted``; not ``rejected``)."""
    return status != "rejected" if include_all else status == "accepted"


def _apply_readme(
    root: Path, items: list[Proposal], dry_run: bool, create: bool
) -> tuple[list[tuple[str, str]], str]:
    """Hand README records to :func:`docagent.readme.section_apply.apply_readme_proposals`."""
    if not items:
        return [], ""
    from docagent.readme.section_apply import apply_readme_proposals

    outcomes, diff = apply_readme_proposals(root, items, dry_run=dry_run, create=create)
    return list(outcomes), diff


def _target_problem(root: Path, path: str) -> str | None:
    problem = check_path(path)
    if problem:
        return f"path {problem}"
    if not path.endswith((".py", ".pyi")):
        return f"{path}: not a Python file"
    try:
        resolved = (root / path).resolve()
    except OSError as exc:  # pragma: no cover - symlink loops
        return f"{path}: {exc}"
    if not resolved.is_relative_to(root.resolve()):
        return f"{path}: resolves outside the repository"
    return None


class DecisionLog(Protocol):
    """What :func:`apply_proposals` needs to log its writes (a :class:`~docagent.store.Store`)."""

    def record_intents(
        self, intents: Sequence[tuple[str, str, str, str, str]], *, mode: str = ""
    ) -> list[int]:
        """Record decisions ``(draft_id, decision, path, qualname, final_text)`` before their
        writes, in one transaction; their intent ids."""
        ...

    def confirm_intents(self, intent_ids: Sequence[int]) -> list[int]:
        """Turn recorded intents into their decisions after the writes (one transaction)."""
        ...

    def drop_intents(self, intent_ids: Sequence[int]) -> None:
        """Forget intents whose writes did not happen (one transaction)."""
        ...


def intent_written(root: Path, intent: Any) -> bool:
    """True when the file of an edit intent holds its text (the write happened).

    Used to settle intents a killed process left behind: a docstring target whose current
    docstring is the intent's text, or a README whose body contains it.
    """
    full = Path(root) / intent.path
    if intent.path.endswith((".py", ".pyi")):
        try:
            facts = read_file(str(full), intent.path)
        except SourceError:
            return False
        target = facts.target(intent.qualname)
        current = target.docstring.text if target and target.docstring else None
        return current == docstring_text(intent.final_text or "")
    try:
        body = full.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return bool(intent.final_text) and intent.final_text.strip() in body


def apply_proposals(
    root: Path,
    proposals: Sequence[Proposal],
    *,
    include_all: bool = False,
    dry_run: bool = False,
    line_length: int = 88,
    force: bool = False,
    log: DecisionLog | None = None,
    draft_ids: Sequence[str] | None = None,
    create_readme: bool = False,
) -> ApplyReport:
    """Apply docstring ``proposals`` to the repository at ``root`` and report every outcome.

    Records with status ``accepted`` are applied (with ``include_all``, all but ``rejected``).
    Each file's records are applied together and verified once; a file whose edit cannot be
    verified, read or written is left untouched and its records are refused with the reason.
    Records whose target already has that docstring are skipped as "already applied", so
    applying the same file twice is harmless. With ``dry_run`` nothing is written and
    ``report.diff`` holds the unified diff of what would change.

    A person's words are never replaced silently: a record is refused when the target's
    docstring changed since the record was drafted (its ``original_sha``), or when it would
    remove lines of a hand-written docstring without being an in-place repair (its
    ``preserves_existing`` check passed). ``force`` applies those too; the outcome then says
    how many hand-written lines were removed.

    With a ``log``, every docstring write is recorded as an ``accept`` decision (mode
    ``apply``) on the draft ``draft_ids[i]`` of record ``i``: as an intent before the file is
    written, confirmed once it is on disk (see :meth:`docagent.store.Store.record_intent`).
    Files are written in groups of up to :data:`GROUP_FILES`, synced together: every intent of
    a group is recorded (one transaction) before its first file is written, and confirmed
    (one transaction) once all of them are on disk.
    The ``code_sha`` guard reads each file version's fingerprints from the facts cache that
    ``batch`` writes (:mod:`docagent.code.factscache`) when it holds that version, instead of
    parsing the file for them; otherwise from the edited text's parse once the edit is proved
    (see :func:`docagent.code.edit_plan.plan_file_edits`), with the same outcomes.
    README section records only change the repository's README; a missing README is
    created only with ``create_readme``.
    """
    root = Path(root)
    report = ApplyReport(dry_run=dry_run)
    results: list[RecordOutcome | None] = [None] * len(proposals)
    by_file: dict[str, list[int]] = {}
    path_problems: dict[str, str | None] = {}
    readme: list[int] = []
    for i, p in enumerate(proposals):
        if not is_selected(p.status, include_all):
            reason = (
                "rejected"
                if p.status == "rejected"
                else f"status is {p.status!r}; only 'accepted' records are applied without --all"
            )
            results[i] = RecordOutcome(p, SKIPPED, reason)
            continue
        if p.kind == "readme_section":
            readme.append(i)
            continue
        if p.path not in path_problems:  # once per path: a file may hold many records
            path_problems[p.path] = _target_problem(root, p.path)
        problem = path_problems[p.path]
        if problem:
            results[i] = RecordOutcome(p, REFUSED, problem)
            continue
        by_file.setdefault(p.path, []).append(i)

    facts_cache = FactsCache.load_for(root, _size(root, by_file)) if by_file else None
    pending: list[tuple[FileEditResult, dict[str, int]]] = []
    for path, indexes in by_file.items():
        edits, first = _file_edits(proposals, indexes, results, force)
        if not edits:
            continue
        res = prepare_file_edits(
            root, path, edits, line_length=line_length, dry_run=dry_run, facts_cache=facts_cache
        )
        report.files.append(res)
        if dry_run or res.new_bytes is None:
            _settle(proposals, res, first, results, force)
            continue
        pending.append((res, first))
        if len(pending) >= GROUP_FILES:
            _write_group(pending, proposals, results, force, log, draft_ids)
            pending = []
    _write_group(pending, proposals, results, force, log, draft_ids)

    outcomes, readme_diff = _apply_readme(
        root, [proposals[i] for i in readme], dry_run, create_readme
    )
    for i, (outcome, reason) in zip(readme, outcomes, strict=True):
        results[i] = RecordOutcome(proposals[i], outcome, reason)
        if outcome == APPLIED and proposals[i].path not in report.readme_files:
            report.readme_files.append(proposals[i].path)
    report.readme_diff = readme_diff
    report.outcomes = [r for r in results if r is not None]
    return report


def _file_edits(
    proposals: Sequence[Proposal],
    indexes: list[int],
    results: list[RecordOutcome | None],
    force: bool,
) -> tuple[list[DocEdit], dict[str, int]]:
    """The edits of one file's records ``indexes``, and the record each qualname's edit comes
    from; conflicting records are refused and duplicates skipped (in ``results``)."""
    edits: list[DocEdit] = []
    first: dict[str, int] = {}
    groups: dict[str, list[int]] = {}
    for i in indexes:
        groups.setdefault(proposals[i].qualname, []).append(i)
    for q, group in groups.items():
        texts = {_clean(proposals[i].text) for i in group}
        if len(texts) > 1:
            numbers = [str(proposals[i].line or i + 1) for i in group[:MAX_LISTED_LINES]]
            lines = ", ".join(numbers)
            if len(group) > MAX_LISTED_LINES:  # one bounded message, however many records
                lines += f" and {len(group) - MAX_LISTED_LINES:,} more"
            for i in group:
                results[i] = RecordOutcome(
                    proposals[i], REFUSED, f"conflicting proposals for this target ({lines})"
                )
            continue
        first[q] = group[0]
        for i in group[1:]:
            where = proposals[group[0]].line or group[0] + 1
            results[i] = RecordOutcome(
                proposals[i], SKIPPED, f"duplicate of the record on line {where}"
            )
        p = proposals[group[0]]
        edits.append(
            DocEdit(
                p.qualname,
                p.text,
                p.code_sha,
                original_sha=None if force else p.original_sha,
                keep_existing=not force and not _repairs(p),
            )
        )
    return edits, first


def _write_group(
    pending: list[tuple[FileEditResult, dict[str, int]]],
    proposals: Sequence[Proposal],
    results: list[RecordOutcome | None],
    force: bool,
    log: DecisionLog | None,
    draft_ids: Sequence[str] | None,
) -> None:
    """Write prepared files together (:func:`~docagent.code.edit.write_prepared`: one group of
    syncs) and settle their records. With a ``log``, each docstring's decision is an intent
    before any file of the group is written, confirmed once the group is on disk (dropped when
    its file was not written)."""
    if not pending:
        return
    keys = [(k, q) for k, (res, _) in enumerate(pending) for q in res.applied]
    ids: list[int] = []
    if log is not None and draft_ids is not None and keys:
        rows = []
        for k, q in keys:
            p = proposals[pending[k][1][q]]
            rows.append((draft_ids[pending[k][1][q]], "accept", p.path, q, p.text))
        ids = log.record_intents(rows, mode="apply")
    write_prepared([res for res, _ in pending])
    if log is not None and ids:
        done = [i for (k, q), i in zip(keys, ids, strict=True) if pending[k][0].written]
        undone = [i for (k, q), i in zip(keys, ids, strict=True) if not pending[k][0].written]
        if done:
            log.confirm_intents(done)
        if undone:
            log.drop_intents(undone)
    for res, first in pending:
        _settle(proposals, res, first, results, force)


def _settle(
    proposals: Sequence[Proposal],
    res: FileEditResult,
    first: dict[str, int],
    results: list[RecordOutcome | None],
    force: bool,
) -> None:
    """The outcome of each record of a file (``first``: qualname -> record) from ``res``."""
    skipped = dict(res.skipped)
    refused = dict(res.refused)
    for q, i in first.items():
        p = proposals[i]
        if q in refused:
            results[i] = RecordOutcome(p, REFUSED, refused[q])
        elif q in skipped:
            results[i] = RecordOutcome(p, SKIPPED, skipped[q])
        elif q in res.applied:
            n = res.dropped.get(q, 0)
            note = f"replaced {n} hand-written line{'s' if n != 1 else ''}" if n else ""
            results[i] = RecordOutcome(p, APPLIED, note if force else "")
        else:  # pragma: no cover - every edit gets an outcome
            results[i] = RecordOutcome(p, REFUSED, "no outcome from the edit engine")


def _size(root: Path, paths: Iterable[str]) -> int:
    """The bytes of the files at ``paths`` (those that exist)."""
    total = 0
    for path in paths:
        try:
            total += (root / path).stat().st_size
        except OSError:
            continue
    return total


def _repairs(p: Proposal) -> bool:
    """True when the record says it repairs a stale docstring in place (prose kept)."""
    return any(c.get("name") == "preserves_existing" and c.get("ok") is True for c in p.checks)


def _clean(text: str) -> str:
    return docstring_text(text)


def report_dict(report: ApplyReport) -> dict[str, Any]:
    """Return a JSON-ready summary of ``report`` (counts and per-record outcomes)."""
    return {
        "applied": len(report.applied),
        "skipped": len(report.skipped),
        "refused": len(report.refused),
        "dry_run": report.dry_run,
        "files": report.changed_files,
        "records": [
            {
                "path": o.proposal.path,
                "qualname": o.proposal.qualname,
                "line": o.proposal.line,
                "outcome": o.outcome,
                "reason": o.reason,
            }
            for o in report.outcomes
        ],
    }
