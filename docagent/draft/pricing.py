"""The one price table: US dollars per million tokens, by exact model id.

A model is priced only when its id is in :data:`PRICES` exactly, or is one of the documented
aliases in :data:`ALIASES` (``claude-sonnet-4-5`` for ``claude-sonnet-4-5-20250929``, the
``-latest`` names). There is no prefix matching: a newer model (``claude-sonnet-5-5``) never
inherits an older family's price. Models with no entry (local models, offline, new releases) are
unpriced: they cost 0 in reports, and ``--max-cost`` refuses a paid provider's unpriced model
(:func:`require_price`). Prices for other models (OpenAI-compatible endpoints, a release newer
than this table) are set in ``[tool.docagent.prices]`` (:func:`parse_prices`).

Cache writes (5-minute TTL) cost 1.25x input and cache reads 0.1x input unless a model lists its
own; prompts above a model's long-context threshold use its long-context price; the Message
Batches API halves every price (:data:`BATCH_DISCOUNT`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from docagent.config import check_prices
from docagent.draft.models import Usage
from docagent.draft.providers.registry import provider_spec
from docagent.errors import DocagentError

BATCH_DISCOUNT = 0.5
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.1
#: Multipliers for a model whose long-context price is not published (an assumption, the
#: factors of the published long-context tiers): input x2, output x1.5.
LONG_INPUT_FACTOR = 2.0
LONG_OUTPUT_FACTOR = 1.5


@dataclass(frozen=True)
class Price:
    """Prices in USD per million tokens.

    ``long_above`` (prompt tokens, cache reads and writes included) is where the long-context
    price ``long`` starts; 0 means the price holds for every prompt length.
    """

    input: float
    output: float
    cache_write: float
    cache_read: float
    long_above: int = 0
    long: Price | None = None

    def for_prompt(self, prompt_tokens: int) -> Price:
        """Return the price that applies to a prompt of ``prompt_tokens`` tokens."""
        if self.long_above and prompt_tokens > self.long_above:
            if self.long is not None:
                return self.long
            return price(self.input * LONG_INPUT_FACTOR, self.output * LONG_OUTPUT_FACTOR)
        return self


def price(
    inp: float,
    out: float,
    *,
    cache_write: float | None = None,
    cache_read: float | None = None,
    long_above: int = 0,
    long: Price | None = None,
) -> Price:
    """Build a :class:`Price`; cache prices default to 1.25x and 0.1x the input price."""
    return Price(
        inp,
        out,
        round(inp * CACHE_WRITE_FACTOR, 6) if cache_write is None else cache_write,
        round(inp * CACHE_READ_FACTOR, 6) if cache_read is None else cache_read,
        long_above,
        long,
    )


_SONNET_4 = price(3.0, 15.0, long_above=200_000, long=price(6.0, 22.5))
_OPUS_4_LEGACY = price(15.0, 75.0)

#: Exact model ids (as the Models API and the SDK list them).
PRICES: dict[str, Price] = {
    # prompts up to 100k tokens; the price above is not published (see LONG_*_FACTOR)
    "claude-haiku-5-5": price(0.10, 0.50, long_above=100_000),
    "claude-sonnet-5-5": price(2.0, 10.0),
    "claude-opus-5-5": price(4.0, 20.0),
    "claude-opus-4-6": price(5.0, 25.0, long_above=200_000, long=price(10.0, 37.5)),
    "claude-sonnet-4-6": _SONNET_4,
    "claude-opus-4-5-20251101": price(5.0, 25.0),
    "claude-haiku-4-5-20251001": price(1.0, 5.0),
    "claude-sonnet-4-5-20250929": _SONNET_4,
    "claude-opus-4-1-20250805": _OPUS_4_LEGACY,
    "claude-opus-4-20250514": _OPUS_4_LEGACY,
    "claude-sonnet-4-20250514": _SONNET_4,
    "claude-3-7-sonnet-20250219": price(3.0, 15.0),
    "claude-3-5-sonnet-20241022": price(3.0, 15.0),
    "claude-3-5-sonnet-20240620": price(3.0, 15.0),
    "claude-3-5-haiku-20241022": price(0.8, 4.0),
    "claude-3-haiku-20240307": price(0.25, 1.25, cache_write=0.30, cache_read=0.03),
    "claude-3-opus-20240229": _OPUS_4_LEGACY,
}

#: Documented aliases of dated model ids.
ALIASES: dict[str, str] = {
    "claude-opus-4-5": "claude-opus-4-5-20251101",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-opus-4-1": "claude-opus-4-1-20250805",
    "claude-opus-4-0": "claude-opus-4-20250514",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-3-5-sonnet-latest": "claude-3-5-sonnet-20241022",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
    "claude-3-opus-latest": "claude-3-opus-20240229",
}


def price_for(model: str, extra: Mapping[str, Price] | None = None) -> Price | None:
    """Return the price of ``model`` (exact id or documented alias), or None when unlisted.

    ``extra`` (the ``[tool.docagent.prices]`` table) is consulted first, by exact id.
    """
    if extra and model in extra:
        return extra[model]
    return PRICES.get(ALIASES.get(model, model))


def cost(
    model: str,
    usage: Usage,
    batch: bool = False,
    extra: Mapping[str, Price] | None = None,
) -> float:
    """Return the USD cost of ``usage`` on ``model`` (0.0 for unpriced models).

    ``usage.input_tokens`` excludes cache reads and writes, as the Messages API reports it;
    the long-context tier is chosen from all three.
    """
    p = price_for(model, extra)
    if p is None:
        return 0.0
    prompt = usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens
    p = p.for_prompt(prompt)
    total = (
        usage.input_tokens * p.input
        + usage.output_tokens * p.output
        + usage.cache_write_tokens * p.cache_write
        + usage.cache_read_tokens * p.cache_read
    ) / 1_000_000
    if batch:
        total *= BATCH_DISCOUNT
    return round(total, 8)


def cache_savings(
    model: str, usage: Usage, batch: bool = False, extra: Mapping[str, Price] | None = None
) -> float:
    """Dollars prompt caching saved on ``usage``: the cost uncached minus the cost paid.

    Negative when cache writes were never read back (a write costs more than plain input).
    """
    if price_for(model, extra) is None:
        return 0.0
    plain = Usage(
        usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens,
        usage.output_tokens,
    )
    return round(cost(model, plain, batch, extra) - cost(model, usage, batch, extra), 8)


def parse_prices(table: Mapping[str, Any], source: str = "[tool.docagent]") -> dict[str, Price]:
    """Read a ``prices`` table into prices (:class:`Price`); cache prices default to 1.25x and
    0.1x the input price. A malformed table is a :class:`~docagent.errors.DocagentError` from
    :func:`docagent.config.check_prices`."""
    return {
        model: price(
            v["input"],
            v["output"],
            cache_write=v.get("cache_write"),
            cache_read=v.get("cache_read"),
        )
        for model, v in check_prices(table, source).items()
    }


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def is_paid(provider: str, base_url: str = "") -> bool:
    """True when calls to ``provider`` cost money: its spec's ``billing`` is ``paid``, or
    ``remote`` (an OpenAI-compatible server) and ``base_url`` is not on this machine."""
    spec = provider_spec(provider)
    billing = spec.billing if spec else "free"
    if billing == "remote":
        host = (urlsplit(base_url).hostname or "").lower()
        return bool(host) and host not in _LOCAL_HOSTS
    return billing == "paid"


def require_price(
    model: str, provider: str, base_url: str = "", extra: Mapping[str, Price] | None = None
) -> None:
    """Refuse a cost limit that cannot be enforced: a paid provider's model with no price.

    Raises:
        DocagentError: One line naming the model and the setting that prices it.
    """
    if is_paid(provider, base_url) and price_for(model, extra) is None:
        raise DocagentError(
            f"--max-cost: no price is known for model {model!r}; add it to pyproject.toml as "
            f'[tool.docagent.prices."{model}"] with input and output in USD per million tokens'
        )


def price_rows() -> list[tuple[str, Price]]:
    """Return the table sorted by model id (for docs and ``--help`` output)."""
    return sorted(PRICES.items())
