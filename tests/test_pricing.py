"""Exact model prices: ids and documented aliases only, cache and long-context tiers, batch
discount, configured prices, and the ``--max-cost`` refusal for a paid model without a price."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docagent.batch import run_batch
from docagent.cli import main
from docagent.config import load_settings
from docagent.draft.models import Usage
from docagent.draft.pricing import (
    cache_savings,
    cost,
    is_paid,
    parse_prices,
    price_for,
    require_price,
)
from docagent.draft.providers.anthropic import sdk_models
from docagent.errors import DocagentError

M = 1_000_000


def test_new_models_get_their_own_price_not_an_older_familys() -> None:
    """claude-haiku-5-5 is $0.10/$0.50, not Haiku 4.5's $1/$5; Sonnet and Opus 5.5 likewise."""
    k = 100_000  # prices per million tokens, for a prompt within every model's base tier
    assert cost("claude-haiku-5-5", Usage(k, k)) == pytest.approx((0.10 + 0.50) / 10)
    assert cost("claude-sonnet-5-5", Usage(k, k)) == pytest.approx((2 + 10) / 10)
    assert cost("claude-opus-5-5", Usage(k, k)) == pytest.approx((4 + 20) / 10)


def test_no_prefix_matching_catches_unknown_models() -> None:
    """A model id that merely starts like a known one is unpriced, never guessed."""
    for model in ("claude-sonnet-9-9", "claude-haiku-4-5-20990101", "claude-opus", "claude-3"):
        assert price_for(model) is None, model
        assert cost(model, Usage(M, M)) == 0.0


def test_documented_aliases_and_dated_ids_agree() -> None:
    """An alias is priced as the dated id it stands for."""
    assert price_for("claude-sonnet-4-5") == price_for("claude-sonnet-4-5-20250929")
    assert price_for("claude-opus-4-1").input == 15.0
    assert price_for("claude-3-5-haiku-latest").input == 0.8


def test_every_current_sdk_model_is_priced_or_explicitly_unpriced() -> None:
    """The installed SDK's 5.5 models and the 4.x aliases it lists are in the table."""
    listed = set(sdk_models())
    for model in ("claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-sonnet-4-6"):
        if model in listed:
            assert price_for(model) is not None, model


def test_cache_prices_and_batch_discount() -> None:
    """Cache writes are 1.25x input, reads 0.1x; the Message Batches API halves everything."""
    u = Usage(M, M, M, M)
    assert cost("claude-sonnet-5-5", u) == pytest.approx(2 + 10 + 0.2 + 2.5)
    assert cost("claude-sonnet-5-5", u, batch=True) == pytest.approx((2 + 10 + 0.2 + 2.5) / 2)
    assert cost("claude-3-haiku-20240307", Usage(0, 0, M, M)) == pytest.approx(0.03 + 0.30)


def test_long_context_tier_starts_above_the_threshold() -> None:
    """Sonnet 4.5 prompts above 200k tokens cost $6/$22.50; haiku 5.5's tier starts at 100k."""
    assert cost("claude-sonnet-4-5", Usage(200_000, 0)) == pytest.approx(0.6)
    assert cost("claude-sonnet-4-5", Usage(200_001, 0)) == pytest.approx(200_001 * 6 / M)
    # cache reads count towards the prompt length
    assert cost("claude-sonnet-4-5", Usage(1, 0, 200_000)) > cost("claude-sonnet-4-5", Usage(1, 0))
    assert cost("claude-haiku-5-5", Usage(100_000, 0)) == pytest.approx(0.01)
    assert cost("claude-haiku-5-5", Usage(100_001, 0)) > 0.01 * 1.5


def test_cache_savings() -> None:
    """Reads save 90% of the input price; a write that is never read costs 25% more."""
    assert cache_savings("claude-sonnet-5-5", Usage(0, 0, M, 0)) == pytest.approx(1.8)
    assert cache_savings("claude-sonnet-5-5", Usage(0, 0, 0, M)) == pytest.approx(-0.5)
    assert cache_savings("llama3", Usage(0, 0, M, 0)) == 0.0


def test_configured_prices(tmp_path: Path) -> None:
    """[tool.docagent.prices] prices other providers' models (cache prices default from input)."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.docagent.prices."gpt-4o-mini"]\ninput = 0.15\noutput = 0.6\n'
    )
    settings = load_settings(tmp_path, environ={})
    extra = parse_prices(settings.prices)
    assert cost("gpt-4o-mini", Usage(M, M), extra=extra) == pytest.approx(0.75)
    assert extra["gpt-4o-mini"].cache_read == pytest.approx(0.015)
    assert price_for("gpt-4o-mini") is None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('prices = {"m" = {input = 1}}', "needs both input and output"),
        ('prices = {"m" = {input = -1, output = 1}}', "must be a non-negative number"),
        ('prices = {"m" = {input = 1, output = 1, extra = 2}}', "unknown key 'extra'"),
        ('prices = {"m" = 3}', "must be a table"),
        ("prices = 3", "must be a table in pyproject.toml"),
    ],
)
def test_bad_price_tables_are_one_line_errors(tmp_path: Path, toml: str, message: str) -> None:
    """A malformed prices table is refused with one line naming the problem."""
    (tmp_path / "pyproject.toml").write_text(f"[tool.docagent]\n{toml}\n")
    with pytest.raises(DocagentError) as err:
        load_settings(tmp_path, environ={})
    assert message in str(err.value) and "\n" not in str(err.value)


def test_paid_providers() -> None:
    """Anthropic and remote OpenAI-compatible servers are paid; local servers are not."""
    assert is_paid("anthropic")
    assert is_paid("openai", "https://api.openai.com/v1")
    assert not is_paid("openai", "http://localhost:11434/v1")
    assert not is_paid("openai", "http://127.0.0.1:8080/v1")
    assert not is_paid("offline")
    require_price("llama3", "openai", "http://localhost:11434/v1")  # free: no error
    with pytest.raises(DocagentError, match="no price is known for model 'gpt-x'"):
        require_price("gpt-x", "openai", "https://api.example.com/v1")


def test_max_cost_refuses_a_paid_model_without_a_price(repo_factory, server, capsys) -> None:
    """--max-cost with an unpriced Anthropic model exits 2 with one line and sends nothing."""
    root = repo_factory({"m.py": "def f(a):\n    return a\n"})
    code = main(
        ["batch", str(root), "--provider", "anthropic", "--model", "claude-sonnet-9-9"]
        + ["--max-cost", "0.5"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "no price is known for model 'claude-sonnet-9-9'" in err and "\n" not in err
    assert sum(server.received.values()) == 0


def test_max_cost_works_with_a_configured_price(repo_factory, server) -> None:
    """With a configured price the same model runs and its spend is counted."""
    root = repo_factory(
        {
            "m.py": "def f(a):\n    return a\n",
            "pyproject.toml": (
                '[tool.docagent.prices."claude-sonnet-9-9"]\ninput = 3\noutput = 15\n'
            ),
        }
    )
    server.model = "claude-sonnet-9-9"
    summary = run_batch(
        root,
        provider="anthropic",
        model="claude-sonnet-9-9",
        max_cost=0.5,
        progress=False,
        quiet=True,
    )
    assert summary["drafted"] == 2 and summary["cost_usd"] > 0  # the module and f
    assert json.dumps(summary)


def test_max_cost_refuses_a_remote_openai_model_without_a_price(
    repo_factory, monkeypatch, capsys
) -> None:
    """A paid OpenAI-compatible endpoint (not on this machine) needs a price for --max-cost; the
    refusal comes before any request."""
    root = repo_factory({"m.py": "def f(a):\n    return a\n"})
    monkeypatch.setenv("OPENAI_BASE_URL", "https://llm.example.invalid/v1")
    code = main(["batch", str(root), "--provider", "openai", "--model", "gpt-x", "--max-cost", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "no price is known for model 'gpt-x'" in err and "\n" not in err
