"""The attempt loop shared by docstring and README drafts: one draft, at most one redraft.

:func:`draft_with_redraft` asks a provider for a draft, turns transport errors and unusable
output into the :class:`~docagent.draft.models.Draft`'s ``error``, runs the caller's checks and,
when a hard check fails, asks once more with the problems quoted back. What differs between
docstrings and README sections (the request, how output is parsed, checked and quoted back) is
passed in as callables. :func:`stop_problem` is the shared reading of a provider's stop reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from docagent.draft import pricing
from docagent.draft.draft_checks import hard_failures
from docagent.draft.models import Check, Draft, Usage
from docagent.draft.providers.base import DraftRequest, Provider, ProviderError, ProviderResult

T = TypeVar("T")
#: A conversation as sent to providers: ``{"role": ..., "content": ...}`` turns.
Messages = list[dict[str, str]]


def stop_problem(stop_reason: str) -> str:
    """Return why output with this stop reason is unusable, or ``""`` when it may be parsed."""
    if stop_reason in ("max_tokens", "length"):
        return "the answer was cut off at the output token limit"
    if stop_reason == "refusal":
        return "the model refused to answer"
    return ""


def usage_bound(usage: Usage, request: DraftRequest) -> Usage:
    """``usage``, or for an unknown usage the most the call can have used.

    That bound counts the prompt at two characters per token (more than any real tokenizer
    gives for code and prose) and the full ``max_tokens`` of output, so a budget
    (``--max-cost``) treats a call with unknown usage as expensive rather than free.
    """
    if not usage.unknown:
        return usage
    text = request.system + request.examples + request.file_context
    text += "".join(str(m.get("content", "")) for m in request.messages)
    return Usage((len(text) + 1) // 2, int(request.max_tokens), unknown=True)


async def draft_with_redraft(
    provider: Provider,
    draft: Draft,
    first_messages: Messages,
    make_request: Callable[[Messages], DraftRequest],
    parse: Callable[[Any, str], tuple[T | None, str]],
    accept: Callable[[T], list[Check]],
    follow_up: Callable[[Messages, ProviderResult, list[Check], T | None], Messages],
    *,
    started: float,
    batch: bool = False,
    no_redraft: Collection[str] = (),
    prices: Mapping[str, pricing.Price] | None = None,
) -> None:
    """Fill ``draft`` from at most two provider calls; never raises for a model's failure.

    Each attempt sends ``make_request(messages)``. A :class:`ProviderError` becomes
    ``draft.error``/``error_kind`` and ends the loop. Otherwise usage is added up and the
    reported model kept; output cut off or refused (:func:`stop_problem`), or that
    ``parse(data, raw)`` rejects (``(None, problem)``), is a ``malformed_output`` error with a
    failed ``schema`` check. A parsed value goes to ``accept``, which records it on the draft
    (``text``, ...) and returns its checks; they follow a passing ``schema`` check. When a hard
    check fails (except those named in ``no_redraft``) on the first attempt,
    ``follow_up(messages, result, failed, value)`` gives the messages of the redraft. Finally
    ``draft.usage``, ``cost_usd`` (``batch`` prices at the batch discount) and ``latency_ms``
    (since ``started``, a :func:`time.perf_counter` value) are set; ``prices`` adds the
    configured prices to the table.
    """
    messages = first_messages
    usage = Usage()
    for attempt in (1, 2):
        draft.attempts = attempt
        request = make_request(messages)
        try:
            result = await provider.complete(request)
        except ProviderError as exc:
            draft.error, draft.error_kind = exc.message, exc.kind
            if exc.usage is not None:  # answered (maybe paid) but unusable
                usage = usage + usage_bound(exc.usage, request)
            break
        usage = usage + usage_bound(result.usage, request)
        if result.model:
            draft.model = result.model
        draft.request_id = result.request_id or draft.request_id
        draft.response_id = result.response_id or draft.response_id
        problem = stop_problem(result.stop_reason)
        value, problem = (None, problem) if problem else parse(result.data, result.raw)
        if value is None:
            draft.structured, draft.text = None, ""
            draft.checks = [Check("schema", False, problem)]
            draft.error, draft.error_kind = f"malformed output: {problem}", "malformed_output"
        else:
            draft.error = draft.error_kind = ""
            draft.checks = [Check("schema", True), *accept(value)]
        failed = [c for c in hard_failures(draft.checks) if c.name not in no_redraft]
        if not failed or attempt == 2:
            break
        messages = follow_up(messages, result, failed, value)
    draft.usage = usage
    draft.cost_usd = pricing.cost(draft.model, usage, batch=batch, extra=prices)
    draft.latency_ms = int((time.perf_counter() - started) * 1000)


__all__ = ["Messages", "draft_with_redraft", "stop_problem", "usage_bound"]
