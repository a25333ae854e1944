"""The effort setting: how much work a model that takes one puts into a docstring.

Some Claude models accept ``output_config.effort`` (``low`` … ``max``). A docstring is a short,
well-specified answer, so docagent's default (``effort = "auto"``) asks those models for
``low`` effort, and sends nothing to models not known to take the setting. ``effort = "off"``
never sends it; an explicit level is sent to any Anthropic model. The level used is recorded
with each draft (``Draft.effort``, and the decision log's draft context), so accept rates and
costs can be compared by effort.
"""

from __future__ import annotations

from docagent.draft.pricing import ALIASES

LEVELS = ("low", "medium", "high", "xhigh", "max")
CHOICES = ("auto", "off", *LEVELS)
#: What ``auto`` asks for on models that take an effort setting.
DEFAULT_EFFORT = "low"
#: Models known to take ``output_config.effort`` (exact ids; aliases resolved as for prices).
EFFORT_MODELS = frozenset({"claude-opus-4-5-20251101", "claude-opus-4-6", "claude-sonnet-4-6"})


def resolve_effort(setting: str, model: str) -> str:
    """Return the effort level to send to ``model`` for ``setting`` (``""``: send none)."""
    setting = (setting or "auto").strip().lower()
    if setting == "off":
        return ""
    if setting in LEVELS:
        return setting
    return DEFAULT_EFFORT if ALIASES.get(model, model) in EFFORT_MODELS else ""


__all__ = ["CHOICES", "DEFAULT_EFFORT", "EFFORT_MODELS", "LEVELS", "resolve_effort"]
