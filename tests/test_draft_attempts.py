"""The shared attempt loop: errors, unusable output, redraft and totals."""

from __future__ import annotations

import time
from typing import Any

from docagent.draft.attempts import Messages, draft_with_redraft, stop_problem
from docagent.draft.models import Check, Draft, Usage
from docagent.draft.providers.base import DraftRequest, ProviderError, ProviderResult


class Scripted:
    """A provider answering from a list of results or errors, recording each request."""

    name = "scripted"
    model = "claude-sonnet-4-5"

    def __init__(self, answers: list[ProviderResult | ProviderError]):
        self.answers = list(answers)
        self.requests: list[DraftRequest] = []

    async def complete(self, request: DraftRequest) -> ProviderResult:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, ProviderError):
            raise answer
        return answer

    async def aclose(self) -> None:
        pass


def ok(text: str, stop: str = "end_turn") -> ProviderResult:
    return ProviderResult({"body": text}, text, Usage(10, 5), "claude-sonnet-4-5", "", stop)


async def run(provider: Scripted, no_redraft: tuple[str, ...] = ()) -> Draft:
    draft = Draft(path="README.md", qualname="Usage", kind="readme_section")

    def parse(data: Any, raw: str) -> tuple[str | None, str]:
        body = data.get("body") if isinstance(data, dict) else None
        return (body, "") if body else (None, "no body")

    def accept(body: str) -> list[Check]:
        draft.text = body
        return [Check("good", body == "good"), Check("kept", False, "replaced")]

    def follow_up(messages: Messages, result: ProviderResult, failed: list[Check], body: Any):
        names = ",".join(c.name for c in failed)
        return [*messages, {"role": "user", "content": f"fix {names} of {body!r}"}]

    await draft_with_redraft(
        provider,
        draft,
        [{"role": "user", "content": "write"}],
        lambda messages: DraftRequest("sys", "", messages, {}),
        parse,
        accept,
        follow_up,
        started=time.perf_counter(),
        no_redraft=no_redraft,
    )
    return draft


def test_stop_problem_reads_cut_off_and_refusal() -> None:
    """Cut-off and refused answers are unusable; a normal stop is fine."""
    assert "token limit" in stop_problem("max_tokens") == stop_problem("length")
    assert stop_problem("refusal") == "the model refused to answer"
    assert stop_problem("end_turn") == stop_problem("") == ""


async def test_provider_error_ends_the_loop() -> None:
    """A transport error becomes the draft's error after one attempt."""
    p = Scripted([ProviderError("rate_limit", "slow down")])
    d = await run(p)
    assert (d.error, d.error_kind, d.attempts, len(p.requests)) == ("slow down", "rate_limit", 1, 1)


async def test_refusal_is_malformed_then_redrafted() -> None:
    """A refused answer fails the schema check even with a body; the redraft quotes it back."""
    p = Scripted([ok("good", stop="refusal"), ok("good")])
    d = await run(p, no_redraft=("kept",))
    first = p.requests[0].messages
    assert first == [{"role": "user", "content": "write"}]
    assert p.requests[1].messages[-1]["content"] == "fix schema of None"
    assert d.attempts == 2 and not d.error and d.text == "good"
    assert [c.name for c in d.checks] == ["schema", "good", "kept"]
    assert d.usage.input_tokens == 20 and d.model == "claude-sonnet-4-5" and d.cost_usd > 0


async def test_failed_hard_check_redrafts_once_then_stops() -> None:
    """A hard failure is redrafted once; a second failure stays on the draft."""
    p = Scripted([ok("bad"), ok("bad")])
    d = await run(p, no_redraft=("kept",))
    assert d.attempts == 2 and len(p.requests) == 2
    assert p.requests[1].messages[-1]["content"] == "fix good of 'bad'"
    assert any(c.name == "good" and not c.ok for c in d.checks)


async def test_failures_named_in_no_redraft_do_not_redraft() -> None:
    """Only the checks not listed in ``no_redraft`` ask for another attempt."""
    p = Scripted([ok("good")])
    d = await run(p, no_redraft=("kept",))
    assert d.attempts == 1 and len(p.requests) == 1
    p = Scripted([ok("good"), ok("good")])
    d = await run(p)
    assert d.attempts == 2
