"""Review after batch pays nothing twice: checked drafts of unchanged targets are reused."""

from __future__ import annotations

import asyncio

from test_batch import CORE

from docagent.batch import run_batch
from docagent.session import Session


def test_review_reuses_the_batch_drafts(repo_factory, server) -> None:
    """Every draft `review` needs after `batch` comes from the log: no request, same draft ids;
    a changed target is drafted anew, and a redraft (`g`) always asks again."""
    root = repo_factory({"m.py": CORE})
    summary = run_batch(root, provider="anthropic", progress=False, quiet=True)
    assert summary["drafted"] == summary["targets"] == 8
    sent = sum(server.received.values())
    (root / "m.py").write_text(CORE.replace("return x * 2", "return x * 3"))

    session = Session(root, mode="tui", flags={"provider": "anthropic"}, interactive=True)

    async def review():
        items = session.prepare()
        drafts = {i.qualname: await session.draft(i) for i in items}
        after_review = sum(server.received.values())
        fresh = await session.draft(items[-1], fresh=True)
        await session.provider.aclose()
        return drafts, after_review, fresh

    try:
        drafts, after_review, fresh = asyncio.run(review())
        assert after_review == sent + 1  # only the changed target, `base`
        assert all(d.cached for q, d in drafts.items() if q != "base")
        assert not drafts["base"].cached
        batch_ids = {d.id for d in session.store.drafts(run_id=summary["run_id"])}
        assert {d.draft_id for q, d in drafts.items() if q != "base"} <= batch_ids
        assert not fresh.cached and sum(server.received.values()) == sent + 2
    finally:
        session.store.close()
