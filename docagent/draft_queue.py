"""The drafts a review session shows: prefetched, versioned, redrawn, cancelled — without a UI.

A :class:`DraftQueue` drafts work items of a :class:`~docagent.session.Session` on its own event
loop in a background thread (:class:`~docagent.loop_thread.LoopThread`), so the front end's loop
stays free; it keeps what is ready to show (:class:`Ready`: the draft, a preview built by the
front end's ``build`` function, and the version of the file the preview was built on), what is
in flight, and a version per file that goes up each time the session writes it (accept, edit,
undo), so a preview built on older content is rebuilt (:meth:`DraftQueue.refresh`).

The review TUI (``docagent.review``) is a view over a queue: its workers await
:meth:`DraftQueue.draft` and post messages with the result. Nothing here imports Textual; the
queue is tested on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from docagent.draft.models import Draft
from docagent.loop_thread import LoopThread
from docagent.session import Session, WorkItem

P = TypeVar("P")
Key = tuple[str, str]


@dataclass
class Ready(Generic[P]):
    """A draft ready to show, with its preview and the file version the preview was built on."""

    draft: Draft
    preview: P
    version: int


class DraftQueue(Generic[P]):
    """Drafts of one session's work items, drafted ahead of the person (see the module doc).

    ``build(session, item, draft)`` makes the preview of a draft; it runs on the drafting loop
    (it may read files). ``prefetch`` is how many pending items after the current one are
    drafted ahead.
    """

    def __init__(self, build: Callable[[Session, WorkItem, Draft], P], prefetch: int = 3) -> None:
        """Create an idle queue; :meth:`start` gives it a session and starts its loop."""
        self.build = build
        self.prefetch = max(0, prefetch)
        self.session: Session | None = None
        #: drafts ready to show, by item key
        self.ready: dict[Key, Ready[P]] = {}
        #: items being drafted, by key: the future of each draft
        self.inflight: dict[Key, asyncio.Future[Ready[P]]] = {}
        #: items whose preview is being rebuilt
        self.refreshing: set[Key] = set()
        #: per file: how many times this session wrote it
        self.versions: dict[str, int] = {}
        self.closed = False
        self._loop: LoopThread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self, session: Session) -> None:
        """Draft for ``session`` from now on, on a new drafting loop."""
        self.session = session
        self._loop = LoopThread()

    def close(self) -> None:
        """Cancel what is in flight, close the provider, stop the loop; later requests do nothing.

        A draft being awaited raises :class:`asyncio.CancelledError`.
        """
        self.closed = True
        loop, self._loop = self._loop, None
        if loop is None:
            return
        aclose = getattr(self.session.provider, "aclose", None) if self.session else None
        loop.close(aclose() if aclose else None)

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`close`."""
        return self._loop is not None and not self.closed

    # ------------------------------------------------------------------ versions

    def version(self, path: str) -> int:
        """How many times this session wrote ``path``."""
        return self.versions.get(path, 0)

    def changed(self, path: str) -> None:
        """This session wrote ``path``: previews built on the old content are out of date."""
        self.versions[path] = self.version(path) + 1

    def current(self, item: WorkItem) -> bool:
        """True when ``item``'s draft is ready and its preview shows the file as it is now."""
        ready = self.ready.get(item.key)
        return (
            ready is not None
            and ready.version == self.version(item.path)
            and item.key not in self.refreshing
        )

    # ------------------------------------------------------------------ drafting

    def wants(self, item: WorkItem, force: bool = False) -> bool:
        """True when :meth:`draft` should be called for ``item`` now.

        Not after :meth:`close`; not when its draft is ready or in flight, unless ``force``.
        """
        if not self.running:
            return False
        return force or (item.key not in self.ready and item.key not in self.inflight)

    def plan(self, items: Sequence[WorkItem], index: int, shown: set[int]) -> list[WorkItem]:
        """The items to draft now: ``items[index]`` and the next pending ones in ``shown``.

        Up to :attr:`prefetch` pending items after ``index`` (wrapping) are drafted ahead; items
        already ready or in flight count towards that number but are not returned again.
        """
        if not items:
            return []
        n = len(items)
        picked = [items[index]]
        for step in range(1, n):
            if len(picked) > self.prefetch:
                break
            j = (index + step) % n
            if items[j].state == "pending" and j in shown:
                picked.append(items[j])
        return [item for item in picked if self.wants(item)]

    def submit(
        self, item: WorkItem, hint: str | None = None, fresh: bool = False
    ) -> asyncio.Future[Ready[P]]:
        """Start drafting ``item`` on the drafting loop; return the future of its :class:`Ready`.

        Call from the front end's event loop. The item is in flight from now until the draft
        is done; then it is ready (kept in :attr:`ready`). A proposals session's drafts
        (``session.preset``) are used first, unless ``hint`` or ``fresh`` (bypass the cache
        and the proposals) asks for a new one. The future raises what drafting raised, or
        :class:`asyncio.CancelledError` after :meth:`close`.

        Raises:
            RuntimeError: The queue is not running.
        """
        if self._loop is None or self.session is None or self.closed:
            raise RuntimeError("the draft queue is not running")
        key = item.key
        job = self._draft(self.session, item, hint, self.version(item.path), fresh)
        future = asyncio.wrap_future(self._loop.submit(job))
        self.inflight[key] = future

        def done(f: asyncio.Future[Ready[P]]) -> None:
            if self.inflight.get(key) is f:
                del self.inflight[key]
            if not f.cancelled() and f.exception() is None:
                self.ready[key] = f.result()

        future.add_done_callback(done)
        return future

    async def draft(self, item: WorkItem, hint: str | None = None, fresh: bool = False) -> Ready[P]:
        """Draft ``item`` (:meth:`submit`) and wait for it."""
        return await self.submit(item, hint, fresh)

    async def _draft(
        self, session: Session, item: WorkItem, hint: str | None, version: int, fresh: bool
    ) -> Ready[P]:
        """Runs on the drafting loop: draft, then build the preview."""
        preset = getattr(session, "preset", {})
        draft = preset.pop(item.key, None) if hint is None and not fresh else None
        if draft is None:
            draft = await session.draft(item, hint, fresh=fresh)
        return Ready(draft, self.build(session, item, draft), version)

    def discard(self, item: WorkItem) -> None:
        """Forget ``item``'s ready draft (before drafting it again)."""
        self.ready.pop(item.key, None)

    def refresh(self, item: WorkItem) -> asyncio.Future[Ready[P]] | None:
        """Rebuild ``item``'s preview on the file as it is now; None when there is nothing to do.

        Call from the front end's event loop. The rebuilt preview replaces the old one only when
        its draft is still the ready one (a regenerated draft is not overwritten).
        """
        ready = self.ready.get(item.key)
        if ready is None or item.key in self.refreshing or not self.running:
            return None
        assert self._loop is not None and self.session is not None
        key, session, version, draft = item.key, self.session, self.version(item.path), ready.draft

        async def rebuild() -> Ready[P]:
            return Ready(draft, self.build(session, item, draft), version)

        self.refreshing.add(key)
        future = asyncio.wrap_future(self._loop.submit(rebuild()))

        def done(f: asyncio.Future[Ready[P]]) -> None:
            self.refreshing.discard(key)
            if not f.cancelled() and f.exception() is None and self.ready.get(key) is ready:
                self.ready[key] = f.result()

        future.add_done_callback(done)
        return future

    async def settled(self) -> None:
        """Wait until no draft is in flight (failed and cancelled ones included).

        Each round yields once more, so code awaiting those drafts (the front end's workers)
        runs before this returns.
        """
        while self.inflight:
            await asyncio.wait(list(self.inflight.values()))
            await asyncio.sleep(0)
