"""An optional LLM claim checker for the claims static verification cannot decide.

:mod:`docagent.eval.claims` marks a claim ``unknown`` when the code it can see does not settle
it (an exception named in the module but not raised by the target, a side effect performed
elsewhere in the module, a backticked name that may live in another module). With a model
configured (``docagent eval --claims-model MODEL``), those claims — and only those — go to the
model in one request per docstring, with the code, the docstring and a JSON schema asking for
``true`` / ``false`` / ``unknown`` per claim. A ``false`` verdict counts like a static one
(the truthfulness metric halves); ``true`` and ``unknown`` leave the score as it was.

Verdicts are cached in ``.docagent/claims-cache.json`` keyed by the claim (its kind, subject
and the docstring that makes it), the code's hash, the model and the prompt's hash
(:func:`claims_prompt_version`), so an unchanged suite asks nothing twice. Every request is
kept as a :class:`~docagent.store.CallRecord` (tokens, cost, request id) that the eval command
logs in the decision log with its run, like a draft's call. The model's answer is untrusted: a
verdict other than the three words, or an id not asked about, is ignored.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from docagent.draft.symbols import signature, target_code
from docagent.eval.claims import Claim
from docagent.jsonfile import read_json_object, write_json_atomic
from docagent.store.records import CallRecord

PROMPT = Path(__file__).parent / "prompts" / "claims.md"
MAX_TOKENS = 800
VERDICTS = ("true", "false", "unknown")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verdicts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "verdict": {"type": "string", "enum": list(VERDICTS)},
                    "reason": {"type": "string"},
                },
                "required": ["id", "verdict", "reason"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["verdicts"],
    "additionalProperties": False,
}


@cache
def claims_prompt() -> str:
    """The claim checker's instructions (its system prompt)."""
    return PROMPT.read_text(encoding="utf-8")


def claims_prompt_version() -> str:
    """The first 12 hex digits of the prompt's hash (part of every verdict's cache key)."""
    return hashlib.sha256(claims_prompt().encode("utf-8")).hexdigest()[:12]


def _sha(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def describe(claim: Claim) -> str:
    """How a claim is named to the model (``raises ValueError``, ``deletes``)."""
    return f"{claim.kind} {claim.subject}".strip()


def claims_message(prep: Any, text: str, claims: list[Claim]) -> str:
    """The user turn: the definition's code, the docstring and the numbered open claims."""
    target, facts = prep.target, prep.facts
    code = facts.text if target.kind == "module" else target_code(facts, target)
    listed = "\n".join(f"{i}. {describe(c)}" for i, c in enumerate(claims))
    return (
        f"Definition: {target.kind} `{target.qualname}` in `{facts.path}`\n"
        f"Signature: {signature(target)}\n\n"
        f"Code:\n```python\n{code.rstrip()}\n```\n\n"
        f"Docstring:\n```\n{text.rstrip()}\n```\n\n"
        f"Claims to check (id. kind subject):\n{listed}"
    )


class ClaimChecker:
    """Settle ``unknown`` claims with a Claude model through the Messages API, with a cache."""

    def __init__(
        self,
        model: str,
        *,
        cache_path: str | os.PathLike[str] | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        concurrency: int = 4,
    ):
        """Create a checker for ``model``; ``cache_path`` None keeps verdicts in memory only."""
        self.model = model
        self.base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL") or ""
        self.timeout = timeout
        self.max_retries = max_retries
        self.concurrency = max(1, concurrency)
        self.cache_path = Path(cache_path) if cache_path is not None else None
        self.items: dict[str, Any] = (
            read_json_object(self.cache_path) if self.cache_path is not None else {}
        )
        self.dirty = False
        #: one record per request made (logged by the eval command with its run)
        self.calls: list[CallRecord] = []
        self._client: Any = None
        self._sem: asyncio.Semaphore | None = None

    def _key(self, prep: Any, text: str, claim: Claim) -> str:
        target, facts = prep.target, prep.facts
        code = facts.text if target.kind == "module" else target_code(facts, target)
        return _sha(
            claim.kind,
            claim.subject,
            text,
            _sha(code),
            self.model,
            self.base_url,
            claims_prompt_version(),
        )[:32]

    def _get_client(self) -> Any:
        if self._client is None:
            import anthropic

            kwargs: dict[str, Any] = {"max_retries": self.max_retries, "timeout": self.timeout}
            if self.base_url:
                kwargs["base_url"] = self.base_url
            self._client = anthropic.AsyncAnthropic(**kwargs)
            self._sem = asyncio.Semaphore(self.concurrency)
        return self._client

    async def aclose(self) -> None:
        """Close the SDK's HTTP client (a later check opens a new one) and save the cache."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()
        self.save()

    def save(self) -> None:
        """Write the verdict cache atomically when something was added."""
        if self.dirty and self.cache_path is not None:
            write_json_atomic(self.cache_path, self.items)
            self.dirty = False

    async def settle(self, prep: Any, text: str, claims: list[Claim]) -> list[Claim]:
        """``claims`` with each ``unknown`` one replaced by the model's verdict; never raises.

        Cached verdicts are reused; the rest go to the model in one request. A failed request
        leaves its claims ``unknown`` (the static result), so the score is never worse for an
        outage.
        """
        open_ = [i for i, c in enumerate(claims) if c.verdict == "unknown"]
        if not open_:
            return claims
        out = list(claims)
        ask: list[int] = []
        for i in open_:
            hit = self.items.get(self._key(prep, text, claims[i]))
            if isinstance(hit, dict) and hit.get("verdict") in VERDICTS:
                out[i] = _judged(claims[i], hit["verdict"], str(hit.get("reason", "")))
            else:
                ask.append(i)
        if not ask:
            return out
        answers = await self._ask(prep, text, [claims[i] for i in ask])
        for n, i in enumerate(ask):
            if n not in answers:
                continue
            verdict, reason = answers[n]
            self.items[self._key(prep, text, claims[i])] = {"verdict": verdict, "reason": reason}
            self.dirty = True
            out[i] = _judged(claims[i], verdict, reason)
        return out

    async def _ask(self, prep: Any, text: str, claims: list[Claim]) -> dict[int, tuple[str, str]]:
        """One request for ``claims``: ``{index: (verdict, reason)}`` of the valid answers."""
        import anthropic

        from docagent.draft.pricing import cost
        from docagent.draft.providers.anthropic import message_result
        from docagent.draft.providers.base import ProviderError

        client = self._get_client()
        assert self._sem is not None
        params = {
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "system": [
                {"type": "text", "text": claims_prompt(), "cache_control": {"type": "ephemeral"}}
            ],
            "messages": [{"role": "user", "content": claims_message(prep, text, claims)}],
            "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}},
        }
        record = CallRecord(provider="anthropic", model=self.model)
        started = time.monotonic()
        async with self._sem:
            try:
                msg = await client.messages.create(**params)
                result = message_result(msg, self.model)
            except anthropic.APIStatusError as exc:
                record.status, record.error_type = str(exc.status_code), type(exc).__name__
                return {}
            except (anthropic.AnthropicError, ProviderError) as exc:
                record.status, record.error_type = "error", type(exc).__name__
                return {}
            finally:
                record.duration_ms = int((time.monotonic() - started) * 1000)
                self.calls.append(record)
        u = result.usage
        record.status = "usage_unknown" if u.unknown else "ok"
        if not u.unknown:
            record.tokens_in, record.tokens_out = u.input_tokens, u.output_tokens
            record.cache_read_tokens = u.cache_read_tokens
            record.cache_write_tokens = u.cache_write_tokens
        record.cost_usd = cost(self.model, u)
        record.request_id = result.request_id
        return _answers(result.data, len(claims))


def _judged(claim: Claim, verdict: str, reason: str) -> Claim:
    """The claim with the model's verdict; a false one says so in its note."""
    if verdict == "false":
        why = f"model: {reason}" if reason else "model"
        return replace(claim, verdict="false", why=why)
    return replace(claim, verdict=verdict)


def _answers(data: Any, n: int) -> dict[int, tuple[str, str]]:
    """The valid verdicts of a reply (``{"verdicts": [{"id", "verdict", "reason"}]}``)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return {}
    items = data.get("verdicts") if isinstance(data, dict) else None
    out: dict[int, tuple[str, str]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        i, verdict = item.get("id"), item.get("verdict")
        if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n and verdict in VERDICTS:
            out.setdefault(i, (str(verdict), str(item.get("reason", ""))[:200]))
    return out
