"""What a session holds: the repository, settings, provider, decision log and run state.

:class:`SessionState` opens them and hands each work item to its kind of work
(:mod:`docagent.work`); the layers of :class:`~docagent.session.Session` build on it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from docagent import observability, repo
from docagent.code.astfacts import AstFacts, Parsed
from docagent.code.targets import FileFacts, Target
from docagent.config import Settings, load_settings
from docagent.decisions import Tally
from docagent.draft import Drafter, SymbolIndex, make_provider
from docagent.draft.models import Draft
from docagent.draft.providers.registry import fallback_provider, provider_spec
from docagent.draft.rules import Rules
from docagent.errors import DocagentError
from docagent.store import Store
from docagent.work import (
    README_KIND,
    UndoRecord,
    WorkItem,
    WorkKind,
)
from docagent.work.docstrings import DocstringWork
from docagent.work.readme import ReadmeWork

if TYPE_CHECKING:
    from docagent.code.factscache import FactsCache
    from docagent.session import Session


class SessionState:
    """The state of a drafting session and the kind of work of each item."""

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
        #: each file's absolute path, joined once (its stamp is checked on every lookup)
        self._abs_paths: dict[str, str] = {}
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
        #: files Python parsed while the scan's workers ran (:meth:`Preparing.scan_work`): their
        #: text and :func:`~docagent.code.astfacts.parse_text`, until prepare gives them out
        self._parsed_ahead: dict[str, tuple[str, Parsed]] = {}
        #: the facts cache loaded then, for prepare
        self._facts_cache: FactsCache | None = None
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
        session = cast("Session", self)
        self.docstrings = DocstringWork(session)
        self.readme = ReadmeWork(session)
        self._kinds: dict[str, WorkKind] = {README_KIND: self.readme}

    @property
    def lock(self) -> threading.RLock:
        """The session's lock: held while a file is read, written and noted (work kinds)."""
        return self._lock

    def work(self, item: WorkItem) -> WorkKind:
        """The kind of work ``item`` is: README sections, else docstrings."""
        return self._kinds.get(item.kind, self.docstrings)

    def target(self, item: WorkItem) -> tuple[FileFacts, Target] | None:
        """The file facts and current code target of a work item, or None when it is gone.

        Always None for README items (see :meth:`readme_target`).
        """
        return self.work(item).target(item)
