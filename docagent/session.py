"""One drafting session over a repository: the library layer that batch and the TUI share.

A :class:`Session` finds the work (missing and stale targets, callees first), drafts through the
drafting engine with the decision log as its cache, records every draft, applies accepted
docstrings through the safe edit engine, records every decision, and can undo an accept.
Neither front end contains domain logic: they call these methods.

Each work item belongs to a kind of work (:mod:`docagent.work`): docstrings
(:class:`~docagent.work.docstrings.DocstringWork`) or README sections
(:class:`~docagent.work.readme.ReadmeWork`, :meth:`Session.prepare_readme`). The session holds
what the kinds share — the log, intents, decisions, undo, the ``--commit`` commit — and its
``draft``, ``accept``, ``target`` and ``undo`` hand each item to its kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent import observability, repo
from docagent.code.astfacts import AstFacts, no_gc
from docagent.code.docstrings import apply_status, docstring_sha
from docagent.code.edit import restore_file
from docagent.code.special_methods import apply_special_methods
from docagent.code.targets import FileFacts, SourceError, Target, read_file
from docagent.config import Settings, load_settings
from docagent.decisions import Tally
from docagent.draft import Drafter, SymbolIndex, make_provider, order_callees_first
from docagent.draft.drafter import file_shas
from docagent.draft.examples import Example
from docagent.draft.models import Check, Draft
from docagent.draft.providers.registry import fallback_provider, makes_model_calls, provider_spec
from docagent.draft.render import repo_types, rest_project
from docagent.draft.rules import Rules, load_rules
from docagent.errors import DocagentError
from docagent.store import BATCH_REVIEWER, CallRecord, DraftRecord, Store
from docagent.work import (
    README_KIND,
    Outcome,
    UndoRecord,
    WorkItem,
    WorkKind,
    checks_from_dicts,
    draft_from_record,
    draft_record,
)
from docagent.work.docstrings import DocstringWork
from docagent.work.readme import ReadmeWork

if TYPE_CHECKING:
    from docagent.readme import ProjectFacts, ReadmeTarget

__all__ = [
    "BATCH_REVIEWER",
    "README_KIND",
    "REJECT_REASONS",
    "Outcome",
    "Session",
    "StoreCache",
    "WorkItem",
    "checks_from_dicts",
    "commit_message",
    "draft_from_record",
    "draft_record",
    "source_without_docstring",
]

REJECT_REASONS = ("wrong", "vague", "invented detail", "style", "too long", "other")


def _remove_created(path: Path, expected: bytes) -> None:
    """Undo the creation of ``path``: delete it, unless it changed since it was written."""
    from docagent.code.edit import RefusedEdit

    if path.read_bytes() != expected:
        raise RefusedEdit(f"{path}: the file changed since the edit; not removing it")
    path.unlink()


def commit_message(documented: list[tuple[str, str]], attribution: str = "") -> str:
    """The ``--commit`` message: a subject and one line per documented target.

    Targets outside Python files are README sections and are counted as such in the subject.

    ``attribution`` (only when the ``ai_attribution`` setting is true) is appended as its own
    paragraph.
    """
    n = sum(1 for path, _ in documented if path.endswith((".py", ".pyi")))
    sections = len(documented) - n
    parts = [f"docstrings to {n} target{'s' if n != 1 else ''}"] if n or not sections else []
    if sections:
        parts.append(f"{sections} README section{'s' if sections != 1 else ''}")
    subject = "docs: add " + " and ".join(parts)
    body = "\n".join(f"- {path}: {qualname}" for path, qualname in documented)
    message = f"{subject}\n\n{body}\n" if body else subject + "\n"
    if attribution:
        message += f"\n{attribution}\n"
    return message


class StoreCache:
    """The decision log as a :class:`~docagent.draft.cache.DraftSource`: drafts are found by
    their cache key. The drafter stores nothing here: the session records every draft itself.
    """

    def __init__(self, store: Store):
        """Wrap ``store``."""
        self.store = store

    def get(self, key: str) -> Draft | None:
        """Return the newest usable stored draft for ``key`` (never one a person rejected)."""
        row = self.store.cached_draft(key)
        if row is None:
            return None
        return draft_from_record(row)


def source_without_docstring(facts: FileFacts, target: Target) -> str:
    """The module text with ``target``'s docstring removed (the eval-case ``source``)."""
    from docagent.store.export import source_without_docstring as strip

    doc = target.docstring
    return facts.text if doc is None else strip(facts.text, doc.start_byte, doc.end_byte)


class Session:
    """A drafting and deciding session over one repository (TUI or batch)."""

    def __init__(
        self,
        path: str | Path = ".",
        *,
        mode: str,
        flags: dict[str, Any] | None = None,
        since: str | None = None,
        changed_lines: bool = False,
        interactive: bool = False,
        batch_pricing: bool = False,
        store: Store | None = None,
        settings: Settings | None = None,
    ):
        """Open the repository containing ``path``, its settings, provider and decision log.

        ``flags`` are command-line overrides (``provider``, ``model``, ``concurrency``…);
        ``mode`` is ``tui`` or ``batch``; ``interactive`` selects the shorter model timeout.
        """
        self.path = Path(path)
        self.root = repo.find_root(path)
        self.settings = settings or load_settings(self.root, flags or {}, path=self.path)
        self.mode = mode
        self.since = since
        if changed_lines and not since:
            raise DocagentError("--changed-lines needs --since REV (the lines changed since what?)")
        #: only targets with a line changed per ``since`` (``--changed-lines``)
        self.changed_lines = changed_lines
        self.interactive = interactive
        self.batch_pricing = batch_pricing
        try:
            self.provider, self.notice = make_provider(self.settings, interactive=interactive)
        except Exception as exc:  # ProviderError: unknown name or missing SDK piece
            raise DocagentError(str(getattr(exc, "message", exc))) from None
        spec = provider_spec(self.provider.name)
        if spec and spec.needs_key and not spec.key_in(os.environ):
            # fail before the first target, not once per target
            raise DocagentError(
                f"--provider {spec.name} needs {spec.key_env_vars[0]} "
                f"(or use --provider {fallback_provider().name})"
            )
        self.store = store or Store.open(
            self.root, self.settings.db or None, store=self.settings.store or None
        )
        observability.configure(self.settings)
        self._lock = threading.RLock()
        #: parsed files with the (mtime, size, inode) they were read at
        self._facts: dict[str, tuple[tuple[int, int, int], FileFacts]] = {}
        self._undo: list[UndoRecord] = []
        #: files a batch session changed (batch keeps no undo copies of them)
        self._changed: set[str] = set()
        self.items: list[WorkItem] = []
        self.errors: list[tuple[str, str]] = []
        self.symbols: SymbolIndex | None = None
        self.drafter: Drafter | None = None
        self.style = self.settings.style
        self.reviewer = self.store.default_reviewer()
        self.coverage_before: float | None = None
        self.coverage_after: float | None = None
        self.run_id: str = ""
        self.totals = {"cost_usd": 0.0, "input_tokens": 0, "output_tokens": 0}
        #: drafts given up front (a proposals file), by item key; front ends use them first
        self.preset: dict[tuple[str, str], Draft] = {}
        #: files of the run (path order) and those ``prepare(lazy=True)`` left unread, with
        #: their cached ast facts and docstring hashes
        self._files: list[str] = []
        self._unread: dict[str, tuple[AstFacts, dict[str, str]]] = {}
        self._unread_sha: dict[str, str] = {}
        self._pending_docs: list[tuple[str, str, str, bool]] = []
        self._rules: Rules | None = None
        self._init_in_class = True
        #: the drafter's prompt version (set by :meth:`prepare`, before any drafter exists)
        self.prompt_version = ""
        #: lines for the person from :meth:`prepare_readme` (unsupported README format, …)
        self.notices: list[str] = []
        #: the proposals file under review (set by :meth:`prepare_proposals`), else None
        self.proposals_source: str | None = None
        #: this session's decisions, counted by the rule reports use
        self.tally = Tally()
        #: set when the decision log could not be written: no further edits are made
        self.log_failure = ""
        self.docstrings = DocstringWork(self)
        self.readme = ReadmeWork(self)
        self._kinds: dict[str, WorkKind] = {README_KIND: self.readme}

    # ------------------------------------------------------------------ setup

    def _changed_only(self, pairs: list[tuple[FileFacts, Any]]) -> list[tuple[FileFacts, Any]]:
        """The pairs whose target has one of its own lines changed since ``self.since``.

        A target's own lines are its span minus the spans of the functions and classes
        nested in it: a class is not drafted because one of its methods changed, nor a module
        because one of its functions did. A new file counts as changed throughout.
        """
        assert self.since is not None
        changed = repo.changed_lines(self.root, self.since, sorted({f.path for f, _ in pairs}))
        touched: dict[str, set[str]] = {}
        for facts in {f.path: f for f, _ in pairs}.values():
            spans = [(t.line, t.end_line) for t in facts.targets]
            flags = repo.own_lines_touched(spans, changed.get(facts.path, set()))
            touched[facts.path] = {
                t.qualname for t, hit in zip(facts.targets, flags, strict=True) if hit
            }
        return [(f, t) for f, t in pairs if t.qualname in touched[f.path]]

    def prepare(self, *, order: bool = True, lazy: bool = False) -> list[WorkItem]:
        """Scan, build the symbol index and drafter, start the run; return the work items.

        Items are missing and stale targets that the settings select (public unless
        ``visibility = "all"``; configured kinds), ordered callees first (:meth:`order`);
        ``order=False`` leaves them in file order (path, then source order) for a caller that
        orders only the items it drafts (batch). What each file's ``ast`` gives (fingerprints,
        calls, imports) comes from the facts cache when the file is unchanged
        (:mod:`docagent.code.factscache`).

        ``lazy`` (with ``order=False``, without ``--changed-lines``): a file whose version is in
        both the scan cache and the facts cache is not read: its items come from the scan's
        entry, their fingerprints and docstring hashes (:meth:`reuse_facts`) from the facts
        cache. The symbol index and drafter are then built on first need
        (:meth:`ensure_drafter`), reading those files; a run that only reuses drafts never
        builds them.
        """
        from docagent.code.factscache import FactsCache
        from docagent.draft.prompts import prompt_version
        from docagent.scan import scan

        self._reconcile_intents()
        result = scan(self.path, self.settings, since=self.since)
        self.errors = list(result.errors)
        self.coverage_before = result.summary()["coverage"]
        if self.style == "auto":
            # The repository's style, whatever path or --since narrowed the work to: a file
            # reviewed alone is drafted in the style of the code around it.
            whole = self.path.resolve() == self.root and not self.since
            self.style = result.style if whole else scan(self.root, self.settings).style
        lazy = lazy and not order and not self.changed_lines
        cache = FactsCache.load(self.root)
        self._init_in_class = not result.special.init
        self._files = []
        self._unread = {}
        self._unread_sha = {}
        #: per file in path order: its facts, or None when it is not read (``lazy``)
        listed: list[tuple[str, FileFacts | None]] = []
        for rel in sorted(result.files):
            entry = result.files[rel]
            cached = cache.lookup(entry.sha) if lazy and entry.error is None else None
            if cached is not None:
                self._unread[rel] = cached
                self._unread_sha[rel] = entry.sha
                self._files.append(rel)
                listed.append((rel, None))
                continue
            facts = self._read(rel)
            if facts is not None:
                cache.attach(facts)
                self._files.append(rel)
                listed.append((rel, facts))
        self._rules = load_rules(self.store)
        self.prompt_version = prompt_version(self._rules.prompt_text())
        if not self._unread:
            self._build_drafter([f for _, f in listed if f is not None])
        include_private = self.settings.visibility == "all"
        pairs: list[tuple[FileFacts, Any]] = []
        lazy_items: dict[str, list[WorkItem]] = {}
        for rel, facts in listed:
            if facts is None:
                lazy_items[rel] = [
                    WorkItem(
                        path=rel,
                        qualname=t["qualname"],
                        kind=t["kind"],
                        line=t["line"],
                        status=t["status"],
                        problems=list(t["problems"]),
                    )
                    for t in result.files[rel].records()
                    if t["kind"] in self.settings.kinds
                    and (t["public"] or include_private)
                    and t["status"] != "ok"
                ]
                continue
            try:  # memoized; fails for code too deeply nested for Python's parser
                file_shas(facts)
            except SourceError as exc:
                self.errors.append((facts.path, str(exc)))
                continue
            apply_status(facts.targets)  # the scan's own rules, on the full facts
            apply_special_methods(facts.targets, result.special)  # the repo's checkers' rules
            for t in facts.targets:
                if t.kind not in self.settings.kinds or not (t.public or include_private):
                    continue
                if t.status != "ok":
                    pairs.append((facts, t))
        cache.add(f for _, f in listed if f is not None)
        cache.save()
        del cache
        if self.changed_lines and self.since:
            pairs = self._changed_only(pairs)
        assert self.symbols is not None or not order
        ordered = order_callees_first(pairs, self.symbols) if order and self.symbols else pairs
        read_items: dict[str, list[WorkItem]] = {}
        for f, t in ordered:
            read_items.setdefault(f.path, []).append(
                WorkItem(
                    path=f.path,
                    qualname=t.qualname,
                    kind=t.kind,
                    line=t.line,
                    status=t.status,
                    problems=list(t.problems),
                    old_docstring=t.docstring.text if t.docstring else None,
                )
            )
        if lazy_items:  # file order (order=False): each file's items where its path sorts
            self.items = [
                item for rel, _ in listed for item in lazy_items.get(rel) or read_items.get(rel, [])
            ]
        else:
            self.items = [item for items in read_items.values() for item in items]
        self.run_id = self.store.start_run(
            self.mode,
            provider=self.provider.name,
            model=self.provider.model,
            prompt_version=self.prompt_version,
            config={
                "style": self.style,
                "since": self.since,
                "kinds": list(self.settings.kinds),
                "visibility": self.settings.visibility,
                "notice": self.notice,
            },
        )
        observability.start_run(self.run_id, self.mode, self.provider.name, self.provider.model)
        return self.items

    def _build_drafter(self, all_facts: list[FileFacts]) -> None:
        """Build the symbol index of ``all_facts`` and the drafter over it."""
        self.symbols = SymbolIndex.from_files(all_facts)
        # The team's own examples: docstrings people accepted or edited, not the batch policy's;
        # each target is shown the most similar ones (docagent.draft.examples).
        pool = [
            Example(r.path, r.qualname, r.kind, r.final_text, r.decision == "edit")
            for r in self.store.accepted_examples(n=200)
            if r.final_text and r.reviewer != BATCH_REVIEWER
        ]
        self.drafter = Drafter(
            self.provider,
            self.settings,
            self.symbols,
            style=self.style,
            cache=StoreCache(self.store),
            interactive=self.interactive,
            batch=self.batch_pricing,
            example_pool=pool,
            rules=self._rules,
            rest=rest_project(self.root, self.style),
            init_in_class=self._init_in_class,
            types=repo_types(
                self.root,
                self.settings.types_in_docstrings,
                (s.docstring for s in self.symbols.all() if s.docstring),
            ),
        )
        self.drafter.rejections = self.store_rejections()
        for path, qualname, text, reviewed in self._pending_docs:
            self.drafter.record_accepted(path, qualname, text, reviewed=reviewed)
        self._pending_docs.clear()

    def ensure_drafter(self) -> Drafter:
        """The drafter (and :attr:`symbols`), built now if :meth:`prepare` left it for later.

        The files ``prepare(lazy=True)`` did not read are read now (their cached ``ast``
        facts attached when their bytes are unchanged).
        """
        if self.drafter is None:
            assert self.run_id, "call prepare() first"
            from docagent.code.factscache import content_sha

            unread, self._unread = self._unread, {}
            with no_gc():
                all_facts: list[FileFacts] = []
                for rel in self._files:
                    facts = self.facts(rel)
                    if facts is None:
                        continue
                    cached = unread.get(rel)
                    if (
                        cached is not None
                        and "_ast_facts" not in facts.__dict__
                        and content_sha(facts) == self._unread_sha.get(rel)
                    ):  # unchanged since the scan
                        facts.__dict__["_ast_facts"] = cached[0]
                    all_facts.append(facts)
                self._build_drafter(all_facts)
        assert self.drafter is not None
        return self.drafter

    def reuse_facts(self, item: WorkItem) -> tuple[str, str] | None:
        """``(code_sha, docstring_sha)`` of a docstring item's target, or None when it is gone.

        What an earlier draft of the target must match to be reused. For a file
        ``prepare(lazy=True)`` did not read, both come from the facts cache.
        """
        unread = self._unread.get(item.path)
        if unread is not None:
            found, docs = unread
            doc = docs.get(item.qualname)
            return None if doc is None else (found.shas.get(item.qualname, ""), doc)
        got = self.target(item)
        if got is None:
            return None
        facts, target = got
        return (
            file_shas(facts).get(target.qualname, ""),
            docstring_sha(target.docstring.text if target.docstring else None),
        )

    def record_proposed(self, path: str, qualname: str, text: str, reviewed: bool) -> None:
        """Let callers drafted later see a docstring chosen for ``path``/``qualname``
        (:meth:`Drafter.record_accepted`); kept until the drafter is built when it is not yet."""
        if self.drafter is not None:
            self.drafter.record_accepted(path, qualname, text, reviewed=reviewed)
        else:
            self._pending_docs.append((path, qualname, text, reviewed))

    def order(self, items: list[WorkItem]) -> list[WorkItem]:
        """``items`` callees first (:func:`~docagent.draft.order_callees_first`); items whose
        target is gone (or README sections) follow in their given order."""
        assert self.symbols is not None, "call prepare() first"
        pairs: list[tuple[FileFacts, Target]] = []
        by_key: dict[tuple[str, str], WorkItem] = {}
        rest: list[WorkItem] = []
        for item in items:
            found = self.target(item)
            if found is None or item.key in by_key:
                rest.append(item)
                continue
            by_key[item.key] = item
            pairs.append(found)
        ordered = order_callees_first(pairs, self.symbols)
        return [by_key[(f.path, t.qualname)] for f, t in ordered] + rest

    def prepare_proposals(
        self, proposals: list[Any], source: str | Path | None = None
    ) -> list[WorkItem]:
        """Prepare, then make the records of a proposals file the work items (``--proposals``).

        Each record (not ``rejected``, not a README section) whose target still exists becomes
        a work item with its draft in :attr:`preset`; the draft is the logged one when the
        record's ``draft_id`` is in the decision log, else it is logged now. Records whose
        file or target is gone are listed in :attr:`errors`; records already applied (the
        target's docstring is the record's text) are left out and counted in
        :attr:`notices`. ``source`` names the file for the person (:attr:`proposals_source`).
        """
        self.prepare()
        self.proposals_source = str(source) if source else "a proposals file"
        items, applied = self.docstrings.from_proposals(proposals)
        if applied:
            what = "record is" if applied == 1 else "records are"
            self.notices.append(f"{applied} {what} already applied; left out of the review")
        self.items = items
        return items

    def prepare_readme(self) -> list[WorkItem]:
        """Find the README's missing and stale sections; return them as work items.

        Each item has kind ``readme_section``, ``path`` the README, ``qualname`` the heading
        text, ``status`` missing or stale, ``problems`` why a section is stale and
        ``old_docstring`` a stale section's current body. The items are appended to
        :attr:`items`; lines for the person (say, a README that is not Markdown) go to
        :attr:`notices`. Usually called after :meth:`prepare`; alone, it starts the run.
        """
        from docagent.readme import readme_prompt_version

        items = self.readme.prepare()
        if not self.run_id:
            self.run_id = self.store.start_run(
                self.mode,
                provider=self.provider.name,
                model=self.provider.model,
                prompt_version=readme_prompt_version(),
                config={"readme": True, "notice": self.notice},
            )
            observability.start_run(self.run_id, self.mode, self.provider.name, self.provider.model)
        keys = {item.key for item in items}
        self.items = [i for i in self.items if i.key not in keys] + items
        return items

    @property
    def readme_facts(self) -> ProjectFacts | None:
        """The project facts README sections are drafted from (after :meth:`prepare_readme`)."""
        return self.readme.facts

    def readme_target(self, item: WorkItem) -> ReadmeTarget | None:
        """The README target behind a ``readme_section`` work item (None for other items)."""
        return self.readme.section(item)

    def readme_cache_key(self, item: WorkItem) -> str:
        """The draft cache key of a README item ("" when it is not one); see
        :meth:`ReadmeWork.cache_key <docagent.work.readme.ReadmeWork.cache_key>`."""
        return self.readme.cache_key(item)

    def cached_readme_draft(self, item: WorkItem) -> Draft | None:
        """The logged draft a README item may reuse (never one a person rejected), or None."""
        return self.readme.cached_draft(item)

    def check_readme(self, item: WorkItem, text: str) -> list[Check]:
        """Run the README section checks on ``text`` as the body of ``item``'s section."""
        return self.readme.check(item, text)

    def work(self, item: WorkItem) -> WorkKind:
        """The kind of work ``item`` is: README sections, else docstrings."""
        return self._kinds.get(item.kind, self.docstrings)

    def _stamp(self, rel: str) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.root / rel)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self, rel: str) -> FileFacts | None:
        with self._lock:
            stamp = self._stamp(rel)
            try:
                facts = read_file(str(self.root / rel), rel)
            except SourceError as exc:
                self.errors.append((rel, str(exc)))
                return None
            if stamp is not None:
                self._facts[rel] = (stamp, facts)
            return facts

    def facts(self, rel: str) -> FileFacts | None:
        """The current facts of a file: re-read whenever the file changed on disk.

        A file edited outside the session (an editor, another review) is parsed again, so a
        new draft (``g``) is made from what is on disk, not from an old parse.
        """
        with self._lock:
            cached = self._facts.get(rel)
            if cached is not None and cached[0] == self._stamp(rel):
                return cached[1]
            return self._read(rel)

    def target(self, item: WorkItem) -> tuple[FileFacts, Target] | None:
        """The file facts and current code target of a work item, or None when it is gone.

        Always None for README items (see :meth:`readme_target`).
        """
        return self.work(item).target(item)

    # ------------------------------------------------------------------ drafting

    async def draft(self, item: WorkItem, hint: str | None = None, fresh: bool = False) -> Draft:
        """Draft (or reuse a logged draft for) ``item`` and record it in the decision log.

        A ``hint`` (a reviewer's typed request) always drafts anew and, for a stale docstring,
        asks for a rewrite; ``fresh`` drafts anew too but still repairs a stale docstring in
        place (``g`` without a hint).
        """
        return await self.work(item).draft(item, hint, fresh)

    def store_rejections(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(path, qualname) -> (reason, rejected text) of targets whose latest decision is a
        rejection (an undone rejection does not count)."""
        latest: dict[tuple[str, str], Any] = {}
        for r in self.store.decisions():
            if r.decision in ("accept", "edit", "reject"):
                latest[(r.path, r.qualname)] = r
            elif r.decision == "undo":
                latest.pop((r.path, r.qualname), None)
        return {
            k: (r.reason or "", r.draft_text or "")
            for k, r in latest.items()
            if r.decision == "reject"
        }

    def record_paid(self, draft: Draft, record: DraftRecord) -> str:
        """Add a new draft's cost to the totals; store it and (unless offline) its model call.

        Draft and call are written in one transaction. When the log cannot be written, the
        store keeps both in its journal (a paid call is never forgotten) and raises.
        """
        with self._lock:  # counted first: the budget sees the spend even when logging fails
            self.totals["cost_usd"] += draft.cost_usd
            if not draft.usage.unknown:
                self.totals["input_tokens"] += draft.usage.input_tokens
                self.totals["output_tokens"] += draft.usage.output_tokens
        call = self._call_record(draft)
        if call is None:
            return self.store.record_draft(self.run_id or None, record)
        return self.store.record_paid(self.run_id or None, record, call)

    def _call_record(self, draft: Draft) -> CallRecord | None:
        """The model call behind a new draft (None for the offline drafter, which makes none).

        A call whose usage is unknown (a malformed reply, implausible token counts) has status
        ``usage_unknown``, 0 tokens and the conservative cost bound the budget counted.
        """
        if makes_model_calls(draft.provider):
            u = draft.usage
            status = "usage_unknown" if u.unknown else "error" if draft.error else "ok"
            return CallRecord(
                provider=draft.provider,
                model=draft.model,
                status=status,
                retries=max(0, draft.attempts - 1),
                duration_ms=draft.latency_ms,
                tokens_in=0 if u.unknown else u.input_tokens,
                tokens_out=0 if u.unknown else u.output_tokens,
                cache_read_tokens=0 if u.unknown else u.cache_read_tokens,
                cache_write_tokens=0 if u.unknown else u.cache_write_tokens,
                cost_usd=draft.cost_usd,
                error_type=draft.error_kind,
                request_id=draft.request_id,
            )
        return None

    def observe_draft(self, span: Any, draft: Draft) -> None:
        """Put a new draft's usage and outcome on its span."""
        span.set_usage(
            draft.usage.input_tokens,
            draft.usage.output_tokens,
            draft.usage.cache_read_tokens,
            draft.usage.cache_write_tokens,
            cost_usd=draft.cost_usd,
        )
        span.set_response(model=draft.model, response_id=draft.response_id or None)
        span.set_checks(draft.ok, [c.name for c in draft.failed_checks])
        span.set_draft_id(draft.draft_id)
        if draft.error:
            span.set_error(draft.error_kind or draft.error)

    def draft_sync(self, item: WorkItem, hint: str | None = None, fresh: bool = False) -> Draft:
        """Synchronous :meth:`draft` for worker threads."""
        return asyncio.run(self.draft(item, hint, fresh))

    # ------------------------------------------------------------------ deciding

    def accept(
        self,
        item: WorkItem,
        draft: Draft,
        text: str | None = None,
        review_ms: int | None = None,
        reviewer: str | None = None,
        *,
        confirm: bool = False,
    ) -> Outcome:
        """Apply the draft (or a person's edited ``text``) to the file and log the decision.

        The decision is ``edit`` when ``text`` differs from the draft, else ``accept``; the
        outcome says which (:attr:`Outcome.decision`). A refused edit leaves the file untouched,
        logs nothing and says why: the target's code or docstring changed since the draft was
        made, or — unless ``confirm`` — the draft is not an in-place repair and would remove
        lines of the hand-written docstring (:attr:`Outcome.needs_confirmation`). README
        sections are checked again first (:meth:`check_readme`) and refused when a hard check
        fails.
        """
        return self.work(item).accept(item, draft, text, review_ms, reviewer, confirm)

    @property
    def lock(self) -> threading.RLock:
        """The session's lock: held while a file is read, written and noted (work kinds)."""
        return self._lock

    def wrote(
        self, item: WorkItem, draft: Draft, old_bytes: bytes | None, new_bytes: bytes | None
    ) -> None:
        """Note an accept of ``item``: its file is read again; a write can be undone.

        ``new_bytes`` None: nothing was written. ``old_bytes`` None: the accept created the
        file. A batch session keeps no copies (it never undoes), only the changed path.
        """
        with self._lock:
            self._facts.pop(item.path, None)
            if new_bytes is None:
                return
            if self.mode == "batch":
                self._changed.add(item.path)
            else:
                self._undo.append(UndoRecord(item, draft, item.path, old_bytes, new_bytes))

    def wrote_without_undo(self, path: str, written: bool) -> None:
        """Note a write of ``path`` that keeps no undo copy (one write for a whole file).

        The file is read again; when ``written``, it counts as changed by this session.
        """
        with self._lock:
            self._facts.pop(path, None)
            if written:
                self._changed.add(path)

    def accept_file(
        self, accepts: list[tuple[WorkItem, Draft]], reviewer: str | None = None
    ) -> list[Outcome]:
        """Apply several docstring drafts of one file in one verified write; log each decision.

        What :meth:`accept` does for each draft, with one read, one verification and one
        atomic write for the whole file (``batch --apply`` groups a file's accepts this way);
        see :meth:`DocstringWork.accept_file <docagent.work.docstrings.DocstringWork.accept_file>`.
        Returns one :class:`Outcome` per draft, in order.
        """
        return self.docstrings.accept_file(accepts, reviewer)

    def reject(
        self,
        item: WorkItem,
        draft: Draft,
        reason: str,
        review_ms: int | None = None,
        reviewer: str | None = None,
    ) -> Outcome:
        """Log a rejection with its reason (a picked reason, or ``other: note``)."""
        self.decide(draft, "reject", reason=reason, reviewer=reviewer, review_ms=review_ms)
        if self.drafter is not None:  # the target's next draft sees why
            self.drafter.rejections[(item.path, item.qualname)] = (reason, draft.text)
        item.state = "rejected"
        item.reason = reason
        return Outcome(True, "rejected")

    def skip(self, item: WorkItem, draft: Draft | None, review_ms: int | None = None) -> Outcome:
        """Log a skip (when there is a draft to attach it to) and move on."""
        if draft is not None and draft.draft_id and self.store.draft(draft.draft_id):
            self.decide(draft, "skip", review_ms=review_ms)
        else:
            self.tally.add(item.key, "skip")
        item.state = "skipped"
        return Outcome(True, "skipped")

    def intend(
        self,
        item: WorkItem,
        draft: Draft,
        decision: str,
        final: str,
        reviewer: str | None,
        review_ms: int | None,
    ) -> tuple[int, Outcome | None]:
        """Record the decision a write is about to carry, before the write.

        Returns ``(intent id, None)``, or ``(0, refusal)`` when the log cannot be written: then
        nothing is written to the file, and no later accept of this session edits a file
        either (:attr:`log_failure`), so no edit is ever made that the log does not know of.
        """
        if self.log_failure:
            return 0, Outcome(False, f"not written: {self.log_failure}")
        try:
            intent = self.store.record_intent(
                draft.draft_id,
                decision,
                path=item.path,
                qualname=item.qualname,
                final_text=final,
                reviewer=reviewer or self.reviewer,
                review_ms=review_ms,
                mode=self.mode,
            )
        except DocagentError as exc:
            self._log_failed(exc)
            return 0, Outcome(False, f"not written: {self.log_failure}")
        return intent, None

    def _log_failed(self, exc: Exception) -> None:
        self.log_failure = f"the decision log cannot be written ({exc}); no edits after this"

    def forget_intent(self, intent: int) -> None:
        """The write did not happen: drop its intent (a leftover is settled on the next run)."""
        with contextlib.suppress(DocagentError):
            self.store.drop_intent(intent)

    def _reconcile_intents(self) -> None:
        """Settle writes a killed run made without confirming them (see :meth:`_intend`)."""
        if not self.store.intents():
            return

        from docagent.apply_proposals import intent_written

        confirmed, _ = self.store.reconcile_intents(lambda i: intent_written(self.root, i))
        if confirmed:
            what = "edit" if confirmed == 1 else "edits"
            self.notices.append(
                f"{confirmed} {what} of an interrupted run found in the files; decisions recorded"
            )

    def decide(
        self,
        draft: Draft,
        decision: str,
        *,
        final_text: str | None = None,
        reason: str = "",
        reviewer: str | None = None,
        review_ms: int | None = None,
        intent: int = 0,
    ) -> None:
        """Commit one decision to the log (confirming its ``intent``) and emit its event.

        When confirming fails after the file was written, the intent stays in the log and the
        next run records the decision (:meth:`_reconcile_intents`); this session makes no
        further edits.
        """
        if intent:
            try:
                self.store.confirm_intent(intent)
            except DocagentError as exc:
                self._log_failed(exc)
                raise
        else:
            self.store.record_decision(
                draft.draft_id,
                decision,
                final_text=final_text,
                reason=reason,
                reviewer=reviewer or self.reviewer,
                review_ms=review_ms,
                mode=self.mode,
            )
        self.tally.add(draft.draft_id, decision)
        observability.decision_event(
            decision,
            draft_id=draft.draft_id,
            target=f"{draft.path}::{draft.qualname}",
            kind=draft.kind,
            reason=reason,
            review_ms=review_ms,
            mode=self.mode,
        )

    def can_undo(self) -> bool:
        """True when there is an accept to undo."""
        return bool(self._undo)

    def undo(self) -> tuple[WorkItem | None, Outcome]:
        """Restore the file of the last accept and log ``undo`` (refused if edited since)."""
        with self._lock:
            if not self._undo:
                return None, Outcome(False, "nothing to undo")
            last = self._undo[-1]
        try:
            if last.old_bytes is None:
                _remove_created(self.root / last.path, last.new_bytes)
            else:
                restore_file(self.root / last.path, last.old_bytes, expected_current=last.new_bytes)
        except Exception as exc:  # RefusedEdit or OSError: the file is left as it is
            return last.item, Outcome(False, f"cannot undo: {exc}")
        with self._lock:
            self._undo.pop()
            self._facts.pop(last.path, None)
        self.decide(last.draft, "undo")
        self.work(last.item).undone(last.item)
        last.item.state = "pending"
        return last.item, Outcome(True, "undone")

    # ------------------------------------------------------------------ closing

    def coverage_scope(self) -> str:
        """What this session's coverage figures cover: the path scanned and ``--since``.

        Reports compare before/after only between snapshots of the same scope.
        """
        try:
            rel = self.path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            rel = "."
        scope = rel if rel not in ("", ".") else "."
        return f"{scope} since {self.since}" if self.since else scope

    def commit(
        self, documented: list[tuple[str, str]], branch: str | None = None
    ) -> tuple[str, str]:
        """Commit the files this session changed (``review --commit``); return ``(line, error)``.

        ``documented`` are the ``(path, qualname)`` targets the message lists; ``branch`` is a
        new branch to commit on. ``line`` says what was committed ("" when nothing changed or
        the commit failed); ``error`` is git's last line of complaint (errors are not raised).
        With the ``ai_attribution`` setting, the message says the docstrings were drafted
        with docagent and reviewed by a person.
        """
        changed = self.changed_paths()
        if not changed:
            return "", ""
        attribution = ""
        if self.settings.ai_attribution:
            attribution = (
                f"Docstrings drafted with docagent ({self.provider.name} "
                f"{self.provider.model}) and reviewed by a person."
            )
        message = commit_message(documented, attribution)
        try:
            sha = repo.commit_files(Path(self.root), changed, message, branch)
        except Exception as exc:  # git errors are reported, not raised
            text = str(getattr(exc, "stderr", "") or exc).strip().splitlines()
            return "", text[-1] if text else type(exc).__name__
        where = f" on new branch {branch}" if branch else ""
        return f"committed {sha[:10]}{where}: {message.splitlines()[0]}", ""

    def changed_paths(self) -> list[str]:
        """Files this session changed and did not undo."""
        return sorted({u.path for u in self._undo} | self._changed)

    def close(self, **summary: Any) -> None:
        """End the run: record coverage before/after and a summary; close the log."""
        if self.run_id:
            after = self.coverage_before
            try:
                from docagent.scan import scan

                after = scan(self.path, self.settings, since=self.since).summary()["coverage"]
            except DocagentError:
                pass
            self.coverage_after = after
            if self.coverage_before is not None and after is not None:
                self.store.record_coverage(
                    self.run_id, self.coverage_before, after, scope=self.coverage_scope()
                )
            self.store.end_run(self.run_id, **{**self.totals, **summary})
            observability.end_run(self.run_id, **{**self.totals, **summary})
            self.run_id = ""
        self.store.close()
