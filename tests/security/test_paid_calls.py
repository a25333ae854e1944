"""Every paid call is logged, and usage is believed only when it is plausible.

A hostile or broken Messages API (or OpenAI-compatible server) answers HTTP 200 with replies
that are not messages, or with negative or absurd token counts; the decision log may be locked
by another process. The real anthropic SDK and the OpenAI-compatible provider's real client
talk to loopback servers.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from servers import GOOD_DRAFT, MessagesServer, OpenAIServer, Reply, chat_body, message_body

from docagent.batch import run_batch
from docagent.errors import DocagentError
from docagent.session import Session
from docagent.store import Store

CODE = '''"""A module."""


def add(a, b):
    return a + b
'''
MANY = '"""Many."""\n\n' + "".join(f"\n\ndef f{i}(a):\n    return a\n" for i in range(6))
MODEL = "claude-sonnet-4-6"
GOOD = message_body(json.dumps(GOOD_DRAFT), model=MODEL)
GOOD_CHAT = chat_body(json.dumps(GOOD_DRAFT))

#: HTTP 200 replies that are not a Messages API message (or not a usable one)
BAD_MESSAGES: dict[str, Any] = {
    "not_json": "<html>this is not json</html>",
    "empty_object": {},
    "json_list": [1, 2, 3],
    "no_content": {k: v for k, v in GOOD.items() if k != "content"},
    "null_content": {**GOOD, "content": None},
    "content_is_a_string": {**GOOD, "content": "hello"},
    "content_is_a_number": {**GOOD, "content": 5},
    "text_is_null": {**GOOD, "content": [{"type": "text", "text": None}]},
    "usage_wrong_types": {**GOOD, "usage": {"input_tokens": "lots", "output_tokens": [1]}},
    "usage_null": {**GOOD, "usage": None},
}
BAD_CHATS: dict[str, Any] = {
    "not_json": "not json at all",
    "empty_object": {},
    "no_choices": {**GOOD_CHAT, "choices": []},
    "null_message": {**GOOD_CHAT, "choices": [{"index": 0, "message": None}]},
    "content_is_a_list": {
        **GOOD_CHAT,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": [1]}}],
    },
    "usage_wrong_types": {**GOOD_CHAT, "usage": {"prompt_tokens": "x", "completion_tokens": {}}},
    "usage_negative": {**GOOD_CHAT, "usage": {"prompt_tokens": -10_000_000}},
}


@pytest.fixture
def anthropic_env(monkeypatch):
    with MessagesServer() as server:
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        yield server


def draft_once(root: Path, **flags: Any) -> tuple[Session, Any]:
    session = Session(root, mode="batch", flags={"model": MODEL, **flags})
    items = session.prepare()

    async def go() -> Any:
        try:
            return await session.draft(items[0])
        finally:
            await session.provider.aclose()

    return session, asyncio.run(go())


@pytest.mark.parametrize("kind", sorted(BAD_MESSAGES))
def test_malformed_messages_replies_leave_a_call_row(kind, repo_factory, anthropic_env):
    anthropic_env.queue(*[Reply(200, BAD_MESSAGES[kind])] * 3)
    root = repo_factory({"m.py": CODE})
    session, draft = draft_once(root, provider="anthropic")
    calls = session.store.calls()
    assert len(calls) == 1, kind  # one row for the draft (its attempts counted in retries)
    assert calls[0].draft_id == draft.draft_id and calls[0].retries == draft.attempts - 1
    assert len(anthropic_env.calls("/v1/messages")) == draft.attempts
    assert 0 <= calls[0].cost_usd < 0.1
    assert draft.error or calls[0].status == "usage_unknown"


@pytest.mark.parametrize("kind", sorted(BAD_CHATS))
def test_malformed_chat_replies_leave_a_call_row(kind, repo_factory, monkeypatch):
    with OpenAIServer() as server:
        server.queue(*[Reply(200, BAD_CHATS[kind])] * 3)
        monkeypatch.setenv("DOCAGENT_OPENAI_BASE_URL", server.url + "/v1")
        root = repo_factory({"m.py": CODE})
        session, draft = draft_once(root, provider="openai")
        calls = session.store.calls()
        assert len(calls) == 1 and calls[0].draft_id == draft.draft_id, kind
        assert calls[0].tokens_in >= 0 and calls[0].cost_usd >= 0


@pytest.mark.parametrize("tokens", [-10_000_000, 10**15, 2.5, True])
def test_implausible_usage_is_unknown_not_negative_or_absurd(tokens, repo_factory, anthropic_env):
    body = message_body(json.dumps(GOOD_DRAFT), model=MODEL)
    body["usage"]["input_tokens"] = tokens
    anthropic_env.queue(Reply(200, body))
    root = repo_factory({"m.py": CODE})
    session, draft = draft_once(root, provider="anthropic")
    (call,) = session.store.calls()
    assert call.status == "usage_unknown"
    assert call.tokens_in == 0 and call.tokens_out == 0
    # the conservative bound: the prompt at 2 chars/token plus the whole output limit
    assert 0.001 < call.cost_usd < 0.1
    assert session.store.draft(draft.draft_id).cost_usd == call.cost_usd


def test_max_cost_stops_a_run_whose_usage_is_negative(repo_factory, anthropic_env):
    body = message_body(json.dumps({**GOOD_DRAFT, "params": []}), model=MODEL)
    body["usage"] = {"input_tokens": -10_000_000, "output_tokens": 10}
    anthropic_env.queue(*[Reply(200, body)] * 12)
    root = repo_factory({"m.py": MANY})
    summary = run_batch(
        root, provider="anthropic", model=MODEL, max_cost=0.03, concurrency=1, progress=False
    )
    assert summary["stopped"] and "max cost reached" in summary["stopped"]
    assert summary["cost_usd"] > 0
    assert len(anthropic_env.calls("/v1/messages")) < 6


def test_a_locked_log_keeps_the_paid_call_and_a_rerun_does_not_pay_again(
    repo_factory, anthropic_env
):
    root = repo_factory({"m.py": CODE})
    store = Store.open(root, busy_timeout=0.2)
    session = Session(
        root, mode="batch", flags={"provider": "anthropic", "model": MODEL}, store=store
    )
    items = session.prepare()
    locker = sqlite3.connect(store.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DocagentError) as info:
            asyncio.run(session.draft(items[0]))
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "locked" in str(info.value) and "unlogged.jsonl" in str(info.value)
    assert len(anthropic_env.calls("/v1/messages")) == 1
    assert session.totals["cost_usd"] > 0  # the budget saw the spend
    store.close()

    with Store.open(root) as reopened:  # the journal goes into the log
        calls = reopened.calls()
        assert len(calls) == 1 and calls[0].status == "ok" and calls[0].tokens_in == 1000
        assert reopened.draft(calls[0].draft_id) is not None
        assert not reopened.unlogged_path.exists()
    summary = run_batch(root, provider="anthropic", model=MODEL, progress=False)
    assert (summary["reused"], summary["drafted"]) == (1, 0)
    assert len(anthropic_env.calls("/v1/messages")) == 1  # not paid twice


def test_a_planted_journal_is_not_replayed(repo_factory):
    """A journal committed to a repository names runs this log never had: nothing is taken."""
    entry = {
        "run_id": "feedfacefeedface",
        "draft_id": "0123456789abcdef",
        "at": "2026-01-01T00:00:00+00:00",
        "draft": {"path": "m.py", "qualname": "add", "kind": "function", "text": "Planted."},
        "call": {"provider": "anthropic", "model": MODEL},
    }
    root = repo_factory({"m.py": CODE, ".docagent/docagent.db-unlogged.jsonl": json.dumps(entry)})
    with Store.open(root) as store:
        assert store.drafts() == [] and store.calls() == []
