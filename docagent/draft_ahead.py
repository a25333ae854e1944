"""Offline drafts made ahead in a second process while this one logs them (``batch``).

An offline ``batch`` is bound by CPU, not by a model: drafting a target (its context pack,
prompt, the offline drafter, the checks) and logging it (the decision log, ``--out``) take
turns on one core. :class:`DraftAhead` forks one worker process once the drafts reused from
the log are handled; the worker drafts the remaining targets in the run's order (callees first)
and hands each draft back through a pipe, while this process logs the previous ones. So the
second core drafts while the first one logs.

The worker's drafts are the ones the run would make itself: it is a copy of this process at
the fork (the same facts, symbol index and drafter), drafts in the same order and, like the
run, lets callers drafted later see each draft that passed its checks
(:meth:`~docagent.draft.drafter.Drafter.record_accepted`, unreviewed). It never touches the
decision log, ``--out`` or the repository's files; it has no draft cache. This process looks
each draft's cache key up in the log as a draft of its own would be
(:meth:`~docagent.work.docstrings.DocstringWork.adopt`) and logs it. Whenever what this
process would have drafted may differ from what the worker drafted — the log held another
draft under the key, a target's file changed on disk, the worker failed on a target or
stopped — the worker is stopped and this process drafts the rest itself, as a run without a
worker does (docs/performance.md).

The worker writes drafts into the pipe only as fast as this process reads them (the pipe's
buffer bounds what waits), and ends when its last draft is read, when the pipe closes (this
process ended or was killed) or when :meth:`DraftAhead.close` stops it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from docagent.draft.models import Draft

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from docagent.session import Session
    from docagent.work.items import WorkItem

#: fewer drafts than this are made in-process: forking (milliseconds for a small run, 0.2 s
#: for the standard library's) would cost about what the second core saves
MIN_ITEMS = 64


def available(session: Session, count: int) -> bool:
    """Whether a worker may draft ``count`` targets ahead for ``session``.

    Only for the providers that call no model (their drafts cost CPU, not waiting), with at
    least :data:`MIN_ITEMS` targets, two CPUs this process may use, and ``fork`` (the worker
    is a copy of this process: nothing is pickled to start it).
    """
    from docagent.draft.providers.registry import makes_model_calls

    if count < MIN_ITEMS or makes_model_calls(session.provider.name):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    if cpus < 2:
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class DraftAhead:
    """A worker process drafting ``items`` in order; :meth:`take` gives each one's draft."""

    def __init__(self, session: Session, items: Iterable[WorkItem]) -> None:
        """Fork the worker; it starts drafting ``items`` (in this order) at once."""
        import multiprocessing

        todo = list(items)
        self._expected = {item.key for item in todo}
        self._got: dict[tuple[str, str], Draft | None] = {}
        ctx = multiprocessing.get_context("fork")
        reader, writer = ctx.Pipe(duplex=False)
        self._process: Any = ctx.Process(
            target=_serve,
            args=(writer, reader, session, todo),
            name="docagent-draft-ahead",
            daemon=True,
        )
        self._process.start()
        writer.close()  # the worker's end: EOF here once the worker is gone
        self._conn: Connection | None = reader
        drafter = session.drafter
        if drafter is not None:  # the worker builds the packs now; the estimate's are not needed
            drafter.forget_packs()

    def take(self, item: WorkItem) -> Draft | None:
        """The worker's draft of ``item``, waiting for it; None when the worker has none (it
        was not asked for ``item``, failed on it or stopped): then the worker is stopped."""
        key = item.key
        if self._conn is None or key not in self._expected:
            self.close()
            return None
        while key not in self._got:
            try:
                got_key, draft = self._conn.recv()
            except (EOFError, OSError):
                self.close()
                return None
            self._got[got_key] = draft
        self._expected.discard(key)
        draft = self._got.pop(key)
        if draft is None:
            self.close()
        return draft

    def close(self) -> None:
        """Stop the worker (when still drafting) and wait for it; idempotent."""
        conn, self._conn = self._conn, None
        self._got.clear()
        self._expected.clear()
        if conn is None:
            return
        conn.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _serve(conn: Connection, theirs: Connection, session: Session, items: list[WorkItem]) -> None:
    """The worker: draft ``items`` in order and send ``(key, draft)`` for each (``None``: not
    drafted here), feeding each draft that passed its checks back to the symbol index.

    ``theirs`` is the other process's end of the pipe, closed here at once: a worker holding
    it would wait forever to write into a full pipe nobody else reads.
    """
    theirs.close()
    drafter = session.drafter
    try:
        if drafter is None:
            return
        drafter.cache = None  # this process alone reads the log

        async def run() -> None:
            for item in items:
                draft: Draft | None = None
                try:
                    found = session.target(item)
                    if found is not None:
                        draft = await drafter.draft(*found)
                except Exception:  # the run drafts it again, and says why it failed
                    draft = None
                conn.send((item.key, draft))
                if draft is None:
                    return  # what follows may depend on it: this process drafts the rest
                if draft.ok:
                    drafter.record_accepted(item.path, item.qualname, draft.text, reviewed=False)

        asyncio.run(run())
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the run is gone or interrupted: nothing to hand over
    except Exception:  # a draft that cannot be sent, say: the run drafts the rest
        pass
    finally:
        conn.close()


__all__ = ["MIN_ITEMS", "DraftAhead", "available"]
