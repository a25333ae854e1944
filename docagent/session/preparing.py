"""Preparing a session's work: the scan, the files' facts, the work items (docstrings,
README sections, a proposals file's records), the symbol index and the drafter.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent import observability, repo
from docagent.code.astfacts import attach_parsed, no_gc
from docagent.code.docstrings import apply_status, docstring_sha
from docagent.code.special_methods import apply_special_methods
from docagent.code.targets import FileFacts, SourceError, Target
from docagent.draft import Drafter, SymbolIndex, order_callees_first
from docagent.draft.drafter import file_shas
from docagent.draft.examples import Example
from docagent.draft.models import Check, Draft
from docagent.draft.render import repo_types, rest_project
from docagent.draft.rules import load_rules
from docagent.session.recording import Recording, StoreCache
from docagent.store import BATCH_REVIEWER
from docagent.work import WorkItem

if TYPE_CHECKING:
    from docagent.code.factscache import FactsCache, HeldFingerprints
    from docagent.readme import ProjectFacts, ReadmeTarget
    from docagent.scan import ScanResult


class Preparing(Recording):
    """Finding the work and building the drafter (now or on first need)."""

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

    def prepare(
        self, *, order: bool = True, lazy: bool = False, scanned: ScanResult | None = None
    ) -> list[WorkItem]:
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

        ``scanned`` is the result of :meth:`scan_work` when the caller scanned already.
        """
        from docagent.code.factscache import FactsCache

        result = scanned if scanned is not None else self.scan_work()
        lazy = lazy and not order and not self.changed_lines
        cache, self._facts_cache = self._facts_cache or FactsCache.load(self.root), None
        self._init_in_class = not result.special.init
        listed = self._list_files(result, cache, lazy)
        self._parsed_ahead.clear()
        if not self._unread:
            self._build_drafter([f for _, f in listed if f is not None])
        pairs, lazy_items = self._targets_to_do(result, listed)
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
        self.start_run()
        return self.items

    def start_run(self) -> None:
        """Start the run in the decision log and in observability, with the run's settings."""
        self._start_run(
            self.prompt_version,
            {
                "style": self.style,
                "since": self.since,
                "kinds": list(self.settings.kinds),
                "visibility": self.settings.visibility,
                "notice": self.notice,
            },
        )

    def scan_work(self) -> ScanResult:
        """Settle a killed run's intents, scan the work's path; note errors, coverage, style;
        load the team's rules and the prompt version (:attr:`prompt_version`)."""
        from docagent.draft.prompts import prompt_version
        from docagent.scan import scan

        self._reconcile_intents()
        self._rules = load_rules(self.store)
        self.prompt_version = prompt_version(self._rules.prompt_text())
        # the workers that parse files for the scan read them for drafting too; meanwhile this
        # process parses them with Python's parser
        self._parsed_ahead.clear()
        self._facts_cache = None
        result = scan(
            self.path,
            self.settings,
            since=self.since,
            keep_facts=True,
            meanwhile=self._parse_ahead,
        )
        self.errors = list(result.errors)
        self.coverage_before = result.summary()["coverage"]
        if self.style == "auto":
            # The repository's style, whatever path or --since narrowed the work to: a file
            # reviewed alone is drafted in the style of the code around it.
            whole = self.path.resolve() == self.root and not self.since
            self.style = result.style if whole else scan(self.root, self.settings).style
        return result

    def _parse_ahead(self, files: list[tuple[str, str]]) -> None:
        """Parse ``files`` (``(path, absolute path)``) with Python's parser and traverse their
        trees (:func:`~docagent.code.astfacts.parse_text`) while the scan's worker processes
        read them with tree-sitter: prepare needs both, and this process would otherwise wait
        for the workers first. Kept by path with the text parsed; prepare gives a file's result
        to the facts the workers read when their text is the same (:meth:`_list_files`), so each
        file is still parsed once. A file whose version the facts cache holds is not parsed
        (its facts come from there), nor one that cannot be read or decoded.
        """
        from docagent.code.astfacts import parse_text
        from docagent.code.factscache import FactsCache
        from docagent.code.targets import decode_source
        from docagent.scan import content_hash

        cache = self._facts_cache = FactsCache.load(self.root)
        for rel, path in files:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
                text, _ = decode_source(data, rel)
            except (OSError, SourceError):
                continue
            if cache.holds(content_hash(data)):
                continue
            self._parsed_ahead[rel] = (text, parse_text(text))

    def _list_files(
        self, result: ScanResult, cache: FactsCache, lazy: bool
    ) -> list[tuple[str, FileFacts | None]]:
        """Per scanned file in path order: its facts, or None when it is not read (``lazy``
        and its version is in the facts cache: see :meth:`prepare`)."""
        self._files = []
        self._unread = {}
        self._unread_sha = {}
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
            kept = result.facts.get(rel)
            facts = self._adopt(rel, kept, entry.sha) if kept is not None else None
            if facts is None:
                facts = self._read(rel)
            if facts is not None:
                ahead = self._parsed_ahead.pop(rel, None)
                if (
                    ahead is not None
                    and ahead[0] == facts.text
                    and "_ast_facts" not in facts.__dict__
                ):
                    attach_parsed(facts, ahead[1])  # parsed while the scan ran
                cache.attach(facts)
                self._files.append(rel)
                listed.append((rel, facts))
        return listed

    def _targets_to_do(
        self, result: ScanResult, listed: list[tuple[str, FileFacts | None]]
    ) -> tuple[list[tuple[FileFacts, Any]], dict[str, list[WorkItem]]]:
        """The missing and stale targets the settings select: ``(facts, target)`` pairs of the
        files read, and the work items of the files not read (from the scan's entry)."""
        include_private = self.settings.visibility == "all"
        pairs: list[tuple[FileFacts, Any]] = []
        lazy_items: dict[str, list[WorkItem]] = {}
        for rel, facts in listed:
            if facts is None:
                lazy_items[rel] = self.scanned_items(result, rel)
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
        return pairs, lazy_items

    def scanned_items(self, result: ScanResult, rel: str) -> list[WorkItem]:
        """The work items of the file ``rel`` as the scan's entry lists them (the missing and
        stale targets the settings select), without reading the file."""
        include_private = self.settings.visibility == "all"
        return [
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

    def _start_run(self, prompt_version: str, config: dict[str, Any]) -> None:
        """Start the run in the decision log and in observability."""
        self.run_id = self.store.start_run(
            self.mode,
            provider=self.provider.name,
            model=self.provider.model,
            prompt_version=prompt_version,
            config=config,
        )
        observability.start_run(self.run_id, self.mode, self.provider.name, self.provider.model)

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

    def held_fingerprints(self, path: str) -> HeldFingerprints | None:
        """The code fingerprints this session computed (or took from the facts cache) for the
        version of ``path`` it read, or None when it has none; they are used only for a file
        that still holds exactly that version (:class:`~docagent.code.factscache.HeldFingerprints`).
        """
        from docagent.code.factscache import HeldFingerprints

        with self._lock:
            held = self._facts.get(path)
            if held is not None:
                return HeldFingerprints.of(held[1])
            unread, sha = self._unread.get(path), self._unread_sha.get(path)
        return None if unread is None or sha is None else HeldFingerprints(sha, unread[0])

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
            self._start_run(readme_prompt_version(), {"readme": True, "notice": self.notice})
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
