"""Any OpenAI-compatible ``/v1/chat/completions`` endpoint: Ollama, llama.cpp server, vLLM.

Asks for JSON-schema output (``response_format``) and falls back to JSON in the text when the
server rejects it. Uses ``httpx2`` (already installed with the anthropic SDK); no new dependency.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import httpx2

from docagent.draft.models import Usage, read_usage
from docagent.draft.providers.base import (
    DraftRequest,
    ProviderError,
    ProviderResult,
    parse_json_text,
)

DEFAULT_BASE_URL = "http://localhost:11434/v1"
DEFAULT_MODEL = "qwen2.5-coder:7b"
_RETRY_STATUSES = (408, 409, 429, 500, 502, 503, 504)
_JSON_INSTRUCTION = (
    "\n\nAnswer with a single JSON object that matches this JSON schema, and nothing else:\n"
)


def _usage(usage: Any) -> Usage:
    """A chat completion's usage, validated (missing or implausible usage is unknown)."""
    if not isinstance(usage, dict):
        return Usage(unknown=True)
    details = usage.get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else 0
    checked = read_usage(usage.get("prompt_tokens"), usage.get("completion_tokens"), cached)
    if checked.unknown or checked.cache_read_tokens > checked.input_tokens:
        return Usage(unknown=True)
    return Usage(
        input_tokens=checked.input_tokens - checked.cache_read_tokens,
        output_tokens=checked.output_tokens,
        cache_read_tokens=checked.cache_read_tokens,
    )


def _model_ids(resp: httpx2.Response) -> set[str]:
    """The model ids a ``GET /v1/models`` answer lists (empty when it is not that document)."""
    try:
        data = resp.json().get("data")
    except (ValueError, AttributeError):
        return set()
    if not isinstance(data, list):
        return set()
    return {str(m.get("id")) for m in data if isinstance(m, dict) and m.get("id")}


class OpenAICompatProvider:
    """Draft with a model behind an OpenAI-compatible chat completions API."""

    name = "openai"

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 300.0,
        interactive_timeout: float = 20.0,
        max_retries: int = 2,
        backoff: float = 0.5,
        client: httpx2.AsyncClient | None = None,
    ):
        """Create the provider; ``api_key`` defaults to ``OPENAI_API_KEY`` (optional)."""
        self.model = model or os.environ.get("DOCAGENT_OPENAI_MODEL") or DEFAULT_MODEL
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        self._api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self.timeout = timeout
        self.interactive_timeout = interactive_timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.json_schema_supported: bool | None = None
        self.client = client or httpx2.AsyncClient()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()

    @property
    def api_base(self) -> str:
        """The base URL ending in ``/v1`` (added when the configured URL lacks it)."""
        base = self.base_url
        return base if base.endswith("/v1") else base + "/v1"

    @property
    def url(self) -> str:
        """The chat completions URL (``/v1`` is added when the base URL lacks it)."""
        return self.api_base + "/chat/completions"

    def _headers(self) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if self._api_key:
            headers["authorization"] = f"Bearer {self._api_key}"
        return headers

    async def preflight(self) -> None:
        """Check once, before any target, that the server answers and serves the model.

        ``GET /v1/models`` settles it when the model is listed. Otherwise (not listed, or no
        such endpoint) one tiny chat request asks the server itself: llama.cpp serves any name,
        while Ollama answers ``model "x" not found, try pulling it first``.

        Raises:
            ProviderError: The server is unreachable, rejects the key, or refuses the model;
                the message carries the server's own words.
        """
        models_url = self.api_base + "/models"
        wait = min(self.timeout, 30.0)
        try:
            resp = await self.client.get(models_url, headers=self._headers(), timeout=wait)
        except httpx2.TimeoutException:
            raise ProviderError(
                "timeout", f"{models_url} did not answer within {wait:g}s"
            ) from None
        except httpx2.HTTPError as exc:
            raise ProviderError(
                "unreachable",
                f"cannot reach {self.api_base} ({exc or type(exc).__name__}); is the server "
                "running? (Ollama: `ollama serve`; set --base-url or OPENAI_BASE_URL)",
            ) from None
        if resp.status_code in (401, 403):
            raise self._status_error(resp, 0)
        if resp.status_code == 200 and self.model in _model_ids(resp):
            return
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": "Reply with OK."}],
            "max_tokens": 1,
            "temperature": 0,
        }
        try:
            probe = await self.client.post(
                self.url, json=body, headers=self._headers(), timeout=self.timeout
            )
        except httpx2.TimeoutException:
            raise ProviderError(
                "timeout", f"{self.url} did not answer within {self.timeout:g}s"
            ) from None
        except httpx2.HTTPError as exc:
            raise ProviderError("unreachable", f"cannot reach {self.url}: {exc}") from None
        if probe.status_code >= 400:
            raise self._status_error(probe, 0)

    def build_body(self, request: DraftRequest, json_schema: bool) -> dict[str, Any]:
        """Return the request body for ``request`` (with or without ``response_format``)."""
        system = request.system + ("\n\n" + request.examples if request.examples else "")
        if request.file_context:
            system += "\n\n" + request.file_context
        if not json_schema:
            system += _JSON_INSTRUCTION + json.dumps(request.schema)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, *request.messages],
            "max_tokens": request.max_tokens,
            "temperature": 0,
        }
        if json_schema:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "docstring", "schema": request.schema, "strict": True},
            }
        return body

    async def complete(self, request: DraftRequest) -> ProviderResult:
        """POST the request; retry transient failures; fall back to JSON-in-text once."""
        use_schema = self.json_schema_supported is not False
        try:
            return await self._post(request, use_schema)
        except ProviderError as exc:
            if not use_schema or exc.kind != "bad_request":
                raise
        self.json_schema_supported = False
        return await self._post(request, False)

    async def _post(self, request: DraftRequest, json_schema: bool) -> ProviderResult:
        headers = self._headers()
        body = self.build_body(request, json_schema)
        timeout = self.interactive_timeout if request.interactive else self.timeout
        attempt = 0
        waited = 0.0  # retry waits never add up to more than the call's timeout
        while True:
            try:
                resp = await self.client.post(self.url, json=body, headers=headers, timeout=timeout)
            except httpx2.TimeoutException:
                if attempt < self.max_retries:
                    attempt += 1
                    await asyncio.sleep(self.backoff * attempt)
                    continue
                raise ProviderError(
                    "timeout", f"{self.url} did not answer within {timeout:g}s"
                ) from None
            except httpx2.HTTPError as exc:
                raise ProviderError("unreachable", f"cannot reach {self.url}: {exc}") from None
            if resp.status_code in _RETRY_STATUSES and attempt < self.max_retries:
                delay, asked = self._retry_delay(resp, attempt + 1)
                if waited + delay > timeout:
                    if asked:
                        raise ProviderError(
                            "rate_limited" if resp.status_code == 429 else "server_error",
                            f"{self.url} asked to retry after {delay:g}s ({resp.status_code}); "
                            f"that is longer than the {timeout:g}s timeout, so docagent did "
                            "not wait (raise timeout or try later)",
                            resp.status_code,
                        )
                    delay = max(0.0, timeout - waited)
                attempt += 1
                await asyncio.sleep(delay)
                waited += delay
                continue
            break
        if resp.status_code >= 400:
            raise self._status_error(resp, attempt)
        usage = Usage(unknown=True)
        try:
            payload = resp.json()
            usage = _usage(payload.get("usage"))
            choice = payload["choices"][0]
            raw = choice["message"].get("content") or ""
            if not isinstance(raw, str):
                raise TypeError("content is not text")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise ProviderError(
                "malformed_output",
                f"{self.url} returned a response that is not a chat completion",
                resp.status_code,
                usage=usage,
            ) from None
        if json_schema:
            self.json_schema_supported = True
        stop = str(choice.get("finish_reason") or "")
        return ProviderResult(
            data=None if stop == "length" else parse_json_text(raw),
            raw=raw,
            usage=usage,
            model=str(payload.get("model") or self.model),
            request_id=str(payload.get("id") or resp.headers.get("x-request-id", "")),
            stop_reason=stop,
            response_id=str(payload.get("id") or ""),
        )

    def _retry_delay(self, resp: httpx2.Response, attempt: int) -> tuple[float, bool]:
        """Seconds to wait before retry ``attempt``, and whether the server asked for them."""
        value = resp.headers.get("retry-after")
        try:
            if value is not None and float(value) >= 0 and float(value) == float(value):
                return float(value), True
        except ValueError:
            pass
        return self.backoff * (2 ** (attempt - 1)), False

    def _status_error(self, resp: httpx2.Response, attempts: int) -> ProviderError:
        status = resp.status_code
        try:
            err = resp.json().get("error")
            detail = err.get("message") if isinstance(err, dict) else str(err or resp.text)
        except (ValueError, AttributeError):
            detail = resp.text[:200]
        detail = " ".join(str(detail or "").split())[:300]  # the server's words, on one line
        retried = f" after {attempts} retries" if attempts else ""
        if status in (401, 403):
            return ProviderError("auth", f"{self.url} rejected the API key ({status})", status)
        if status == 429:
            return ProviderError("rate_limited", f"rate limited by {self.url}{retried}", status)
        if status == 404:  # Ollama: 'model "x" not found, try pulling it first'
            hint = f": {detail.strip()}" if detail and detail.strip() else ""
            return ProviderError(
                "bad_request",
                f"{self.url}: model {self.model!r} or endpoint not found (404){hint}",
                status,
            )
        low = (detail or "").lower()
        if "context" in low and ("length" in low or "too long" in low or "exceed" in low):
            return ProviderError("context_too_long", f"prompt too long for {self.model}", status)
        if status >= 500:
            return ProviderError(
                "server_error", f"{self.url} server error ({status}){retried}: {detail}", status
            )
        return ProviderError(
            "bad_request", f"{self.url} rejected the request ({status}): {detail}", status
        )
