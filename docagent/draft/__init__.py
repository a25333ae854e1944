"""The drafting engine: context packs, versioned prompts, providers, checks and the drafter.

Public entry points::

    from docagent.draft import Drafter, SymbolIndex, make_provider, order_callees_first

    index = SymbolIndex.from_files(files)
    provider, notice = make_provider(settings, interactive=False)
    drafter = Drafter(provider, settings, index, style="google")
    draft = await drafter.draft(facts, target)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docagent.lazy import lazy_exports

if TYPE_CHECKING:
    from docagent.draft.cache import DraftCache, JsonFileCache, MemoryCache, cache_key
    from docagent.draft.context import ContextPack, build_context, estimate_tokens
    from docagent.draft.draft_checks import run_checks
    from docagent.draft.drafter import Drafter, draft_summary
    from docagent.draft.models import DRAFT_SCHEMA, Check, Draft, StructuredDraft, Usage
    from docagent.draft.order import order_callees_first
    from docagent.draft.pricing import cost
    from docagent.draft.prompts import prompt_version
    from docagent.draft.providers import ProviderError, make_provider
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
    "run_checks",
]

#: where each public name lives; imported on first use, so importing a submodule (the
#: command line reads the provider registry) does not import the whole engine. (``render`` is
#: not here: the submodule of that name would replace it once imported; use
#: ``docagent.draft.render.render``.)
_LAZY = {
    "DraftCache": "docagent.draft.cache",
    "JsonFileCache": "docagent.draft.cache",
    "MemoryCache": "docagent.draft.cache",
    "cache_key": "docagent.draft.cache",
    "run_checks": "docagent.draft.draft_checks",
    "ContextPack": "docagent.draft.context",
    "build_context": "docagent.draft.context",
    "estimate_tokens": "docagent.draft.context",
    "Drafter": "docagent.draft.drafter",
    "draft_summary": "docagent.draft.drafter",
    "DRAFT_SCHEMA": "docagent.draft.models",
    "Check": "docagent.draft.models",
    "Draft": "docagent.draft.models",
    "StructuredDraft": "docagent.draft.models",
    "Usage": "docagent.draft.models",
    "order_callees_first": "docagent.draft.order",
    "cost": "docagent.draft.pricing",
    "prompt_version": "docagent.draft.prompts",
    "ProviderError": "docagent.draft.providers",
    "make_provider": "docagent.draft.providers",
    "SymbolIndex": "docagent.draft.symbols",
}

__getattr__ = lazy_exports(__name__, _LAZY)
