"""Model providers, their registry and :func:`make_provider`, which resolves ``auto``.

Every provider describes itself once in :mod:`docagent.draft.providers.registry`. The names
below are imported when first used, so reading the registry (the command line does, for
``--provider``) does not import the providers themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docagent.draft.providers.registry import (
    ProviderSpec,
    make_provider,
    provider_spec,
    register_provider,
    resolve_provider_name,
)
from docagent.lazy import lazy_exports

if TYPE_CHECKING:
    from docagent.draft.providers.base import (
        ERROR_KINDS,
        DraftRequest,
        Provider,
        ProviderError,
        ProviderResult,
    )
    from docagent.draft.providers.offline import OfflineProvider

__all__ = [
    "ERROR_KINDS",
    "DraftRequest",
    "OfflineProvider",
    "Provider",
    "ProviderError",
    "ProviderResult",
    "ProviderSpec",
    "make_provider",
    "provider_spec",
    "register_provider",
    "resolve_provider_name",
]

_LAZY = {
    "ERROR_KINDS": "docagent.draft.providers.base",
    "DraftRequest": "docagent.draft.providers.base",
    "Provider": "docagent.draft.providers.base",
    "ProviderError": "docagent.draft.providers.base",
    "ProviderResult": "docagent.draft.providers.base",
    "OfflineProvider": "docagent.draft.providers.offline",
}

__getattr__ = lazy_exports(__name__, _LAZY)
