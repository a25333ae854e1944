"""``g`` on a stale target and ``--proposals`` review: what a new user sees (offline drafter).

``g`` makes a new draft that still repairs the hand-written docstring in place, with or
without a typed hint: a rewrite is never offered in its place. A proposals review leaves out
records that are already applied and says where the drafts come from instead of showing the
offline banner.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from review_helpers import make_app, make_session, shown, wait_for, wait_shown

from docagent.review import ReviewApp
from docagent.review.screens import HintScreen
from docagent.review.widgets import OfflineBanner
from docagent.store import Store

SIZE = (100, 30)
PARAGRAPH = "Negative factors flip the sign, which the mirroring code relies on."
UNITS = '''"""Unit helpers."""


def scale(value: float, factor: float) -> float:
    """Scale a value by a factor.

    Negative factors flip the sign, which the mirroring code relies on.

    Args:
        value: The value to scale.
        amount: How much to scale by.

    Returns:
        The scaled value.
    """
    return value * factor


def clamp(value: float) -> float:
    """Clamp a value to the unit interval."""
    return min(1.0, max(0.0, value))


def double(value: float) -> float:
    return value * 2
'''


async def _regenerate(pilot: Any, app: ReviewApp, hint: str) -> Any:
    """Press ``g``, type ``hint`` (maybe nothing), enter; return the new draft once shown."""
    key = app.current_item().key
    before = app.queue.ready[key].draft.draft_id
    await pilot.press("g")
    await wait_for(pilot, lambda: isinstance(app.screen, HintScreen))
    await pilot.press(*hint, "enter")
    await wait_for(pilot, lambda: shown(app) and app.queue.ready[key].draft.draft_id != before)
    return app.queue.ready[key].draft


def _hints(repo: Path, qualname: str) -> list[Any]:
    """The hint logged with each draft of ``qualname``, oldest first."""
    with Store.open(repo) as store:
        return [d.context.get("hint") for d in store.drafts() if d.qualname == qualname]


async def test_g_without_a_hint_repairs_a_stale_docstring_anew(repo_factory: Any) -> None:
    """``g`` + enter on a stale target: a new draft that keeps the paragraph, fixes the Args."""
    repo = repo_factory({"units.py": UNITS})
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        while app.current_item().qualname != "scale":
            await pilot.press("n")
        await wait_shown(pilot, app)
        assert app.current_item().status == "stale"
        draft = await _regenerate(pilot, app, "")
        preview = app.queue.ready[app.current_item().key].preview
        on_screen = "\n".join(line.text for line in preview.lines)
    assert not draft.cached  # a new draft, not the cached one
    assert PARAGRAPH in draft.text and PARAGRAPH in on_screen
    assert "Scale a value by a factor." in draft.text
    assert "factor:" in draft.text and "amount" not in draft.text
    assert "The scaled value." in draft.text
    kept = next(c for c in draft.checks if c.name == "preserves_existing")
    assert kept.ok and "repaired in place" in kept.detail
    assert _hints(repo, "scale") == [None, None]


async def test_g_with_a_typed_hint_still_repairs(repo_factory: Any) -> None:
    """A typed hint guides the new parts but never switches to a wholesale rewrite."""
    repo = repo_factory({"units.py": UNITS})
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        while app.current_item().qualname != "scale":
            await pilot.press("n")
        await wait_shown(pilot, app)
        draft = await _regenerate(pilot, app, "be brief")
    assert PARAGRAPH in draft.text
    assert "factor:" in draft.text and "amount" not in draft.text
    kept = next(c for c in draft.checks if c.name == "preserves_existing")
    assert kept.ok and kept.hard
    assert _hints(repo, "scale") == [None, "be brief"]


async def test_proposals_review_leaves_out_applied_records_and_names_the_file(
    repo_factory: Any,
) -> None:
    """Applied records are left out with a notice; the banner names the file, not OFFLINE."""
    from docagent.proposals import read_proposals

    repo = repo_factory({"units.py": UNITS})
    path = repo.parent / "proposals.jsonl"
    records = [  # clamp's record is already in the file
        {"path": "units.py", "qualname": "clamp", "text": "Clamp a value to the unit interval."},
        {"path": "units.py", "qualname": "double", "text": "Return twice ``value``."},
    ]
    path.write_text("".join(json.dumps({**r, "status": "proposed"}) + "\n" for r in records))
    proposals = read_proposals(path)
    session = make_session(repo)
    assert session.provider.name == "offline"
    app = ReviewApp(
        session, prepare=lambda s: s.prepare_proposals(proposals, path), clock=lambda: 0.0
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        assert [i.qualname for i in app.items] == ["double"]
        banner = app.main.query_one("#banner", OfflineBanner)
        text = str(banner.content)
        assert banner.display and text.startswith(f"reviewing proposals from {path}")
        assert "OFFLINE DRAFTER" not in text
        assert any("1 record is already applied" in text for text in app.notification_texts)
        await pilot.press("a")
        await wait_for(pilot, lambda: app.items[0].state == "done")
    assert "Return twice ``value``." in (repo / "units.py").read_text()


async def test_offline_banner_still_shows_when_drafting_offline(repo_factory: Any) -> None:
    """Without --proposals the offline drafter's banner is shown as before."""
    repo = repo_factory({"units.py": UNITS})
    app = make_app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        banner = app.main.query_one("#banner", OfflineBanner)
        assert banner.display and str(banner.content) == OfflineBanner.TEXT
