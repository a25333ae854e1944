"""The one price table: US dollars per million tokens, by model family.

Cache writes (5-minute TTL) cost 1.25x input and cache reads 0.1x input; the Message Batches
API halves every price. A model is matched by the longest prefix in :data:`PRICES`; models with
no entry (local models, offline) cost nothing and are reported as unpriced.
"""

from __future__ import annotations

from dataclasses import dataclass

from docagent.draft.models import Usage

BATCH_DISCOUNT = 0.5
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.1


@dataclass(frozen=True)
class Price:
    """Prices in USD per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float


def _price(inp: float, out: float) -> Price:
    return Price(inp, out, round(inp * CACHE_WRITE_FACTOR, 4), round(inp * CACHE_READ_FACTOR, 4))


#: Longest matching prefix wins. Families without a listed version use the family's newest
#: known price (Sonnet $3/$15, Haiku 4.5 $1/$5, Opus 4.5+ $5/$25).
PRICES: dict[str, Price] = {
    "claude-sonnet": _price(3.0, 15.0),
    "claude-3-7-sonnet": _price(3.0, 15.0),
    "claude-3-5-sonnet": _price(3.0, 15.0),
    "claude-haiku": _price(1.0, 5.0),
    "claude-3-5-haiku": _price(0.8, 4.0),
    "claude-3-haiku": _price(0.25, 1.25),
    "claude-opus": _price(5.0, 25.0),
    "claude-opus-4-0": _price(15.0, 75.0),
    "claude-opus-4-1": _price(15.0, 75.0),
    "claude-opus-4-20250514": _price(15.0, 75.0),
    "claude-3-opus": _price(15.0, 75.0),
}


def price_for(model: str) -> Price | None:
    """Return the price of ``model`` (longest prefix match), or None when it is not listed."""
    best = ""
    for prefix in PRICES:
        if model.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return PRICES[best] if best else None


def cost(model: str, usage: Usage, batch: bool = False) -> float:
    """Return the USD cost of ``usage`` on ``model`` (0.0 for unpriced models).

    ``usage.input_tokens`` excludes cache reads and writes, as the Messages API reports it.
    """
    p = price_for(model)
    if p is None:
        return 0.0
    total = (
        usage.input_tokens * p.input
        + usage.output_tokens * p.output
        + usage.cache_write_tokens * p.cache_write
        + usage.cache_read_tokens * p.cache_read
    ) / 1_000_000
    if batch:
        total *= BATCH_DISCOUNT
    return round(total, 8)


def price_rows() -> list[tuple[str, Price]]:
    """Return the table sorted by prefix (for docs and ``--help`` output)."""
    return sorted(PRICES.items())
