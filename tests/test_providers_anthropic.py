# ruff: noqa: F811  (pytest fixtures imported from servers.py)
"""The Anthropic provider through the real SDK against a loopback Messages API server."""

from __future__ import annotations

import ast
import json

import pytest
from servers import (  # noqa: F401
    GOOD_DRAFT,
    MessagesServer,
    Reply,
    messages_server,
    reply_error,
    reply_json,
    reply_text,
)

from docagent.code.targets import read_file
from docagent.config import Settings
from docagent.draft import DRAFT_SCHEMA, Drafter, SymbolIndex, make_provider
from docagent.draft.draft_checks import literal_for
from docagent.draft.pricing import cost
from docagent.draft.providers.anthropic import AnthropicProvider, default_model, sdk_models

KEY = "sk-ant-test-SECRET-1234567890"
SRC = '''"""Arithmetic."""


def add(a, b):
    return a + b
'''


def facts_and_target():
    """Return the sample file and its ``add`` function."""
    facts = read_file("", "pkg/calc.py", data=SRC.encode())
    return facts, facts.target("add")


def provider(server: MessagesServer, **kw) -> AnthropicProvider:
    """Return an Anthropic provider pointed at the loopback server."""
    opts = {"api_key": KEY, "base_url": server.url, "max_retries": 2, "timeout": 5.0}
    opts.update(kw)
    return AnthropicProvider("claude-sonnet-4-6", **opts)


async def draft_with(server: MessagesServer, interactive: bool = False, **kw):
    """Draft ``add`` through the real SDK against ``server``."""
    facts, target = facts_and_target()
    p = provider(server, **kw)
    try:
        drafter = Drafter(
            p, Settings(), SymbolIndex.from_files([facts]), "google", interactive=interactive
        )
        return await drafter.draft(facts, target)
    finally:
        await p.aclose()


def message_requests(server: MessagesServer):
    """Return the recorded ``POST /v1/messages`` requests."""
    return [r for r in server.requests if r.path.split("?")[0].endswith("/v1/messages")]


async def test_success_renders_checks_and_prices_from_usage(messages_server):
    messages_server.queue(
        reply_json(
            GOOD_DRAFT,
            input_tokens=1000,
            output_tokens=200,
            cache_read=500,
            cache_write=300,
            model="claude-sonnet-4-6",
        )
    )
    d = await draft_with(messages_server)
    assert d.ok and d.error == ""
    assert d.text.startswith("Add two numbers.\n\nArgs:\n    a: The first number.")
    assert "Returns:\n    The sum of a and b." in d.text
    assert (d.provider, d.model, d.attempts) == ("anthropic", "claude-sonnet-4-6", 1)
    u = d.usage
    assert (u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens) == (
        1000,
        200,
        500,
        300,
    )
    expected = (1000 * 3 + 200 * 15 + 300 * 3.75 + 500 * 0.30) / 1_000_000
    assert d.cost_usd == pytest.approx(expected)
    assert cost("claude-sonnet-4-6", u, batch=True) == pytest.approx(expected / 2)
    assert d.prompt_version and d.context_tokens > 0 and "def add(a, b):" in d.context


async def test_request_shape(messages_server):
    await draft_with(messages_server)
    (req,) = message_requests(messages_server)
    body = req.json
    assert req.method == "POST"
    assert body["model"] == "claude-sonnet-4-6"
    assert body["max_tokens"] == 1500
    assert body["output_config"] == {
        "format": {"type": "json_schema", "schema": DRAFT_SCHEMA},
        "effort": "low",  # claude-sonnet-4-6 takes an effort setting: docstrings need little
    }
    assert "tools" not in body and "tool_choice" not in body and "temperature" not in body
    system = body["system"]
    # the prefix of this one-function file is under claude-sonnet-4-6's 2048-token minimum
    assert not any("cache_control" in b for b in system)
    assert "def add(a, b):" in system[-1]["text"]  # the file-level context ends the prefix
    assert "You write Python docstrings" in system[0]["text"]
    assert "Google style" in "".join(b["text"] for b in system)
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert "`add`" in body["messages"][0]["content"]
    assert "def add(a, b):" in body["messages"][0]["content"]
    auth = req.headers.get("x-api-key") or req.headers.get("Authorization", "")
    assert auth.endswith(KEY)  # the SDK sends the key; docagent never logs it


async def test_team_examples_join_the_cached_prefix(messages_server):
    facts, target = facts_and_target()
    p = provider(messages_server)
    drafter = Drafter(
        p,
        Settings(),
        SymbolIndex.from_files([facts]),
        "google",
        examples=["Fetch one row.\n\nArgs:\n    key: The row key."],
    )
    await drafter.draft(facts, target)
    await p.aclose()
    system = message_requests(messages_server)[0].json["system"]
    assert len(system) == 3  # system prompt, team examples, file-level context
    assert "Fetch one row." in system[1]["text"]
    assert not any("cache_control" in b for b in system)  # under the minimum: nothing marked


async def test_529_then_success_is_retried_by_the_sdk(messages_server):
    messages_server.queue(
        reply_error(529, "overloaded_error", "Overloaded", retry_after_ms="1"), reply_json()
    )
    d = await draft_with(messages_server)
    assert d.ok
    assert len(message_requests(messages_server)) == 2


async def test_overloaded_after_retries_is_a_clear_error(messages_server):
    messages_server.queue(
        *[reply_error(529, "overloaded_error", "Overloaded", retry_after_ms="1")] * 3
    )
    d = await draft_with(messages_server)
    assert not d.ok and d.error_kind == "overloaded"
    assert "overloaded" in d.error and "after 2 retries" in d.error
    assert len(message_requests(messages_server)) == 3


async def test_429_honours_retry_after(messages_server):
    messages_server.queue(
        reply_error(429, "rate_limit_error", "Rate limited", retry_after="0.01"), reply_json()
    )
    d = await draft_with(messages_server)
    assert d.ok and len(message_requests(messages_server)) == 2


async def test_429_persisting_is_rate_limited(messages_server):
    messages_server.queue(*[reply_error(429, "rate_limit_error", "slow", retry_after="0.01")] * 3)
    d = await draft_with(messages_server)
    assert d.error_kind == "rate_limited" and "rate limited" in d.error


async def test_500_is_a_server_error_without_crash(messages_server):
    messages_server.queue(reply_error(500, "api_error", "Internal server error"))
    d = await draft_with(messages_server, max_retries=0)
    assert d.error_kind == "server_error" and "500" in d.error
    assert d.text == "" and not d.ok


async def test_slow_server_times_out(messages_server):
    messages_server.queue(Reply(200, None, delay=1.5))
    d = await draft_with(messages_server, max_retries=0, timeout=0.3)
    assert d.error_kind == "timeout" and "0.3s" in d.error


async def test_interactive_calls_use_the_shorter_timeout(messages_server):
    messages_server.queue(Reply(200, None, delay=1.5))
    d = await draft_with(
        messages_server, interactive=True, max_retries=0, timeout=30.0, interactive_timeout=0.3
    )
    assert d.error_kind == "timeout"


async def test_bad_key_message_never_contains_the_key(messages_server):
    messages_server.queue(reply_error(401, "authentication_error", "invalid x-api-key"))
    d = await draft_with(messages_server, max_retries=0)
    assert d.error_kind == "auth" and "ANTHROPIC_API_KEY" in d.error
    assert KEY not in d.error and KEY not in json.dumps(d.to_dict())


async def test_unreachable_base_url():
    server = MessagesServer()
    url = server.url
    server.close()
    facts, target = facts_and_target()
    p = AnthropicProvider("claude-sonnet-4-6", api_key=KEY, base_url=url, max_retries=0)
    d = await Drafter(p, Settings(), SymbolIndex.from_files([facts])).draft(facts, target)
    await p.aclose()
    assert d.error_kind == "unreachable" and url in d.error


async def test_prompt_too_long(messages_server):
    messages_server.queue(
        reply_error(400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000")
    )
    d = await draft_with(messages_server, max_retries=0)
    assert d.error_kind == "context_too_long" and "token_budget" in d.error


async def test_malformed_json_is_a_failed_draft_after_one_redraft(messages_server):
    messages_server.queue(reply_text("Sure! Here is {not json"), reply_text("still not json"))
    d = await draft_with(messages_server)
    assert d.error_kind == "malformed_output" and d.text == "" and not d.ok
    assert d.attempts == 2
    reqs = message_requests(messages_server)
    assert len(reqs) == 2
    second = reqs[1].json["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert second[1]["content"] == "Sure! Here is {not json"
    assert "not a JSON object" in second[2]["content"]


async def test_schema_violation_then_valid_output(messages_server):
    messages_server.queue(reply_json({"summary": 42}), reply_json())
    d = await draft_with(messages_server)
    assert d.ok and d.attempts == 2
    assert d.usage.input_tokens == 2000  # both calls are paid for


async def test_invented_parameter_is_caught_and_quoted_back(messages_server):
    bad = dict(GOOD_DRAFT, params=[*GOOD_DRAFT["params"], {"name": "c", "description": "C."}])
    messages_server.queue(reply_json(bad), reply_json(bad))
    d = await draft_with(messages_server)
    assert not d.ok and d.attempts == 2
    params = next(c for c in d.checks if c.name == "params")
    assert not params.ok and "'c'" in params.detail
    redraft = message_requests(messages_server)[1].json["messages"][2]["content"]
    assert "documents parameter 'c' not in the signature" in redraft


async def test_invented_parameter_fixed_by_the_redraft(messages_server):
    bad = dict(GOOD_DRAFT, params=[*GOOD_DRAFT["params"], {"name": "c", "description": "C."}])
    messages_server.queue(reply_json(bad), reply_json())
    d = await draft_with(messages_server)
    assert d.ok and d.attempts == 2 and "c:" not in d.text


async def test_text_that_tries_to_break_out_of_the_literal_is_rendered_safely(messages_server):
    evil = dict(
        GOOD_DRAFT,
        summary='Add. """; import os; os.system("rm -rf /") #',
        description='Ends with a backslash \\ and quotes: """ and \'\'\' and "',
    )
    messages_server.queue(reply_json(evil))
    d = await draft_with(messages_server)
    literal = next(c for c in d.checks if c.name == "literal")
    assert literal.ok and "escaped" in literal.detail
    assert next(c for c in d.checks if c.name == "roundtrip").ok
    rendered = literal_for(d.text)
    tree = ast.parse(f"def add(a, b):\n    {rendered}\n    return a + b\n")
    fn = tree.body[0]
    assert len(tree.body) == 1 and len(fn.body) == 2
    assert ast.get_docstring(fn) == d.text


async def test_truncated_output_is_malformed(messages_server):
    cut = reply_text('{"summary": "Add', stop_reason="max_tokens")
    messages_server.queue(cut, cut)
    d = await draft_with(messages_server)
    assert d.error_kind == "malformed_output" and "token limit" in d.error


async def test_auto_provider_honours_the_environment(messages_server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.url)
    p, notice = make_provider(Settings(provider="auto", max_retries=0), interactive=False)
    assert p.name == "anthropic" and "ANTHROPIC_API_KEY is set" in notice
    assert KEY not in notice
    facts, target = facts_and_target()
    d = await Drafter(p, Settings(), SymbolIndex.from_files([facts])).draft(facts, target)
    await p.aclose()
    assert d.ok and len(message_requests(messages_server)) == 1


def test_default_model_is_a_current_sonnet_from_the_sdk():
    model = default_model()
    assert model.startswith("claude-sonnet-")
    assert model in sdk_models()
    from anthropic._data.deprecated_models import DEPRECATED_MODELS

    assert model not in DEPRECATED_MODELS


async def test_batch_endpoints_of_the_loopback_server(messages_server):
    import anthropic

    client = anthropic.AsyncAnthropic(api_key=KEY, base_url=messages_server.url, max_retries=0)
    messages_server.batch_polls = 1
    batch = await client.messages.batches.create(
        requests=[
            {
                "custom_id": "t1",
                "params": {
                    "model": "claude-sonnet-4-6",
                    "max_tokens": 10,
                    "messages": [{"role": "user", "content": "x"}],
                },
            },
        ]
    )
    assert batch.processing_status == "in_progress"
    polled = await client.messages.batches.retrieve(batch.id)
    assert polled.processing_status == "in_progress" and polled.results_url is None
    again = await client.messages.batches.retrieve(batch.id)
    assert again.processing_status == "ended" and again.results_url
    results = [r async for r in await client.messages.batches.results(batch.id)]
    assert [r.custom_id for r in results] == ["t1"]
    assert json.loads(results[0].result.message.content[0].text) == GOOD_DRAFT
    await client.close()


async def test_missing_key_is_an_auth_error_not_a_crash(messages_server, monkeypatch):
    """Explicit ``--provider anthropic`` without a key gives a clear auth error."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.url)
    p, _ = make_provider(Settings(provider="anthropic", max_retries=0))
    facts, target = facts_and_target()
    d = await Drafter(p, Settings(), SymbolIndex.from_files([facts])).draft(facts, target)
    await p.aclose()
    assert d.error_kind == "auth" and "ANTHROPIC_API_KEY" in d.error
    assert message_requests(messages_server) == []


async def test_effort_is_sent_to_models_that_take_it_and_recorded(messages_server):
    """auto: low effort for claude-sonnet-4-6, none for a model not known to take it; recorded."""
    from docagent.draft.effort import resolve_effort

    assert resolve_effort("auto", "claude-sonnet-4-6") == "low"
    assert resolve_effort("auto", "claude-sonnet-4-5") == ""
    assert resolve_effort("high", "claude-sonnet-4-5") == "high"
    assert resolve_effort("off", "claude-opus-4-6") == ""
    facts, target = facts_and_target()
    # claude-haiku-4-5 takes no effort level (and the SDK warns about retired models like 4-5)
    for model, effort in (("claude-sonnet-4-6", "low"), ("claude-haiku-4-5", "")):
        p = AnthropicProvider(model, base_url=messages_server.url, api_key=KEY, max_retries=0)
        d = await Drafter(p, Settings(), SymbolIndex.from_files([facts]), "google").draft(
            facts, target
        )
        await p.aclose()
        body = message_requests(messages_server)[-1].json
        assert body["output_config"].get("effort", "") == effort
        assert d.effort == effort
