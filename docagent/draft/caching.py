"""Prompt caching: per-model minimum cacheable lengths and where a request's cache marks go.

A request's prefix is the system prompt (with the style guide), the team's examples and the
file-level context of the target's file (:func:`docagent.draft.context.file_context`), in that
order; everything about one target comes after it, in the user turn. The Messages API caches a
prefix only when it is at least the model's minimum length (:data:`MIN_CACHEABLE`), so a block is
marked with ``cache_control`` only when the estimated prefix up to it reaches that minimum: the
request then says exactly what will be cached, and :func:`prefix_usage` (the ``batch --estimate``
model) agrees with it. Targets of one file run back to back (:mod:`docagent.draft.order`), the
first alone, so the second and later ones read the prefix the first one wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

from docagent.draft.models import Usage
from docagent.draft.pricing import ALIASES

#: Minimum cacheable prompt length in tokens, by exact model id (aliases resolved as for prices).
MIN_CACHEABLE: dict[str, int] = {
    "claude-opus-4-6": 4096,
    "claude-opus-4-5-20251101": 4096,
    "claude-haiku-4-5-20251001": 4096,
    "claude-sonnet-4-6": 2048,
    "claude-3-5-haiku-20241022": 2048,
    "claude-3-haiku-20240307": 2048,
    "claude-sonnet-4-5-20250929": 1024,
    "claude-opus-4-1-20250805": 1024,
    "claude-opus-4-20250514": 1024,
    "claude-sonnet-4-20250514": 1024,
    "claude-3-7-sonnet-20250219": 1024,
    "claude-3-opus-20240229": 1024,
}
#: Assumed for models not in the table (the largest published minimum, so nothing is marked
#: that the API would not cache).
DEFAULT_MIN_CACHEABLE = 4096


def min_cacheable(model: str) -> int:
    """Return the minimum cacheable prefix length of ``model`` in tokens."""
    return MIN_CACHEABLE.get(ALIASES.get(model, model), DEFAULT_MIN_CACHEABLE)


def estimate_tokens(text: str) -> int:
    """Estimate tokens as one per four characters (the context packs' estimate)."""
    return (len(text) + 3) // 4


def cache_marks(model: str, blocks: Sequence[str]) -> list[bool]:
    """Return, per prefix block, whether it ends a prefix long enough to cache on ``model``."""
    need = min_cacheable(model)
    marks = []
    total = 0
    for block in blocks:
        total += estimate_tokens(block)
        marks.append(total >= need)
    return marks


def prefix_usage(model: str, prefix_tokens: int, rest_tokens: int, first: bool) -> Usage:
    """The expected input usage of one request: ``first`` of its prefix writes the cache, later
    ones read it; a prefix under the model's minimum is plain input."""
    if prefix_tokens < min_cacheable(model):
        return Usage(input_tokens=prefix_tokens + rest_tokens)
    if first:
        return Usage(input_tokens=rest_tokens, cache_write_tokens=prefix_tokens)
    return Usage(input_tokens=rest_tokens, cache_read_tokens=prefix_tokens)


__all__ = ["MIN_CACHEABLE", "cache_marks", "min_cacheable", "prefix_usage"]
