"""The review TUI: a person accepts, edits, rejects or skips drafts, never waiting on the model.

:class:`ReviewApp` takes a :class:`~docagent.session.Session` (or a factory returning one, called
in a worker thread) and drives it: the session does all domain work (finding targets, drafting,
logging, safe edits, undo); the app shows drafts and turns keys into session calls.

The app is a view over a :class:`~docagent.draft_queue.DraftQueue`, which drafts on its own
event loop in a background thread, prefetches and keeps previews in step with the files. The
app's workers await the queue and post :class:`DraftReady` / :class:`DraftFailed` messages
(``docagent.review.messages``), so the UI stays responsive. The current item's draft and the
drafts of the next few pending items are prefetched, so after a decision the next draft is
usually on screen at once.

README sections (``docagent review --readme``: items of kind ``readme_section``) flow through
the same screen: listed under their README, previewed as Markdown with the section in place,
and decided with the same keys; the session checks and applies them.

Starting up (the main screen, the session prepared in a thread) is :class:`Startup` in
``review/startup.py``; the decision keys are :class:`DecisionActions` in ``review/actions.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import App

from docagent.draft_queue import DraftQueue, Ready
from docagent.review.actions import DecisionActions
from docagent.review.closing import close_session
from docagent.review.crash import first_line, write_crash_log
from docagent.review.messages import DraftFailed, DraftReady, PreviewRefreshed
from docagent.review.palette import ReviewCommands
from docagent.review.preview import Preview, make_preview
from docagent.review.screens import (
    HelpScreen,
    MainScreen,
    SummaryScreen,
)
from docagent.review.session_counts import SessionSummary, Tally
from docagent.review.startup import Startup
from docagent.review.widgets import ChecksPanel, CodeView, StatusLine, TargetList
from docagent.review.widgets.status import StatusInfo
from docagent.review.widgets.title import TargetTitle, TitleLine, target_title
from docagent.session import Session, WorkItem


class ReviewApp(DecisionActions, Startup, App[SessionSummary]):
    """``docagent review``: the Textual front end of a :class:`Session`."""

    CSS_PATH = "review.tcss"
    TITLE = "docagent review"
    COMMANDS = App.COMMANDS | {ReviewCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        session: Session | Callable[[], Session],
        *,
        prepare: Callable[[Session], list[WorkItem]] | None = None,
        commit: bool = False,
        commit_branch: str | None = None,
        prefetch: int = 3,
        clock: Callable[[], float] = time.monotonic,
        signals: bool = False,
    ) -> None:
        """Review with ``session`` (or the session ``session()`` returns, built in a thread).

        ``prepare`` finds the work items (default ``session.prepare()``); ``commit`` commits the
        changed files on quit (on ``commit_branch`` when given, a new branch); ``prefetch`` is
        how many pending items after the current one are drafted ahead; ``clock`` measures
        review and session time (tests pass a fixed one); ``signals`` makes SIGINT and SIGTERM
        end the session like ``q`` does (the summary is printed, ``--commit`` commits), with
        exit code 130 (``docagent review`` sets it).
        """
        super().__init__()
        self._factory = session
        self._prepare_fn = prepare
        self.session: Session | None = session if isinstance(session, Session) else None
        self.commit = commit
        self.commit_branch = commit_branch
        self.clock = clock
        self.items: list[WorkItem] = []
        self.current = -1
        #: the drafts: prefetched, versioned, refreshed (started once the session is prepared)
        self.queue: DraftQueue[Preview] = DraftQueue(make_preview, prefetch)
        #: drafts whose accept was refused for dropping hand-written lines (A confirms them)
        self._warned: set[str] = set()
        self.tally = Tally()
        self.error = ""
        self.summary: SessionSummary | None = None
        self.loaded = False
        self._started = clock()
        self._shown_at: float | None = None
        self._finishing = False
        #: called with the item key each time a draft appears on screen (tests, benchmarks)
        self.on_draft_shown: Callable[[tuple[str, str]], None] | None = None
        self.signals = signals
        #: set when a signal ended the session
        self.interrupted = False
        #: one line for the person when an unexpected error ended the session (names the log)
        self.crash = ""

    # ------------------------------------------------------------------ state, crashes, signals

    @property
    def notification_texts(self) -> list[str]:
        """The text of every notification on screen now, oldest first."""
        return [str(n.message) for n in self._notifications]

    @property
    def main(self) -> MainScreen:
        """The main screen (installed at mount)."""
        return self.get_screen("main")  # type: ignore[return-value]

    def exit_code(self) -> int:
        """The process exit code: 1 after a crash, 130 after a signal, else the app's code."""
        if self.crash:
            return 1
        if self.interrupted:
            return 130
        return int(self.return_code or 0)

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error: keep the decisions, write the traceback to a log, exit 1.

        The session is closed as on ``q`` (with ``--commit``, what was accepted is committed),
        the terminal is restored by Textual, and ``docagent review`` prints one line naming
        the log file instead of a traceback.
        """
        if not self.crash:
            where = write_crash_log(self.session.root if self.session else None, error)
            self.crash = (
                f"review stopped by an unexpected error ({type(error).__name__}: "
                f"{first_line(error)}); the traceback is in {where}"
            )
            if self.summary is None and not self._finishing:
                self._finishing = True
                try:
                    self.summary = self._close_session()
                except Exception as exc:  # the crash is what gets reported
                    self.crash += f"; closing the session failed too: {first_line(exc)}"
        super()._handle_exception(error)
        self._exit_renderables.clear()  # the traceback is in the log file, not on the screen

    def interrupt(self) -> None:
        """SIGINT/SIGTERM: end the session as ``q`` does, then exit without the summary screen."""
        self.interrupted = True
        if self.summary is not None:
            self.exit(self.summary, return_code=130)
        elif not self._finishing:
            self.action_quit_review()

    # ------------------------------------------------------------------ drafting

    def _request(
        self, item: WorkItem, hint: str | None = None, force: bool = False, fresh: bool = False
    ) -> None:
        """Start drafting ``item`` unless it is ready or already being drafted.

        ``force`` drafts even so; ``fresh`` bypasses the cache and the proposals' drafts.
        """
        if self._finishing or not self.queue.wants(item, force):
            return
        future = self.queue.submit(item, hint, fresh)
        self.run_worker(self._draft_worker(item, future), group="drafts", exit_on_error=False)

    async def _draft_worker(self, item: WorkItem, future: asyncio.Future[Ready[Preview]]) -> None:
        """Wait for ``item``'s draft and post what came of it."""
        try:
            ready = await future
        except Exception as exc:  # a failed draft must not end the session
            self.post_message(DraftFailed(item, str(exc)))
            return
        self.post_message(DraftReady(item, ready))

    @on(DraftReady)
    def _draft_ready(self, message: DraftReady) -> None:
        """Show a draft that became ready (it is the current item's) and say if it failed."""
        if message.ready.draft.error:
            self.notify(
                f"{message.item.qualname}: {message.ready.draft.error}. Press g to retry.",
                title="model error",
                severity="error",
                timeout=8,
            )
        self._update_status()
        if self.current_item() is message.item:
            self._render_current()

    @on(DraftFailed)
    def _draft_failed(self, message: DraftFailed) -> None:
        """Say that a draft could not be made; the current item's view shows why."""
        self.notify(
            f"{message.item.qualname}: {message.error}. Press g to retry.",
            title="drafting failed",
            severity="error",
            timeout=8,
        )
        self._show_error(message.item, message.error)

    def _refresh(self, item: WorkItem) -> None:
        """Rebuild ``item``'s preview in the background (its file changed since)."""
        if self._finishing:
            return
        future = self.queue.refresh(item)
        if future is not None:
            self.run_worker(self._refresh_worker(item, future), group="drafts", exit_on_error=False)

    async def _refresh_worker(self, item: WorkItem, future: asyncio.Future[Ready[Preview]]) -> None:
        """Wait for the rebuilt preview and post what came of it (the old one stays on error)."""
        try:
            await future
        except Exception as exc:
            self.post_message(PreviewRefreshed(item, str(exc)))
            return
        self.post_message(PreviewRefreshed(item))

    @on(PreviewRefreshed)
    def _preview_refreshed(self, message: PreviewRefreshed) -> None:
        """Show the rebuilt preview (or say why the old one stays)."""
        if message.error:
            text = f"{message.item.qualname}: cannot refresh the preview: {message.error}"
            self.notify(text, severity="warning")
        elif self.current_item() is message.item:
            self._render_current()

    def _prefetch_from(self, index: int) -> None:
        """Draft the current item and the next pending ones (that the filter shows) ahead."""
        shown = set(self.main.query_one(TargetList).shown_indexes())
        for item in self.queue.plan(self.items, index, shown):
            self._request(item)

    # ------------------------------------------------------------------ showing

    def current_item(self) -> WorkItem | None:
        """The item on screen (None before the items are known, or when there are none)."""
        return self.items[self.current] if 0 <= self.current < len(self.items) else None

    def show(self, index: int) -> None:
        """Make item ``index`` the current one and show its draft (or a spinner)."""
        if not self.items:
            return
        self.current = index
        self.main.query_one(TargetList).select(index)
        self._render_current()
        self._prefetch_from(index)

    def _title(self, item: WorkItem) -> TargetTitle:
        """The title parts of ``item``; its line follows this session's edits to the file."""
        ready = self.queue.ready.get(item.key)
        if ready is not None and ready.preview.line:
            item.line = ready.preview.line
        return target_title(item)

    def _render_current(self) -> None:
        item = self.current_item()
        if item is None:
            return
        screen = self.main
        screen.query_one("#title", TitleLine).update(self._title(item))
        code = screen.query_one(CodeView)
        checks = screen.query_one(ChecksPanel)
        ready = self.queue.ready.get(item.key)
        if ready is None:
            code.loading = True
            checks.show(None)
            self._shown_at = None
            self._update_status()
            return
        if ready.version != self.queue.version(item.path):
            self._refresh(item)  # shown now, corrected line numbers follow in a moment
        code.loading = False
        if ready.draft.error:
            code.show_message(
                Text(
                    f"The draft failed: {ready.draft.error}\n\nPress g to retry, s to skip.",
                    style="bold red",
                )
            )
        else:
            code.show_preview(ready.preview)
        checks.show(ready.draft)
        self._shown_at = self.clock()
        self._update_status()
        if self.on_draft_shown is not None:
            self.on_draft_shown(item.key)

    def _show_error(self, item: WorkItem, message: str) -> None:
        if self.current_item() is item:
            code = self.main.query_one(CodeView)
            code.loading = False
            code.show_message(Text(f"{message}\n\nPress g to retry.", style="bold red"))

    def _update_status(self) -> None:
        session = self.session
        item = self.current_item()
        ready = self.queue.ready.get(item.key) if item else None
        done = sum(1 for i in self.items if i.state != "pending")
        info = StatusInfo(
            provider=session.provider.name if session else "…",
            model=session.provider.model if session else "…",
            context_tokens=ready.draft.context_tokens if ready else None,
            cost_usd=float(session.totals["cost_usd"]) if session else 0.0,
            done=done,
            total=len(self.items),
            accept_rate=self.tally.accept_rate,
        )
        with contextlib.suppress(Exception):  # the main screen is not mounted yet
            self.main.query_one(StatusLine).show(info)

    # ------------------------------------------------------------------ moving

    def action_next(self) -> None:
        """Move to the next target in the list."""
        self._step(1)

    def action_previous(self) -> None:
        """Move to the previous target in the list."""
        self._step(-1)

    def _step(self, delta: int) -> None:
        if not self.loaded or not self.items:
            return
        index = self.main.query_one(TargetList).step(delta)
        if index is not None:
            self.show(index)

    def action_filter(self) -> None:
        """Open the target list filter."""
        if self.loaded:
            self.main.query_one(TargetList).open_filter()

    def action_help(self) -> None:
        """Show the keys."""
        self.push_screen(HelpScreen())

    @on(TargetList.Picked)
    def _picked(self, event: TargetList.Picked) -> None:
        if event.index != self.current:
            self.show(event.index)

    # ------------------------------------------------------------------ quitting

    def action_quit_review(self) -> None:
        """Stop drafting, close the session (and commit with ``--commit``), show the summary."""
        if self._finishing:
            return
        self._finishing = True
        self.workers.cancel_group(self, "drafts")
        code = self.main.query_one(CodeView)
        code.loading = True
        self._finish()

    @work(thread=True, exit_on_error=False, group="finish")
    def _finish(self) -> None:
        summary = self._close_session()
        self.call_from_thread(self._show_summary, summary)

    def _close_session(self) -> SessionSummary:
        """Stop the drafting loop, commit when asked, close the session; return the summary."""
        return close_session(
            self.session,
            self.queue,
            self.items,
            self.tally,
            self.clock() - self._started,
            commit=self.commit,
            branch=self.commit_branch,
        )

    def _show_summary(self, summary: SessionSummary) -> None:
        self.summary = summary
        if self.interrupted:
            self.exit(summary, return_code=130)
            return
        self.push_screen(SummaryScreen(summary))

    def on_unmount(self) -> None:
        """Stop the drafting loop when the app ends without the summary (ctrl+c, tests)."""
        self.queue.close()

    def action_exit_review(self) -> None:
        """Leave the app from the summary."""
        self.exit(self.summary)

    async def action_quit(self) -> None:
        """ctrl+q and the palette's quit go through the summary too."""
        if self.summary is not None:
            self.exit(self.summary)
        else:
            self.action_quit_review()
