"""The proposals JSONL contract (docs/safe-edits.md): written by ``batch --out``, read by ``apply``.

One JSON object per line. Required fields: ``path`` (POSIX, relative to the repository root),
``qualname`` and ``text`` (the docstring content as ``inspect.cleandoc`` returns it, or the
Markdown body of a README section). Optional: ``kind``, ``status`` (``proposed`` when absent;
``apply`` applies ``accepted``, and everything but ``rejected`` with ``--all``), ``code_sha``,
``style``, ``provider``, ``model``, ``prompt_version``, ``checks``, ``draft_id`` and
``original_sha`` (the fingerprint of the docstring the text was drafted against, ``"none"``
when the target had none: ``apply`` refuses the record once the docstring differs). Unknown
fields are kept and written back unchanged. Blank lines are ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from docagent.errors import DocagentError
from docagent.vocab import RECORD_KINDS

STATUSES = ("proposed", "accepted", "rejected")
_STR_FIELDS = (
    "kind",
    "status",
    "code_sha",
    "style",
    "provider",
    "model",
    "prompt_version",
    "original_sha",
)
_ORDER = (
    "path",
    "qualname",
    "kind",
    "text",
    "status",
    "code_sha",
    "style",
    "provider",
    "model",
    "prompt_version",
    "checks",
    "draft_id",
    "original_sha",
)


_OMIT_WHEN_NONE = ("original_sha",)
#: how a record is written: ``json.dumps(record, ensure_ascii=False, separators=(", ", ": "))``
#: (one encoder for every record: ``json.dumps`` makes a new one per call for these options)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


@dataclass
class Proposal:
    """One proposals JSONL record.

    ``line`` is the 1-based line number the record was read from (None for records built in
    memory); it is not written. ``extra`` holds fields the contract does not name.
    """

    path: str
    qualname: str
    text: str
    kind: str | None = None
    status: str = "proposed"
    code_sha: str | None = None
    style: str | None = None
    provider: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    checks: list[dict[str, Any]] = field(default_factory=list)
    draft_id: str | None = None
    original_sha: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict in contract field order."""
        out: dict[str, Any] = {}
        for name in _ORDER:
            if name in _OMIT_WHEN_NONE and getattr(self, name) is None:
                continue  # a field added later: records without it stay byte-identical
            out[name] = getattr(self, name)
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    def to_json(self) -> str:
        """Return the record as one JSON line (no trailing newline, non-ASCII kept)."""
        return _ENCODER.encode(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any, line: int | None = None) -> Proposal:
        """Validate one decoded JSON value and build a Proposal.

        Raises:
            ValueError: naming the field and the problem.
        """
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        for name in ("path", "qualname", "text"):
            if name not in data:
                raise ValueError(f"missing required field {name!r}")
            if not isinstance(data[name], str):
                raise ValueError(f"field {name!r} must be a string")
        for name in _STR_FIELDS:
            if data.get(name) is not None and not isinstance(data[name], str):
                raise ValueError(f"field {name!r} must be a string")
        if data.get("draft_id") is not None and not isinstance(data["draft_id"], str | int):
            raise ValueError("field 'draft_id' must be a string")
        path = data["path"]
        problem = check_path(path)
        if problem:
            raise ValueError(f"field 'path' {problem}")
        if not data["qualname"]:
            raise ValueError("field 'qualname' is empty")
        kind = data.get("kind")
        if kind is not None and kind not in RECORD_KINDS:
            raise ValueError(f"field 'kind' must be one of {', '.join(RECORD_KINDS)}, got {kind!r}")
        status = data.get("status")
        if status is None:
            status = "proposed"
        checks = data.get("checks")
        if checks is None:
            checks = []
        if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
            raise ValueError("field 'checks' must be a list of objects")
        extra = {k: v for k, v in data.items() if k not in _ORDER}
        draft_id = data.get("draft_id")
        return cls(
            path=path,
            qualname=data["qualname"],
            text=data["text"],
            kind=kind,
            status=status,
            code_sha=data.get("code_sha"),
            style=data.get("style"),
            provider=data.get("provider"),
            model=data.get("model"),
            prompt_version=data.get("prompt_version"),
            checks=checks,
            draft_id=str(draft_id) if draft_id is not None else None,
            original_sha=data.get("original_sha"),
            extra=extra,
            line=line,
        )

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Proposal:
        """Build a Proposal from a record this process made (a draft's ``to_proposal()``):
        what :meth:`from_dict` gives a valid record, without validating every field's type
        (that is for records read from a file; this runs for every record batch writes).
        What ``apply`` would refuse the whole file for — an unsafe path (a file name with a
        backslash, say), an empty qualname, an unknown kind — raises :meth:`from_dict`'s
        ``ValueError``.
        """
        path, kind = data.get("path"), data.get("kind")
        problem = check_path(path) if isinstance(path, str) else "must be a string"
        if problem or not data.get("qualname") or (kind is not None and kind not in RECORD_KINDS):
            return cls.from_dict(data)  # raises, naming the problem
        known = {k: v for k, v in data.items() if k in _FIELDS}
        extra = {k: v for k, v in data.items() if k not in _ORDER}
        if known.get("status") is None:
            known["status"] = "proposed"
        if known.get("checks") is None:
            known["checks"] = []
        draft_id = known.get("draft_id")
        if draft_id is not None:
            known["draft_id"] = str(draft_id)
        return cls(**known, extra=extra)


#: the contract's fields a :class:`Proposal` holds as attributes
_FIELDS = frozenset(_ORDER)


def check_path(path: str) -> str | None:
    """Return why ``path`` is not a safe repository-relative POSIX path, or None when it is."""
    if not path:
        return "is empty"
    if "\\" in path or "\0" in path:
        return f"must be a POSIX path without backslashes: {path!r}"
    pure = PurePosixPath(path)
    if pure.is_absolute() or (len(path) > 1 and path[1] == ":"):
        return f"must be relative to the repository root: {path!r}"
    if ".." in pure.parts:
        return f"must stay inside the repository: {path!r}"
    return None


def parse_proposals(
    lines: Iterable[str],
    source: str = "<proposals>",
    *,
    torn_tail: bool = False,
    notes: list[str] | None = None,
) -> list[Proposal]:
    """Parse proposals JSONL ``lines``; raise DocagentError naming the first bad line.

    Nothing is returned from a malformed input, so no record of it is ever applied. One
    exception: with ``torn_tail`` (the file does not end with a newline), an undecodable last
    record is a write cut short (a full disk, a killed writer): only that line is rejected, with
    a note appended to ``notes``, and the records before it are returned.
    """
    out: list[Proposal] = []
    numbered = [(n, raw.strip()) for n, raw in enumerate(lines, start=1) if raw.strip()]
    for index, (number, stripped) in enumerate(numbered):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, json.JSONDecodeError):
                problem = f"invalid JSON: {exc.msg}"
            elif isinstance(exc, RecursionError):
                problem = "invalid JSON: nested too deeply"
            else:  # e.g. an integer of thousands of digits
                problem = f"invalid JSON: {str(exc).split(';')[0]}"
            if torn_tail and index == len(numbered) - 1 and isinstance(exc, ValueError):
                if notes is not None:
                    notes.append(
                        f"{source}:{number}: rejected a torn last record (the file ends without "
                        f"a newline: {problem})"
                    )
                break
            raise DocagentError(f"{source}:{number}: {problem}") from None
        try:
            out.append(Proposal.from_dict(data, line=number))
        except ValueError as exc:
            raise DocagentError(f"{source}:{number}: {exc}") from None
    return out


def read_proposals(path: str | Path, notes: list[str] | None = None) -> list[Proposal]:
    """Read a proposals JSONL file (see :func:`parse_proposals`; ``notes`` gets its notes).

    Raises:
        DocagentError: the file cannot be read, is not UTF-8, or a line is malformed (the
            message names the file, the line number and the problem).
    """
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise DocagentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocagentError(f"{path}: is a directory, not a proposals file") from None
    except UnicodeDecodeError as exc:
        raise DocagentError(f"{path}: not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise DocagentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    lines = text.splitlines()
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    torn = bool(text) and not text.endswith(("\n", "\r"))
    return parse_proposals(lines, str(path), torn_tail=torn, notes=notes)


def write_proposals(path: str | Path, proposals: Iterable[Proposal]) -> None:
    """Write ``proposals`` to ``path`` as JSONL, replacing the file atomically."""
    from docagent.writes import write_atomic

    data = "".join(p.to_json() + "\n" for p in proposals).encode("utf-8")
    write_atomic(path, data)


def append_proposal(path: str | Path, proposal: Proposal, *, sync: bool = True) -> None:
    """Append one record to a proposals JSONL file (created when missing) and flush it to disk.

    Each record is one ``write`` of a complete line, so a reader never sees half a record from
    a writer that was killed between records; once written, a record survives the writer being
    killed (``kill -9``). ``sync=False`` leaves the flush to disk (``fsync``, which only a power
    loss needs) to a later :func:`sync_file`, so that a run can group it.
    """
    line = (proposal.to_json() + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def sync_file(path: str | Path) -> None:
    """Flush ``path``'s written data to disk (``fsync``); a missing file is nothing to flush."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
