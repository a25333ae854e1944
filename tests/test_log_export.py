"""``docagent log`` and ``docagent export``: output a user reads or feeds to eval tools."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.code.targets import code_shas, read_file
from docagent.store import DraftRecord, Store
from docagent.store.export import NEGATIVE_TARGET, source_without_docstring

MODULE = '''"""Tools."""


def add(a, b):
    """Old text."""
    return a + b


def noop():
    """Nothing."""


class Box:
    def get(self, key):
        return key
'''


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(
    request: pytest.FixtureRequest, sqlite_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A git repository with one module; its log in the default place or a shared store."""
    if request.param == "postgresql":
        monkeypatch.setenv("DOCAGENT_STORE", request.getfixturevalue("pg_store_url"))
    return sqlite_repo


@pytest.fixture
def sqlite_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with one module; the decision log in its default place."""
    monkeypatch.delenv("DOCAGENT_DB", raising=False)
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "pkg").mkdir()
    (root / "pkg" / "tools.py").write_text(MODULE)
    return root


def _strip(qualname: str, text: str = MODULE) -> str:
    facts = read_file("x.py", "pkg/tools.py", text.encode())
    t = facts.target(qualname)
    assert t is not None and t.docstring is not None
    return source_without_docstring(text, t.docstring.start_byte, t.docstring.end_byte)


def _fill(root: Path, record_source: bool = True) -> dict[str, str]:
    """Log four drafts: add edited, noop accepted, Box.get rejected, module skipped."""
    facts = read_file(str(root / "pkg" / "tools.py"), "pkg/tools.py")
    shas = code_shas(facts)
    ids = {}
    with Store.open(root) as store:
        run = store.start_run("tui", "offline", "offline-1", "pv1", {"style": "google"})
        specs = [
            ("add", "function", "Add a and b.", "edit", "Add two numbers.", ""),
            ("noop", "function", "Do nothing.", "accept", None, ""),
            ("Box.get", "method", "Get.", "reject", None, "vague"),
            ("<module>", "module", "Tools module.", "skip", None, ""),
        ]
        for i, (qual, kind, text, decision, final, reason) in enumerate(specs):
            source = None
            if record_source:
                source = _strip(qual) if qual in ("add", "noop", "<module>") else MODULE
            did = store.record_draft(
                run,
                DraftRecord(
                    "pkg/tools.py",
                    qual,
                    kind,
                    text=text,
                    code_sha=shas[qual],
                    style="google",
                    source=source,
                    checks=[{"name": "params", "ok": i != 2, "detail": ""}],
                    tokens_in=100 + i,
                    tokens_out=10,
                    cost_usd=0.001,
                ),
                at=f"2024-06-01T10:0{i}:00",
            )
            store.record_decision(
                did,
                decision,
                final,
                reason,
                "ann@example.com",
                1000 * (i + 1),
                at=f"2024-06-01T11:0{i}:00",
            )
            ids[qual] = did
    return ids


def test_source_without_docstring_variants() -> None:
    src = _strip("add")
    assert "Old text" not in src and "return a + b" in src and '"""Nothing."""' in src
    assert ast.get_docstring(ast.parse(src).body[1]) is None  # type: ignore[arg-type]
    assert "def noop():\n    pass\n" in _strip("noop")
    assert _strip("<module>").lstrip().startswith("def add")
    one_liner = 'def f(): "doc"\n'
    start = one_liner.index('"doc"')
    assert source_without_docstring(one_liner, start, start + 5) == "def f(): pass\n"
    text = 'x = "é"\n\ndef g():\n    """Doc é."""\n    return 1\n'
    facts = read_file("x.py", "x.py", text.encode())
    d = facts.target("g").docstring  # type: ignore[union-attr]
    assert source_without_docstring(text, d.start_byte, d.end_byte) == (
        'x = "é"\n\ndef g():\n    return 1\n'
    )


def test_empty_log_is_friendly(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["log", "--repo", str(repo)]) == 0
    assert "No drafts logged yet" in capsys.readouterr().out
    assert main(["log", "--json", "--repo", str(repo)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["export", "--repo", str(repo)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no accepted" in captured.err
    assert not (repo / ".docagent").exists()  # reading never creates a log


def test_log_table_and_filters(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(repo)
    assert main(["log", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    for text in ("pkg/tools.py::add", "Box.get", "edit", "accept", "reject", "skip", "vague"):
        assert text in out
    assert out.index("<module>") < out.index("::add")  # newest first
    assert main(["log", "-n", "1", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "<module>" in out and "::add" not in out
    assert main(["log", "--decision", "reject", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "Box.get" in out and "::add" not in out
    assert main(["log", "--path", "other.py", "--repo", str(repo)]) == 0
    assert "No log entries match" in capsys.readouterr().out
    assert main(["log", "-n", "0", "--repo", str(repo)]) == 2


def test_log_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _fill(repo)
    with Store.open(repo) as store:
        store.record_call(
            None,
            provider="offline",
            model="offline-1",
            draft_id=ids["add"],
            request_id="req_42",
            duration_ms=12,
        )
    assert main(["log", "--json", "--path", "pkg/tools.py", "--repo", str(repo)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["qualname"] for e in data] == ["<module>", "Box.get", "noop", "add"]
    add = data[-1]
    assert add["decision"] == "edit" and add["decisions"][0]["final_text"] == "Add two numbers."
    assert add["decisions"][0]["review_ms"] == 1000
    assert add["calls"][0]["request_id"] == "req_42"
    assert add["tokens"]["input"] == 100 and add["model"] == "offline-1"


def test_export_jsonl_cases(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _fill(repo)
    # the file changes after drafting: export uses the source recorded at draft time
    (repo / "pkg" / "tools.py").write_text("def add(a, b, c):\n    return a + b + c\n")
    assert main(["export", "--repo", str(repo)]) == 0
    cases = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by = {c["qualname"]: c for c in cases}
    assert set(by) == {"add", "noop", "Box.get"}  # the skip is not a case
    add = by["add"]
    assert add["reference"] == "Add two numbers." and add["draft"] == "Add a and b."
    assert add["tags"][0] == "edited" and add["style"] == "google" and add["kind"] == "function"
    assert "Old text" not in add["source"] and "return a + b\n" in add["source"]
    assert add["id"] == f"pkg/tools.py::add::{ids['add'][:8]}"
    assert by["noop"]["reference"] == "Do nothing." and "accepted" in by["noop"]["tags"]
    neg = by["Box.get"]
    assert "negative" in neg["tags"] and neg["reason"] == "vague" and "reference" not in neg
    assert neg["draft"] == "Get." and "checks-failed" in neg["tags"]
    for c in cases:
        ast.parse(c["source"])


def test_export_falls_back_to_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(repo, record_source=False)
    assert main(["export", "--repo", str(repo)]) == 0
    cases = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    add = next(c for c in cases if c["qualname"] == "add")
    assert add["source"] == _strip("add")
    # now the code of add changes: its case can no longer be rebuilt and is reported
    (repo / "pkg" / "tools.py").write_text(MODULE.replace("return a + b", "return b + a"))
    assert main(["export", "--repo", str(repo)]) == 0
    captured = capsys.readouterr()
    assert "add" not in {json.loads(x)["qualname"] for x in captured.out.splitlines()}
    assert "skipped pkg/tools.py::add (edit): code changed" in captured.err


def test_export_inspect_and_promptfoo(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(repo)
    out = tmp_path / "out" / "inspect.jsonl"
    assert main(["export", "--format", "inspect", "--out", str(out), "--repo", str(repo)]) == 0
    assert "wrote 3 cases (1 negative)" in capsys.readouterr().err
    samples = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(set(s) == {"id", "input", "target", "metadata"} for s in samples)
    add = next(s for s in samples if s["metadata"]["qualname"] == "add")
    assert add["target"] == "Add two numbers." and "return a + b" in add["input"]
    neg = next(s for s in samples if s["metadata"]["negative"])
    assert neg["target"] == NEGATIVE_TARGET and neg["metadata"]["reason"] == "vague"

    assert main(["export", "--format", "promptfoo", "--repo", str(repo)]) == 0
    config = json.loads(capsys.readouterr().out)
    assert config["providers"] == ["echo"] and config["prompts"] == ["{{draft}}"]
    tests = {t["vars"]["qualname"]: t for t in config["tests"]}
    assert tests["add"]["vars"]["draft"] == "Add a and b."
    assert tests["add"]["assert"][0] == {
        "type": "rouge-n",
        "value": "Add two numbers.",
        "threshold": 0.5,
        "metric": "reference",
    }
    assert tests["Box.get"]["assert"][0]["type"] == "not-rouge-n"
    assert tests["Box.get"]["assert"][0]["value"] == "Get."


def test_corrupt_log_is_a_one_line_error(
    sqlite_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = sqlite_repo
    db = repo / ".docagent" / "docagent.db"
    db.parent.mkdir()
    db.write_bytes(b"\x00garbage" * 100)
    for cmd in (["log"], ["export"]):
        assert main([*cmd, "--repo", str(repo)]) == 2
        err = capsys.readouterr().err
        assert str(db) in err and "corrupt" in err and err.count("\n") == 1
    assert db.read_bytes() == b"\x00garbage" * 100


def test_export_leaves_out_batch_policy_accepts(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft the batch policy applied is no reference: nobody chose that text."""
    from docagent.store import BATCH_REVIEWER

    with Store.open(repo) as store:
        run = store.start_run("batch", "offline", "offline-1", "p1")
        did = store.record_draft(
            run, DraftRecord("m.py", "noop", "function", "Do nothing.", source=MODULE)
        )
        store.record_decision(did, "accept", reviewer=BATCH_REVIEWER)
    assert main(["export", "--repo", str(repo)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == ""
    assert "1 decision(s) made by the batch policy: not exported" in err
