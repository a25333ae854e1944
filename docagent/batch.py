"""The headless batch runner behind ``docagent batch``: draft, check, apply or propose, report.

:func:`run_batch` opens a :class:`~docagent.session.Session` in ``batch`` mode, finds the missing
and stale targets (callees first), prints a cost estimate, drafts with bounded concurrency
(a caller waits until the drafts of the callees it calls are done, so its context includes their
new docs), applies drafts that pass every hard check when asked (logged as decisions by the
``batch-policy`` reviewer), appends every draft to the proposals JSONL file as it is made, and
returns a JSON-ready summary.

Re-running is idempotent: a target whose code, prompt version, model and style are unchanged
reuses the draft an earlier batch run logged (also one cut short by ``kill -9``), so nothing is
drafted or paid for twice. ``--batch-api`` sends the requests as Anthropic Message Batches
(:mod:`docagent.batch_api`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from docagent import batch_rerun, draft_ahead
from docagent.code.astfacts import no_gc
from docagent.code.docstrings import docstring_sha
from docagent.decisions import standing_decision
from docagent.draft import pricing
from docagent.draft.caching import prefix_usage
from docagent.draft.context import estimate_tokens
from docagent.draft.models import Draft, Usage
from docagent.draft.providers import ProviderError
from docagent.draft.providers.registry import provider_names, provider_spec
from docagent.errors import DocagentError, WorkFailed
from docagent.runlock import run_lock
from docagent.session import (
    BATCH_REVIEWER,
    README_KIND,
    Outcome,
    Session,
    WorkItem,
    draft_from_record,
)
from docagent.store.redact import scrub_env, scrub_text, secret_env_values
from docagent.writes import is_stream, open_output

if TYPE_CHECKING:
    from docagent.proposals import Proposal
    from docagent.scan import ScanResult
    from docagent.store.records import LoggedDraft

REVIEWER = BATCH_REVIEWER
#: Output tokens assumed per draft in the estimate (a structured draft is ~150-350 tokens).
OUTPUT_TOKENS_ESTIMATE = 300
#: Reused drafts read from the log per query (in the order the run handles them).
READ_AHEAD = 256
#: Seconds between flushes of ``--out`` to disk (records are written at once; see ``_write``).
SYNC_INTERVAL = 1.0


@dataclass
class Estimate:
    """The cost estimate printed before a batch starts."""

    targets: int
    to_draft: int
    reused: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    model: str
    priced: bool
    batch_price: bool
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the estimate as a JSON-ready dict."""
        return {
            "targets": self.targets,
            "to_draft": self.to_draft,
            "reused": self.reused,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "model": self.model,
            "priced": self.priced,
            "batch_price": self.batch_price,
            "cache_write_tokens": self.cache_write_tokens,
            "cache_read_tokens": self.cache_read_tokens,
        }

    def line(self) -> str:
        """One human-readable line for stderr."""
        from docagent.draft.providers.offline import OFFLINE_MODEL

        if self.priced:
            batch_price = " at the Message Batches price" if self.batch_price else ""
            price = f"~${self.cost_usd:.4f}{batch_price}"
        elif self.model == OFFLINE_MODEL:
            price = "$0 (the offline drafter calls no model; tokens: what a model would read)"
        else:
            price = f"$0 ({self.model} is not in the price table)"
        reused = f", {self.reused} reused from earlier runs" if self.reused else ""
        cached = (
            f" (+ ~{self.cache_write_tokens:,} written to and ~{self.cache_read_tokens:,} read"
            " from the prompt cache)"
            if self.cache_write_tokens or self.cache_read_tokens
            else ""
        )
        return (
            f"estimate: {self.to_draft} of {self.targets} targets to draft{reused}; "
            f"~{self.input_tokens:,} input{cached} + ~{self.output_tokens:,} output tokens; "
            f"{price}"
        )


@dataclass
class _Stats:
    drafted: int = 0
    reused: int = 0
    applied: int = 0
    proposed: int = 0
    checks_failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    not_drafted: list[dict[str, str]] = field(default_factory=list)
    stopped: str = ""
    done: int = 0


class _Resume:
    """Drafts logged by earlier batch runs, found by (path, qualname, code, prompt, model, style).

    This is looser than the session's cache key (which also hashes the context pack): a target
    whose code is unchanged is not paid for again just because a callee's docs or the team's
    examples changed in between (for instance because the run that drafted it was killed).
    """

    def __init__(self, session: Session):
        """Index the error-free drafts of earlier batch runs of this provider and model.

        Only their identities are read; a draft itself is loaded when a target reuses it.
        """
        provider = session.provider
        self.session = session
        #: key -> (draft id, sha of the docstring it was drafted against, decided)
        self.index: dict[tuple[str, ...], tuple[str, str, bool]] = {}
        rows = session.store.run_draft_keys("batch", provider.name, provider.model)
        for draft_id, path, qualname, code_sha, prompt, style, original, decided in rows:
            # drafts come oldest first: the newest wins
            key = (path, qualname, code_sha, prompt, style)
            self.index[key] = (draft_id, docstring_sha(original), decided)
        del rows
        #: what :meth:`find` answered per item (the draft's id, or None), kept for :meth:`take`
        self._found: dict[tuple[str, str], str | None] = {}
        #: the ids :meth:`reusable` chose, in its order (the order reused items are handled),
        #: and the drafts read ahead of :meth:`take` (:data:`READ_AHEAD` per query)
        self._queue: list[str] = []
        self._next = 0
        self._ahead: dict[str, LoggedDraft] = {}

    def find(self, item: WorkItem) -> Draft | None:
        """Return a reusable earlier draft for ``item`` (never one a person rejected).

        README sections are found by their exact cache key, which includes a hash of the
        project facts (:meth:`Session.readme_cache_key`): a draft made before the project
        gained a command or an option is not reused. The answer is kept for :meth:`take`.
        """
        if item.kind == README_KIND:
            return self.session.cached_readme_draft(item)
        draft_id = self._found[item.key] = self._find_id(item)
        return self._load(draft_id) if draft_id is not None else None

    def reusable(self, item: WorkItem) -> bool:
        """Whether ``item`` reuses an earlier draft; the answer is kept for :meth:`take`.

        Decided from the index and the target's fingerprints alone: no draft is read.
        """
        if item.kind == README_KIND:
            return self.session.cached_readme_draft(item) is not None
        if item.key not in self._found:
            draft_id = self._found[item.key] = self._find_id(item)
            if draft_id is not None:
                self._queue.append(draft_id)
        return self._found[item.key] is not None

    def take(self, item: WorkItem) -> Draft | None:
        """The draft :meth:`reusable` or :meth:`find` chose for ``item`` (used once), else
        :meth:`find` anew.

        Only the answer's draft id is kept in between (memory does not grow with the drafts
        found); the draft is read from the log here, once.
        """
        if item.kind == README_KIND or item.key not in self._found:
            return self.find(item)
        draft_id = self._found.pop(item.key)
        if draft_id is None:
            return None
        if draft_id not in self._ahead and self._next < len(self._queue):
            ids = self._queue[self._next : self._next + READ_AHEAD]
            self._next += len(ids)
            self._ahead = self.session.store.drafts_by_id(
                ids, with_source=False, with_context=False
            )
        row = self._ahead.pop(draft_id, None)
        if row is None:  # taken out of order (dependency waves)
            return self._load(draft_id)
        draft = draft_from_record(row)
        draft.cached = True
        return draft

    def drafts(self, item: WorkItem) -> bool:
        """Whether :meth:`reusable` found no earlier draft for ``item`` (so the run drafts it);
        False for an item it has not been asked about."""
        return item.kind != README_KIND and item.key in self._found and not self._found[item.key]

    def _find_id(self, item: WorkItem) -> str | None:
        """The id of the earlier draft ``item`` may reuse, or None."""
        session = self.session
        found = session.reuse_facts(item)
        if found is None or not session.prompt_version:
            return None
        code_sha, current = found
        key = (item.path, item.qualname, code_sha, session.prompt_version, session.style)
        indexed = self.index.get(key)
        if indexed is None or not code_sha:
            return None
        draft_id, original_sha, decided = indexed
        if original_sha != current:
            return None  # drafted against a docstring that has changed since
        if decided:  # only a draft someone decided on has a history to read
            standing = standing_decision(session.store.history(draft_id))
            if standing is not None and standing.decision == "reject":
                return None
        return draft_id

    def _load(self, draft_id: str) -> Draft | None:
        row = self.session.store.draft(draft_id, with_source=False)
        if row is None:
            return None
        draft = draft_from_record(row)
        draft.cached = True
        return draft


def _caches_prompts(session: Session) -> bool:
    """True when the session's provider caches prompt prefixes (its spec says so)."""
    spec = provider_spec(session.provider.name)
    return bool(spec and spec.prompt_caching)


def _no_batch_api(name: str) -> str:
    """The one-line refusal of ``--batch-api`` with a provider that has no batch API."""
    able = [s for s in map(provider_spec, provider_names()) if s and s.batch_api]
    how = " or ".join(
        f"set {s.auto_env} or pass --provider {s.name}" if s.auto_env else f"--provider {s.name}"
        for s in able
    )
    names = " or ".join(s.name for s in able)
    return f"--batch-api needs the {names} provider (the provider is {name}; {how})"


def _default_concurrency(session: Session) -> int:
    configured = int(session.settings.concurrency or 0)
    if configured > 0:
        return configured
    spec = provider_spec(session.provider.name)
    return spec.default_concurrency if spec else 4


def estimate(session: Session, items: list[WorkItem], resume: _Resume | None = None) -> Estimate:
    """Estimate tokens and dollars for drafting ``items`` (one attempt each).

    Input tokens are the prompt (system, style guide, team examples, file-level context,
    context pack) estimated at four characters per token; output is
    :data:`OUTPUT_TOKENS_ESTIMATE` per draft. With the anthropic provider, prompt caching is
    accounted for as the requests will be sent: a file's first request writes its prefix to the
    cache and the later ones read it, when the prefix reaches the model's minimum cacheable
    length (:func:`docagent.draft.caching.prefix_usage`).
    """
    model = session.provider.model
    caches = _caches_prompts(session)
    usage = Usage()
    seen: set[str] = set()
    to_draft = reused = 0
    for item in items:
        if resume is not None and resume.reusable(item):
            reused += 1
            continue
        if item.kind == README_KIND:
            usage = usage + Usage(_readme_prompt_tokens(session, item))
            to_draft += 1
            continue
        found = session.target(item)
        if found is None:
            continue
        facts, target = found
        to_draft += 1
        try:
            prompt = session.ensure_drafter().prompt(facts, target)
        except Exception:  # drafting reports this target's failure; estimate on
            continue
        if not caches:
            usage = usage + Usage(estimate_tokens(prompt.text))
            continue
        blocks = [p for p in (prompt.system, prompt.examples, prompt.file_context) if p]
        prefix = sum(estimate_tokens(b) for b in blocks)
        usage = usage + prefix_usage(
            model, prefix, estimate_tokens(prompt.user), first=prompt.prefix not in seen
        )
        seen.add(prompt.prefix)
    tokens_out = to_draft * OUTPUT_TOKENS_ESTIMATE
    usage = usage + Usage(output_tokens=tokens_out)
    extra = pricing.parse_prices(getattr(session.settings, "prices", None) or {})
    priced = pricing.price_for(model, extra) is not None
    dollars = pricing.cost(model, usage, batch=session.batch_pricing, extra=extra)
    return Estimate(
        targets=len(items),
        to_draft=to_draft,
        reused=reused,
        input_tokens=usage.input_tokens,
        output_tokens=tokens_out,
        cost_usd=dollars,
        model=model,
        priced=priced,
        batch_price=session.batch_pricing,
        cache_write_tokens=usage.cache_write_tokens,
        cache_read_tokens=usage.cache_read_tokens,
    )


def _readme_prompt_tokens(session: Session, item: WorkItem) -> int:
    """Estimated input tokens of the prompt that drafts one README section."""
    from docagent.readme.draft import build_prompt as readme_prompt

    target = session.readme_target(item)
    facts = session.readme_facts
    if target is None or facts is None:
        return 0
    system, user = readme_prompt(target, facts)
    return estimate_tokens(system + user)


def _proposal(draft: Draft, status: str, env: tuple[str, ...] | None = None) -> Proposal:
    """The ``--out`` record of ``draft`` with ``status``, as logged: no credential (a reused
    draft's text was scrubbed when it was logged). ``env``: the key environment variables'
    values (:func:`~docagent.store.redact.secret_env_values`), when the caller read them."""
    from docagent.proposals import Proposal

    record = draft.to_proposal()
    record["status"] = status
    text = record.get("text") or ""
    record["text"] = scrub_env(text, env) if draft.cached else scrub_text(text, env)
    return Proposal.from_record(record)


def _kept_records(text: str, keys: set[tuple[str, str]]) -> bytes:
    """The records of an ``--out`` file's ``text`` whose targets (``keys``) are not in this run,
    as this run writes them (unreadable lines are dropped)."""
    from docagent.proposals import Proposal

    kept: list[Proposal] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if isinstance(raw, dict) and (raw.get("path"), raw.get("qualname")) in keys:
                continue  # this run writes the target's record again
            p = Proposal.from_dict(raw, line=number)
        except (ValueError, RecursionError):
            continue
        if (p.path, p.qualname) not in keys:
            kept.append(p)
    return "".join(p.to_json() + "\n" for p in kept).encode("utf-8")


def _read_out(out: Path) -> str:
    try:
        return out.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocagentError(f"--out {out}: cannot read the existing file: {exc}") from None


def _prepare_out(out: Path, items: list[WorkItem]) -> bytes:
    """Keep the records of an existing ``out`` file whose targets are not in this run.

    Records of this run's targets are dropped (they are written again as they are drafted or
    reused); unreadable lines are dropped. Returns the kept records' bytes (the file's start).
    """
    from docagent.writes import write_atomic

    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"")
        return b""
    kept = _kept_records(_read_out(out), {item.key for item in items})
    write_atomic(out, kept)
    return kept


def _fixed_point(out: Path | None, items: list[WorkItem], kept: bytes) -> str | None:
    """The hash of ``out`` when the next run on the same inputs writes it unchanged, else None.

    Called after a run that reused every target: the next one writes the same records of its
    targets after the records it keeps, so ``out`` is a fixed point when keeping the records of
    ``out`` as it is now gives the bytes this run kept (checked, not assumed).
    """
    from docagent.batch_rerun import file_digest

    if out is None:
        return None
    try:
        data = out.read_bytes()
    except OSError:
        return None
    if not data.startswith(kept):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _kept_records(text, {item.key for item in items}) != kept:
        return None
    return file_digest(out)


def _file_order(session: Session, scanned: ScanResult) -> list[WorkItem]:
    """The work items of the scanned files in file order (path, then source order), as a
    re-run lists them: the order of ``--out``'s records when a run ends."""
    return [i for rel in session._files for i in session.scanned_items(scanned, rel)]


def _put_in_file_order(out: Path, kept: bytes, order: list[tuple[str, str]]) -> None:
    """Rewrite ``out`` with this run's records (after the ``kept`` ones) in file order
    (``order``; records of other targets, such as README sections, after them as written).

    The records were appended as their targets were handled (a ``kill -9`` keeps each of
    them); this replaces the file at once with the same lines in another order, atomically
    and synced (:func:`~docagent.writes.write_atomic`), so a kill leaves one order or the
    other, never a mix. Nothing is written when the lines are in file order already, or when
    the file is not as the run wrote it (its kept start changed, a line is cut short).
    """
    from docagent.writes import write_atomic

    try:
        data = out.read_bytes()
    except OSError:
        return
    if not data.startswith(kept) or not data.endswith(b"\n") or len(data) == len(kept):
        return
    lines = data[len(kept) : -1].split(b"\n")
    rank = {key: n for n, key in enumerate(order)}
    last = len(rank)
    places: list[int] = []
    for line in lines:
        try:
            raw = json.loads(line)
            places.append(rank.get((raw["path"], raw["qualname"]), last))
        except (ValueError, KeyError, TypeError, RecursionError):
            places.append(last)
    moved = sorted(range(len(lines)), key=places.__getitem__)  # stable: ties stay as written
    if moved == list(range(len(lines))):
        return
    try:
        write_atomic(out, kept + b"".join(lines[n] + b"\n" for n in moved))
    except OSError:
        return  # the records stay as written: complete, in the order they were handled


def _settled(
    session: Session,
    listed: list[WorkItem],
    items: list[WorkItem],
    out: Path,
    kept: bytes,
) -> str | None:
    """After a run that drafted (and wrote ``out`` in file order): the hash of ``out`` when
    the next run on the same inputs would reuse every target and write ``out`` as it is;
    else None.

    Checked, not assumed: the next run's items (from the scan, as a re-run lists them:
    ``listed``) are this run's; its reuse lookup (a new :class:`_Resume` on the log as it is
    now) finds for each target the draft whose record this run wrote; that record, rebuilt
    from the logged draft as a reuse writes it, is the line this run wrote, byte for byte, in
    the same place; and the records it keeps are this run's ``kept``.
    """
    order = [i.key for i in listed]
    if sorted(order) != sorted(i.key for i in items) or len(set(order)) != len(order):
        return None
    try:
        data = out.read_bytes()
    except OSError:
        return None
    if not data.startswith(kept) or not data.endswith(b"\n"):
        return None
    lines = data[len(kept) : -1].split(b"\n")
    if len(lines) != len(order):
        return None
    at: dict[tuple[str, str], str] = {}
    for key, line in zip(order, lines, strict=True):
        # the id this line names (the line itself is checked below: it must be, byte for
        # byte, the record of that draft, which names this target): a key of this form is
        # only ever the record's own, since every quote inside a JSON string is escaped
        start = line.rfind(b'"draft_id": "')
        end = line.find(b'"', start + 13)
        if start < 0 or end < 0:
            return None
        at[key] = line[start + 13 : end].decode("utf-8", "replace")
    env = secret_env_values()  # read once for every record
    resume = _Resume(session)
    if any(resume._find_id(i) != at[i.key] for i in listed):
        return None
    for start in range(0, len(listed), READ_AHEAD):
        chunk = order[start : start + READ_AHEAD]
        rows = session.store.drafts_by_id(
            [at[key] for key in chunk],
            with_source=False,
            with_context=False,
            with_structured=False,  # not in a record
        )
        for n, key in enumerate(chunk, start=start):
            row = rows.get(at[key])
            if row is None:
                return None
            draft = draft_from_record(row)
            draft.cached = True
            if _proposal(draft, "proposed", env).to_json().encode() != lines[n]:
                return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # the lines after ``kept`` are this run's records (checked above): only the kept ones
    # are read again
    if _kept_records(kept.decode("utf-8"), set(at)) != kept:
        return None
    return batch_rerun.bytes_digest(data)


def _reused_summary(summary: dict[str, Any], items: list[WorkItem]) -> dict[str, Any]:
    """The summary of a run that reuses every item of a run that drafted (``summary``, which
    failed on no target): nothing drafted, paid for or estimated to cost."""
    estimate = dict(summary["estimate"])
    estimate.update(
        to_draft=0,
        reused=len(items),
        input_tokens=0,
        output_tokens=0,
        cost_usd=0.0,
        cache_write_tokens=0,
        cache_read_tokens=0,
    )
    return {
        **summary,
        "estimate": estimate,
        "drafted": 0,
        "reused": len(items),
        "tokens": {"input": 0, "output": 0},
        "cost_usd": 0.0,
    }


def _order(session: Session, items: list[WorkItem], resume: _Resume) -> list[WorkItem]:
    """The run's order: the items that reuse an earlier draft first, in file order, then the
    items to draft, callees first (docs/batch.md).

    Only the items drafted are ordered: a re-run with little or nothing to draft does not
    resolve the calls of every target. Reused items are handled before any draft, so a caller
    drafted later still sees its reused callees' docstrings.
    """
    reused: list[WorkItem] = []
    fresh: list[WorkItem] = []
    for item in items:
        (reused if resume.reusable(item) else fresh).append(item)
    if not fresh:
        return reused
    session.ensure_drafter()
    return reused + session.order(fresh)


def _dependencies(
    session: Session, items: list[WorkItem], resume: _Resume | None = None
) -> list[list[int]]:
    """For each item, the indexes of earlier items it calls (callees are ordered first).

    With ``resume``, an item that reuses an earlier draft waits for nothing (its calls are not
    resolved).
    """
    pos = {item.key: i for i, item in enumerate(items)}
    deps: list[list[int]] = []
    for i, item in enumerate(items):
        reused = resume is not None and resume.reusable(item)
        found = None if reused else session.target(item)
        out: list[int] = []
        if found is not None:
            facts, target = found
            session.ensure_drafter()
            assert session.symbols is not None
            for s in session.symbols.callees(facts, target):
                j = pos.get((s.path, s.qualname))
                if j is not None and j < i and j not in out:
                    out.append(j)
        deps.append(out)
    return deps


def _waves(deps: list[list[int]]) -> list[list[int]]:
    """Group item indexes into waves: an item's wave comes after the waves of all it calls."""
    level: list[int] = []
    for ds in deps:  # dependencies point to earlier items only
        level.append(1 + max((level[j] for j in ds), default=-1))
    waves: list[list[int]] = [[] for _ in range(max(level, default=-1) + 1)]
    for i, lv in enumerate(level):
        waves[lv].append(i)
    return waves


def _same_draft(draft: Draft, made: Draft | None) -> bool:
    """Whether callers drafted after ``draft`` see what they see after ``made`` (the same
    text, fed back or not alike)."""
    return made is not None and (draft.text, draft.ok) == (made.text, made.ok)


def _first_of_file(items: list[WorkItem]) -> list[int]:
    """For each item, the index of the first item of its file."""
    first: dict[str, int] = {}
    return [first.setdefault(item.path, i) for i, item in enumerate(items)]


class _Progress:
    """A rich progress bar on stderr: done/total, rate and cost so far (no-op when disabled)."""

    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled and total > 0
        self.started = time.perf_counter()
        self._progress: Any = None
        self._task: Any = None
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TextColumn("{task.fields[cost]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self._task = self._progress.add_task("drafting", total=total, rate="", cost="$0.0000")
            self._progress.start()

    def update(self, done: int, cost: float, description: str | None = None) -> None:
        if not self.enabled:
            return
        elapsed = max(1e-6, time.perf_counter() - self.started)
        fields: dict[str, Any] = {"rate": f"{done / elapsed:.1f}/s", "cost": f"${cost:.4f}"}
        if description:
            fields["description"] = description
        self._progress.update(self._task, completed=done, **fields)

    def stop(self) -> None:
        if self.enabled:
            self._progress.stop()


def _note(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


async def run_batch_async(
    path: str | Path = ".",
    *,
    since: str | None = None,
    changed_lines: bool = False,
    out: str | Path | None = None,
    apply: bool = False,
    provider: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    concurrency: int | None = None,
    max_cost: float | None = None,
    estimate_only: bool = False,
    batch_api: bool = False,
    readme: bool = False,
    progress: bool = True,
    quiet: bool = False,
    poll_interval: float | None = None,
    on_draft: Callable[[WorkItem, Draft], None] | None = None,
) -> dict[str, Any]:
    """Run a batch over the repository containing ``path`` and return the summary dict.

    Messages (the provider notice, the estimate, a max-cost stop) go to stderr unless
    ``quiet``; ``progress`` shows a rich progress bar on stderr. ``on_draft`` is called after
    each draft is handled (tests and embedding tools use it).

    Raises:
        DocagentError: bad input (no repository, ``--batch-api`` without the anthropic
            provider, an unreadable ``--out`` file, README sections not available), or
            :class:`~docagent.runlock.RunLocked` when another run holds the repository's
            run lock.
    """
    started = time.perf_counter()
    if concurrency is not None and concurrency < 1:
        raise DocagentError(f"--concurrency must be at least 1, got {concurrency}")
    if max_cost is not None and max_cost < 0:
        raise DocagentError(f"--max-cost must not be negative, got {max_cost}")
    flags: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "openai_base_url": base_url,
        "concurrency": concurrency,
    }
    if max_cost is not None:
        flags["max_cost"] = float(max_cost)
    session = Session(
        path,
        mode="batch",
        flags=flags,
        since=since,
        changed_lines=changed_lines,
        batch_pricing=batch_api,
    )
    held = contextlib.ExitStack()
    try:
        if not estimate_only:  # one paying run per repository (docs/batch.md)
            lock = held.enter_context(run_lock(session.root))
            if lock.stale_pid:
                _note(
                    f"took over the run lock of pid {lock.stale_pid}, which ended without "
                    "releasing it (killed?)",
                    quiet,
                )
        spec = provider_spec(session.provider.name)
        if batch_api and not (spec and spec.batch_api):
            raise DocagentError(_no_batch_api(session.provider.name))
        if float(session.settings.max_cost or 0.0) > 0:
            pricing.require_price(
                session.provider.model,
                session.provider.name,
                str(getattr(session.provider, "base_url", "") or ""),
                pricing.parse_prices(session.settings.prices),
            )
        _note(session.notice, quiet)
        if not estimate_only:
            await preflight(session.provider)
        # The files' facts and trees live until the run ends: the garbage collector need not
        # go through them while they are built, nor on every full pass after (thawed when the
        # run ends).
        out_path = Path(out) if out else None
        stream = out_path is not None and is_stream(out_path)
        rerun = batch_rerun.eligible(
            apply=apply,
            readme=readme,
            batch_api=batch_api,
            since=since,
            estimate_only=estimate_only,
            stream=stream,
        )
        inputs = mark = ""
        with no_gc():
            scanned = session.scan_work()
            if rerun:  # a re-run that can show nothing changed (docagent/batch_rerun.py)
                inputs = batch_rerun.inputs_digest(session, scanned, out_path)
                known = batch_rerun.load(session.root, inputs, batch_rerun.file_digest(out_path))
                if known is not None:
                    return _known_result(session, known.summary, started, quiet)
                batch_rerun.forget(session.root)
                mark = session.store.log_mark()
            items = session.prepare(order=False, lazy=True, scanned=scanned)
            gc.freeze()
        held.callback(gc.unfreeze)
        sections = session.prepare_readme() if readme else []
        for notice in session.notices:
            _note(notice, quiet)
        resume = _Resume(session)
        items = _order(session, items, resume)
        session.items = [*items, *(i for i in session.items if i.kind == README_KIND)]
        est = estimate(session, items + sections, resume)
        gc.freeze()  # and the call graph and context packs the estimate built
        _note(est.line(), quiet)
        summary = _summary_base(session, items, est)
        if estimate_only:
            summary["estimate_only"] = True
            summary["duration_s"] = round(time.perf_counter() - started, 3)
            session.close(estimate_only=True, targets=len(items))
            return summary
        limit = float(session.settings.max_cost or 0.0)
        kept = b""
        if out_path is not None and stream:
            # "-", a device or a FIFO: one stream for the run, nothing to keep or replace
            sink: IO[str] | Path | None = held.enter_context(open_output(out_path))
        elif out_path is not None:
            kept = _prepare_out(out_path, items + sections)
            sink = out_path
        else:
            sink = None
        stats = _Stats()
        runner = _Runner(
            session,
            items,
            resume=resume,
            out=sink,
            apply=apply,
            concurrency=_default_concurrency(session),
            max_cost=limit,
            progress=_Progress(progress and not quiet, len(items)),
            stats=stats,
            on_draft=on_draft,
        )
        batch_ids: list[str] = []
        if batch_api:
            from docagent.batch_api import MessageBatchProvider

            wrapper = MessageBatchProvider(
                session.provider,
                state_dir=session.root / ".docagent",
                poll_interval=poll_interval,
                on_status=(lambda msg: runner.progress.update(stats.done, runner.cost, msg)),
            )
            session.ensure_drafter().provider = wrapper
            runner.on_item_done = wrapper.item_done
            runner.ordered = False
            try:
                # dependency waves: callees are drafted (and their docs recorded) in an earlier
                # Message Batch than their callers, as in the callees-first order of the API path
                for wave in _waves(_dependencies(session, items, resume)):
                    runner.items = [items[i] for i in wave]
                    wrapper.expect(len(runner.items))
                    runner.concurrency = max(len(runner.items), 1)
                    await runner.run(stop=False)
            finally:
                runner.progress.stop()
                batch_ids = wrapper.batch_ids
        else:
            await runner.run()
        if readme:
            await _readme_sections(runner, sections)
            runner.sync()
            summary["targets"] += len(sections)
            summary["readme_sections"] = len(sections)
        if stats.stopped:
            _note(stats.stopped, quiet)
        listed: list[WorkItem] = []
        if out_path is not None and not stream:
            # records were appended as handled (a kill keeps each); the run leaves file order
            listed = _file_order(session, scanned)
            _put_in_file_order(out_path, kept, [i.key for i in listed])
        # every target handled, none failed: the next run on the same inputs can be foreseen
        clean = bool(inputs) and not (
            stats.failures or stats.not_drafted or stats.stopped or session.log_failure
        )
        again = clean and stats.drafted == 0 and stats.reused == len(items)
        settle = clean and stats.drafted > 0 and stats.drafted + stats.reused == len(items)
        for err_path, message in session.errors:
            stats.failures.append({"path": err_path, "qualname": "", "reason": message})
        summary.update(
            {
                "drafted": stats.drafted,
                "reused": stats.reused,
                "applied": stats.applied,
                "proposed": stats.proposed,
                "checks_failed": stats.checks_failed,
                "failed": len(stats.failures),
                "failures": stats.failures,
                "not_drafted": len(stats.not_drafted),
                "stopped": stats.stopped or None,
                "tokens": {
                    "input": session.totals["input_tokens"],
                    "output": session.totals["output_tokens"],
                },
                "cost_usd": round(session.totals["cost_usd"], 6),
                "out": str(out_path) if out_path else None,
                "changed_files": session.changed_paths(),
            }
        )
        if batch_ids:
            summary["batch_ids"] = batch_ids
        summary["duration_s"] = round(time.perf_counter() - started, 3)
        logged = {k: v for k, v in summary.items() if k not in ("failures", "estimate", "run_id")}
        result = {k: v for k, v in summary.items() if k not in ("run_id", "duration_s")}
        if again and session.store.log_mark() == mark:
            out_sha = _fixed_point(out_path, items, kept) if out_path is not None else None
            if out_sha is not None or out_path is None:
                batch_rerun.save(session.root, inputs, out_sha, result)
        elif settle and out_path is not None and not stream:
            # the next run reuses every draft this one made, and writes --out as it stands
            out_sha = _settled(session, listed, items, out_path, kept)
            if out_sha is not None:
                batch_rerun.save(
                    session.root,
                    batch_rerun.inputs_digest(session, scanned, out_path),  # the log grew
                    out_sha,
                    _reused_summary(result, items),
                )
        # no file changed: the coverage after is the coverage before (no second scan)
        session.close(unchanged=not session.changed_paths(), **logged)
        summary["coverage"] = {
            "before": session.coverage_before,
            "after": getattr(session, "coverage_after", None),
        }
        return summary
    finally:
        with contextlib.suppress(Exception):  # closing a client must not hide the result
            await session.provider.aclose()
        session.store.close()
        held.close()


def _known_result(
    session: Session, known: dict[str, Any], started: float, quiet: bool
) -> dict[str, Any]:
    """Finish a re-run whose inputs are the last run's (:mod:`docagent.batch_rerun`): log the
    run and return the summary that run had, without handling any target (``--out`` already
    holds exactly the records the run writes)."""
    session.start_run()
    _note(Estimate(**known["estimate"]).line(), quiet)
    summary = {"run_id": session.run_id, **known}
    summary["duration_s"] = round(time.perf_counter() - started, 3)
    logged = {k: v for k, v in summary.items() if k not in ("failures", "estimate", "run_id")}
    session.close(unchanged=True, **logged)
    summary["coverage"] = {"before": session.coverage_before, "after": session.coverage_after}
    return summary


async def _readme_sections(runner: _Runner, items: list[WorkItem]) -> None:
    """Draft (and with ``--apply``, apply) the README sections found by ``prepare_readme``.

    The session does the work (``draft``, ``accept``); the runner handles each section like a
    docstring target, one at a time, after the docstrings. They go through the Messages API
    also with ``--batch-api`` (a README has few sections).
    """
    sem = asyncio.Semaphore(1)
    for item in items:
        try:
            await runner.handle(item, sem)
        except Exception as exc:  # one section's failure never stops the run
            runner._fail(item, f"internal error: {type(exc).__name__}: {exc}")


async def preflight(provider: Any) -> None:
    """Check the provider once before any target (servers that can be down or lack the model).

    Raises:
        WorkFailed: The provider's check failed; the message is the server's own answer.
    """
    check = getattr(provider, "preflight", None)
    if check is None:
        return
    try:
        await check()
    except ProviderError as exc:
        raise WorkFailed(f"{exc} (checked before drafting; nothing was drafted)") from None


def _summary_base(session: Session, items: list[WorkItem], est: Estimate) -> dict[str, Any]:
    return {
        "run_id": session.run_id,
        "provider": session.provider.name,
        "model": session.provider.model,
        "notice": session.notice,
        "targets": len(items),
        "estimate": est.to_dict(),
    }


class _Runner:
    """Drafts work items with a concurrency bound, callees before their callers."""

    def __init__(
        self,
        session: Session,
        items: list[WorkItem],
        *,
        resume: _Resume,
        out: Path | IO[str] | None,
        apply: bool,
        concurrency: int,
        max_cost: float,
        progress: _Progress,
        stats: _Stats,
        on_draft: Callable[[WorkItem, Draft], None] | None,
    ):
        self.session = session
        self.items = items
        self.resume = resume
        self.out = out
        self.apply = apply
        self.concurrency = max(1, concurrency)
        self.max_cost = max_cost
        self.progress = progress
        self.stats = stats
        self.on_draft = on_draft
        self.ordered = True
        self.on_item_done: Callable[[], None] | None = None
        self._unsynced = False
        self._synced_at = time.monotonic()
        #: accepted drafts waiting for the rest of their file (``--apply``), by path
        self._pending: dict[str, list[tuple[WorkItem, Draft]]] = {}
        #: items of each file not handled yet in this :meth:`run`
        self._left: dict[str, int] = {}
        #: the worker drafting ahead (offline), once started (:meth:`_fresh`)
        self._ahead: draft_ahead.DraftAhead | None = None
        #: whether :meth:`_fresh` may still start one (once per run)
        self._may_fork = False

    @property
    def cost(self) -> float:
        """Dollars spent so far in this run."""
        return float(self.session.totals["cost_usd"])

    async def run(self, stop: bool = True) -> None:
        """Draft every item; callers start after the items they call are handled.

        ``stop=False`` keeps the progress bar running (for the next dependency wave).

        With prompt caching (the anthropic provider), the first target of a file goes alone and
        the file's other targets start once it is done, so they read the prefix it cached.
        """
        self._may_fork = self.ordered and not self.apply
        deps = _dependencies(self.session, self.items, self.resume) if self.ordered else []
        warm = _first_of_file(self.items) if self.ordered and _caches_prompts(self.session) else []
        sem = asyncio.Semaphore(self.concurrency)
        done = [asyncio.Event() for _ in self.items]
        self._left = {}
        for item in self.items:
            self._left[item.path] = self._left.get(item.path, 0) + 1

        async def one(i: int, item: WorkItem) -> None:
            try:
                for j in deps[i] if deps else ():
                    await done[j].wait()
                if warm and warm[i] != i:
                    await done[warm[i]].wait()
                await self.handle(item, sem)
            except Exception as exc:  # one target's failure never stops the run
                self._fail(item, f"internal error: {type(exc).__name__}: {exc}")
            finally:
                self._left[item.path] -= 1
                if not self._left[item.path]:
                    self._flush(item.path)  # the file's last item: write its accepts at once
                done[i].set()
                self.stats.done += 1
                if self.on_item_done is not None:
                    self.on_item_done()
                self.progress.update(self.stats.done, self.cost)

        try:
            await asyncio.gather(*(one(i, item) for i, item in enumerate(self.items)))
        finally:
            self._may_fork = False
            if self._ahead is not None:
                self._ahead.close()
                self._ahead = None
            for path in list(self._pending):
                self._flush(path)
            if stop:
                self.progress.stop()
            self.sync()

    def _over_budget(self) -> bool:
        return self.max_cost > 0 and self.cost >= self.max_cost

    async def handle(self, item: WorkItem, sem: asyncio.Semaphore) -> None:
        """Reuse or draft ``item`` (within the cost limit), then apply or propose it."""
        draft = self.resume.take(item)
        if draft is None:
            async with sem:
                if self._over_budget():
                    self._stop(item)
                    return
                draft = await self._fresh(item)
        if draft.cached:
            self.stats.reused += 1
        elif draft.error_kind != "gone":
            self.stats.drafted += 1
        self._decide(item, draft)
        if self.on_draft is not None:
            self.on_draft(item, draft)

    async def _fresh(self, item: WorkItem) -> Draft:
        """Draft ``item`` (not reused from an earlier run): offline, with at least
        :data:`~docagent.draft_ahead.MIN_ITEMS` such items left, a worker process drafts them
        ahead while this one logs (:mod:`docagent.draft_ahead`); its draft is taken while it
        is the one this process would make, else the item is drafted here."""
        if self._may_fork:
            self._may_fork = False  # the items before this one are handled: fork now
            start = next(i for i, it in enumerate(self.items) if it is item)
            todo = [item, *self.items[start + 1 :]]
            # every later item is drafted too (none reuses a draft this process would feed
            # to its callers): the worker's drafts are then the ones made here
            if all(map(self.resume.drafts, todo[1:])) and draft_ahead.available(
                self.session, len(todo)
            ):
                self._ahead = draft_ahead.DraftAhead(self.session, todo)
        ahead = self._ahead
        if ahead is not None:
            made = ahead.take(item)
            draft = self.session.docstrings.adopt(item, made) if made is not None else None
            if draft is not None and _same_draft(draft, made):
                return draft
            ahead.close()  # this process drafts the rest: its drafts may differ from here on
            self._ahead = None
            if draft is not None:  # the log's draft under the same key, logged: the run's
                return draft
        return await self.session.draft(item)

    def _stop(self, item: WorkItem) -> None:
        if not self.stats.stopped:
            self.stats.stopped = (
                f"max cost reached: ${self.cost:.4f} spent of ${self.max_cost:.4f}; "
                "no further requests were issued"
            )
        self.stats.not_drafted.append(
            {"path": item.path, "qualname": item.qualname, "reason": "max cost reached"}
        )

    def _fail(self, item: WorkItem, reason: str) -> None:
        item.state = "failed"
        self.stats.failures.append({"path": item.path, "qualname": item.qualname, "reason": reason})

    def _write(self, draft: Draft, status: str) -> None:
        """Append the draft's record to ``--out``: written at once, flushed to disk in groups.

        The record is in the file as soon as this returns (a ``kill -9`` keeps it); the
        ``fsync`` that guards against a power loss runs at most every :data:`SYNC_INTERVAL`
        seconds and when the run ends (:meth:`sync`), not once per record.
        """
        if self.out is not None:
            from docagent.proposals import append_proposal

            proposal = _proposal(draft, status)
            if isinstance(self.out, Path):
                append_proposal(self.out, proposal, sync=False)
                self._unsynced = True
                if time.monotonic() - self._synced_at >= SYNC_INTERVAL:
                    self.sync()
            else:  # a stream: stdout, a device or a FIFO
                self.out.write(proposal.to_json() + "\n")
                self.out.flush()

    def sync(self) -> None:
        """Flush the records written to ``--out`` since the last flush to disk."""
        if isinstance(self.out, Path) and self._unsynced:
            from docagent.proposals import sync_file

            sync_file(self.out)
            self._unsynced = False
            self._synced_at = time.monotonic()

    def _decide(self, item: WorkItem, draft: Draft) -> None:
        session = self.session
        if draft.error or not draft.text:
            self._fail(item, draft.error or "the draft is empty")
            return
        status = "proposed"
        if draft.ok and self.apply and item.kind != README_KIND:
            # applied with the file's other accepts, in one verified write (see _flush);
            # callers drafted before then already see it
            self._pending.setdefault(item.path, []).append((item, draft))
            session.record_proposed(item.path, item.qualname, draft.text, reviewed=False)
            return
        if draft.ok and self.apply:
            outcome = session.accept(item, draft, reviewer=REVIEWER)
            if outcome.ok:
                status = "accepted"
                self.stats.applied += 1
            else:
                self._fail(item, f"edit refused: {outcome.message}")
        elif draft.ok and session.run_id and item.kind != README_KIND:
            # Not applied: callers drafted later still see the proposed docstring.
            session.record_proposed(item.path, item.qualname, draft.text, reviewed=False)
        if status == "proposed":
            self.stats.proposed += 1
            if not draft.ok:
                self.stats.checks_failed += 1
        self._write(draft, status)

    def _flush(self, path: str) -> None:
        """Apply the accepted drafts of ``path`` in one write, then write their records.

        :meth:`Session.accept_file` records every decision as an intent before the write and
        confirms it after, so a kill at any point is settled by the next run.
        """
        group = self._pending.pop(path, [])
        if not group:
            return
        try:
            outcomes = self.session.accept_file(group, reviewer=REVIEWER)
        except Exception as exc:  # one file's failure never stops the run
            reason = f"internal error: {type(exc).__name__}: {exc}"
            outcomes = [Outcome(False, reason) for _ in group]
        for (item, draft), outcome in zip(group, outcomes, strict=True):
            status = "proposed"
            if outcome.ok:
                status = "accepted"
                self.stats.applied += 1
            else:
                self._fail(item, f"edit refused: {outcome.message}")
                self.stats.proposed += 1
            self._write(draft, status)


def run_batch(path: str | Path = ".", **options: Any) -> dict[str, Any]:
    """Synchronous :func:`run_batch_async` (the library entry point of ``docagent batch``)."""
    return asyncio.run(run_batch_async(path, **options))


def exit_code(summary: dict[str, Any]) -> int:
    """Exit code (docs/batch.md): 1 when a target failed, an edit was refused or max cost hit."""
    if summary.get("estimate_only"):
        return 0
    return 1 if summary.get("failed") or summary.get("not_drafted") else 0


def env_poll_interval() -> float | None:
    """``DOCAGENT_BATCH_POLL`` (seconds) overrides the Message Batches poll interval."""
    raw = os.environ.get("DOCAGENT_BATCH_POLL")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value > 0 and math.isfinite(value) else None


__all__ = ["REVIEWER", "Estimate", "estimate", "exit_code", "run_batch", "run_batch_async"]
