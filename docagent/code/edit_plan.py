"""Plan docstring edits on one file: check each edit's guards, splice, verify; write nothing."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from tree_sitter import Tree

from docagent.code.docstring_literal import docstring_text
from docagent.code.docstring_placement import splice_for
from docagent.code.docstrings import NO_DOCSTRING, docstring_sha, dropped_lines
from docagent.code.file_context import FileContext
from docagent.code.refusal import RefusedEdit
from docagent.code.splices import Splice, char_regions, overlapping, splice_all
from docagent.code.targets import FileFacts, Target
from docagent.code.udiff import unified_diff
from docagent.code.verification import proved, verify_edit


@dataclass(frozen=True)
class DocEdit:
    """Set the docstring of ``qualname`` to ``text``.

    Guards, each refusing the edit with a reason: ``code_sha`` — the target's code is unchanged
    since the draft; ``original_sha`` — its docstring is still the one the draft was made
    against (:func:`~docagent.code.docstrings.docstring_sha`; someone may have written one
    since); ``keep_existing`` — the edit removes no line of the current docstring (a person's
    words are replaced only after an explicit confirmation).
    """

    qualname: str
    text: str
    code_sha: str | None = None
    original_sha: str | None = None
    keep_existing: bool = False


@dataclass
class EditPlan:
    """The verified result of planning several docstring edits on one file.

    ``new_text`` is None when nothing is to be written (every edit skipped or refused).
    ``refused`` and ``skipped`` hold ``(qualname, reason)`` pairs; ``error`` is set when the whole
    file was refused (then every edit is in ``refused`` with that reason).
    """

    path: str
    encoding: str
    old_text: str
    new_text: str | None = None
    applied: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    #: qualname -> how many lines of its current docstring the edit removes (replacements only)
    dropped: dict[str, int] = field(default_factory=dict)
    #: qualname -> lines an edit refused for ``keep_existing`` would have removed
    would_drop: dict[str, int] = field(default_factory=dict)

    @property
    def new_bytes(self) -> bytes | None:
        """The new file bytes in the file's own encoding, or None when nothing changes."""
        if self.new_text is None:
            return None
        return self.new_text.encode(self.encoding)

    #: character ranges of the changes (old start, old end, new start, new end), for the diff
    regions: list[tuple[int, int, int, int]] | None = None

    def diff(self) -> str:
        """A unified diff (``a/PATH`` → ``b/PATH``) of the planned change; empty when none."""
        if self.new_text is None:
            return ""
        return unified_diff(self.path, self.old_text, self.new_text, self.regions)


def _close_names(qualname: str, facts: FileFacts) -> str:
    """`` (did you mean ...?)`` with the file's qualnames closest to ``qualname``, or ''."""
    names = [t.qualname for t in facts.targets]
    close = difflib.get_close_matches(qualname, names, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _would_drop(n: int) -> str:
    """The reason an edit that would remove ``n`` hand-written lines is refused."""
    lines = "line" if n == 1 else "lines"
    return (
        f"would remove {n} hand-written {lines} of the current docstring; "
        "a repair keeps them (replacing them needs a confirmation: A in review, --force in apply)"
    )


def plan_file_edits(
    facts: FileFacts,
    edits: list[DocEdit],
    line_length: int = 88,
    *,
    tree: Tree | None = None,
    known_shas: Mapping[str, str] | None = None,
) -> EditPlan:
    """Plan and verify ``edits`` on one file together; nothing is written.

    ``tree`` is the tree-sitter tree of ``facts.source`` when the caller has it (see
    :func:`~docagent.code.targets.read_file_and_tree`); otherwise the file is parsed again.
    ``known_shas`` are the code fingerprints of this file version by qualname when they were
    computed before (the facts cache's entry for its bytes): the ``code_sha`` guard then reads
    them instead of parsing the file (see :class:`~docagent.code.file_context.FileContext`).
    Without them, the guard is checked once the edit is proved, from the fingerprints of the
    edited file's parse, which the proof shows are this file's; when one does not hold there,
    the edits are planned again with every guard checked first, so the outcome and its reasons
    are the same either way.

    Each edit is refused with a reason when its qualname is unknown, its ``code_sha`` no longer
    matches the code, the same target gets two different texts, or no literal renders its text.
    An edit whose target already has exactly that docstring is skipped ("already applied").
    The remaining edits are spliced bottom-up and verified once (see :func:`verify_edit`); if
    that fails, each edit is verified alone, the failing ones are refused, and the rest are
    planned again.
    """
    plan = EditPlan(path=facts.path, encoding=facts.encoding, old_text=facts.text)
    try:
        ctx = FileContext(facts, tree, known_shas, defer=True)
        plan = _plan(plan, ctx, edits, line_length)
        if ctx.deferred and not ctx.deferred_hold():
            # a guard left for after the proof fails (or could not be checked from the edited
            # file): plan again, checking every guard first, for the same refusals as always
            plan = EditPlan(path=facts.path, encoding=facts.encoding, old_text=facts.text)
            plan = _plan(plan, FileContext(facts, ctx.tree, known_shas), edits, line_length)
        return plan
    except SyntaxError as exc:  # read by tree-sitter, rejected by Python (Python 2 code…)
        reason = (
            f"{facts.path}: Python cannot parse this file (line {exc.lineno}: {exc.msg}),"
            " so an edit of it cannot be verified"
        )
        plan = EditPlan(path=facts.path, encoding=facts.encoding, old_text=facts.text)
        plan.error = reason
        plan.refused = [(q, reason) for q in dict.fromkeys(e.qualname for e in edits)]
        return plan


def _plan(plan: EditPlan, ctx: FileContext, edits: list[DocEdit], line_length: int) -> EditPlan:
    """The steps of :func:`plan_file_edits` on ``plan``: screen, verify, record what applies."""
    splices, expected = _screen(plan, ctx, edits, line_length)
    for q in sorted(overlapping(list(splices.values()))):
        plan.refused.append((q, "overlaps another edit in the same file"))
        del splices[q]
        del expected[q]
    if not splices:
        return plan
    verified = _verify(plan, ctx, splices, expected)
    if verified is None:
        return plan
    splices, plan.new_text = verified
    plan.regions = char_regions(ctx.source, list(splices.values()))
    plan.applied = [e.qualname for e in edits if e.qualname in splices and e.qualname in expected]
    plan.applied = list(dict.fromkeys(plan.applied))
    return plan


def _screen(
    plan: EditPlan, ctx: FileContext, edits: list[DocEdit], line_length: int
) -> tuple[dict[str, Splice], dict[str, str]]:
    """Check every edit's guards (recording skips and refusals on ``plan``); the splices and
    expected docstrings of the edits that pass, by qualname."""
    texts: dict[str, str] = {}
    conflicts: set[str] = set()
    for e in edits:
        cleaned = docstring_text(e.text)
        if e.qualname in texts and texts[e.qualname] != cleaned:
            conflicts.add(e.qualname)
        texts.setdefault(e.qualname, cleaned)
    splices: dict[str, Splice] = {}
    expected: dict[str, str] = {}
    done: set[str] = set()
    for e in edits:
        q = e.qualname
        if q in done:
            if q not in conflicts:
                plan.skipped.append((q, "duplicate of an earlier edit of the same target"))
            continue
        done.add(q)
        if q in conflicts:
            plan.refused.append((q, "conflicting texts for the same target"))
            continue
        t = _guarded_target(plan, ctx, e, texts[q])
        if t is None:
            continue
        try:
            splices[q] = splice_for(ctx, t, texts[q], line_length)
        except RefusedEdit as exc:
            plan.refused.append((q, str(exc)))
            continue
        expected[q] = texts[q]
    return splices, expected


def _guarded_target(plan: EditPlan, ctx: FileContext, e: DocEdit, cleaned: str) -> Target | None:
    """The target of edit ``e`` when its guards pass; else None, with the edit recorded on
    ``plan`` as refused (unknown name, code or docstring changed, words lost) or skipped."""
    q = e.qualname
    facts = ctx.facts
    t = ctx.target(q)
    if t is None:
        plan.refused.append((q, f"no definition {q!r} in {facts.path}{_close_names(q, facts)}"))
        return None
    if e.code_sha is not None and not ctx.defer_code_sha(q, e.code_sha):
        current = ctx.code_sha(q)
        if current != e.code_sha:
            plan.refused.append(
                (
                    q,
                    f"the code of {q} changed since its draft (code_sha {e.code_sha} != "
                    f"{current}); draft it again",
                )
            )
            return None
    current_doc = t.docstring.text if t.docstring is not None else None
    if current_doc == cleaned:
        plan.skipped.append((q, "already applied"))
        return None
    if e.original_sha is not None and docstring_sha(current_doc) != e.original_sha:
        what = "was written" if e.original_sha == NO_DOCSTRING else "changed"
        plan.refused.append((q, f"the docstring of {q} {what} since its draft; draft it again"))
        return None
    lost = dropped_lines(current_doc, cleaned) if current_doc else []
    if lost and e.keep_existing:
        plan.refused.append((q, _would_drop(len(lost))))
        plan.would_drop[q] = len(lost)
        return None
    if lost:
        plan.dropped[q] = len(lost)
    return t


def _verify(
    plan: EditPlan, ctx: FileContext, splices: dict[str, Splice], expected: dict[str, str]
) -> tuple[dict[str, Splice], str] | None:
    """Verify the splices together; when that fails, each alone, refusing the failing ones and
    verifying the rest together again. The splices kept and the new text, or None (with the
    refusals and the error recorded on ``plan``) when nothing can be written."""
    new_text, reason = _attempt(ctx, splices, expected)
    if reason is not None and len(splices) > 1:
        good: dict[str, Splice] = {}
        for q, s in splices.items():
            _, alone = _attempt(ctx, {q: s}, expected)
            if alone is None:
                good[q] = s
            else:
                plan.refused.append((q, f"verification failed: {alone}"))
        if not good:
            plan.error = reason
            return None
        splices = good
        new_text, reason = _attempt(ctx, good, expected)
    if reason is not None or new_text is None:
        for q in splices:
            plan.refused.append((q, f"verification failed: {reason}"))
        plan.error = reason
        return None
    return splices, new_text


def _attempt(
    ctx: FileContext, chosen: dict[str, Splice], expected: dict[str, str]
) -> tuple[str | None, str | None]:
    """Apply ``chosen`` to the file's text and verify the result: ``(new_text, None)``, or
    ``(None, reason)`` when it is unsafe."""
    new_source = splice_all(ctx.source, list(chosen.values()))
    try:
        new_text = new_source.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - splices are whole UTF-8 strings
        return None, "the edit would produce invalid UTF-8"
    try:
        if proved(ctx, new_source, new_text, chosen, expected):
            return new_text, None
        old = ctx.stripped()
    except (SyntaxError, ValueError) as exc:
        return None, f"the file does not parse: {exc}"
    reason = verify_edit(ctx.facts, new_text, {q: expected[q] for q in chosen}, _old=old)
    return (None, reason) if reason else (new_text, None)
