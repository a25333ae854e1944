"""A provider registered once is known to the command line, the settings and the error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docagent.cli import build_parser, main
from docagent.config import load_settings
from docagent.draft.providers import registry
from docagent.draft.providers.offline import OfflineProvider
from docagent.errors import DocagentError

CODE = '''"""Tiny module."""


def double(x):
    return x * 2
'''


class EchoProvider(OfflineProvider):
    """The offline drafter under another name: a stand-in for a third-party model provider."""

    name = "echo"
    model = "echo-1"


def _build_echo(options: registry.ProviderOptions):
    return EchoProvider(), "provider: echo, model echo-1"


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch):
    """Register an ``echo`` provider that needs ``ECHO_KEY``; the registry is restored after."""
    monkeypatch.setattr(registry, "_SPECS", dict(registry._SPECS))
    return registry.register_provider(
        registry.ProviderSpec(
            "echo",
            _build_echo,
            needs_key=True,
            key_env_vars=("ECHO_KEY",),
            default_concurrency=2,
            description="the echo service",
        )
    )


def test_a_registered_provider_is_a_cli_choice_and_drafts(echo, repo_factory, monkeypatch, capsys):
    """``--provider echo`` is accepted, listed in help, refused without its key, used with it."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["batch", "--help"])
    assert "echo" in capsys.readouterr().out
    root = repo_factory({"m.py": CODE})
    assert main(["batch", str(root), "--provider", "echo"]) == 2
    assert "--provider echo needs ECHO_KEY (or use --provider offline)" in capsys.readouterr().err
    monkeypatch.setenv("ECHO_KEY", "k")
    assert main(["batch", str(root), "--provider", "echo"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["provider"] == "echo"
    assert summary["drafted"] == summary["targets"] == 1


def test_an_unregistered_provider_is_refused_by_the_cli(repo_factory, capsys):
    """Without registration, ``--provider echo`` is an invalid choice (exit 2)."""
    root = repo_factory({"m.py": CODE})
    with pytest.raises(SystemExit) as exit_:
        main(["batch", str(root), "--provider", "echo"])
    assert exit_.value.code == 2
    assert "invalid choice: 'echo'" in capsys.readouterr().err


def test_the_settings_accept_a_registered_provider(echo, tmp_path: Path, monkeypatch):
    """``provider = "echo"`` is valid once registered; it sends a key, so a repository's
    pyproject may not choose it unless the user trusts the repository."""
    monkeypatch.setenv("DOCAGENT_PROVIDER", "echo")
    assert load_settings(tmp_path).provider == "echo"
    monkeypatch.setenv("DOCAGENT_PROVIDER", "nope")
    with pytest.raises(DocagentError, match="auto, anthropic, openai, offline, echo"):
        load_settings(tmp_path)
    monkeypatch.delenv("DOCAGENT_PROVIDER")
    (tmp_path / "pyproject.toml").write_text('[tool.docagent]\nprovider = "echo"\n')
    assert load_settings(tmp_path).provider == "auto"
    monkeypatch.setenv("DOCAGENT_TRUST_REPO_CONFIG", "1")
    assert load_settings(tmp_path).provider == "echo"


def test_auto_chooses_a_provider_by_its_auto_variable(monkeypatch: pytest.MonkeyPatch):
    """``auto`` picks the first provider whose ``auto_env`` is set, else the offline drafter."""
    monkeypatch.setattr(registry, "_SPECS", dict(registry._SPECS))
    registry.register_provider(registry.ProviderSpec("echo", _build_echo, auto_env="ECHO_KEY"))
    assert registry.resolve_provider_name("auto", {}) == "offline"
    assert registry.resolve_provider_name("auto", {"ECHO_KEY": "k"}) == "echo"
    both = {"ECHO_KEY": "k", "ANTHROPIC_API_KEY": "a"}
    assert registry.resolve_provider_name("auto", both) == "anthropic"
    assert "echo when ECHO_KEY is set" in registry.auto_summary()
