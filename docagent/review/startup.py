"""Starting a review: the main screen in a loading state, the session prepared in a thread.

:class:`Startup` is a mixin of :class:`~docagent.review.app.ReviewApp` (which holds the state it
reads); Textual finds its ``on_mount`` by walking the app's class MRO.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from docagent.draft.providers.registry import makes_model_calls
from docagent.review.screens import MainScreen
from docagent.review.widgets import ChecksPanel, CodeView, OfflineBanner, TargetList
from docagent.review.widgets.title import TitleLine
from docagent.session import Session, WorkItem

if TYPE_CHECKING:
    from textual.app import App

    from docagent.draft_queue import DraftQueue
    from docagent.review.preview import Preview
    from docagent.review.session_counts import SessionSummary, Tally

    _Base = App[SessionSummary]
else:
    _Base = object


class Startup(_Base):
    """Mount the main screen, prepare the session off the UI thread, show the first item."""

    if TYPE_CHECKING:  # held and defined by ReviewApp
        _factory: Session | Callable[[], Session]
        _prepare_fn: Callable[[Session], list[WorkItem]] | None
        session: Session | None
        signals: bool
        error: str
        tally: Tally
        items: list[WorkItem]
        loaded: bool
        queue: DraftQueue[Preview]

        @property
        def main(self) -> MainScreen:
            """The main screen."""

        def interrupt(self) -> None:
            """End the session as ``q`` does (SIGINT/SIGTERM)."""

        def show(self, index: int) -> None:
            """Make item ``index`` the current one."""

        def _update_status(self) -> None: ...

    async def on_mount(self) -> None:
        """Show the main screen in a loading state and prepare the session in a thread."""
        if self.signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(sig, self.interrupt)
        offline = bool(self.session and not makes_model_calls(self.session.provider.name))
        self.install_screen(MainScreen(offline=offline), name="main")
        await self.push_screen("main")
        code = self.main.query_one(CodeView)
        code.loading = True
        self.main.query_one("#title", TitleLine).update("Scanning the repository…")
        self._update_status()
        self._prepare()

    @work(thread=True, exit_on_error=False, group="prepare")
    def _prepare(self) -> None:
        """Build the session (when given a factory), scan and index: all in a worker thread."""
        try:
            session = self.session
            if session is None:
                session = self._factory()  # type: ignore[operator]
            items = self._prepare_fn(session) if self._prepare_fn else session.prepare()
        except Exception as exc:  # shown to the person, never a traceback
            message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
            self.call_from_thread(self._prepare_failed, message)
            return
        self.call_from_thread(self._prepared, session, items)

    def _prepare_failed(self, message: str) -> None:
        self.error = message
        self.exit(None, return_code=2, message=f"docagent: error: {message}")

    def _prepared(self, session: Session, items: list[WorkItem]) -> None:
        self.session = session
        self.tally = session.tally
        self.items = items
        self.loaded = True
        self.queue.start(session)
        self._show_banner(session)
        self.main.query_one(TargetList).set_items(items)
        self.main.query_one(CodeView).loading = False
        if session.notice and makes_model_calls(session.provider.name):
            self.notify(session.notice, title="provider", timeout=4)
        for path, err in session.errors[:3]:
            self.notify(f"{path}: {err}", title="skipped file", severity="warning", timeout=6)
        source = getattr(session, "proposals_source", None)
        for notice in getattr(session, "notices", [])[:3]:
            title = "proposals" if source else "README"
            self.notify(notice, title=title, severity="warning", timeout=8)
        if not items:
            self.main.query_one("#title", TitleLine).update("Nothing to review")
            self.main.query_one(CodeView).show_message(
                "Every target in scope is documented and up to date. Press q to quit."
            )
            self.main.query_one(ChecksPanel).show(None)
            self._update_status()
            return
        self.show(0)

    def _show_banner(self, session: Session) -> None:
        """Say where the drafts come from: a proposals file, or the offline drafter."""
        banner = self.main.query_one("#banner", OfflineBanner)
        offline = not makes_model_calls(session.provider.name)
        source = getattr(session, "proposals_source", None)
        if source:
            text = f"reviewing proposals from {source}"
            if offline:
                text += " · g drafts with the offline drafter (no model)"
            banner.update(text)
            banner.display = True
        else:
            banner.update(OfflineBanner.TEXT)
            banner.display = offline
