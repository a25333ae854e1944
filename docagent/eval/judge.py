"""An optional LLM judge (Anthropic) that grades a docstring against its code with a rubric.

The rubric is the prompt file ``docagent/eval/prompts/judge.md``; its hash is the judge's
version. The judge is used only when asked (``docagent eval --judge``): it costs one model call
per case, and a judge is only trusted as far as it agrees with people — :func:`agreement`
compares its verdicts on recorded drafts with the decisions people made on them.

Scores 1–5 map to a metric in [0, 1] (``(score - 1) / 4``) and to a verdict: 4–5 ``accept``,
3 ``edit``, 1–2 ``reject``, the same three outcomes a reviewer chooses in the TUI.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from docagent.draft.providers.base import parse_json_text
from docagent.draft.symbols import signature, target_code

PROMPT = Path(__file__).parent / "prompts" / "judge.md"
MAX_TOKENS = 400
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "score": {"type": "integer", "description": "rubric score, 1 to 5"},
        "reason": {"type": "string", "description": "one or two sentences"},
    },
    "required": ["score", "reason"],
    "additionalProperties": False,
}


@cache
def rubric() -> str:
    """The judge's rubric (its system prompt)."""
    return PROMPT.read_text(encoding="utf-8")


def judge_version() -> str:
    """The first 12 hex digits of the rubric's hash (changes when the rubric changes)."""
    return hashlib.sha256(rubric().encode("utf-8")).hexdigest()[:12]


def verdict_for(score: int) -> str:
    """Map a rubric score to the reviewer's outcome: accept (4–5), edit (3), reject (1–2)."""
    return "accept" if score >= 4 else "edit" if score == 3 else "reject"


@dataclass
class Verdict:
    """The judge's grade of one docstring (``error`` set when the call failed)."""

    score: int = 0
    reason: str = ""
    error: str = ""

    @property
    def value(self) -> float:
        """The score as a metric in [0, 1] (0 on error)."""
        return 0.0 if self.error else (min(5, max(1, self.score)) - 1) / 4

    @property
    def verdict(self) -> str:
        """accept | edit | reject (empty on error)."""
        return "" if self.error else verdict_for(self.score)

    def to_dict(self) -> dict[str, Any]:
        """JSON form stored with each case."""
        out: dict[str, Any] = {"score": self.score, "verdict": self.verdict, "reason": self.reason}
        if self.error:
            out["error"] = self.error
        return out


def judge_message(prep: Any, text: str) -> str:
    """The user turn: the definition's signature and code, and the docstring to grade."""
    target, facts = prep.target, prep.facts
    code = facts.text if target.kind == "module" else target_code(facts, target)
    return (
        f"Definition: {target.kind} `{target.qualname}` in `{facts.path}`\n"
        f"Signature: {signature(target)}\n\n"
        f"Code:\n```python\n{code.rstrip()}\n```\n\n"
        f"Proposed docstring ({prep.style} style):\n```\n{text.rstrip()}\n```"
    )


def default_judge_model(drafter_model: str | None = None) -> str:
    """The judge's default model: a current Opus (else Sonnet), never the drafter's own model.

    A model grading its own drafts agrees with itself; the judge defaults to another family.
    """
    import re

    from docagent.draft.providers.anthropic import _version, default_model, sdk_models

    try:
        from anthropic._data.deprecated_models import DEPRECATED_MODELS
    except ImportError:  # pragma: no cover - depends on the SDK version
        DEPRECATED_MODELS = {}
    current = [
        m for m in sdk_models() if m not in DEPRECATED_MODELS and not re.search(r"-\d{8}$", m)
    ]
    for family in ("claude-opus-", "claude-sonnet-", "claude-haiku-"):
        names = [m for m in current if m.startswith(family) and m != drafter_model]
        if names:
            return max(names, key=_version)
    fallback = default_model()
    return fallback


class Judge:
    """Grade docstrings with a Claude model through the Messages API."""

    def __init__(
        self,
        model: str | None = None,
        *,
        drafter_model: str | None = None,
        client: Any = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        concurrency: int = 4,
    ):
        """Create a judge; ``client`` (an ``AsyncAnthropic``) overrides the other options.

        Without ``model`` the judge is :func:`default_judge_model` (not ``drafter_model``).
        """
        self.model = model or default_judge_model(drafter_model)
        if client is None:
            import anthropic

            kwargs: dict[str, Any] = {"max_retries": max_retries, "timeout": timeout}
            base = base_url or os.environ.get("ANTHROPIC_BASE_URL")
            if base:
                kwargs["base_url"] = base
            client = anthropic.AsyncAnthropic(**kwargs)
        self.client = client
        self.sem = asyncio.Semaphore(max(1, concurrency))
        self.calls = 0

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        close = getattr(self.client, "close", None)
        if close is not None:
            await close()

    async def judge(self, prep: Any, text: str) -> Verdict:
        """Grade ``text`` as the docstring of the prepared case's target; never raises."""
        import anthropic

        params = {
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "system": [{"type": "text", "text": rubric(), "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": judge_message(prep, text)}],
            "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}},
        }
        async with self.sem:
            self.calls += 1
            try:
                msg = await self.client.messages.create(**params)
            except anthropic.APIStatusError as exc:
                return Verdict(error=f"judge call failed ({exc.status_code})")
            except anthropic.AnthropicError as exc:
                return Verdict(error=f"judge call failed: {type(exc).__name__}")
        raw = "".join(
            getattr(b, "text", "") for b in msg.content if getattr(b, "type", "") == "text"
        )
        data = parse_json_text(raw)
        if not isinstance(data, dict) or not isinstance(data.get("score"), int | float):
            return Verdict(error="judge answer is not a JSON object with a score")
        score = int(data["score"])
        if not 1 <= score <= 5:
            return Verdict(error=f"judge score {score} is outside 1..5")
        return Verdict(score=score, reason=str(data.get("reason", "")).strip())


def agreement(results: list[Any]) -> dict[str, Any]:
    """How often the judge's verdicts on recorded drafts match people's decisions.

    ``exact``: the judge chose the person's outcome (accept / edit / reject); ``usable``: both
    agree whether the draft was usable at all (accept or edit vs reject). ``matrix`` counts
    person decision x judge verdict. Rates are None when no case carries a decision.
    """
    pairs = [
        (r.decision, r.judge_on_draft["verdict"])
        for r in results
        if r.decision in ("accept", "edit", "reject")
        and r.judge_on_draft
        and r.judge_on_draft.get("verdict")
    ]
    matrix: dict[str, dict[str, int]] = {
        d: {v: 0 for v in ("accept", "edit", "reject")} for d in ("accept", "edit", "reject")
    }
    for person, judged in pairs:
        matrix[person][judged] += 1
    n = len(pairs)
    exact = sum(1 for p, j in pairs if p == j)
    usable = sum(1 for p, j in pairs if (p == "reject") == (j == "reject"))
    kappa, kappa_ci = kappa_with_ci(pairs)
    binary = [(p == "reject", j == "reject") for p, j in pairs]
    usable_kappa, usable_ci = kappa_with_ci(binary)
    return {
        "n": n,
        "exact": round(exact / n, 6) if n else None,
        "usable": round(usable / n, 6) if n else None,
        "kappa": None if kappa is None else round(kappa, 6),
        "kappa_ci": None if kappa_ci is None else [round(x, 6) for x in kappa_ci],
        "usable_kappa": None if usable_kappa is None else round(usable_kappa, 6),
        "usable_kappa_ci": None if usable_ci is None else [round(x, 6) for x in usable_ci],
        "matrix": matrix,
        "judge_version": judge_version(),
    }


def cohen_kappa(pairs: list[tuple[Any, Any]]) -> float | None:
    """Cohen's kappa of (person, judge) labels: agreement beyond what chance explains.

    1 is perfect agreement, 0 what a judge guessing with its own label frequencies gets (a
    judge that always gives the same answer scores 0 however often that answer is right).
    None for no pairs; 1.0 when both raters used one and the same label throughout.
    """
    n = len(pairs)
    if not n:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    labels = {a for a, _ in pairs} | {b for _, b in pairs}
    expected = sum(
        (sum(1 for a, _ in pairs if a == lab) / n) * (sum(1 for _, b in pairs if b == lab) / n)
        for lab in labels
    )
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def kappa_with_ci(
    pairs: list[tuple[Any, Any]], resamples: int = 1000, seed: int = 20240601
) -> tuple[float | None, tuple[float, float] | None]:
    """Cohen's kappa and its 95% percentile bootstrap interval over pairs (fixed seed)."""
    import random

    kappa = cohen_kappa(pairs)
    if kappa is None:
        return None, None
    if len(pairs) < 2:
        return kappa, (kappa, kappa)
    rng = random.Random(seed)
    values = sorted(
        k
        for k in (cohen_kappa(rng.choices(pairs, k=len(pairs))) for _ in range(resamples))
        if k is not None
    )
    lo = values[int(0.025 * (len(values) - 1))]
    hi = values[int(0.975 * (len(values) - 1))]
    return kappa, (lo, hi)
