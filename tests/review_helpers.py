"""Shared pieces of the review TUI tests: a fixed repository, providers, waiting helpers."""

from __future__ import annotations

import ast
import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docagent.draft.providers.base import DraftRequest, ProviderResult
from docagent.review import ReviewApp
from docagent.review.widgets import CodeView
from docagent.session import Session
from docagent.store import Store

CALC = '''"""Small calculator helpers."""


def add(a: int, b: int) -> int:
    return a + b


def mul(a: int, b: int) -> int:
    """Multiply numbers.

    Args:
        a: The first number.
        c: A number that is not there.
    """
    return a * b


def sub(a: int, b: int) -> int:
    return a - b


class Counter:
    """Count things."""

    def bump(self, a: int, b: int) -> int:
        return a + b
'''

FILES = {"calc.py": CALC}


class SlowProvider:
    """Wraps a provider and waits ``delay`` seconds before every answer."""

    def __init__(self, inner: Any, delay: float = 0.2) -> None:
        """Wrap ``inner``."""
        self.inner = inner
        self.delay = delay
        self.name = inner.name
        self.model = inner.model
        self.calls = 0

    async def complete(self, request: DraftRequest) -> ProviderResult:
        """Sleep, then answer like the wrapped provider."""
        self.calls += 1
        await asyncio.sleep(self.delay)
        return await self.inner.complete(request)

    async def aclose(self) -> None:
        """Nothing to release."""


def make_session(root: Path, **flags: Any) -> Session:
    """A TUI session on ``root``."""
    return Session(root, mode="tui", flags=flags or None, interactive=True)


def make_app(root: Path, *, slow: float = 0.0, **kwargs: Any) -> ReviewApp:
    """A review app on ``root`` with a fixed clock (deterministic summaries)."""
    session = make_session(root)
    if slow:
        session.provider = SlowProvider(session.provider, slow)
    kwargs.setdefault("clock", lambda: 0.0)
    return ReviewApp(session, **kwargs)


async def wait_for(pilot: Any, cond: Callable[[], Any], timeout: float = 10.0) -> None:
    """Let the app run until ``cond()`` is true (fail after ``timeout`` seconds)."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {cond}")
        await pilot.pause(0.01)


async def wait_for_workers(pilot: Any, app: ReviewApp) -> None:
    """Wait until no draft is in flight and every worker is done, then let messages land."""
    await app.queue.settled()
    await app.workers.wait_for_complete()
    await pilot.pause()


def shown(app: ReviewApp) -> bool:
    """True when the current item's draft is on screen (no spinner, preview up to date)."""
    item = app.current_item()
    return item is not None and app.queue.current(item) and not app.main.query_one(CodeView).loading


async def wait_shown(pilot: Any, app: ReviewApp, timeout: float = 10.0) -> None:
    """Wait until the session is prepared and the current draft is on screen."""
    await wait_for(pilot, lambda: app.loaded and shown(app), timeout)


def docstring_of(root: Path, qualname: str, path: str = "calc.py") -> str | None:
    """``ast.get_docstring`` of ``qualname`` in ``path`` under ``root``."""
    tree = ast.parse((root / path).read_text(encoding="utf-8"))
    node: Any = tree
    for part in qualname.split("."):
        node = next(
            n
            for n in node.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.name == part
        )
    return ast.get_docstring(node)


def decisions(root: Path) -> list[tuple[str, str, str]]:
    """Every non-undo decision in the log: (qualname, decision, reason)."""
    with Store.open(root) as store:
        return [(d.qualname, d.decision, d.reason) for d in store.decisions(effective=False)]


def history(root: Path, qualname: str) -> list[str]:
    """Every decision (undo included) on the drafts of ``qualname``, oldest first."""
    with Store.open(root) as store:
        out: list[str] = []
        for draft in store.drafts():
            if draft.qualname == qualname:
                out.extend(d.decision for d in store.history(draft.id))
        return out


def screen_rows(app: ReviewApp) -> list[str]:
    """The text of every row of the terminal as the person sees it now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def code_rows(app: ReviewApp) -> list[str]:
    """The rows of the code view that are on screen now (gutter and code)."""
    region = app.main.query_one(CodeView).region
    rows = screen_rows(app)[region.y : region.bottom]
    return [row[region.x : region.right] for row in rows]


def title_row(app: ReviewApp) -> str:
    """The title line above the code, as shown."""
    region = app.main.query_one("#title").region
    return screen_rows(app)[region.y][region.x : region.right].strip()
