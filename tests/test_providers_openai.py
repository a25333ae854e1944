# ruff: noqa: F811  (pytest fixtures imported from servers.py)
"""The OpenAI-compatible provider against a loopback ``/v1/chat/completions`` server."""

from __future__ import annotations

import json

from servers import (  # noqa: F401
    GOOD_DRAFT,
    OpenAIServer,
    Reply,
    chat_body,
    openai_server,
)

from docagent.code.targets import read_file
from docagent.config import Settings
from docagent.draft import DRAFT_SCHEMA, Drafter, SymbolIndex, make_provider
from docagent.draft.providers.openai_compat import OpenAICompatProvider

SRC = "def add(a, b):\n    return a + b\n"


async def run(server: OpenAIServer, **kw):
    """Draft ``add`` with an OpenAI-compatible provider against ``server``."""
    facts = read_file("", "calc.py", data=SRC.encode())
    opts = {"base_url": server.url + "/v1", "max_retries": 1, "backoff": 0.01}
    opts.update(kw)
    p = OpenAICompatProvider("qwen-test", **opts)
    try:
        d = await Drafter(p, Settings(), SymbolIndex.from_files([facts])).draft(
            facts, facts.target("add")
        )
    finally:
        await p.aclose()
    return d, p


async def test_json_schema_output_and_request_shape(openai_server):
    d, p = await run(openai_server, api_key="local-secret")
    assert d.ok and d.provider == "openai" and d.model == "local-model"
    assert d.text.startswith("Add two numbers.")
    (req,) = openai_server.calls("/v1/chat/completions")
    body = req.json
    assert body["model"] == "qwen-test"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == DRAFT_SCHEMA
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert req.headers.get("authorization") == "Bearer local-secret"
    assert d.usage.input_tokens == 800 and d.usage.output_tokens == 150
    assert d.cost_usd == 0.0  # local models are unpriced
    assert p.json_schema_supported is True


async def test_falls_back_to_json_in_text_when_response_format_is_rejected(openai_server):
    openai_server.reject_response_format = True
    fenced = "Here you go:\n```json\n" + json.dumps(GOOD_DRAFT) + "\n```"
    openai_server.queue(Reply(200, chat_body(fenced)))
    d, p = await run(openai_server)
    assert d.ok, d.error
    reqs = openai_server.calls("/v1/chat/completions")
    assert len(reqs) == 2
    assert "response_format" not in reqs[1].json
    assert "JSON schema" in reqs[1].json["messages"][0]["content"]
    assert p.json_schema_supported is False


async def test_no_key_sends_no_authorization_header(openai_server):
    await run(openai_server, api_key="")
    (req,) = openai_server.calls("/v1/chat/completions")
    assert "authorization" not in {k.lower() for k in req.headers}


async def test_retries_429_then_succeeds(openai_server):
    openai_server.queue(Reply(429, {"error": {"message": "busy"}}, {"retry-after": "0.01"}))
    d, _ = await run(openai_server)
    assert d.ok and len(openai_server.calls("/chat/completions")) == 2


async def test_500_after_retries_is_a_server_error(openai_server):
    openai_server.queue(*[Reply(500, {"error": {"message": "boom"}})] * 2)
    d, _ = await run(openai_server)
    assert d.error_kind == "server_error" and "boom" in d.error


async def test_timeout(openai_server):
    openai_server.queue(Reply(200, chat_body("{}"), delay=1.0))
    d, _ = await run(openai_server, timeout=0.2, max_retries=0)
    assert d.error_kind == "timeout"


async def test_malformed_output_is_a_failed_draft(openai_server):
    openai_server.queue(Reply(200, chat_body("no json here")), Reply(200, chat_body("nope")))
    d, _ = await run(openai_server)
    assert d.error_kind == "malformed_output" and d.attempts == 2 and not d.ok


async def test_invented_parameter_is_caught(openai_server):
    bad = dict(GOOD_DRAFT, params=[*GOOD_DRAFT["params"], {"name": "zz", "description": "Z."}])
    openai_server.queue(*[Reply(200, chat_body(json.dumps(bad)))] * 2)
    d, _ = await run(openai_server)
    assert not d.ok and "'zz'" in next(c for c in d.checks if c.name == "params").detail


async def test_unreachable():
    server = OpenAIServer()
    server.close()
    d, _ = await run(server, max_retries=0)
    assert d.error_kind == "unreachable" and "127.0.0.1" in d.error


async def test_make_provider_openai(openai_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k-123")
    p, notice = make_provider(
        Settings(provider="openai", model="llama3", openai_base_url=openai_server.url)
    )
    assert p.name == "openai" and p.model == "llama3"
    assert openai_server.url in notice and "k-123" not in notice
    assert p.url == openai_server.url + "/v1/chat/completions"
    await p.aclose()
