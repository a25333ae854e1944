"""The Raises section: each exception class the body raises, and when."""

from __future__ import annotations

from docagent.code.targets import Target
from docagent.draft.offline.body_facts import BodyFacts
from docagent.draft.offline.words import plain_code


def raises(target: Target, body: BodyFacts) -> dict[str, str]:
    """What the function's ``raise`` statements raise, by exception class."""
    out: dict[str, str] = {}
    for exc in target.raises:
        last = exc.rsplit(".", 1)[-1]
        if not last or not last[0].isupper():
            continue
        out[exc] = raise_text(exc, body)
    return out


def raise_text(exc: str, body: BodyFacts) -> str:
    """When ``exc`` is raised: the condition of its branch, the exception caught, or always."""
    if exc.rsplit(".", 1)[-1] == "NotImplementedError" and body.not_implemented:
        return "Always; subclasses must implement this."
    cond = body.raise_conditions.get(exc)
    if cond is None:
        return "When the operation fails (re-raised from a handler)."
    if cond.startswith("reraise:"):  # a bare raise in the handler of ``exc``
        when = cond[8:]
        if when.startswith("words:"):
            return when[6:].rstrip(".") + " (re-raised)."
        if not when:
            return "When the operation raises it (re-raised)."
        return f"If {plain_code(when)} (re-raised)."
    if cond.startswith("except:"):
        return f"When {plain_code(cond[7:])} is caught during the operation."
    if cond.startswith("words:"):
        return cond[6:]
    if cond:
        return f"If {plain_code(cond)}."
    return "When the operation cannot be completed."
