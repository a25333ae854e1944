"""The draft queue behind the review app, without Textual: prefetch, versions, regen, cancel."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from review_helpers import FILES, SlowProvider, make_session

from docagent.draft.models import Draft
from docagent.draft_queue import DraftQueue
from docagent.session import Session, WorkItem

MANY = '"""Six functions."""\n\n\n' + "\n\n".join(
    f"def f{i}(a: int) -> int:\n    return a + {i}\n" for i in range(6)
)


def file_and_draft(session: Session, item: WorkItem, draft: Draft) -> tuple[str, str]:
    """A preview that shows what it was built on: the file's text and the draft's."""
    return (Path(session.root, item.path).read_text(encoding="utf-8"), draft.text)


@pytest.fixture
def queue(repo_factory: Any) -> Iterator[DraftQueue[tuple[str, str]]]:
    """A started queue over a session on ``many.py`` (six undocumented functions)."""
    session = make_session(repo_factory({"many.py": MANY}))
    queue = DraftQueue(file_and_draft, prefetch=2)
    queue.start(session)
    yield queue
    queue.close()
    session.close()


def test_the_queue_does_not_import_textual() -> None:
    """The queue is library code: importing it loads no part of Textual."""
    code = "import docagent.draft_queue, sys; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_a_draft_is_kept_ready_with_its_preview(queue) -> None:
    """A drafted item is ready with a preview built on the file; it is no longer in flight."""
    item = queue.session.prepare()[0]
    ready = await queue.draft(item)
    assert queue.ready[item.key] is ready
    assert not queue.inflight
    assert ready.preview == ((queue.session.root / "many.py").read_text(), ready.draft.text)
    assert queue.current(item)
    assert not queue.wants(item)  # drafted once: not again unless forced
    assert queue.wants(item, force=True)


async def test_prefetch_plans_the_next_pending_items_the_filter_shows(queue) -> None:
    """Prefetch picks the current item and ``prefetch`` pending shown items after it, wrapping."""
    items = queue.session.prepare()
    assert [i.qualname for i in queue.plan(items, 0, set(range(6)))] == ["f0", "f1", "f2"]
    items[1].state = "done"  # decided: not drafted ahead
    assert [i.qualname for i in queue.plan(items, 0, {0, 1, 3, 4, 5})] == ["f0", "f3", "f4"]
    assert [i.qualname for i in queue.plan(items, 5, set(range(6)))] == ["f5", "f0", "f2"]
    await queue.draft(items[3])
    # a ready item counts towards the number but is not drafted again
    assert [i.qualname for i in queue.plan(items, 2, set(range(6)))] == ["f2", "f4"]


async def test_a_written_file_outdates_previews_and_refresh_rebuilds_them(queue) -> None:
    """After the session writes a file, its previews are rebuilt on the new content."""
    items = queue.session.prepare()
    first, second = items[0], items[1]
    await queue.draft(first)
    await queue.draft(second)
    assert queue.session.accept(first, queue.ready[first.key].draft).ok
    queue.changed(first.path)
    assert not queue.current(second)  # built on the file before the accept
    future = queue.refresh(second)
    assert future is not None and second.key in queue.refreshing
    assert queue.refresh(second) is None  # one rebuild at a time
    await future
    assert queue.current(second)
    text = (queue.session.root / "many.py").read_text()
    assert queue.ready[second.key].preview[0] == text


async def test_regenerating_replaces_the_draft_and_a_late_refresh_keeps_it(queue) -> None:
    """A regenerated draft replaces the old one; a refresh of the old one does not undo that."""
    item = queue.session.prepare()[0]
    old = await queue.draft(item)
    queue.changed(item.path)
    refresh = queue.refresh(item)
    queue.discard(item)
    new = await queue.draft(item, hint="mention the offset", fresh=True)
    assert refresh is not None
    await refresh
    assert queue.ready[item.key] is new
    assert new.draft.draft_id != old.draft.draft_id


async def test_a_failed_draft_raises_and_leaves_nothing_in_flight(repo_factory: Any) -> None:
    """When drafting raises, the future raises; the item is neither ready nor in flight."""

    def unreadable(session: Session, item: WorkItem, draft: Draft) -> str:
        raise OSError(f"{item.path} cannot be read")

    session = make_session(repo_factory({"many.py": MANY}))
    queue: DraftQueue[str] = DraftQueue(unreadable)
    queue.start(session)
    item = session.prepare()[0]
    with pytest.raises(OSError, match="cannot be read"):
        await queue.draft(item)
    assert not queue.inflight and item.key not in queue.ready
    assert queue.wants(item)  # the person can retry
    queue.close()
    session.close()


async def test_close_cancels_drafts_in_flight(repo_factory: Any) -> None:
    """Closing the queue cancels what is in flight; later requests are not taken."""
    session = make_session(repo_factory(FILES))
    session.provider = SlowProvider(session.provider, delay=30)
    queue: DraftQueue[tuple[str, str]] = DraftQueue(file_and_draft)
    queue.start(session)
    item = session.prepare()[0]
    future = queue.submit(item)
    await asyncio.sleep(0)
    await asyncio.to_thread(queue.close)
    with pytest.raises(asyncio.CancelledError):
        await future
    await queue.settled()
    assert not queue.inflight and item.key not in queue.ready
    assert not queue.wants(item, force=True)
    with pytest.raises(RuntimeError, match="not running"):
        queue.submit(item)
    session.close()


async def test_proposals_are_shown_before_anything_is_drafted(queue) -> None:
    """A preset draft (from a proposals file) is used first; ``fresh`` drafts anew."""
    item = queue.session.prepare()[0]
    preset = Draft(item.path, item.qualname, item.kind, text="From the proposals file.")
    queue.session.preset = {item.key: preset}
    assert (await queue.draft(item)).draft is preset
    queue.session.preset = {item.key: preset}
    assert (await queue.draft(item, fresh=True)).draft is not preset
