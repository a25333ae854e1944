"""Turn the decision log into eval cases (docs/evals.md) and the inspect_ai / promptfoo formats.

Accepted and edited decisions become cases whose ``reference`` is the person's final text;
rejected ones become negative cases (tag ``negative``) that carry the rejected draft and the
reason. Skipped drafts are not exported. Drafts applied without review (batch policy,
``docagent apply``) or proposed on a pull request become cases through what ``docagent
outcomes`` found in the repository: a text people edited after it was applied is a reference
(``decision: edit``, tag ``edited-after``), a docstring people removed (its code still there)
is a negative (``decision: reject``, tag ``removed``), and a suggestion committed on a pull
request as it was is a reference (``decision: accept``, tag ``pr``).

The case ``source`` is the module text without the target's docstring as recorded at draft
time; older drafts without a recorded source fall back to the working tree when the target's
code is unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docagent.store.api import Store
from docagent.store.records import Outcome, Reviewed, unreviewed
from docagent.store.redact import scrub_value
from docagent.store.sources import apply_cut, docstring_cut

FORMATS = ("jsonl", "inspect", "promptfoo")
_TAG = {"accept": "accepted", "edit": "edited", "reject": "negative"}


@dataclass
class Export:
    """The cases built from a log and the notes about decisions that could not be exported."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def source_without_docstring(text: str, start_byte: int, end_byte: int) -> str:
    """Return module ``text`` with the docstring statement at ``[start_byte, end_byte)`` removed.

    Offsets index the UTF-8 encoding of ``text`` (as ``Target.docstring`` gives them). The
    statement's line goes when nothing else is on it; a body left empty gets ``pass``
    (:func:`docagent.store.sources.docstring_cut`).
    """
    return apply_cut(text, docstring_cut(text, start_byte, end_byte))


def _source_from_tree(root: Path, rev: Reviewed) -> tuple[str | None, str]:
    """The case source re-read from the working tree, or None with the reason."""
    from docagent.code.targets import SourceError, code_shas, read_file

    path = root / rev.path
    if not path.is_file():
        return None, "file no longer exists"
    if rev.kind == "readme_section":
        return None, "no recorded source"
    try:
        facts = read_file(str(path), rev.path)
    except SourceError as exc:
        return None, str(exc)
    target = facts.target(rev.qualname)
    if target is None:
        return None, "target no longer exists"
    if rev.code_sha and code_shas(facts).get(rev.qualname) != rev.code_sha:
        return None, "code changed since the draft and no source was recorded"
    if target.docstring is None:
        return facts.text, ""
    return source_without_docstring(
        facts.text, target.docstring.start_byte, target.docstring.end_byte
    ), ""


def eval_cases(store: Store, root: Path | None = None) -> Export:
    """Build eval cases (docs/evals.md) from the effective decisions in ``store``.

    Positive cases are deduplicated per (path, qualname, code_sha), keeping the latest
    decision. ``root`` enables the working-tree fallback for drafts without a recorded source.
    """
    result = Export()
    positives: dict[tuple[str, str, str], dict[str, Any]] = {}
    negatives: dict[tuple[str, str, str], dict[str, Any]] = {}
    by_policy = 0
    for rev in store.decisions():
        if rev.decision not in _TAG:
            continue
        if unreviewed(rev.reviewer, rev.mode):
            by_policy += 1  # the drafter's own output is no reference: no person chose it
            continue
        source = rev.source
        if source is None:
            why = "no recorded source"
            if root is not None:
                source, why = _source_from_tree(root, rev)
            if source is None:
                result.skipped.append(f"{rev.path}::{rev.qualname} ({rev.decision}): {why}")
                continue
        tags = [_TAG[rev.decision], rev.kind]
        if not rev.checks_ok:
            tags.append("checks-failed")
        case: dict[str, Any] = {
            "id": f"{rev.path}::{rev.qualname}::{rev.draft_id[:8]}",
            "path": rev.path,
            "qualname": rev.qualname,
            "kind": rev.kind,
            "source": source,
            "style": rev.style,
            "tags": tags,
        }
        if rev.decision == "reject":
            case["reason"] = rev.reason
        else:
            case["reference"] = rev.final_text if rev.final_text is not None else rev.draft_text
        case["draft"] = rev.draft_text
        case["decision"] = rev.decision
        case["metadata"] = {
            "draft_id": rev.draft_id,
            "provider": rev.provider,
            "model": rev.model,
            "prompt_version": rev.prompt_version,
            "code_sha": rev.code_sha,
            "reviewer": rev.reviewer,
            "decided_at": rev.decided_at,
        }
        if rev.decision == "reject":
            negatives[(rev.path, rev.qualname, rev.draft_text)] = case
        else:
            positives[(rev.path, rev.qualname, rev.code_sha)] = case
    for o in store.outcomes():
        made = _outcome_case(store, o)
        if made is None:
            continue
        key = (made["path"], made["qualname"], made["metadata"]["code_sha"])
        if made["decision"] == "reject":
            negatives[(made["path"], made["qualname"], made["draft"])] = made
        elif key not in positives:  # a person's own review of the draft comes first
            positives[key] = made
    result.cases = [scrub_value(c) for c in [*positives.values(), *negatives.values()]]
    if by_policy:
        result.skipped.append(
            f"{by_policy} decision(s) made by the batch policy: not exported (no person chose "
            "that text, so it is no reference; what people did to it later is, once "
            "`docagent outcomes` has compared it with the repository)"
        )
    return result


#: outcomes that say what a person did with a text nobody reviewed: (via, outcome) -> decision
_OUTCOME_DECISION = {
    ("batch", "edited"): "edit",
    ("apply", "edited"): "edit",
    ("pr", "edited"): "edit",
    ("batch", "removed"): "reject",
    ("apply", "removed"): "reject",
    ("pr", "removed"): "reject",
    ("pr", "kept"): "accept",
}
_OUTCOME_TAG = {"edit": "edited-after", "reject": "removed", "accept": "pr"}


def _outcome_case(store: Store, o: Outcome) -> dict[str, Any] | None:
    """The eval case an outcome of an unreviewed draft makes, or None (see the module doc)."""
    decision = _OUTCOME_DECISION.get((o.via, o.outcome))
    if decision is None:
        return None
    draft = store.draft(o.draft_id)
    if draft is None or draft.source is None:
        return None
    tags = [_TAG[decision], _OUTCOME_TAG[decision], draft.kind]
    case: dict[str, Any] = {
        "id": f"{draft.path}::{draft.qualname}::{draft.id[:8]}",
        "path": draft.path,
        "qualname": draft.qualname,
        "kind": draft.kind,
        "source": draft.source,
        "style": draft.style,
        "tags": tags,
    }
    if decision == "reject":
        case["reason"] = "removed from the repository after it was applied"
    else:
        case["reference"] = o.current_text if decision == "edit" else o.applied_text
    case["draft"] = o.applied_text or draft.text
    case["decision"] = decision
    case["metadata"] = {
        "draft_id": draft.id,
        "provider": draft.provider,
        "model": draft.model,
        "prompt_version": draft.prompt_version,
        "code_sha": draft.code_sha,
        "reviewer": "",
        "decided_at": o.changed_at,
        "via": o.via,
        "outcome": o.outcome,
        "similarity": o.similarity,
        "commit": o.commit_sha,
    }
    return case


def _prompt(case: dict[str, Any]) -> str:
    style = f", {case['style']} style" if case.get("style") else ""
    return (
        f"Write the docstring for the {case['kind']} `{case['qualname']}` in "
        f"`{case['path']}`{style}. Reply with the docstring text only, without quotes.\n\n"
        f"```python\n{case['source']}\n```"
    )


def to_jsonl(cases: Iterable[dict[str, Any]]) -> str:
    """The cases as JSONL: one eval case (docs/evals.md) per line."""
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)


#: The ``target`` of a negative inspect_ai sample. A stock scorer (``match``, ``includes``,
#: ``exact``) fails it, where an empty target passed every output; scorers that know
#: ``metadata.negative`` grade the output against the rejected draft instead.
NEGATIVE_TARGET = (
    "[docagent negative case: the reviewer rejected metadata.draft; no output is correct "
    "for a stock scorer]"
)


def to_inspect(cases: Iterable[dict[str, Any]]) -> str:
    """inspect_ai Sample JSONL: ``input``, ``target``, ``id``, ``metadata`` per line.

    A negative case has :data:`NEGATIVE_TARGET` as ``target`` and ``metadata.negative`` true;
    its rejected draft and reason are in the metadata.
    """
    lines = []
    for c in cases:
        negative = c["decision"] == "reject"
        meta = {k: v for k, v in c.items() if k not in ("id", "source", "reference", "metadata")}
        meta.update(c.get("metadata", {}))
        meta["negative"] = negative
        sample = {
            "id": c["id"],
            "input": _prompt(c),
            "target": NEGATIVE_TARGET if negative else c.get("reference", ""),
            "metadata": meta,
        }
        lines.append(json.dumps(sample, ensure_ascii=False) + "\n")
    return "".join(lines)


_TEMPLATE_OPEN = re.compile(r"\{(?=[{%#])")


def template_literal(text: str) -> str:
    """``text`` escaped for promptfoo's Nunjucks templates: it renders back to ``text``.

    Every ``{`` that would open a tag (``{{``, ``{%``, ``{#``) becomes ``{{ "{" }}``, so a
    docstring showing ``{{ name }}`` or ``{% raw %}`` is data, never a template.
    """
    return _TEMPLATE_OPEN.sub('{{ "{" }}', text)


def _literal_strings(value: Any) -> Any:
    """Apply :func:`template_literal` to every string in ``value`` (dicts and lists too)."""
    if isinstance(value, str):
        return template_literal(value)
    if isinstance(value, dict):
        return {k: _literal_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal_strings(v) for v in value]
    return value


def to_promptfoo(cases: Iterable[dict[str, Any]], threshold: float = 0.5) -> str:
    """A promptfoo config (JSON) that grades the *recorded* drafts without calling a model.

    The ``echo`` provider returns the prompt ``{{draft}}``, i.e. the recorded draft. Positive
    cases assert ROUGE-N similarity to the person's final text; negative cases assert the output
    is *not* nearly the rejected text. Swap the provider and prompt to grade a new model.
    promptfoo renders variables and assertion values as Nunjucks templates, so every string
    from the log goes through :func:`template_literal`.
    """
    tests = []
    for c in cases:
        negative = c["decision"] == "reject"
        if negative:
            asserts = [
                {"type": "not-rouge-n", "value": c["draft"], "threshold": 0.9, "metric": "negative"}
            ]
        else:
            asserts = [
                {
                    "type": "rouge-n",
                    "value": c.get("reference", ""),
                    "threshold": threshold,
                    "metric": "reference",
                }
            ]
        tests.append(
            {
                "description": f"{c['path']}::{c['qualname']} ({c['decision']})",
                "vars": _literal_strings(
                    {
                        "draft": c["draft"],
                        "reference": c.get("reference", ""),
                        "path": c["path"],
                        "qualname": c["qualname"],
                        "kind": c["kind"],
                        "style": c.get("style", ""),
                        "source": c["source"],
                    }
                ),
                "assert": _literal_strings(asserts),
                "metadata": {"id": c["id"], "tags": ", ".join(c["tags"]), **c.get("metadata", {})},
            }
        )
    config = {
        "description": "docagent decision log: recorded drafts graded against reviewers' text",
        "prompts": ["{{draft}}"],
        "providers": ["echo"],
        "tests": tests,
    }
    return json.dumps(config, ensure_ascii=False, indent=2) + "\n"


def render(cases: list[dict[str, Any]], fmt: str) -> str:
    """Render ``cases`` in one of :data:`FORMATS`."""
    if fmt == "jsonl":
        return to_jsonl(cases)
    if fmt == "inspect":
        return to_inspect(cases)
    if fmt == "promptfoo":
        return to_promptfoo(cases)
    raise ValueError(f"unknown export format {fmt!r}")
