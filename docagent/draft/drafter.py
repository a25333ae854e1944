"""The drafter: context -> prompt -> provider -> render -> checks -> one redraft -> Draft.

One :class:`Drafter` serves the TUI (interactive, one target at a time), batch (many targets,
callees first) and evals. It never raises for a model's failure: transport errors, malformed or
schema-violating output and failed checks all come back as a :class:`Draft` that says so.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import time
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from docagent.code.astfacts import ast_facts
from docagent.code.docstrings import (
    Problem,
    consistency_problems,
    docstring_sha,
    dropped_lines,
    majority_style,
)
from docagent.code.targets import TOO_DEEP, FileFacts, SourceError, Target
from docagent.credentials import redact
from docagent.draft import pricing
from docagent.draft.attempts import Messages, draft_with_redraft
from docagent.draft.cache import DraftCache, DraftSource, cache_key
from docagent.draft.context import MAX_CALLEES, ContextPack, build_context, file_context
from docagent.draft.draft_checks import problems_text, run_checks
from docagent.draft.examples import Example, choose_examples, rejection_note, render_examples
from docagent.draft.models import DRAFT_SCHEMA, Check, Draft, SchemaError, StructuredDraft
from docagent.draft.prompts import Prompt, build_prompt, prompt_version, redraft_message
from docagent.draft.providers.base import DraftRequest, Provider, ProviderResult
from docagent.draft.providers.offline import NOTICE as OFFLINE_NOTICE
from docagent.draft.providers.registry import makes_model_calls
from docagent.draft.render import for_rest, render
from docagent.draft.repair import repair_docstring
from docagent.draft.rules import Rules
from docagent.draft.symbols import SymbolIndex

if TYPE_CHECKING:
    from docagent.config import Settings

MAX_TOKENS = 1500


def file_shas(facts: FileFacts) -> dict[str, str]:
    """Code shas of every target of ``facts`` by qualname (from its tokens when Python cannot
    parse it: :mod:`docagent.code.token_fingerprints`).

    Raises:
        SourceError: the file's code is nested too deeply for Python's parser.
    """
    found = ast_facts(facts)
    if isinstance(found.error, RecursionError | MemoryError):
        raise SourceError(f"{facts.path}: {TOO_DEEP}")
    return found.shas


class Drafter:
    """Draft docstrings for targets with one provider, one style and one symbol index."""

    def __init__(
        self,
        provider: Provider,
        settings: Settings | None = None,
        symbol_index: SymbolIndex | None = None,
        style: str = "google",
        cache: DraftSource | DraftCache | None = None,
        examples: list[str] | None = None,
        interactive: bool = False,
        batch: bool = False,
        example_pool: list[Example] | None = None,
        rules: Rules | None = None,
        rest: bool = False,
        init_in_class: bool = False,
        types: bool | None = None,
    ):
        """Create a drafter.

        ``settings`` supplies ``token_budget`` and ``line_length``; ``style`` may be ``auto``
        (the majority style of the indexed docstrings); ``examples`` are the team's accepted
        docstrings (they join the cached prompt prefix); ``batch`` prices usage at the
        Message Batches discount. ``example_pool`` holds the team's accepted and edited
        docstrings: each target is shown the most similar ones with their code
        (:func:`~docagent.draft.examples.choose_examples`). ``rules`` are the team's rules
        (:mod:`docagent.draft.rules`): they end the system prompt and change the prompt version.
        ``rest`` is for a project whose docstrings Sphinx reads
        (:func:`~docagent.draft.render.rest_project`): drafts get reST inline markup.
        ``init_in_class`` is for a repository whose checkers do not ask for ``__init__``
        docstrings (numpy's convention): a class's docstring documents its ``__init__``
        arguments. ``types`` puts each parameter's type in its entry (default: the
        ``types_in_docstrings`` setting; :func:`~docagent.draft.render.repo_types` decides it
        for a repository).
        """
        self.provider = provider
        self.settings = settings
        self.symbols = symbol_index if symbol_index is not None else SymbolIndex()
        if style in ("", "auto"):
            style = majority_style(s.docstring for s in self.symbols.all() if s.docstring)
        self.style = style
        self.rest = rest or style == "sphinx"
        self.init_in_class = init_in_class
        if types is None:
            types = bool(getattr(settings, "types_in_docstrings", False))
        self.types = types
        self.cache = cache
        self.examples = list(examples or [])
        self.interactive = interactive
        self.batch = batch
        self.budget = int(getattr(settings, "token_budget", 1500) or 1500)
        self.prices = pricing.parse_prices(getattr(settings, "prices", None) or {})
        self.rules = rules or Rules()
        self.prompt_version = prompt_version(self.rules.prompt_text())
        #: context packs by target: (facts, what else the pack depends on, pack); see context()
        self._packs: dict[tuple[str, str], tuple[FileFacts, tuple[object, ...], ContextPack]] = {}
        self._file_contexts: dict[tuple[str, str], str] = {}
        #: redacted forms of the prompt parts many targets share (file context, examples)
        self._redacted: dict[str, str] = {}
        #: (path, qualname) of model drafts no person reviewed: never style examples
        self.unreviewed: set[tuple[str, str]] = set()
        #: the same, by path (the qualnames of each file's unreviewed drafts)
        self._unreviewed_in: dict[str, set[str]] = {}
        #: per path, the facts last drafted from and which of the file's unreviewed qualnames
        #: are documented (not stale) targets there: see :meth:`_unreviewed_neighbours`
        self._unreviewed_docs: dict[str, tuple[FileFacts, frozenset[str]]] = {}
        self.example_pool = list(example_pool or [])
        #: (path, qualname) -> (reason, rejected text) of a standing rejection
        self.rejections: dict[tuple[str, str], tuple[str, str]] = {}

    def _file_shas(self, facts: FileFacts) -> dict[str, str]:
        """Code shas of every target of ``facts`` (one ``ast_facts`` pass per file version).

        Raises:
            SourceError: the file's code is nested too deeply for Python's parser.
        """
        return file_shas(facts)

    def code_sha(self, facts: FileFacts, target: Target) -> str:
        """Return the target's code sha (computed once per file version, see ``ast_facts``).

        A file nested too deeply for Python's parser raises ``SourceError`` (from
        :meth:`_file_shas`).
        """
        return self._file_shas(facts).get(target.qualname, "")

    def context(self, facts: FileFacts, target: Target) -> ContextPack:
        """Return the per-target context pack the drafter would send for ``target``.

        The module docstring and imports are not in it: they are part of :meth:`file_context`.
        A pack is built once and reused while the file, its callees' docstrings, the target's
        standing rejection and the example pool are unchanged (the estimate and the draft of
        one target share it); a callee accepted in between makes a new one, and so does a
        documented neighbour marked unreviewed (it stops being a style example).
        """
        key = (facts.path, target.qualname)
        # membership tests only: the file's set itself, not a copy per target
        unreviewed: Collection[str] = self._unreviewed_in.get(facts.path, ())
        rejected = self.rejections.get(key)
        depends = (
            tuple(s.docstring for s in self.symbols.callees(facts, target)[:MAX_CALLEES])
            if target.kind in ("function", "method")  # the kinds whose pack lists callees
            else (),
            rejected,
            len(self.example_pool),
            # only a documented (not stale) neighbour marked unreviewed changes the examples
            self._unreviewed_neighbours(facts),
        )
        cached = self._packs.get(key)
        if cached is not None and cached[0] is facts and cached[1] == depends:
            return cached[2]
        accepted = ""
        if self.example_pool and not self.examples:
            chosen = choose_examples(self.example_pool, target, facts.path, self.symbols)
            accepted = render_examples(chosen, self.symbols)
        pack = build_context(
            facts,
            target,
            self.symbols,
            self.budget,
            self.examples or None,
            module_section=False,
            exclude_examples=unreviewed,
            accepted=accepted,
            note=rejection_note(*rejected) if rejected else "",
        )
        self._packs[key] = (facts, depends, pack)
        return pack

    def _unreviewed_neighbours(self, facts: FileFacts) -> frozenset[str]:
        """The qualnames marked unreviewed that are documented (not stale) targets of ``facts``.

        Computed once per file version and kept up to date by :meth:`record_accepted` (one
        look-up per mark), instead of going through the file's unreviewed drafts for each of
        its targets (quadratic in a file's drafts).
        """
        found = self._unreviewed_docs.get(facts.path)
        if found is not None and found[0] is facts:
            return found[1]
        marked = tuple(self._unreviewed_in.get(facts.path, ()))
        docs = frozenset(q for q in marked if _documented(facts, q))
        self._unreviewed_docs[facts.path] = (facts, docs)
        return docs

    def file_context(self, facts: FileFacts) -> str:
        """Return the file-level context of ``facts`` (the end of the cached prompt prefix).

        It is kept while the file's code is unchanged: docstrings applied during a run do not
        change it, so every target of the file keeps reading the same cached prefix.
        """
        # the key is a function of the file version: computed once per ``facts`` (not per
        # target: it sorts and hashes the fingerprints of every definition of the file)
        key = facts.__dict__.get("_file_context_key")
        if key is None:
            shas = self._file_shas(facts)
            code = hashlib.sha256(repr(sorted(shas.items())).encode()).hexdigest()
            key = (facts.path, code if shas else hashlib.sha256(facts.source).hexdigest())
            facts.__dict__["_file_context_key"] = key
        if key not in self._file_contexts:
            self._file_contexts[key] = file_context(facts)
        return self._file_contexts[key]

    def _redact_shared(self, text: str) -> str:
        """``redact(text)`` for a prompt part shared by many targets, computed once per text.

        The file context is the same for every target of a file (and often kilobytes long):
        looking for credentials in it once per file instead of once per target is a large part
        of an offline run.
        """
        found = self._redacted.get(text)
        if found is None:
            if len(self._redacted) >= 256:
                self._redacted.clear()  # bounded: a run moves on file by file
            found = self._redacted[text] = redact(text)
        return found

    def prompt(self, facts: FileFacts, target: Target, hint: str | None = None) -> Prompt:
        """Return the prompt of the first attempt for ``target`` (no network)."""
        return self._prompt(facts, target, self.context(facts, target), hint)

    def _prompt(
        self, facts: FileFacts, target: Target, pack: ContextPack, hint: str | None
    ) -> Prompt:
        init = facts.target(target.qualname + ".__init__") if target.kind == "class" else None
        existing = target.docstring.text if target.docstring is not None else ""
        stale = consistency_problems(target, existing, None, init) if existing else []
        return build_prompt(
            target.kind,
            target.qualname,
            facts.path,
            self.style,
            pack.text,
            pack.team_examples,
            hint,
            existing=existing if stale else None,
            problems=[p.message for p in stale],
            file_context=self.file_context(facts),
            rules=self.rules.prompt_text(),
        )

    def record_accepted(self, path: str, qualname: str, text: str, reviewed: bool = True) -> None:
        """Feed an accepted docstring back so callers drafted later see it (callee-first).

        ``reviewed=False`` marks a model's draft that no person reviewed (proposed, or applied
        by the batch policy): callers see it, but it is never a style example.
        """
        self.symbols.set_docstring(path, qualname, text)
        if reviewed:
            self.unreviewed.discard((path, qualname))
            self._unreviewed_in.get(path, set()).discard(qualname)
        else:
            self.unreviewed.add((path, qualname))
            self._unreviewed_in.setdefault(path, set()).add(qualname)
        known = self._unreviewed_docs.get(path)
        if known is not None:  # keep the file's documented unreviewed neighbours current
            facts, docs = known
            if reviewed and qualname in docs:
                self._unreviewed_docs[path] = (facts, docs - {qualname})
            elif not reviewed and qualname not in docs and _documented(facts, qualname):
                self._unreviewed_docs[path] = (facts, docs | {qualname})

    async def draft(
        self, facts: FileFacts, target: Target, hint: str | None = None, fresh: bool = False
    ) -> Draft:
        """Draft a docstring for ``target``.

        ``hint`` is a reviewer's typed request: it bypasses the cache and, for a stale
        docstring, asks for a rewrite. ``fresh`` only bypasses the cache (``g`` in review
        without a hint): a stale docstring is still repaired in place.
        """
        started = time.perf_counter()
        pack = self.context(facts, target)
        self._packs.pop((facts.path, target.qualname), None)  # drafted: not needed again
        init = facts.target(target.qualname + ".__init__") if target.kind == "class" else None
        existing = target.docstring.text if target.docstring is not None else ""
        stale = consistency_problems(target, existing, None, init) if existing else []
        prompt = self._prompt(facts, target, pack, hint)
        if getattr(self.settings, "redact_prompts", True):  # no credential leaves the machine
            prompt = dataclasses.replace(
                prompt,
                user=redact(prompt.user),
                examples=self._redact_shared(prompt.examples),
                file_context=self._redact_shared(prompt.file_context),
            )
        code_sha = self.code_sha(facts, target)
        ctx_hash = hashlib.sha256(f"{pack.hash}\0{prompt.file_context}".encode()).hexdigest()[:16]
        if hint:
            ctx_hash = hashlib.sha256((ctx_hash + "\0" + hint).encode()).hexdigest()[:16]
        effort = str(getattr(self.provider, "effort", "") or "")
        model_key = self.provider.model + (f"+effort={effort}" if effort else "")
        style_key = self.style + ("+rest" if self.rest else "") + ("+types" if self.types else "")
        if self.init_in_class and target.kind == "class":
            style_key += "+init"
        key = cache_key(code_sha, ctx_hash, self.prompt_version, model_key, style_key)
        draft = Draft(
            path=facts.path,
            qualname=target.qualname,
            kind=target.kind,
            code_sha=code_sha,
            style=self.style,
            provider=self.provider.name,
            model=self.provider.model,
            prompt_version=self.prompt_version,
            context=pack.text,
            context_tokens=pack.tokens,
            cache_key=key,
            notice="" if makes_model_calls(self.provider.name) else OFFLINE_NOTICE,
            effort=effort,
            original_sha=docstring_sha(target.docstring.text if target.docstring else None),
        )
        if not hint and not fresh:
            hit = self.cached(key, draft.original_sha)
            if hit is not None:
                return hit

        def request(messages: Messages) -> DraftRequest:
            return DraftRequest(
                system=prompt.system,
                examples=prompt.examples,
                messages=messages,
                schema=DRAFT_SCHEMA,
                max_tokens=MAX_TOKENS,
                facts=facts,
                target=target,
                style=self.style,
                interactive=self.interactive,
                file_context=prompt.file_context,
                init_in_class=self.init_in_class and target.kind == "class",
                types=self.types,
            )

        def accept(structured: StructuredDraft) -> list[Check]:
            draft.structured = structured
            draft.text, kept = self._compose(structured, target, init, existing, stale, hint)
            checks = run_checks(
                target, draft.text, self.style, self.symbols, structured, init, facts
            )
            return checks + ([kept] if kept is not None else [])

        def follow_up(
            messages: Messages,
            result: ProviderResult,
            failed: list[Check],
            structured: StructuredDraft | None,
        ) -> Messages:
            previous = structured.to_json() if structured is not None else result.raw
            follow = redraft_message(problems_text(failed), previous)
            if result.raw.strip():
                return [
                    *messages,
                    {"role": "assistant", "content": result.raw},
                    {"role": "user", "content": follow},
                ]
            return [{"role": "user", "content": prompt.user + "\n\n" + follow}]

        await draft_with_redraft(
            self.provider,
            draft,
            [{"role": "user", "content": prompt.user}],
            request,
            _structured,
            accept,
            follow_up,
            started=started,
            batch=self.batch,
            # a redraft cannot make a wholesale replacement preserve the hand-written text;
            # an absurdly long answer is not quoted back to the model (nor paid for twice)
            no_redraft=("preserves_existing", "size"),
            prices=self.prices,
        )
        if self._keeps_drafts() and not hint and not draft.error:
            self.cache.put(key, draft)  # type: ignore[union-attr]  # a DraftCache
        return draft

    def cached(self, key: str, original_sha: str | None) -> Draft | None:
        """A copy of the draft :attr:`cache` holds under ``key`` (marked ``cached``), or None.

        A draft made against another docstring than ``original_sha`` (written or changed
        since) is not reused.
        """
        if self.cache is None:
            return None
        hit = self.cache.get(key)
        if hit is None or hit.original_sha not in (None, original_sha):
            return None
        hit = copy.deepcopy(hit)
        hit.cached = True
        hit.latency_ms = 0
        return hit

    def forget_packs(self) -> None:
        """Drop the context packs kept for drafts to come (another process makes them)."""
        self._packs.clear()

    def _keeps_drafts(self) -> bool:
        """Whether :attr:`cache` is a :class:`DraftCache` (asked once per cache object: a
        protocol's ``isinstance`` inspects the object's attributes on every call)."""
        known = self.__dict__.get("_keeps")
        if known is None or known[0] is not self.cache:
            known = self.__dict__["_keeps"] = (self.cache, isinstance(self.cache, DraftCache))
        return known[1]

    def _compose(
        self,
        structured: StructuredDraft,
        target: Target,
        init: Target | None,
        existing: str,
        stale: list[Problem],
        hint: str | None,
    ) -> tuple[str, Check | None]:
        """Return the draft text and, for a stale docstring, the ``preserves_existing`` check.

        A stale docstring is repaired in place (:func:`repair_docstring`), the structured draft
        supplying only the new parts — also when a reviewer typed a ``hint`` or asked for a
        fresh draft: a person's words are never swapped for a rewrite behind their back. When
        no repair is possible the structured draft replaces the docstring wholesale, which
        fails ``preserves_existing`` (hard): never applied by a policy, and in review only
        after an explicit confirmation that says how many hand-written lines go.
        """
        width = self._width(target)
        # a class documenting its __init__'s arguments renders them with that signature
        shape = (
            init if target.kind == "class" and init is not None and structured.params else target
        )
        if not stale:
            return render(structured, self.style, shape, width, self.rest, self.types), None
        if self.rest:
            structured = for_rest(structured)
        repaired = repair_docstring(
            existing, target, stale, structured, self.style, init=init, width=width
        )
        if repaired is not None:
            fixed = "; ".join(p.message for p in stale)
            return repaired, Check("preserves_existing", True, f"repaired in place: {fixed}")
        full = render(structured, self.style, shape, width, self.rest, self.types)
        lost = len(dropped_lines(existing, full))
        lines = "line" if lost == 1 else "lines"
        detail = (
            f"cannot be repaired in place: replaces the hand-written docstring "
            f"({lost} {lines} would go); review it"
        )
        return full, Check("preserves_existing", False, detail)

    def _width(self, target: Target) -> int:
        """Wrap width of the docstring content: line length minus indentation and quotes."""
        line_length = int(getattr(self.settings, "line_length", 88) or 88)
        depth = target.qualname.count(".") + (0 if target.kind == "module" else 1)
        return max(40, min(72, line_length - 4 * depth - 4))


def _structured(data: Any, raw: str) -> tuple[StructuredDraft | None, str]:
    """Validate provider output; return ``(draft, "")`` or ``(None, problem)``."""
    if data is None:
        snippet = " ".join(raw.split())[:80]
        return None, f"the answer is not a JSON object: {snippet!r}" if snippet else "empty answer"
    try:
        return StructuredDraft.from_json(data), ""
    except SchemaError as exc:
        return None, f"the JSON does not match the draft schema: {exc}"


def draft_summary(draft: Draft) -> str:
    """One line describing a draft's outcome (for logs and progress output)."""
    if draft.error:
        return f"{draft.path}:{draft.qualname}: error ({draft.error_kind}): {draft.error}"
    failed = [c.name for c in draft.checks if c.hard and not c.ok]
    status = "ok" if not failed else "failed " + ",".join(failed)
    return f"{draft.path}:{draft.qualname}: {status} [{draft.provider}/{draft.model}]"


__all__ = ["Drafter", "draft_summary", "file_shas"]


def _documented(facts: FileFacts, qualname: str) -> bool:
    """Whether ``qualname`` is a target of ``facts`` with a docstring that is not stale."""
    t = facts.target(qualname)
    return t is not None and t.docstring is not None and t.status != "stale"
