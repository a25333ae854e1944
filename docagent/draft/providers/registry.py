"""The provider registry: every provider describes itself here, once.

A :class:`ProviderSpec` says what the rest of docagent needs to know about a provider without
asking for it by name: whether it calls a model at all, which environment variables hold its
key and whether one is required, what ``auto`` looks for, its default concurrency and per-call
timeout, whether it supports prompt caching and the Message Batches API, whether its calls cost
money, and which client library (the ``draft`` extra) it needs. The command line (``--provider``
choices and help), the settings (valid values; which providers send a key) and the error
messages read this registry; a provider added with :func:`register_provider` is picked up by
all of them.

This module imports nothing heavy: each spec's ``build`` imports its provider's module only
when a provider is made, so ``docagent --help`` stays fast.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from docagent.config import Settings
    from docagent.draft.providers.base import Provider

#: ``auto`` is not a provider: it resolves to one (:func:`resolve_provider_name`).
AUTO = "auto"

Billing = Literal["paid", "remote", "free"]


@dataclass(frozen=True)
class ProviderOptions:
    """What a spec's ``build`` gets: the resolved settings and environment for one provider."""

    model: str | None
    timeout: float
    interactive_timeout: float
    max_retries: int
    effort: str
    base_url: str
    environ: Mapping[str, str]
    #: True when the user asked for ``auto`` (the notice says why this provider was chosen)
    auto: bool = False


@dataclass(frozen=True)
class ProviderSpec:
    """One provider's description of itself (see the module docstring)."""

    name: str
    #: make the provider from ``ProviderOptions``; return it with a one-line notice for the user
    build: Callable[[ProviderOptions], tuple[Provider, str]]
    #: False for a drafter that calls no model (nothing is sent, nothing is paid, no call log)
    makes_model_calls: bool = True
    #: True when the provider refuses to run without one of ``key_env_vars`` set
    needs_key: bool = False
    #: environment variables holding the key the provider sends (first: the one to ask for)
    key_env_vars: tuple[str, ...] = ()
    #: ``auto`` chooses this provider when this environment variable is set ("": never)
    auto_env: str = ""
    #: requests in flight when the ``concurrency`` setting is 0
    default_concurrency: int = 4
    #: per-call timeout in seconds when the ``timeout`` setting is 0
    default_timeout: float = 60.0
    #: supports the Message Batches API (``batch --batch-api``)
    batch_api: bool = False
    #: caches prompt prefixes (batch drafts a file's first target alone, then the rest)
    prompt_caching: bool = False
    #: ``paid``: calls cost money; ``remote``: only when the endpoint is not this machine
    billing: Billing = "free"
    #: the module the provider needs from the ``draft`` extra ("" when none)
    sdk_module: str = ""
    #: one phrase for ``--provider`` help
    description: str = ""

    def key_in(self, environ: Mapping[str, str]) -> bool:
        """True when one of the provider's key variables is set in ``environ``."""
        return any(environ.get(var) for var in self.key_env_vars)


_SPECS: dict[str, ProviderSpec] = {}


def register_provider(spec: ProviderSpec) -> ProviderSpec:
    """Add ``spec`` to the registry (replacing one of the same name) and return it.

    Raises:
        ValueError: The name is empty or ``auto``.
    """
    if not spec.name or spec.name == AUTO:
        raise ValueError(f"a provider cannot be named {spec.name!r}")
    _SPECS[spec.name] = spec
    return spec


def provider_names() -> tuple[str, ...]:
    """The registered providers' names, in registration order."""
    return tuple(_SPECS)


def provider_choices() -> tuple[str, ...]:
    """The values the ``provider`` setting and ``--provider`` accept: ``auto`` and every name."""
    return (AUTO, *_SPECS)


def provider_spec(name: str) -> ProviderSpec | None:
    """The spec registered as ``name`` (None for an unknown name)."""
    return _SPECS.get(name)


def makes_model_calls(name: str) -> bool:
    """True unless ``name`` is a registered provider that calls no model.

    An unknown name (a draft logged by a provider since removed) counts as a model.
    """
    spec = _SPECS.get(name)
    return spec is None or spec.makes_model_calls


def sends_key(name: str) -> bool:
    """True when the provider ``name`` sends a key (and the code) somewhere."""
    spec = _SPECS.get(name)
    return bool(spec and spec.key_env_vars)


def fallback_provider() -> ProviderSpec:
    """The provider ``auto`` uses when no model provider's key is set: the first keyless one."""
    return next(s for s in _SPECS.values() if not s.makes_model_calls)


def auto_summary() -> str:
    """How ``auto`` chooses, in words (``--provider`` help, docs)."""
    picks = [f"{s.name} when {s.auto_env} is set" for s in _SPECS.values() if s.auto_env]
    return f"'auto' (default) uses {', '.join(picks)}, else {fallback_provider().description}"


def resolve_provider_name(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Resolve ``auto``: the first provider whose ``auto_env`` is set, else the fallback."""
    env = os.environ if environ is None else environ
    if name in ("", AUTO):
        for spec in _SPECS.values():
            if spec.auto_env and env.get(spec.auto_env):
                return spec.name
        return fallback_provider().name
    return name


def _require_sdk(spec: ProviderSpec) -> None:
    """Refuse a model provider whose client library is not installed (one clear line).

    Raises:
        ProviderError: The ``draft`` extra is not installed (kind ``bad_request``).
    """
    if not spec.sdk_module:
        return
    try:
        importlib.import_module(spec.sdk_module)
    except ImportError:
        from docagent.draft.providers.base import ProviderError

        raise ProviderError(
            "bad_request",
            f"provider {spec.name} needs the '{spec.sdk_module}' package, which is not "
            f"installed: pip install 'docagent[draft]' (or use --provider "
            f"{fallback_provider().name})",
        ) from None


def make_provider(
    settings: Settings, interactive: bool = False, environ: Mapping[str, str] | None = None
) -> tuple[Provider, str]:
    """Create the provider that ``settings`` select; return ``(provider, notice)``.

    ``notice`` is one line for the user (stderr, the TUI status bar, the log): which provider
    ``auto`` chose and, for the offline drafter, that no model is used. ``interactive`` selects
    the shorter per-call timeout (``settings.interactive_timeout``). A ``timeout`` of 0 means
    the provider's ``default_timeout``. The openai endpoint is the ``openai_base_url`` setting
    (``DOCAGENT_OPENAI_BASE_URL``, ``--base-url``), else ``OPENAI_BASE_URL``, else Ollama's
    default address.

    Raises:
        ProviderError: For an unknown provider name, or a model provider whose client library
            (the ``draft`` extra) is not installed (kind ``bad_request``).
    """
    env = os.environ if environ is None else environ
    requested = getattr(settings, "provider", AUTO) or AUTO
    name = resolve_provider_name(requested, env)
    spec = _SPECS.get(name)
    if spec is None:
        from docagent.draft.providers.base import ProviderError

        raise ProviderError(
            "bad_request", f"unknown provider {name!r} ({', '.join((*_SPECS, AUTO))})"
        )
    _require_sdk(spec)
    configured = float(getattr(settings, "timeout", 0.0) or 0.0)
    options = ProviderOptions(
        model=getattr(settings, "model", "") or None,
        timeout=configured or spec.default_timeout,
        interactive_timeout=float(getattr(settings, "interactive_timeout", 20.0)),
        max_retries=int(getattr(settings, "max_retries", 2)),
        effort=str(getattr(settings, "effort", AUTO) or AUTO),
        base_url=str(getattr(settings, "openai_base_url", "") or ""),
        environ=env,
        auto=requested == AUTO,
    )
    return spec.build(options)


# -- the built-in providers ---------------------------------------------------------------------


def _build_anthropic(o: ProviderOptions) -> tuple[Provider, str]:
    """The Anthropic Messages API provider (``ANTHROPIC_BASE_URL`` overrides the endpoint)."""
    from docagent.draft.providers.anthropic import AnthropicProvider

    provider = AnthropicProvider(
        o.model,
        timeout=o.timeout,
        interactive_timeout=o.interactive_timeout,
        max_retries=o.max_retries,
        base_url=o.environ.get("ANTHROPIC_BASE_URL") or None,
        effort=o.effort,
    )
    why = " (auto: ANTHROPIC_API_KEY is set)" if o.auto else ""
    return provider, f"provider: anthropic{why}, model {provider.model}"


def _build_openai(o: ProviderOptions) -> tuple[Provider, str]:
    """An OpenAI-compatible Chat Completions endpoint (Ollama's address by default)."""
    from docagent.draft.providers.openai_compat import DEFAULT_BASE_URL, OpenAICompatProvider

    provider = OpenAICompatProvider(
        o.model,
        base_url=o.base_url or o.environ.get("OPENAI_BASE_URL", "") or DEFAULT_BASE_URL,
        api_key=o.environ.get("OPENAI_API_KEY", ""),
        timeout=o.timeout,
        interactive_timeout=o.interactive_timeout,
        max_retries=o.max_retries,
    )
    return provider, f"provider: openai-compatible at {provider.base_url}, model {provider.model}"


def _build_offline(o: ProviderOptions) -> tuple[Provider, str]:
    """The offline drafter: docstrings from code facts, no model."""
    from docagent.draft.providers.offline import NOTICE, OfflineProvider

    why = ""
    if o.auto:
        keys = [s.auto_env for s in _SPECS.values() if s.auto_env]
        why = f" ({' and '.join(keys)} {'is' if len(keys) == 1 else 'are'} not set)"
    return OfflineProvider(), f"provider: offline{why}; {NOTICE}"


register_provider(
    ProviderSpec(
        "anthropic",
        _build_anthropic,
        needs_key=True,
        key_env_vars=("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
        auto_env="ANTHROPIC_API_KEY",
        default_concurrency=8,
        default_timeout=60.0,
        batch_api=True,
        prompt_caching=True,
        billing="paid",
        sdk_module="anthropic",
        description="Anthropic's Messages API",
    )
)
register_provider(
    ProviderSpec(
        "openai",
        _build_openai,
        key_env_vars=("OPENAI_API_KEY",),
        # a local server (Ollama's default) answers one request at a time; more only queue
        # up there and time out, and one request on one machine may take minutes
        default_concurrency=1,
        default_timeout=300.0,
        billing="remote",
        sdk_module="httpx2",
        description="an OpenAI-compatible endpoint",
    )
)
register_provider(
    ProviderSpec(
        "offline",
        _build_offline,
        makes_model_calls=False,
        default_concurrency=4,
        description="the offline drafter",
    )
)
