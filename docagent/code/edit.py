"""Safe docstring edits: the library API of docs/safe-edits.md, and applying edits to a file.

The edit engine changes the bytes of docstrings and nothing else. Its parts, one module each:

- :mod:`docagent.code.docstring_literal`: :func:`docstring_text` (which docstring applying a
  text produces) and :func:`render_docstring` (a literal that parses back to exactly it).
- :mod:`docagent.code.docstring_placement`: where a literal goes (replace, or insert under
  the header, after type comments, with the blank lines formatters keep).
- :mod:`docagent.code.edit_plan`: :func:`plan_file_edits` checks each :class:`DocEdit`'s guards,
  splices the file bottom-up (:mod:`docagent.code.splices`) and verifies the new text
  (:mod:`docagent.code.verification`: the cheap proof of :mod:`docagent.code.proof`, else the
  fingerprints of :mod:`docagent.code.fingerprints`). A failed check refuses the edit.
- :mod:`docagent.code.docstring_removal`: :func:`remove_docstrings`, the inverse.

This module applies a plan: :func:`apply_file_edits` reads, plans, and writes atomically through
:mod:`docagent.writes` (keeping owner, group, permission bits and hard links), keeping the
encoding, line endings and trailing-newline state; it returns the old bytes so a caller can undo
with :func:`restore_file`. :func:`prepare_file_edits` and :func:`write_prepared` do the same in
two steps, so that several files are written (and synced) as one group. The documented API is
importable from here (``__all__``).

Definitions are found with :mod:`docagent.code.targets` (tree-sitter), never re-parsed another way.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from docagent.code.astfacts import no_gc
from docagent.code.docstring_literal import docstring_text, render_docstring
from docagent.code.docstring_removal import remove_docstrings
from docagent.code.edit_plan import DocEdit, EditPlan, plan_file_edits
from docagent.code.refusal import RefusedEdit
from docagent.code.targets import TOO_DEEP, SourceError, read_file_and_tree
from docagent.writes import (
    ChangedMeanwhile,
    recover_stale_temps,
    write_atomic,
    write_atomic_many,
)

if TYPE_CHECKING:
    from docagent.code.targets import FileFacts


class KnownShas(Protocol):
    """Code fingerprints computed before for some file versions: the facts cache
    (:class:`~docagent.code.factscache.FactsCache`) or a session's own
    (:class:`~docagent.code.factscache.HeldFingerprints`)."""

    def code_shas(self, facts: FileFacts) -> Mapping[str, str] | None:
        """The fingerprints (by qualname) of the file version ``facts`` read, or None when
        that version's are not known."""
        ...

    def file_facts(self, path: str, data: bytes) -> FileFacts | None:
        """The file ``path`` whose bytes are ``data`` with the targets planning reads, when
        they are known for that version (then it is not read with tree-sitter), else None."""
        ...


__all__ = [
    "DocEdit",
    "EditPlan",
    "FileEditResult",
    "RefusedEdit",
    "apply_file_edits",
    "atomic_write",
    "docstring_text",
    "file_sha",
    "plan_file_edits",
    "prepare_file_edits",
    "render_docstring",
    "remove_docstrings",
    "restore_file",
    "write_prepared",
]


def file_sha(data: bytes) -> str:
    """Return the SHA-256 hex digest of a file's bytes (for the "changed since its draft" check)."""
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- writing


@dataclass
class FileEditResult:
    """What :func:`apply_file_edits` did to one file.

    ``applied`` lists the qualnames whose docstrings were set (or would be, in a dry run);
    ``skipped`` and ``refused`` hold ``(qualname, reason)`` pairs; :attr:`diff` is the unified
    diff of the change (made when first read). ``old_bytes`` are the file's bytes before the
    edit (pass them to :func:`restore_file` to undo); ``new_bytes`` are what was (or would be)
    written; ``written`` is True only when the file was replaced on disk.
    """

    path: str
    applied: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: the plan the diff is made from, until :attr:`diff` is first read
    plan: EditPlan | None = field(default=None, repr=False, compare=False)
    old_bytes: bytes | None = None
    new_bytes: bytes | None = None
    written: bool = False
    #: the file's resolved path (where the write goes)
    real_path: str = field(default="", repr=False)
    error: str | None = None
    #: qualname -> lines of its former docstring that the applied edit removed
    dropped: dict[str, int] = field(default_factory=dict)
    #: qualname -> lines an edit refused for ``keep_existing`` would have removed
    would_drop: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return not self.refused

    @property
    def diff(self) -> str:
        """The unified diff (``a/PATH`` → ``b/PATH``) of what was (or would be) written; empty
        when nothing was. Made on first use: a run that does not show it does not pay for it."""
        return self.plan.diff() if self.plan is not None and self.new_bytes is not None else ""


def _refuse_all(result: FileEditResult, edits: list[DocEdit], reason: str) -> FileEditResult:
    """Refuse every edit (once per qualname) with ``reason``."""
    result.error = reason
    seen: set[str] = set()
    for e in edits:
        if e.qualname not in seen:
            seen.add(e.qualname)
            result.refused.append((e.qualname, reason))
    return result


def atomic_write(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically, keeping owner, group, mode and hard links.

    Kept for callers of this module; the one implementation is :func:`docagent.writes.write_atomic`
    (which raises OSError when the write fails; the file then keeps its old content).
    """
    write_atomic(path, data, mode=mode)


def _writable(real: str) -> str | None:
    """Why the file at ``real`` cannot be replaced atomically, or None when it can."""
    try:
        st = os.stat(real)
    except OSError as exc:
        return f"cannot stat: {exc.strerror or exc}"
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        return "the file is not writable"
    if not os.access(os.path.dirname(real) or ".", os.W_OK):
        return "its directory is not writable (needed for an atomic write)"
    return None


def apply_file_edits(
    root: Path,
    rel_path: str,
    edits: list[DocEdit],
    *,
    expected_file_sha: str | None = None,
    line_length: int = 88,
    dry_run: bool = False,
    facts_cache: KnownShas | None = None,
) -> FileEditResult:
    """Apply docstring ``edits`` to ``root/rel_path`` safely and return what happened.

    The file is read, checked against ``expected_file_sha`` (see :func:`file_sha`) when given,
    planned and verified with :func:`plan_file_edits`, and written atomically unless
    ``dry_run``. A missing, unreadable, unparseable, unwritable or changed file refuses every
    edit with the reason and is left untouched.

    With ``facts_cache`` (the facts cache, or fingerprints a session computed already:
    :class:`KnownShas`), the ``code_sha`` guard reads the fingerprints of the version read
    from its entry (found by the hash of the bytes read) when there is one, instead of parsing
    the file for them, and the facts cache's entry tells where each docstring is or goes,
    instead of a tree-sitter read of the file; the edit is verified the same way either way.
    """
    result = prepare_file_edits(
        root,
        rel_path,
        edits,
        expected_file_sha=expected_file_sha,
        line_length=line_length,
        dry_run=dry_run,
        facts_cache=facts_cache,
    )
    if dry_run or result.new_bytes is None:
        return result
    assert result.old_bytes is not None
    problem = _write_checked(result.real_path, result.old_bytes, result.new_bytes)
    if problem is not None:
        _not_written(result, problem)
    else:
        result.written = True
    return result


def prepare_file_edits(
    root: Path,
    rel_path: str,
    edits: list[DocEdit],
    *,
    expected_file_sha: str | None = None,
    line_length: int = 88,
    dry_run: bool = False,
    facts_cache: KnownShas | None = None,
) -> FileEditResult:
    """Everything :func:`apply_file_edits` does but the write: the result's ``applied`` and
    ``new_bytes`` say what would be written. Write it with :func:`write_prepared` (several
    files at once) unless ``dry_run``; without ``dry_run`` the file's folder is first cleared
    of what a killed writer left."""
    result = FileEditResult(path=rel_path)
    real = result.real_path = os.path.realpath(Path(root) / rel_path)
    data, reason = _read_checked(root, rel_path, real, expected_file_sha, dry_run)
    if data is None:
        return _refuse_all(result, edits, reason or "")
    facts = facts_cache.file_facts(rel_path, data) if facts_cache is not None else None
    tree = None
    if facts is None:
        try:
            # qualnames, docstrings and positions are all planning reads: the lighter extraction
            facts, tree = read_file_and_tree(
                str(Path(root) / rel_path), rel_path, data=data, body_facts="sectioned"
            )
        except SourceError as exc:
            return _refuse_all(result, edits, f"cannot parse: {exc}")
    known = facts_cache.code_shas(facts) if facts_cache is not None else None
    try:
        with no_gc():  # the trees of this file are freed by reference counting
            plan = plan_file_edits(
                facts, edits, line_length=line_length, tree=tree, known_shas=known
            )
    except (RecursionError, MemoryError):  # valid for tree-sitter, too deep for CPython's ast
        return _refuse_all(result, edits, f"{rel_path}: {TOO_DEEP}")
    result.skipped = plan.skipped
    result.refused = plan.refused
    result.error = plan.error
    result.dropped = {q: n for q, n in plan.dropped.items() if q in plan.applied}
    result.would_drop = dict(plan.would_drop)
    if plan.new_text is None:
        return result
    result.plan = plan
    result.old_bytes = data
    result.new_bytes = plan.new_bytes
    result.applied = list(plan.applied)
    return result


def write_prepared(results: list[FileEditResult]) -> None:
    """Write the new bytes of prepared files (:func:`prepare_file_edits`) as one group.

    Each file is checked as :func:`apply_file_edits` checks it (writable, still the bytes that
    were planned, also just before it is replaced) and replaced atomically; the group's syncs
    are done together (:func:`docagent.writes.write_atomic_many`): a kill or a power loss
    leaves each file with its old bytes or its new ones, and every file reported written is on
    disk when this returns. A file that cannot be written keeps its old bytes; its edits move
    to ``refused`` with the reason.
    """
    todo: list[FileEditResult] = []
    for r in results:
        if r.written or r.new_bytes is None or r.old_bytes is None:
            continue
        problem = _writable(r.real_path) or _changed(r.real_path, r.old_bytes)
        if problem is not None:
            _not_written(r, problem)
        else:
            todo.append(r)
    errors = write_atomic_many(
        [(r.real_path, r.new_bytes) for r in todo if r.new_bytes is not None],
        unchanged=lambda i: _changed(todo[i].real_path, todo[i].old_bytes or b"") is None,
    )
    for r, exc in zip(todo, errors, strict=True):
        if exc is None:
            r.written = True
        elif isinstance(exc, ChangedMeanwhile):
            _not_written(r, str(exc))
        else:
            _not_written(r, f"cannot write: {exc.strerror or exc}")


def _not_written(result: FileEditResult, problem: str) -> None:
    """Record that ``result``'s file was not written: its edits are refused with ``problem``."""
    result.plan = None
    result.new_bytes = None
    for q in result.applied:
        result.refused.append((q, f"{result.path}: {problem}"))
    result.applied = []
    result.error = problem


def _read_checked(
    root: Path, rel_path: str, real: str, expected_file_sha: str | None, dry_run: bool
) -> tuple[bytes | None, str | None]:
    """The bytes of the file to edit (``real``: its resolved path), or None and the reason
    every edit is refused (outside the repository, missing, unreadable, changed)."""
    if not Path(real).is_relative_to(os.path.realpath(root)):
        # a tracked symlink to a file elsewhere: the one place every write goes through says no
        return None, f"{rel_path}: resolves outside the repository"
    if not dry_run:  # finish or remove what a killed writer left next to the file
        recover_stale_temps(os.path.dirname(real))
    if not os.path.exists(real):
        return None, f"{rel_path}: file not found"
    try:
        with open(real, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return None, f"{rel_path}: cannot read: {exc.strerror or exc}"
    if expected_file_sha is not None and file_sha(data) != expected_file_sha:
        return None, f"{rel_path}: the file changed since its draft"
    return data, None


def _changed(real: str, data: bytes) -> str | None:
    """Why the file at ``real`` no longer holds ``data`` (changed, unreadable), or None."""
    try:
        with open(real, "rb") as fh:
            if fh.read() != data:
                return "the file changed while the edit was prepared"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return None


def _write_checked(real: str, data: bytes, new_bytes: bytes) -> str | None:
    """Write ``new_bytes`` over the file at ``real`` if it is writable and still ``data``;
    the problem when it was not written."""
    problem = _writable(real) or _changed(real, data)
    if problem is None:
        try:
            atomic_write(real, new_bytes)
        except OSError as exc:
            problem = f"cannot write: {exc.strerror or exc}"
    return problem


def restore_file(
    path: str | Path, old_bytes: bytes, *, expected_current: bytes | None = None
) -> None:
    """Undo an edit: atomically write ``old_bytes`` back to ``path`` and verify it.

    With ``expected_current`` (the ``new_bytes`` of the edit being undone), the restore is
    refused when the file changed since, so a later edit is never clobbered.

    Raises:
        RefusedEdit: the file changed since the edit, or cannot be written or verified.
    """
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise RefusedEdit(f"{path}: cannot read: {exc.strerror or exc}") from None
    if expected_current is not None and current != expected_current:
        raise RefusedEdit(f"{path}: the file changed since the edit; not restoring it")
    if current == old_bytes:
        return
    try:
        atomic_write(real, old_bytes)
        with open(real, "rb") as fh:
            check = fh.read()
    except OSError as exc:
        raise RefusedEdit(f"{path}: cannot restore: {exc.strerror or exc}") from None
    if check != old_bytes:  # pragma: no cover - a concurrent writer
        raise RefusedEdit(f"{path}: the restored bytes do not match")
