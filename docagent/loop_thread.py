"""A background event loop in its own thread, where every draft of a review session runs.

Drafting does CPU work (context packs, checks) and network I/O; running it on a dedicated loop
keeps the Textual event loop free, and keeps one provider client on one loop for the whole
session. The app awaits the returned futures with :func:`asyncio.wrap_future`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """An asyncio loop running in a daemon thread; submit coroutines from any thread."""

    def __init__(self, name: str = "docagent-drafts") -> None:
        """Start the loop thread."""
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop; return a thread-safe future of its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self, final: Coroutine[Any, Any, Any] | None = None, timeout: float = 5.0) -> None:
        """Run ``final`` (say, closing the provider), cancel what is left and stop the loop."""
        if self.loop.is_closed():
            if final is not None:
                final.close()
            return
        if final is not None:
            with contextlib.suppress(Exception):  # closing must not fail the session
                self.submit(final).result(timeout)

        async def _cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.submit(_cancel_all()).result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()
