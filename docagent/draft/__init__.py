"""The drafting engine: context packs, versioned prompts, providers, checks and the drafter.

Public entry points::

    from docagent.draft import Drafter, SymbolIndex, make_provider, order_callees_first

    index = SymbolIndex.from_files(files)
    provider, notice = make_provider(settings, interactive=False)
    drafter = Drafter(provider, settings, index, style="google")
    draft = await drafter.draft(facts, target)
"""

from __future__ import annotations

from docagent.draft.cache import DraftCache, JsonFileCache, MemoryCache, cache_key
from docagent.draft.checks import run_checks
from docagent.draft.context import ContextPack, build_context, estimate_tokens
from docagent.draft.drafter import Drafter, draft_summary
from docagent.draft.models import DRAFT_SCHEMA, Check, Draft, StructuredDraft, Usage
from docagent.draft.order import order_callees_first
from docagent.draft.pricing import cost
from docagent.draft.prompts import prompt_version
from docagent.draft.providers import ProviderError, make_provider
from docagent.draft.render import render
from docagent.draft.symbols import SymbolIndex

__all__ = [
    "DRAFT_SCHEMA",
    "Check",
    "ContextPack",
    "Draft",
    "DraftCache",
    "Drafter",
    "JsonFileCache",
    "MemoryCache",
    "ProviderError",
    "StructuredDraft",
    "SymbolIndex",
    "Usage",
    "build_context",
    "cache_key",
    "cost",
    "draft_summary",
    "estimate_tokens",
    "make_provider",
    "order_callees_first",
    "prompt_version",
    "render",
    "run_checks",
]
