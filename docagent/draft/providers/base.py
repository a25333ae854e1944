"""The provider protocol, its request/result types and the one error type providers raise."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from docagent.code.targets import FileFacts, Target
from docagent.draft.models import Usage

ERROR_KINDS = (
    "auth",
    "unreachable",
    "rate_limited",
    "overloaded",
    "context_too_long",
    "malformed_output",
    "timeout",
    "server_error",
    "bad_request",
)


class ProviderError(Exception):
    """A model call failed; ``message`` is one clear line a user can act on.

    ``kind`` is one of :data:`ERROR_KINDS`. Messages never contain API keys.
    """

    def __init__(
        self, kind: str, message: str, status: int | None = None, usage: Usage | None = None
    ):
        """Create an error of ``kind`` with a user-facing ``message``.

        ``usage`` is set when the call was answered (and may have been paid for) although the
        answer is unusable: a malformed HTTP 200 reply carries ``Usage(unknown=True)``.
        """
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.usage = usage

    def __str__(self) -> str:
        """Return the user-facing message."""
        return self.message


@dataclass
class DraftRequest:
    """Everything a provider may use to draft one docstring.

    Model providers use the prompt parts (``system``, ``examples`` and ``file_context``, the
    context shared by every target of one file, form the cacheable prefix; ``messages`` are the
    user/assistant turns); the offline provider uses the facts.
    """

    system: str
    examples: str
    messages: list[dict[str, str]]
    schema: dict[str, Any]
    max_tokens: int = 1024
    facts: FileFacts | None = None
    target: Target | None = None
    style: str = "google"
    interactive: bool = False
    file_context: str = ""
    #: a class's docstring documents its ``__init__`` arguments (the offline drafter's cue)
    init_in_class: bool = False
    #: each parameter's type goes in its entry head (the ``types_in_docstrings`` choice; the
    #: offline drafter's cue not to repeat it in the description)
    types: bool = False


@dataclass
class ProviderResult:
    """What a provider returned: the parsed JSON (None when it was not JSON) and metadata."""

    data: Any
    raw: str
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    request_id: str = ""
    stop_reason: str = ""
    #: the response's own id (``gen_ai.response.id``): the message or completion id
    response_id: str = ""


@runtime_checkable
class Provider(Protocol):
    """A source of structured drafts (anthropic, openai-compatible, offline)."""

    name: str
    model: str

    async def complete(self, request: DraftRequest) -> ProviderResult:
        """Return the provider's answer to ``request`` or raise :class:`ProviderError`."""
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...


_FENCE_RE = re.compile(r"```(?:json)?\s*\n(.*?)\n?```", re.DOTALL)


def parse_json_text(text: str) -> Any:
    """Parse a JSON object from model text: bare, in a code fence, or embedded in prose.

    Returns None when no JSON object can be read.
    """
    text = text.strip()
    candidates = [text]
    candidates.extend(m.group(1) for m in _FENCE_RE.finditer(text))
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for c in candidates:
        try:
            return json.loads(c)
        except (json.JSONDecodeError, ValueError):
            continue
    return None
