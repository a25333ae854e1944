"""Model providers and :func:`make_provider`, which resolves ``auto`` and says what it chose."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from docagent.draft.providers.base import (
    ERROR_KINDS,
    DraftRequest,
    Provider,
    ProviderError,
    ProviderResult,
)
from docagent.draft.providers.offline import NOTICE as OFFLINE_NOTICE
from docagent.draft.providers.offline import OfflineProvider

if TYPE_CHECKING:
    from docagent.config import Settings

__all__ = [
    "DEFAULT_TIMEOUTS",
    "ERROR_KINDS",
    "DraftRequest",
    "Provider",
    "ProviderError",
    "ProviderResult",
    "OfflineProvider",
    "make_provider",
    "resolve_provider_name",
]


#: Per-call timeout in seconds when the ``timeout`` setting is 0 (unset): a local model on one
#: machine answers one request at a time and may take minutes on a long prompt.
DEFAULT_TIMEOUTS = {"anthropic": 60.0, "openai": 300.0}


def resolve_provider_name(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Resolve ``auto``: ``anthropic`` when ``ANTHROPIC_API_KEY`` is set, else ``offline``."""
    env = os.environ if environ is None else environ
    if name in ("", "auto"):
        return "anthropic" if env.get("ANTHROPIC_API_KEY") else "offline"
    return name


#: Installed with ``pip install 'docagent[draft]'`` (the anthropic SDK brings httpx2).
DRAFT_EXTRA_MODULES = {"anthropic": "anthropic", "openai": "httpx2"}


def _require_sdk(name: str) -> None:
    """Refuse a model provider whose client library is not installed (one clear line).

    Raises:
        ProviderError: The ``draft`` extra is not installed (kind ``bad_request``).
    """
    import importlib

    module = DRAFT_EXTRA_MODULES[name]
    try:
        importlib.import_module(module)
    except ImportError:
        raise ProviderError(
            "bad_request",
            f"provider {name} needs the '{module}' package, which is not installed: "
            "pip install 'docagent[draft]' (or use --provider offline)",
        ) from None


def make_provider(
    settings: Settings, interactive: bool = False, environ: Mapping[str, str] | None = None
) -> tuple[Provider, str]:
    """Create the provider that ``settings`` select; return ``(provider, notice)``.

    ``notice`` is one line for the user (stderr, the TUI status bar, the log): which provider
    ``auto`` chose and, for the offline drafter, that no model is used. ``interactive`` selects
    the shorter per-call timeout (``settings.interactive_timeout``). A ``timeout`` of 0 means
    the provider's default (:data:`DEFAULT_TIMEOUTS`). The openai endpoint is the
    ``openai_base_url`` setting (``DOCAGENT_OPENAI_BASE_URL``, ``--base-url``), else
    ``OPENAI_BASE_URL``, else Ollama's default address.

    Raises:
        ProviderError: For an unknown provider name, or a model provider whose client library
            (the ``draft`` extra) is not installed (kind ``bad_request``).
    """
    env = os.environ if environ is None else environ
    requested = getattr(settings, "provider", "auto") or "auto"
    name = resolve_provider_name(requested, env)
    model = getattr(settings, "model", "") or None
    configured = float(getattr(settings, "timeout", 0.0) or 0.0)
    timeout = configured or DEFAULT_TIMEOUTS.get(name, 60.0)
    itimeout = float(getattr(settings, "interactive_timeout", 20.0))
    retries = int(getattr(settings, "max_retries", 2))
    if name == "offline":
        why = " (ANTHROPIC_API_KEY is not set)" if requested == "auto" else ""
        return OfflineProvider(), f"provider: offline{why}; {OFFLINE_NOTICE}"
    if name in ("anthropic", "openai"):
        _require_sdk(name)
    if name == "anthropic":
        from docagent.draft.providers.anthropic import AnthropicProvider

        anthropic_provider = AnthropicProvider(
            model,
            timeout=timeout,
            interactive_timeout=itimeout,
            max_retries=retries,
            base_url=env.get("ANTHROPIC_BASE_URL") or None,
            effort=str(getattr(settings, "effort", "auto") or "auto"),
        )
        why = " (auto: ANTHROPIC_API_KEY is set)" if requested == "auto" else ""
        return anthropic_provider, f"provider: anthropic{why}, model {anthropic_provider.model}"
    if name == "openai":
        from docagent.draft.providers.openai_compat import DEFAULT_BASE_URL, OpenAICompatProvider

        base_url = getattr(settings, "openai_base_url", "") or env.get("OPENAI_BASE_URL", "")
        provider = OpenAICompatProvider(
            model,
            base_url=base_url or DEFAULT_BASE_URL,
            api_key=env.get("OPENAI_API_KEY", ""),
            timeout=timeout,
            interactive_timeout=itimeout,
            max_retries=retries,
        )
        return (
            provider,
            f"provider: openai-compatible at {provider.base_url}, model {provider.model}",
        )
    raise ProviderError(
        "bad_request", f"unknown provider {name!r} (anthropic, openai, offline, auto)"
    )
