"""The proposals JSONL contract: reading, validation with line numbers, writing, appending."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docagent.errors import DocagentError
from docagent.proposals import Proposal, append_proposal, read_proposals, write_proposals

FULL = {
    "path": "pkg/mod.py",
    "qualname": "Client.get",
    "kind": "method",
    "text": "Fetch one item.\n\nArgs:\n    key: ...",
    "status": "proposed",
    "code_sha": "abc",
    "style": "google",
    "provider": "anthropic",
    "model": "claude-x",
    "prompt_version": "p1",
    "checks": [{"name": "params", "ok": True, "detail": ""}],
    "draft_id": "d1",
}


def test_round_trip_keeps_every_field_and_unknown_ones(tmp_path: Path) -> None:
    """Reading and writing keeps every contract field, unknown fields and field order."""
    path = tmp_path / "p.jsonl"
    record = {**FULL, "x_custom": {"a": 1}}
    path.write_text(json.dumps(record) + "\n\n" + json.dumps({**FULL, "qualname": "f"}) + "\n")
    props = read_proposals(path)
    assert [p.line for p in props] == [1, 3]
    assert props[0].extra == {"x_custom": {"a": 1}}
    out = tmp_path / "out.jsonl"
    write_proposals(out, props)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == record
    assert list(json.loads(lines[0]))[:4] == ["path", "qualname", "kind", "text"]
    assert read_proposals(out) == props


def test_minimal_record_defaults_to_proposed() -> None:
    """A record with only the required fields is a ``proposed`` record."""
    p = Proposal.from_dict({"path": "a.py", "qualname": "f", "text": "Doc."})
    assert p.status == "proposed" and p.code_sha is None and p.checks == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "p.jsonl:2: invalid JSON"),
        ("[1, 2]", "p.jsonl:2: expected a JSON object, got list"),
        ('{"path": "a.py", "qualname": "f"}', "p.jsonl:2: missing required field 'text'"),
        (
            '{"path": "a.py", "qualname": "f", "text": 3}',
            "p.jsonl:2: field 'text' must be a string",
        ),
        ('{"path": "/etc/x.py", "qualname": "f", "text": ""}', "must be relative"),
        ('{"path": "../x.py", "qualname": "f", "text": ""}', "must stay inside the repository"),
        ('{"path": "a.py", "qualname": "f", "text": "", "kind": "lambda"}', "field 'kind'"),
        ('{"path": "a.py", "qualname": "f", "text": "", "checks": {}}', "field 'checks'"),
        ('{"path": "a.py", "qualname": "f", "text": "", "code_sha": 5}', "field 'code_sha'"),
    ],
)
def test_malformed_line_names_line_number_and_problem(
    tmp_path: Path, line: str, message: str
) -> None:
    """A malformed line is an error naming the file, the line number and the problem."""
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(FULL) + "\n" + line + "\n" + json.dumps(FULL) + "\n")
    with pytest.raises(DocagentError) as info:
        read_proposals(path)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:2: ")


def test_unreadable_inputs(tmp_path: Path) -> None:
    """Missing and non-UTF-8 files are clear errors."""
    with pytest.raises(DocagentError, match="no such file"):
        read_proposals(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\xff\xfe{}")
    with pytest.raises(DocagentError, match="not UTF-8"):
        read_proposals(bad)


def test_append_creates_and_appends_whole_lines(tmp_path: Path) -> None:
    """Appending creates the file and adds one complete line per record."""
    path = tmp_path / "p.jsonl"
    a = Proposal(path="a.py", qualname="f", text="Ünïcode.\nTwo.", status="accepted")
    append_proposal(path, a)
    append_proposal(path, Proposal(path="b.py", qualname="g", text="G."))
    raw = path.read_text(encoding="utf-8")
    assert raw.count("\n") == 2 and "Ünïcode" in raw
    got = read_proposals(path)
    assert [p.qualname for p in got] == ["f", "g"] and got[0] == a
