"""Keep secrets out of the decision log and everything printed from it.

Every string the store writes passes through :func:`scrub_text`, and every JSON value through
:func:`scrub_value`: credentials found by :mod:`docagent.credentials` (the detect-secrets
plugins plus API keys, ``Bearer`` tokens, private-key blocks, passwords in URLs and
assignments), the current values of known key environment variables, secret-named mapping
entries whose values look like credentials, and request headers are replaced by
``[redacted]``. Request headers are never stored.

A text is scrubbed once: results are remembered by text (a module's source is stored with every
draft of that file), so scrubbing costs one pass per stored file version.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

from docagent.credentials import REDACTED, redact

_SECRET_ENV = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_AUTH_TOKEN", "DOCAGENT_API_KEY")
_SECRET_FIELD = re.compile(
    r"(?i)(api[_-]?key|auth(?!or)|token|secret|password|passwd|cookie|credential)"
)
_HEADERS_FIELD = re.compile(r"(?i)(^|_)(headers?|cookies?)$")
# Token counters are numbers, never secrets; keep them.
_NOT_SECRET_FIELD = re.compile(r"(?i)(^tokens?_|_tokens?$|^tokens$|token_budget|max_tokens)")


def secret_env_values() -> tuple[str, ...]:
    """The current values (8 characters or more) of the key environment variables that
    :func:`scrub_text` and :func:`scrub_value` remove."""
    values = []
    for name in _SECRET_ENV:
        value = os.environ.get(name, "")
        if len(value) >= 8:
            values.append(value)
    return tuple(values)


#: texts an earlier scrub of this user's found clean (see :func:`trust_clean`)
_CLEAN: set[str] = set()


def trust_clean(texts: list[str]) -> None:
    """Take ``texts`` as free of credentials without scanning them again.

    Only for texts that :func:`scrub_text` returned unchanged in an earlier run, read back
    from a record signed with this user's key (a replayed batch run's summary,
    :mod:`docagent.batch_rerun`): screening them would compile every rule for nothing. The
    key environment variables' current values are still removed.
    """
    _CLEAN.update(t for t in texts if isinstance(t, str))


@functools.lru_cache(maxsize=128)
def _scrub(text: str, env_values: tuple[str, ...]) -> str:
    for value in env_values:
        text = text.replace(value, REDACTED)
    return text if text in _CLEAN else redact(text)


def scrub_text(text: str, env: tuple[str, ...] | None = None) -> str:
    """Return ``text`` with every detected credential replaced by ``[redacted]``.

    ``env``: :func:`secret_env_values`, when the caller read them already.
    """
    if not text:
        return text
    return _scrub(text, secret_env_values() if env is None else env)


def scrub_env(text: str, env: tuple[str, ...] | None = None) -> str:
    """``text`` with the values of this process's key environment variables replaced.

    The part of :func:`scrub_text` that depends on the running process: for text read back
    from the log, which :func:`scrub_text` cleaned when it was stored. ``env``:
    :func:`secret_env_values`, when the caller read them already.
    """
    for value in secret_env_values() if env is None else env:
        text = text.replace(value, REDACTED)
    return text


def env_values_digest() -> str:
    """A hash of the key environment variables' values :func:`scrub_env` removes (the values
    themselves are never kept): text read back from the log is scrubbed differently when it
    changes."""
    import hashlib

    return hashlib.blake2b("\0".join(secret_env_values()).encode(), digest_size=16).hexdigest()


def is_secret_field(name: str) -> bool:
    """True when a mapping key names a secret (``api_key``, ``token``, ``password``, …)."""
    return bool(_SECRET_FIELD.search(name)) and not _NOT_SECRET_FIELD.search(name)


def _redact_entry(key: str, value: Any) -> bool:
    """Whether a mapping entry's value is dropped: request headers always; a secret-named
    field when its value looks like a credential (a string of 8+ characters without spaces),
    so that a structured draft documenting a parameter named ``api_key`` keeps its text."""
    if value in (None, "", 0, False):
        return False
    kind = _field_kind(key)
    if kind == _HEADERS:
        return True
    if kind != _SECRET:
        return False
    return isinstance(value, str) and len(value) >= 8 and not any(c.isspace() for c in value)


_PLAIN, _HEADERS, _SECRET = 0, 1, 2


@functools.lru_cache(maxsize=1024)
def _field_kind(key: str) -> int:
    """What a mapping key names: request headers, a secret, or neither (the same few keys
    recur in every stored value: asked once each)."""
    if _HEADERS_FIELD.search(key):
        return _HEADERS
    return _SECRET if is_secret_field(key) else _PLAIN


def scrub_value(value: Any, env: tuple[str, ...] | None = None) -> Any:
    """Return a copy of a JSON-like value with secrets removed (see the module docstring).

    ``env``: :func:`secret_env_values`, when the caller read them already (one stored row
    scrubs several values at once).
    """
    return _scrub_value(value, secret_env_values() if env is None else env)


#: what :func:`_field_kind` says of each mapping key seen (a plain dict: read for every entry)
_KINDS: dict[str, int] = {}


def _scrub_value(value: Any, env: tuple[str, ...]) -> Any:
    """:func:`scrub_value` with the key environment variables' values read once per value.

    The strings of mappings and lists are scrubbed here rather than by a call each (most of a
    stored value): the same result as the recursive call gives them.
    """
    if isinstance(value, str):
        # shorter than any credential or key value (both 8+ characters): nothing to hide
        return _scrub(value, env) if len(value) >= 8 else value
    if isinstance(value, dict):
        out = {}
        kinds = _KINDS
        for k, v in value.items():
            key = str(k)
            kind = kinds.get(key)
            if kind is None:
                if len(kinds) >= 4096:
                    kinds.clear()  # bounded: the same few keys recur
                kind = kinds[key] = _field_kind(key)
            if kind != _PLAIN and _redact_entry(key, v):
                out[key] = REDACTED
            elif type(v) is str:
                out[key] = _scrub(v, env) if len(v) >= 8 else v
            else:
                out[key] = _scrub_value(v, env)
        return out
    if isinstance(value, list | tuple):
        return [
            (_scrub(v, env) if len(v) >= 8 else v) if type(v) is str else _scrub_value(v, env)
            for v in value
        ]
    return value
