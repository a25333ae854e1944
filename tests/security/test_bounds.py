# ruff: noqa: F811  (pytest fixtures imported from servers.py)
"""Bounded waits and sizes: a hostile API cannot stall a run or push an absurd docstring in.

``retry-after: 100000`` must not make docagent sleep past its configured timeout (the SDK would
sleep the whole header), and a 2,000,000-character "summary" must fail a hard check.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from servers import (
    GOOD_DRAFT,
    MessagesServer,
    OpenAIServer,
    Reply,
    chat_body,
    messages_server,  # noqa: F401 - fixture
    reply_error,
    reply_json,
)

from docagent.batch import run_batch_async
from docagent.code.targets import read_file
from docagent.config import Settings
from docagent.draft.draft_checks import (
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_SUMMARY_CHARS,
    MAX_TOTAL_CHARS,
    size_check,
)
from docagent.draft.drafter import Drafter
from docagent.draft.providers.anthropic import AnthropicProvider
from docagent.draft.providers.openai_compat import OpenAICompatProvider
from docagent.draft.symbols import SymbolIndex

SRC = '''"""Calc."""


def add(a, b):
    return a + b
'''
#: a guard so that a regression fails the test instead of hanging the suite
GUARD = 30.0


async def draft_add(provider: Any) -> Any:
    facts = read_file("", "calc.py", data=SRC.encode())
    drafter = Drafter(provider, Settings(), SymbolIndex.from_files([facts]), "google")
    try:
        return await asyncio.wait_for(drafter.draft(facts, facts.target("add")), GUARD)
    finally:
        await provider.aclose()


@pytest.mark.parametrize("header", [{"retry_after": "100000"}, {"retry_after_ms": "100000000"}])
async def test_anthropic_retry_after_is_capped_by_the_timeout(messages_server, header):
    messages_server.queue(*[reply_error(429, "rate_limit_error", "slow down", **header)] * 3)
    p = AnthropicProvider(
        "claude-sonnet-4-6", api_key="sk-ant-x", base_url=messages_server.url, timeout=3.0
    )
    started = time.monotonic()
    d = await draft_add(p)
    assert time.monotonic() - started < GUARD
    assert d.error_kind == "rate_limited"
    assert (
        "retry after 100000s" in d.error and "3s timeout" in d.error and "did not wait" in d.error
    )
    assert len(messages_server.calls("/v1/messages")) == 1


async def test_anthropic_short_retry_after_is_still_honoured(messages_server):
    messages_server.queue(
        reply_error(529, "overloaded_error", "busy", retry_after="0.05"),
        reply_json(),
    )
    p = AnthropicProvider(
        "claude-sonnet-4-6", api_key="sk-ant-x", base_url=messages_server.url, timeout=3.0
    )
    d = await draft_add(p)
    assert d.ok and len(messages_server.calls("/v1/messages")) == 2


async def test_openai_retry_after_is_capped_by_the_timeout():
    with OpenAIServer() as server:
        server.queue(*[Reply(429, {"error": {"message": "slow"}}, {"retry-after": "100000"})] * 3)
        p = OpenAICompatProvider("m", base_url=server.url + "/v1", timeout=3.0)
        d = await draft_add(p)
        assert d.error_kind == "rate_limited" and "3s timeout" in d.error
        assert len(server.requests) == 1


async def test_batch_with_retry_after_100000_ends_within_its_timeout(repo_factory, monkeypatch):
    with MessagesServer() as server:
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("DOCAGENT_TIMEOUT", "3")
        server.queue(*[reply_error(429, "rate_limit_error", "x", retry_after="100000")] * 10)
        root = repo_factory({"calc.py": SRC})
        summary = await asyncio.wait_for(
            run_batch_async(root, provider="anthropic", progress=False, quiet=True), GUARD
        )
        assert summary["failed"] == 1
        assert "did not wait" in summary["failures"][0]["reason"]


def test_a_two_million_character_summary_is_not_applied(repo_factory, monkeypatch):
    huge = {**GOOD_DRAFT, "summary": "A" * 2_000_000 + "."}
    with MessagesServer() as server:
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        server.queue(*[Reply(200, _message(huge))] * 2)
        root = repo_factory({"calc.py": SRC})
        before = (root / "calc.py").read_bytes()
        summary = asyncio.run(
            run_batch_async(root, provider="anthropic", apply=True, progress=False, quiet=True)
        )
        assert summary["applied"] == 0 and summary["checks_failed"] == 1
        assert (root / "calc.py").read_bytes() == before
        assert len(server.calls("/v1/messages")) == 1  # not quoted back in a paid redraft


def _message(data: dict[str, Any]) -> dict[str, Any]:
    from servers import message_body

    return message_body(json.dumps(data), model="claude-sonnet-4-6")


@pytest.mark.parametrize(
    "text",
    [
        "A" * (MAX_SUMMARY_CHARS + 1) + ".",
        "Summary.\n\n" + "line\n" * MAX_LINES,
        "Summary.\n\n" + ("word " * 100 + "\n") * 60,  # > 20,000 characters in short lines
        "Summary.\n\n" + "x" * (MAX_LINE_CHARS + 1),
    ],
)
def test_size_bounds_are_hard_checks(text):
    check = size_check(text)
    assert not check.ok and check.hard and "too long" in check.detail


def test_ordinary_docstrings_pass_the_size_check():
    assert size_check("Add two numbers.\n\nArgs:\n    a: One.\n    b: Two.").ok
    assert MAX_TOTAL_CHARS >= 10_000


def test_openai_chat_reply_with_huge_summary_fails_the_size_check():
    with OpenAIServer() as server:
        huge = {**GOOD_DRAFT, "summary": "B" * 300_000}
        server.queue(Reply(200, chat_body(json.dumps(huge))))
        p = OpenAICompatProvider("m", base_url=server.url + "/v1", timeout=5.0)
        d = asyncio.run(draft_add(p))
        assert not d.ok and any(c.name == "size" and not c.ok for c in d.checks)
