"""Eval datasets: JSONL files of eval cases (docs/evals.md), loaded and validated.

One case per line::

    {"id": "...", "path": "pkg/mod.py", "qualname": "Client.get", "kind": "method",
     "source": "<the module text without the target's docstring>",
     "reference": "<optional: the docstring a person wrote>", "style": "google",
     "tags": ["method"]}

Other keys (``origin``, ``decision``, ``draft``, ``metadata`` from ``docagent export``) are kept
in :attr:`Case.extra`. A malformed file raises :class:`~docagent.errors.DocagentError` naming the
file and the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docagent.errors import DocagentError
from docagent.vocab import KINDS, STYLE_SETTINGS, STYLES

REQUIRED = ("id", "path", "qualname", "kind", "source")
_KNOWN = (*REQUIRED, "reference", "style", "tags")


@dataclass
class Case:
    """One eval case: a target in a module, and optionally the reference docstring."""

    id: str
    path: str
    qualname: str
    kind: str
    source: str
    reference: str | None = None
    style: str = ""
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    file: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        """``file:line`` of the case, for error messages."""
        return f"{self.file}:{self.line}" if self.file else self.id

    @property
    def decision(self) -> str | None:
        """The person's decision when the case was exported from the decision log."""
        value = self.extra.get("decision")
        return value if isinstance(value, str) else None

    @property
    def draft(self) -> str | None:
        """The draft the person decided on (exported cases only)."""
        value = self.extra.get("draft")
        return value if isinstance(value, str) else None

    def to_dict(self) -> dict[str, Any]:
        """Return the case as a JSONL record (extra keys included)."""
        out: dict[str, Any] = {
            "id": self.id,
            "path": self.path,
            "qualname": self.qualname,
            "kind": self.kind,
            "source": self.source,
        }
        if self.reference is not None:
            out["reference"] = self.reference
        if self.style:
            out["style"] = self.style
        out["tags"] = list(self.tags)
        out.update(self.extra)
        return out


def parse_case(record: Any, file: str = "<string>", line: int = 0) -> Case:
    """Validate one decoded JSON record and return its :class:`Case`.

    Raises:
        DocagentError: When a required field is missing or a field has the wrong type or value.
    """
    where = f"{file}:{line}"
    if not isinstance(record, dict):
        raise DocagentError(f"{where}: expected a JSON object, got {type(record).__name__}")
    for key in REQUIRED:
        if key not in record:
            raise DocagentError(f"{where}: missing required field '{key}'")
        if not isinstance(record[key], str) or (key != "source" and not record[key].strip()):
            raise DocagentError(f"{where}: field '{key}' must be a non-empty string")
    if record["kind"] not in KINDS:
        raise DocagentError(
            f"{where}: field 'kind' must be one of {', '.join(KINDS)}, got {record['kind']!r}"
        )
    reference = record.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise DocagentError(f"{where}: field 'reference' must be a string")
    style = record.get("style") or ""
    if not isinstance(style, str) or (style and style not in STYLE_SETTINGS):
        raise DocagentError(
            f"{where}: field 'style' must be one of {', '.join(STYLES)}, got {style!r}"
        )
    tags = record.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise DocagentError(f"{where}: field 'tags' must be a list of strings")
    return Case(
        id=record["id"],
        path=record["path"],
        qualname=record["qualname"],
        kind=record["kind"],
        source=record["source"],
        reference=reference,
        style="" if style == "auto" else style,
        tags=list(tags),
        extra={k: v for k, v in record.items() if k not in _KNOWN},
        file=file,
        line=line,
    )


def load(path: str | Path, label: str | None = None) -> list[Case]:
    """Load and validate the cases of one JSONL file (blank lines are ignored).

    ``label`` is how the file is named in messages (default: ``path`` as given).

    Raises:
        DocagentError: When the file cannot be read, a line is not JSON, a case is invalid or
            an id repeats.
    """
    label = label or str(path)
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for n, record in _json_lines(path, label, "dataset"):
        case = parse_case(record, label, n)
        if case.id in seen:
            raise DocagentError(
                f"{label}:{n}: duplicate case id {case.id!r} (first on line {seen[case.id]})"
            )
        seen[case.id] = n
        cases.append(case)
    if not cases:
        raise DocagentError(f"{label}: no eval cases in the file")
    return cases


def _json_lines(path: str | Path, label: str, what: str) -> list[tuple[int, Any]]:
    """``(line number, decoded JSON)`` of every non-blank line of a JSONL file.

    Raises:
        DocagentError: When the file cannot be read or a line is not JSON (file and line named).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocagentError(f"{label}: no such {what} file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DocagentError(
            f"{label}: cannot read: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            out.append((n, json.loads(raw)))
        except json.JSONDecodeError as exc:
            raise DocagentError(f"{label}:{n}: not valid JSON: {exc.msg}") from None
    return out


def load_all(paths: Sequence[str | Path], labels: Sequence[str] | None = None) -> list[Case]:
    """Load several dataset files; ids must be unique across them.

    Raises:
        DocagentError: For a malformed file or an id that appears in two files.
    """
    cases: list[Case] = []
    owner: dict[str, Case] = {}
    for i, p in enumerate(paths):
        for case in load(p, labels[i] if labels else None):
            first = owner.get(case.id)
            if first is not None:
                raise DocagentError(
                    f"{case.where}: case id {case.id!r} already used at {first.where}"
                )
            owner[case.id] = case
            cases.append(case)
    return cases


def dump(cases: Iterable[Case | dict[str, Any]], path: str | Path) -> None:
    """Write cases as JSONL (one object per line, keys in a stable order)."""
    lines = []
    for c in cases:
        record = c.to_dict() if isinstance(c, Case) else c
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    Path(path).write_text("".join(lines), encoding="utf-8")


def find_datasets(root: Path, configured: Sequence[str] = ()) -> list[Path]:
    """The datasets ``eval`` runs without arguments.

    ``configured`` (the ``datasets`` setting: paths or globs relative to ``root``) wins; else
    every ``evals/**/*.jsonl`` of the repository, sorted.

    Raises:
        DocagentError: When a configured entry matches no file.
    """
    found: list[Path] = []
    if configured:
        for entry in configured:
            matches = sorted(root.glob(entry)) if any(c in entry for c in "*?[") else []
            if not matches and (root / entry).is_file():
                matches = [root / entry]
            if not matches:
                raise DocagentError(f"setting 'datasets': {entry!r} matches no file under {root}")
            found.extend(m for m in matches if m not in found)
        return found
    return sorted(p for p in (root / "evals").glob("**/*.jsonl") if p.is_file())


def load_drafts(path: str | Path, label: str | None = None) -> dict[str, str]:
    """Read ``eval --drafts FILE``: JSONL of ``{"id": ..., "text": ...}``, one per line.

    Raises:
        DocagentError: When the file cannot be read, a line is not JSON, a record lacks a
            string ``id`` or ``text``, or an id repeats (naming the file and line).
    """
    label = label or str(path)
    out: dict[str, str] = {}
    for n, record in _json_lines(path, label, "drafts"):
        if not isinstance(record, dict):
            raise DocagentError(f"{label}:{n}: expected a JSON object with 'id' and 'text'")
        cid, text = record.get("id"), record.get("text")
        if not isinstance(cid, str) or not cid:
            raise DocagentError(f"{label}:{n}: field 'id' must be a non-empty string")
        if not isinstance(text, str):
            raise DocagentError(f"{label}:{n}: field 'text' must be a string")
        if cid in out:
            raise DocagentError(f"{label}:{n}: duplicate id {cid!r}")
        out[cid] = text
    if not out:
        raise DocagentError(f"{label}: no drafts in the file")
    return out
