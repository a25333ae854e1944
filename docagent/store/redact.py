"""Keep secrets out of the decision log and everything printed from it.

Every string the store writes passes through :func:`scrub_text`, and every JSON value through
:func:`scrub_value`: API keys (``sk-…``, ``sk-ant-…``, ``Bearer …``), the current values of known
key environment variables, secret-named mapping entries whose values look like credentials, and
request headers are replaced by ``[redacted]``. Request headers are never stored.
"""

from __future__ import annotations

import os
import re
from typing import Any

REDACTED = "[redacted]"

_KEY_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9][A-Za-z0-9_\-]{10,}"),  # Anthropic sk-ant-…, OpenAI sk-/sk-proj-…
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{8,}"),
    # key=value / "key": "value" where the value looks like a token (16+ chars with a digit),
    # so that a docstring saying "api_key: the Anthropic API key." survives
    re.compile(
        r"(?i)(x-api-key|api[_-]?key|authorization|access[_-]?token)(['\"]?\s*[:=]\s*)(['\"]?)"
        r"(?=[^\s'\",}]*\d)[^\s'\",}]{16,}"
    ),
)
_SECRET_ENV = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_AUTH_TOKEN", "DOCAGENT_API_KEY")
_SECRET_FIELD = re.compile(
    r"(?i)(api[_-]?key|auth(?!or)|token|secret|password|passwd|cookie|credential)"
)
_HEADERS_FIELD = re.compile(r"(?i)(^|_)(headers?|cookies?)$")
# Token counters are numbers, never secrets; keep them.
_NOT_SECRET_FIELD = re.compile(r"(?i)(^tokens?_|_tokens?$|^tokens$|token_budget|max_tokens)")


def _secret_env_values() -> list[str]:
    values = []
    for name in _SECRET_ENV:
        value = os.environ.get(name, "")
        if len(value) >= 8:
            values.append(value)
    return values


def scrub_text(text: str) -> str:
    """Return ``text`` with anything that looks like an API key replaced by ``[redacted]``."""
    if not text:
        return text
    for value in _secret_env_values():
        text = text.replace(value, REDACTED)
    text = _KEY_PATTERNS[0].sub(REDACTED, text)
    text = _KEY_PATTERNS[1].sub("Bearer " + REDACTED, text)
    text = _KEY_PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{REDACTED}", text)
    return text


def is_secret_field(name: str) -> bool:
    """True when a mapping key names a secret (``api_key``, ``token``, ``password``, …)."""
    return bool(_SECRET_FIELD.search(name)) and not _NOT_SECRET_FIELD.search(name)


def _redact_entry(key: str, value: Any) -> bool:
    """Whether a mapping entry's value is dropped: request headers always; a secret-named
    field when its value looks like a credential (a string of 8+ characters without spaces),
    so that a structured draft documenting a parameter named ``api_key`` keeps its text."""
    if value in (None, "", 0, False):
        return False
    if _HEADERS_FIELD.search(key):
        return True
    if not is_secret_field(key):
        return False
    return isinstance(value, str) and len(value) >= 8 and not any(c.isspace() for c in value)


def scrub_value(value: Any) -> Any:
    """Return a copy of a JSON-like value with secrets removed (see the module docstring)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = str(k)
            if _redact_entry(key, v):
                out[key] = REDACTED
            else:
                out[key] = scrub_value(v)
        return out
    if isinstance(value, list | tuple):
        return [scrub_value(v) for v in value]
    return value
