"""The Anthropic provider: the Messages API through ``AsyncAnthropic`` with structured output.

- Structured output via ``output_config={"format": {"type": "json_schema", ...}}`` (newer models
  reject forced tool use).
- Prompt caching: ``cache_control`` marks the end of the stable prefix (system prompt, style guide,
  team examples, then the file-level context) when it reaches the model's minimum cacheable
  length (:mod:`docagent.draft.caching`), so later targets of a file pay cache-read prices.
- Retries of ``messages.create`` are docagent's, not the SDK's (the SDK would sleep whatever
  ``retry-after`` says): up to ``max_retries`` on 408/409/429/5xx/529 and connection errors,
  waiting ``retry-after`` (or an exponential backoff), and never waiting longer in total than
  the call's timeout; a longer ``retry-after`` fails at once, saying so. Every call has a
  timeout (shorter for interactive use). ``ANTHROPIC_BASE_URL`` is honoured by the SDK.
- The API key is never logged or put in an error message.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import typing
from typing import Any

from docagent.draft.caching import cache_marks
from docagent.draft.effort import resolve_effort
from docagent.draft.models import Usage, read_usage
from docagent.draft.providers.base import (
    DraftRequest,
    ProviderError,
    ProviderResult,
    parse_json_text,
)

FALLBACK_MODEL = "claude-sonnet-4-6"


def _version(model: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", model.split("-", 2)[-1]))


def sdk_models() -> list[str]:
    """Return the model names the installed anthropic SDK lists (newest first as listed)."""
    try:
        from anthropic.types.model_param import ModelParam
    except ImportError:  # pragma: no cover - depends on the SDK version
        return []
    out: list[str] = []
    for arg in typing.get_args(ModelParam):
        if typing.get_origin(arg) is typing.Literal:
            out.extend(a for a in typing.get_args(arg) if isinstance(a, str))
    return out


def default_model() -> str:
    """Return a current Sonnet from the SDK's model list (not deprecated, newest version)."""
    try:
        from anthropic._data.deprecated_models import DEPRECATED_MODELS
    except ImportError:  # pragma: no cover - depends on the SDK version
        DEPRECATED_MODELS = {}
    sonnets = [
        m
        for m in sdk_models()
        if m.startswith("claude-sonnet-")
        and m not in DEPRECATED_MODELS
        and not re.search(r"-\d{8}$", m)  # prefer aliases over dated snapshots
    ]
    if not sonnets:
        return FALLBACK_MODEL
    return max(sonnets, key=_version)


def _field(obj: Any, name: str) -> Any:
    """``obj.name`` or ``obj[name]`` (a reply the SDK could not type is left as dicts)."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _usage(u: Any) -> Usage:
    """The reply's usage, validated: missing or implausible usage is unknown, never negative."""
    if u is None:
        return Usage(unknown=True)
    return read_usage(
        _field(u, "input_tokens"),
        _field(u, "output_tokens"),
        _field(u, "cache_read_input_tokens"),
        _field(u, "cache_creation_input_tokens"),
    )


def _malformed(what: str, usage: Usage | None = None) -> ProviderError:
    """The error for an HTTP 200 reply that is not a usable message (the call may be paid)."""
    return ProviderError(
        "malformed_output",
        f"the Anthropic API answered with a reply that is not a message ({what})",
        200,
        usage=usage if usage is not None else Usage(unknown=True),
    )


def message_result(message: Any, model: str) -> ProviderResult:
    """Turn a Messages API ``Message`` (a reply or a batch result) into a :class:`ProviderResult`.

    The text blocks are joined and parsed as JSON (no data when the answer hit ``max_tokens``);
    ``model`` stands in when the message does not name its model.

    Raises:
        ProviderError: ``malformed_output`` (with the reply's usage, unknown when unreadable)
            when the reply has no list of content blocks.
    """
    usage = _usage(_field(message, "usage"))
    content = _field(message, "content")
    if not isinstance(content, list):
        raise _malformed(f"content is {type(content).__name__}", usage)
    raw = "".join(
        t
        for b in content
        if _field(b, "type") == "text" and isinstance(t := _field(b, "text"), str)
    )
    stop = str(getattr(message, "stop_reason", "") or "")
    data = parse_json_text(raw) if raw and stop != "max_tokens" else None
    return ProviderResult(
        data=data,
        raw=raw,
        usage=usage,
        model=str(_field(message, "model") or model),
        request_id=str(getattr(message, "_request_id", "") or getattr(message, "id", "")),
        stop_reason=stop,
        response_id=str(_field(message, "id") or ""),
    )


class AnthropicProvider:
    """Draft with Claude through the official SDK."""

    name = "anthropic"

    def __init__(
        self,
        model: str | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        interactive_timeout: float = 20.0,
        max_retries: int = 2,
        client: Any = None,
        effort: str = "auto",
    ):
        """Create the provider; ``client`` (an ``AsyncAnthropic``) overrides the other options.

        ``effort`` is the setting (:func:`docagent.draft.effort.resolve_effort`): the level sent
        as ``output_config.effort``, if any, is :attr:`effort`.
        """
        self.model = model or default_model()
        self.effort = resolve_effort(effort, self.model)
        self.timeout = timeout
        self.interactive_timeout = interactive_timeout
        self.max_retries = max_retries
        self.base_url = (
            base_url or os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com"
        )
        if client is None:
            import anthropic

            kwargs: dict[str, Any] = {"max_retries": max_retries, "timeout": timeout}
            if api_key:
                kwargs["api_key"] = api_key
            if base_url:
                kwargs["base_url"] = base_url
            client = anthropic.AsyncAnthropic(**kwargs)
        self.client = client
        with_options = getattr(client, "with_options", None)
        #: the client for ``messages.create``: retries are docagent's (see the module docstring)
        self.messages_client = with_options(max_retries=0) if with_options else client

    async def _create(self, params: dict[str, Any], timeout: float) -> Any:
        """``messages.create`` with docagent's retries.

        Raises:
            ProviderError: When the server asks to wait longer than the wait budget allows.
            APIStatusError: The last error status once the retries are spent (or not retryable).
            APIConnectionError: The last connection error once the retries are spent.
        """
        import anthropic

        waited, retries = 0.0, 0
        while True:
            try:
                return await self.messages_client.messages.create(**params, timeout=timeout)
            except (anthropic.APIStatusError, anthropic.APIConnectionError) as exc:
                if retries >= self.max_retries or not _retryable(exc):
                    setattr(exc, "docagent_retries", retries)  # noqa: B010 - read by _error
                    raise
                delay, asked = _retry_delay(exc, retries)
                if waited + delay > timeout:
                    if not asked:
                        delay = max(0.0, timeout - waited)
                    else:
                        raise self._too_long_wait(exc, delay, timeout, retries) from None
                await asyncio.sleep(delay)
                waited += delay
                retries += 1

    def _too_long_wait(self, exc: Any, delay: float, timeout: float, retries: int) -> ProviderError:
        """The error for a ``retry-after`` longer than the wait budget (``timeout``)."""
        base = self.error_for_status(exc, retries) if hasattr(exc, "status_code") else None
        kind = base.kind if base is not None else "unreachable"
        status = getattr(exc, "status_code", None)
        return ProviderError(
            kind,
            f"Anthropic asked to retry after {delay:g}s ({status}); that is longer than the "
            f"{timeout:g}s timeout, so docagent did not wait (raise timeout or try later)",
            status,
        )

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        close = getattr(self.client, "close", None)
        if close is not None:
            await close()

    def build_params(self, request: DraftRequest) -> dict[str, Any]:
        """Return the ``messages.create`` arguments for ``request`` (no network)."""
        parts = [p for p in (request.system, request.examples, request.file_context) if p]
        system: list[dict[str, Any]] = [{"type": "text", "text": p} for p in parts]
        marks = cache_marks(self.model, parts)
        # Mark the longest cacheable prefix (the file's) and, when it is long enough on its own,
        # the part shared by every file (system prompt and examples).
        for i, mark in enumerate(marks):
            if mark and (i == len(parts) - 1 or i == len(parts) - 2):
                system[i]["cache_control"] = {"type": "ephemeral"}
        output: dict[str, Any] = {"format": {"type": "json_schema", "schema": request.schema}}
        if self.effort:
            output["effort"] = self.effort
        return {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": system,
            "messages": [dict(m) for m in request.messages],
            "output_config": output,
        }

    async def complete(self, request: DraftRequest) -> ProviderResult:
        """Call the Messages API; map every failure to a :class:`ProviderError`."""
        import anthropic

        params = self.build_params(request)
        timeout = self.interactive_timeout if request.interactive else self.timeout
        try:
            msg = await self._create(params, timeout)
        except anthropic.APITimeoutError:
            raise ProviderError(
                "timeout", f"Anthropic did not answer within {timeout:g}s (model {self.model})"
            ) from None
        except anthropic.APIConnectionError as exc:
            raise ProviderError(
                "unreachable", f"cannot reach the Anthropic API at {self.base_url}: {exc}"
            ) from None
        except anthropic.APIStatusError as exc:
            raise self.error_for_status(exc, getattr(exc, "docagent_retries", None)) from None
        except anthropic.APIResponseValidationError:
            raise _malformed("it does not match the Messages API") from None
        except TypeError as exc:  # the SDK raises TypeError when no credentials resolve
            if "authentication" not in str(exc).lower():
                raise _malformed(type(exc).__name__) from None
            raise ProviderError(
                "auth",
                "no Anthropic credentials: set ANTHROPIC_API_KEY (or use --provider offline)",
            ) from None
        except (ValueError, AttributeError, KeyError) as exc:  # a 200 reply the SDK cannot read
            what = "not JSON" if isinstance(exc, ValueError) else type(exc).__name__
            raise _malformed(what) from None
        except anthropic.AnthropicError as exc:  # e.g. other credential problems
            text = str(exc)
            if "api_key" in text or "auth" in text.lower() or "credential" in text.lower():
                raise ProviderError(
                    "auth", "no Anthropic credentials: set ANTHROPIC_API_KEY"
                ) from None
            raise ProviderError("bad_request", f"Anthropic request failed: {text}") from None
        try:
            return message_result(msg, self.model)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise _malformed(type(exc).__name__) from None

    def error_for_status(self, exc: Any, retries: int | None = None) -> ProviderError:
        """Return the :class:`ProviderError` for an ``anthropic.APIStatusError``.

        The kind (auth, rate_limited, overloaded, context_too_long, server_error, bad_request)
        and a one-line message that names the fix; the API key never appears in it. Also used
        for errors of the Message Batches endpoints (:mod:`docagent.batch_api`). ``retries`` is
        how many retries were made (default: ``max_retries``, the SDK's count).
        """
        import anthropic

        status = getattr(exc, "status_code", None)
        detail = _error_message(exc)
        n = self.max_retries if retries is None else retries
        retried = f" after {n} retries" if n else ""
        if isinstance(exc, anthropic.AuthenticationError):
            return ProviderError(
                "auth", "Anthropic rejected the API key (401): check ANTHROPIC_API_KEY", status
            )
        if isinstance(exc, anthropic.PermissionDeniedError):
            return ProviderError(
                "auth", f"the API key may not use model {self.model} (403): {detail}", status
            )
        if isinstance(exc, anthropic.RateLimitError):
            return ProviderError(
                "rate_limited",
                f"rate limited by Anthropic{retried}; lower --concurrency or try later",
                status,
            )
        if status == 529 or "overloaded" in detail.lower():
            return ProviderError(
                "overloaded", f"Anthropic is overloaded (529){retried}; try again later", status
            )
        if status == 413 or "too long" in detail.lower() or "too many tokens" in detail.lower():
            return ProviderError(
                "context_too_long",
                f"the prompt is too long for {self.model}: lower token_budget ({detail})",
                status,
            )
        if isinstance(exc, anthropic.NotFoundError):
            return ProviderError(
                "bad_request", f"model {self.model!r} not found at {self.base_url} (404)", status
            )
        if status is not None and status >= 500:
            return ProviderError(
                "server_error", f"Anthropic server error ({status}){retried}: {detail}", status
            )
        return ProviderError(
            "bad_request", f"Anthropic rejected the request ({status}): {detail}", status
        )


#: Statuses the SDK would retry (plus 529, overloaded, which is >= 500).
_RETRY_STATUSES = (408, 409, 429)
_BACKOFF, _MAX_BACKOFF = 0.5, 8.0


def _retryable(exc: Any) -> bool:
    """Whether the SDK's rules would retry after ``exc`` (``x-should-retry`` wins)."""
    response = getattr(exc, "response", None)
    if response is None:  # a connection error or timeout
        return True
    should = response.headers.get("x-should-retry")
    if should in ("true", "false"):
        return should == "true"
    status = getattr(exc, "status_code", 0) or 0
    return status in _RETRY_STATUSES or status >= 500


def _retry_delay(exc: Any, retries: int) -> tuple[float, bool]:
    """Seconds to wait before the next try, and whether the server asked for them."""
    response = getattr(exc, "response", None)
    headers = response.headers if response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name) or "") * scale
        except (TypeError, ValueError):
            continue
        if value > 0 and value == value:  # positive and not NaN
            return value, True
    backoff = min(_BACKOFF * 2.0**retries, _MAX_BACKOFF)
    return backoff * (1 - 0.25 * random.random()), False


def _error_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"]
    return str(getattr(exc, "message", "") or exc)
