"""Data models of the drafting engine: structured drafts, usage, check results and drafts.

A provider returns a :class:`StructuredDraft` (summary, description, parameters by name, …);
docagent renders it in the repository's style and wraps everything a reviewer, the decision log
and the evals need in a :class:`Draft`.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any


class SchemaError(ValueError):
    """A provider's output does not match the structured draft schema."""


def _item_list(name: str, key: str) -> dict[str, Any]:
    return {
        "type": "array",
        "description": f"one entry per {name}",
        "items": {
            "type": "object",
            "properties": {
                key: {"type": "string"},
                "description": {"type": "string"},
            },
            "required": [key, "description"],
            "additionalProperties": False,
        },
    }


#: JSON schema of a structured draft, as sent to providers (Anthropic structured outputs accept
#: only closed objects, so mappings are arrays of ``{name, description}`` entries).
DRAFT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "description": "one line, imperative mood, ends with '.'"},
        "description": {"type": "string", "description": "optional extra paragraphs, or ''"},
        "params": _item_list("documented parameter (exact signature name)", "name"),
        "returns": {"type": "string", "description": "what is returned, or '' for nothing"},
        "yields": {"type": "string", "description": "what a generator yields, or ''"},
        "raises": _item_list("exception type raised", "type"),
        "examples": {"type": "string", "description": "doctest examples, or ''"},
        "attributes": _item_list("class attribute", "name"),
    },
    "required": [
        "summary",
        "description",
        "params",
        "returns",
        "yields",
        "raises",
        "examples",
        "attributes",
    ],
    "additionalProperties": False,
}


def _pairs(value: Any, field_name: str, key: str) -> dict[str, str]:
    """Read a list of ``{key, description}`` entries (or a plain mapping) into a dict."""
    if value is None:
        return {}
    out: dict[str, str] = {}
    if isinstance(value, dict):
        items = [{key: k, "description": v} for k, v in value.items()]
    elif isinstance(value, list):
        items = value
    else:
        raise SchemaError(f"'{field_name}' must be a list of objects, got {type(value).__name__}")
    for item in items:
        if not isinstance(item, dict):
            raise SchemaError(f"'{field_name}' entries must be objects")
        name = item.get(key, item.get("name"))
        text = item.get("description", "")
        if not isinstance(name, str) or not name.strip():
            raise SchemaError(f"'{field_name}' entry without a '{key}'")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise SchemaError(f"'{field_name}.{name}' description must be a string")
        out[name.strip()] = text.strip()
    return out


def _text(data: dict[str, Any], key: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise SchemaError(f"missing required field '{key}'")
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "\n\n".join(value)
    if not isinstance(value, str):
        raise SchemaError(f"'{key}' must be a string, got {type(value).__name__}")
    return value.strip()


@dataclass
class StructuredDraft:
    """A docstring as data: rendered into any style by :mod:`docagent.draft.render`."""

    summary: str
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)
    returns: str = ""
    yields: str = ""
    raises: dict[str, str] = field(default_factory=dict)
    examples: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> StructuredDraft:
        """Validate provider output (schema-shaped dict) and build a draft.

        Raises:
            SchemaError: When ``data`` is not an object or a field has the wrong shape.
        """
        if not isinstance(data, dict):
            raise SchemaError(f"expected a JSON object, got {type(data).__name__}")
        summary = _text(data, "summary", required=True)
        if not summary:
            raise SchemaError("'summary' is empty")
        return cls(
            summary=summary,
            description=_text(data, "description"),
            params=_pairs(data.get("params"), "params", "name"),
            returns=_text(data, "returns"),
            yields=_text(data, "yields"),
            raises=_pairs(data.get("raises"), "raises", "type"),
            examples=_text(data, "examples"),
            attributes=_pairs(data.get("attributes"), "attributes", "name"),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the schema-shaped dict (the inverse of :meth:`from_json`)."""
        return {
            "summary": self.summary,
            "description": self.description,
            "params": [{"name": k, "description": v} for k, v in self.params.items()],
            "returns": self.returns,
            "yields": self.yields,
            "raises": [{"type": k, "description": v} for k, v in self.raises.items()],
            "examples": self.examples,
            "attributes": [{"name": k, "description": v} for k, v in self.attributes.items()],
        }


#: The most tokens one field of one call's usage can plausibly hold; more is not believed.
MAX_PLAUSIBLE_TOKENS = 10_000_000


@dataclass
class Usage:
    """Token usage of one or more model calls.

    ``unknown`` is True when a call was answered but its usage could not be read or was not
    believable (see :func:`read_usage`); the counts are then an upper bound that docagent
    estimated (:func:`docagent.draft.attempts.usage_bound`), not the provider's figures.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    unknown: bool = False

    def __add__(self, other: Usage) -> Usage:
        """Return the sum of two usages (a draft and its redraft)."""
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.unknown or other.unknown,
        )


def _count(value: Any) -> int | None:
    """A token count as reported, or None when it is not a plausible non-negative integer."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    n = int(value)
    return n if 0 <= n <= MAX_PLAUSIBLE_TOKENS else None


def read_usage(
    input_tokens: Any, output_tokens: Any, cache_read: Any = 0, cache_write: Any = 0
) -> Usage:
    """Validate the token counts a provider reported; implausible ones make the usage unknown.

    A missing count (None) is 0. A count that is not a whole number, is negative or exceeds
    :data:`MAX_PLAUSIBLE_TOKENS` makes the whole usage unknown (``Usage(unknown=True)``): it is
    never turned into a negative or absurd cost.
    """
    counts = [_count(v) for v in (input_tokens, output_tokens, cache_read, cache_write)]
    if any(c is None for c in counts):
        return Usage(unknown=True)
    a, b, c, d = (int(x or 0) for x in counts)
    return Usage(a, b, c, d)


@dataclass
class Check:
    """The result of one check on a draft; ``hard`` failures block auto-apply."""

    name: str
    ok: bool
    detail: str = ""
    hard: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return ``{name, ok, detail, hard}`` as logged and written to proposals."""
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "hard": self.hard}


@dataclass
class Draft:
    """One drafted docstring for one target, with everything needed to review and log it."""

    path: str
    qualname: str
    kind: str
    code_sha: str = ""
    style: str = "google"
    structured: StructuredDraft | None = None
    text: str = ""
    checks: list[Check] = field(default_factory=list)
    provider: str = ""
    model: str = ""
    prompt_version: str = ""
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    latency_ms: int = 0
    error: str = ""
    error_kind: str = ""
    context: str = ""
    context_tokens: int = 0
    cache_key: str = ""
    attempts: int = 0
    cached: bool = False
    notice: str = ""
    #: the provider's request id and the response's own id (``msg_…``, ``chatcmpl-…``) of the
    #: last model call; empty for the offline drafter
    request_id: str = ""
    response_id: str = ""
    #: the effort level sent with the request (``""``: none), see :mod:`docagent.draft.effort`
    effort: str = ""
    draft_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    #: :func:`~docagent.code.docstrings.docstring_sha` of the docstring the draft was made
    #: against (None: unknown); applying it is refused once the target's docstring differs
    original_sha: str | None = None

    @property
    def ok(self) -> bool:
        """True when there is text, no error and every hard check passed."""
        return bool(self.text) and not self.error and all(c.ok for c in self.checks if c.hard)

    @property
    def repairs(self) -> bool:
        """True when the draft repairs a stale docstring in place (its prose is kept)."""
        return any(c.name == "preserves_existing" and c.ok for c in self.checks)

    @property
    def replaces_prose(self) -> bool:
        """True when the draft would replace a hand-written docstring wholesale."""
        return any(c.name == "preserves_existing" and not c.ok for c in self.checks)

    @property
    def failed_checks(self) -> list[Check]:
        """The checks that did not pass (hard and soft)."""
        return [c for c in self.checks if not c.ok]

    @property
    def offline(self) -> bool:
        """True when the offline drafter wrote this draft (no model involved)."""
        from docagent.draft.providers.registry import makes_model_calls

        return not makes_model_calls(self.provider)

    def to_dict(self) -> dict[str, Any]:
        """Serialize every field (for the decision log and the draft cache)."""
        data = asdict(self)
        data["structured"] = self.structured.to_json() if self.structured else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        """Rebuild a Draft from :meth:`to_dict` output."""
        data = dict(data)
        structured = data.get("structured")
        data["structured"] = StructuredDraft.from_json(structured) if structured else None
        data["checks"] = [Check(**c) for c in data.get("checks", [])]
        data["usage"] = Usage(**data.get("usage", {}))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_proposal(self) -> dict[str, Any]:
        """Return the proposals-JSONL record (docs/safe-edits.md) of this draft, ``proposed``."""
        return {
            "path": self.path,
            "qualname": self.qualname,
            "kind": self.kind,
            "text": self.text,
            "status": "proposed",
            "code_sha": self.code_sha,
            "style": self.style,
            "provider": self.provider,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "checks": [c.to_dict() for c in self.checks],
            "draft_id": self.draft_id,
            "original_sha": self.original_sha,
        }
