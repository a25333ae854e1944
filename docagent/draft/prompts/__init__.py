"""Versioned prompt templates: the files of this package, hashed into a prompt version.

Changing any template changes :func:`prompt_version`, which goes with every draft, so accept
rates and eval scores can be sliced by prompt version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROMPT_DIR = Path(__file__).parent
TEMPLATES = (
    "system.md",
    "user.md",
    "redraft.md",
    "stale.md",
    "style_google.md",
    "style_numpy.md",
    "style_sphinx.md",
    "style_pep257.md",
)


@cache
def load(name: str) -> str:
    """Return the text of template ``name`` (a file of this package)."""
    return (PROMPT_DIR / name).read_text(encoding="utf-8")


@cache
def prompt_version(rules: str = "") -> str:
    """Return the prompt version: the first 12 hex digits of a hash of every template and of
    the team's rules (``rules``, their prompt text; none leaves the version of the templates)."""
    h = hashlib.sha256()
    for name in TEMPLATES:
        h.update(name.encode() + b"\0" + load(name).encode("utf-8") + b"\0")
    if rules:
        h.update(b"rules\0" + rules.encode("utf-8"))
    return h.hexdigest()[:12]


@dataclass
class Prompt:
    """A prompt: the cacheable prefix (system, examples, file context) and the user turn."""

    system: str
    examples: str
    user: str
    file_context: str = ""

    @property
    def prefix(self) -> str:
        """The cacheable prefix: system prompt, examples and file-level context."""
        return "\n\n".join(p for p in (self.system, self.examples, self.file_context) if p)

    @property
    def text(self) -> str:
        """Everything the model sees, as one string (for logging and token estimates)."""
        return "\n\n".join(p for p in (self.prefix, self.user) if p)


def build_prompt(
    kind: str,
    qualname: str,
    path: str,
    style: str,
    context: str,
    team_examples: list[str] | None = None,
    hint: str | None = None,
    existing: str | None = None,
    problems: list[str] | None = None,
    file_context: str = "",
    rules: str = "",
) -> Prompt:
    """Fill the templates for one target; ``team_examples`` join the cached prefix.

    For a stale target, ``existing`` is its current docstring and ``problems`` how it disagrees
    with the code: the user turn then quotes both and asks to keep everything still true.
    ``file_context`` is the context shared by every target of the file (cached with the
    system prompt); ``rules`` (the team's rules as prompt text) end the system prompt.
    """
    system = load("system.md").rstrip() + "\n\n" + load(f"style_{style}.md").rstrip()
    if rules:
        system += "\n\n" + rules.rstrip()
    examples = ""
    if team_examples:
        examples = "Docstrings this team accepted (match their tone and detail):\n\n" + (
            "\n---\n".join(team_examples)
        )
    hint_text = f"\nReviewer's request: {hint.strip()}\n" if hint and hint.strip() else ""
    user = load("user.md").format(
        kind=kind, qualname=qualname, path=path, context=context.rstrip() + "\n", hint=hint_text
    )
    if existing and problems:
        user = user.rstrip("\n") + "\n" + stale_message(kind, existing, problems)
    return Prompt(system=system, examples=examples, user=user, file_context=file_context)


def stale_message(kind: str, existing: str, problems: list[str]) -> str:
    """Return the part of the user turn that quotes a stale docstring and its problems."""
    listed = "\n".join(f"- {p}" for p in problems)
    return load("stale.md").format(kind=kind, problems=listed, docstring=existing)


def redraft_message(problems: str, previous: dict | str | None) -> str:
    """Return the follow-up turn that quotes failed checks back to the model."""
    if isinstance(previous, dict):
        prev = json.dumps(previous, indent=1, ensure_ascii=False)
    else:
        prev = previous or "(no valid JSON)"
    return load("redraft.md").format(problems=problems, previous=prev)
