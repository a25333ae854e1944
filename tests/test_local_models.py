# ruff: noqa: F811  (pytest fixtures imported from servers.py)
"""Local models behind an OpenAI-compatible server: endpoint choice, defaults, preflight."""

from __future__ import annotations

import json

import pytest
from servers import GOOD_DRAFT, OpenAIServer, Reply, chat_body, openai_server  # noqa: F401

from docagent.cli import main
from docagent.config import Settings, load_settings
from docagent.draft import make_provider
from docagent.store import Store

CODE = "".join(f"def f{i}(a, b):\n    return a + b\n\n\n" for i in range(4))
PULL_HINT = 'model "llama3" not found, try pulling it first'


def _cli(root, server_url: str, *extra: str) -> int:
    return main(
        ["batch", str(root), "--provider", "openai", "--base-url", server_url + "/v1", *extra]
    )


async def test_openai_base_url_from_the_environment_is_honoured():
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}
    p, notice = make_provider(Settings(provider="openai"), environ=env)
    assert p.url == "http://127.0.0.1:8080/v1/chat/completions"
    assert "127.0.0.1:8080" in notice
    await p.aclose()
    # the user's docagent setting (DOCAGENT_OPENAI_BASE_URL, --base-url) wins over it
    p, _ = make_provider(
        Settings(provider="openai", openai_base_url="http://127.0.0.1:9000"), environ=env
    )
    assert p.url == "http://127.0.0.1:9000/v1/chat/completions"
    await p.aclose()
    p, _ = make_provider(Settings(provider="openai"), environ={})
    assert p.url == "http://localhost:11434/v1/chat/completions"  # Ollama's default address
    await p.aclose()


async def test_local_models_get_a_longer_timeout_unless_one_is_set():
    p, _ = make_provider(Settings(provider="openai"), environ={})
    assert p.timeout == 300
    await p.aclose()
    p, _ = make_provider(Settings(provider="openai", timeout=7), environ={})
    assert p.timeout == 7
    await p.aclose()
    p, _ = make_provider(Settings(provider="anthropic"), environ={"ANTHROPIC_API_KEY": "k"})
    assert p.timeout == 60
    await p.aclose()


def test_batch_sends_one_request_at_a_time_to_a_local_server(repo_factory, openai_server):
    openai_server.models = ["local-model"]
    openai_server.queue(*[Reply(200, chat_body(json.dumps(GOOD_DRAFT)), delay=0.05)] * 5)
    root = repo_factory({"m.py": CODE})
    _cli(root, openai_server.url, "--model", "local-model")
    assert len(openai_server.calls("/chat/completions")) == 5  # 4 functions and the module
    assert openai_server.max_in_flight == 1


def test_base_url_flag_sends_requests_there_and_the_listed_model_needs_no_probe(
    repo_factory, openai_server, capsys
):
    root = repo_factory({"m.py": "def add(a, b):\n    return a + b\n"})
    assert _cli(root, openai_server.url, "--model", "local-model") == 0, capsys.readouterr().err
    # the model list, then one draft each for the module and add(): no probe
    assert [r.method for r in openai_server.requests] == ["GET", "POST", "POST"]
    assert openai_server.requests[0].path == "/v1/models"


def test_preflight_stops_with_the_servers_own_hint_when_the_model_is_missing(
    repo_factory, openai_server, capsys
):
    openai_server.models = ["qwen2.5-coder:7b"]
    openai_server.queue(Reply(404, {"error": {"message": PULL_HINT, "type": "api_error"}}))
    root = repo_factory({"m.py": CODE})
    code = _cli(root, openai_server.url, "--model", "llama3")
    err = capsys.readouterr().err
    assert code == 1
    (line,) = [ln for ln in err.splitlines() if "error" in ln]
    assert PULL_HINT in line and "nothing was drafted" in line
    assert len(openai_server.calls("/chat/completions")) == 1  # one probe, not one per target
    with Store.open(root) as store:
        assert store.latest(10) == []


def test_preflight_stops_once_when_the_server_is_down(repo_factory, capsys):
    server = OpenAIServer()
    server.close()
    root = repo_factory({"m.py": CODE})
    code = _cli(root, server.url)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len([ln for ln in err if "error" in ln]) == 1
    assert "cannot reach" in err[-1] and "is the server running" in err[-1]


def test_a_server_without_a_models_endpoint_is_asked_with_one_tiny_request(
    repo_factory, openai_server, capsys
):
    openai_server.models_status = 404  # e.g. a proxy that only serves chat completions
    root = repo_factory({"m.py": "def add(a, b):\n    return a + b\n"})
    assert _cli(root, openai_server.url, "--model", "anything") == 0, capsys.readouterr().err
    probe, *drafts = openai_server.calls("/chat/completions")
    assert probe.json["max_tokens"] == 1 and len(drafts) == 2
    assert all(d.json["max_tokens"] > 1 for d in drafts)


def test_estimate_does_not_contact_the_server(repo_factory, capsys):
    server = OpenAIServer()
    server.close()
    root = repo_factory({"m.py": CODE})
    assert _cli(root, server.url, "--estimate") == 0


@pytest.mark.parametrize("url", ["localhost:11434", "ftp://host/v1", "http://"])
def test_a_base_url_that_is_not_http_is_a_one_line_error(url, repo_factory, capsys):
    root = repo_factory({"m.py": CODE})
    code = main(["batch", str(root), "--provider", "openai", "--base-url", url])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "--base-url" in err[0] and "http://" in err[0]


def test_the_environment_setting_is_checked_too(tmp_path):
    with pytest.raises(Exception, match="DOCAGENT_OPENAI_BASE_URL"):
        load_settings(tmp_path, environ={"DOCAGENT_OPENAI_BASE_URL": "localhost:11434"})
