"""Hostile files, proposals and paths: one line naming the input; the rest of the work goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_repo

from docagent.cli import main

GOOD = "def g():\n    pass\n"


def _proposals(path: Path, *records: dict, tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


def _rec(path: str, qualname: str, text: str) -> dict:
    return {"path": path, "qualname": qualname, "text": text, "status": "accepted"}


def _one_line_errors(err: str) -> None:
    assert "Traceback" not in err and "RecursionError" not in err


def test_file_cpython_rejects_is_refused_and_later_records_applied(tmp_path, capsys) -> None:
    root = make_repo(tmp_path / "repo", {"bad.py": "def f(x=1, y):\n    return x\n", "ok.py": GOOD})
    p = _proposals(tmp_path / "p.jsonl", _rec("bad.py", "f", "F."), _rec("ok.py", "g", "G."))
    assert main(["apply", str(p), "--repo", str(root)]) == 1
    err = capsys.readouterr().err
    _one_line_errors(err)
    refused = [line for line in err.splitlines() if line.startswith("refused")]
    assert len(refused) == 1 and "bad.py::f" in refused[0]
    assert '"""G."""' in (root / "ok.py").read_text()


@pytest.fixture
def deep_repo(tmp_path: Path) -> Path:
    """A file of one 200,000-term expression: tree-sitter reads it, CPython's ast cannot."""
    huge = "x = " + " + ".join(["1"] * 200_000) + "\n\n\ndef h(a):\n    return a\n"
    return make_repo(tmp_path / "repo", {"huge.py": huge, "ok.py": GOOD})


def test_batch_lists_a_too_deep_file_as_a_failure(deep_repo: Path, capsys) -> None:
    code = main(["batch", str(deep_repo), "--provider", "offline", "--apply"])
    captured = capsys.readouterr()
    _one_line_errors(captured.err)
    assert code == 1
    summary = json.loads(captured.out)
    assert [f["path"] for f in summary["failures"]] == ["huge.py"]
    assert "nested too deeply" in summary["failures"][0]["reason"]
    assert '"""' in (deep_repo / "ok.py").read_text()  # the rest of the work went on


def test_apply_refuses_a_too_deep_file(deep_repo: Path, tmp_path: Path, capsys) -> None:
    p = _proposals(tmp_path / "p.jsonl", _rec("huge.py", "h", "H."), _rec("ok.py", "g", "G."))
    assert main(["apply", str(p), "--repo", str(deep_repo)]) == 1
    err = capsys.readouterr().err
    _one_line_errors(err)
    assert "huge.py::h" in err and "nested too deeply" in err
    assert '"""G."""' in (deep_repo / "ok.py").read_text()


@pytest.mark.parametrize(
    "line",
    [
        '{"path": "ok.py", "qualname": "g", "text": "G.", "n": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["5000-digit integer", "100000-deep nesting"],
)
def test_pathological_json_is_one_line_naming_the_line(tmp_path, capsys, line: str) -> None:
    root = make_repo(tmp_path / "repo", {"ok.py": GOOD})
    p = _proposals(tmp_path / "p.jsonl", _rec("ok.py", "g", "G."), tail=line + "\n")
    assert main(["apply", str(p), "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    _one_line_errors(err)
    assert err.count("\n") == 1 and f"{p}:2: invalid JSON" in err
    assert len(err) < 400


@pytest.mark.slow
def test_many_conflicting_records_give_bounded_messages(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"ok.py": GOOD})
    p = tmp_path / "p.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        for i in range(100_000):
            fh.write(json.dumps(_rec("ok.py", "g", f"Text number {i}.")) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "docagent", "apply", str(p), "--repo", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert max(len(line) for line in lines) < 200  # each refusal names a few lines, not all
    assert "and 99,995 more" in lines[0]


def test_a_torn_last_record_rejects_only_that_line(tmp_path, capsys) -> None:
    root = make_repo(tmp_path / "repo", {"ok.py": GOOD, "b.py": GOOD})
    torn = json.dumps(_rec("b.py", "g", "B."))[:25]  # cut short, no newline at the end
    p = _proposals(tmp_path / "p.jsonl", _rec("ok.py", "g", "G."), tail=torn)
    assert main(["apply", str(p), "--repo", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"{p}:2: rejected a torn last record" in err
    assert '"""G."""' in (root / "ok.py").read_text()
    assert (root / "b.py").read_text() == GOOD
    # the same broken line in the middle of a file is still an error for the whole file
    p.write_text(torn + "\n" + json.dumps(_rec("ok.py", "g", "G2.")) + "\n", encoding="utf-8")
    assert main(["apply", str(p), "--repo", str(root)]) == 2


def test_names_with_newlines_and_escapes_are_printed_escaped(tmp_path, capsys) -> None:
    evil_path = "pkg\nrefused  forged.py::x (line 9): fake\x1b[31m.py"
    root = make_repo(tmp_path / "repo", {"ok.py": GOOD})
    p = _proposals(
        tmp_path / "p.jsonl",
        _rec("ok.py", "g\nchanged  forged.py: 99 docstrings\x1b[2J", "G."),
        _rec(evil_path, "f", "F."),
    )
    main(["apply", str(p), "--repo", str(root)])
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert not any(
        line.startswith(("changed  forged", "refused  forged")) for line in err.splitlines()
    )
    assert "\\x1b" in err and "\\n" in err


def test_scan_prints_hostile_file_names_escaped(tmp_path, capsys) -> None:
    name = "evil\x1b[31m\nmissing.py"
    root = make_repo(tmp_path / "repo", {name: "def f(:\n", "ok.py": GOOD})
    main(["scan", str(root)])
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err + captured.out
    assert "evil\\x1b[31m\\nmissing.py" in captured.err


@pytest.mark.parametrize("command", [["log"], ["log", "--json"], ["report"], ["export"]])
def test_a_directory_as_the_log_is_one_line_error(tmp_path, capsys, monkeypatch, command) -> None:
    root = make_repo(tmp_path / "repo", {"ok.py": GOOD})
    (tmp_path / "db-dir").mkdir()
    monkeypatch.setenv("DOCAGENT_DB", str(tmp_path / "db-dir"))
    assert main([*command, "--repo", str(root)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "db-dir: not a decision log file" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes a read-only file anyway")
def test_a_read_only_log_is_one_line_error(tmp_path, capsys, monkeypatch) -> None:
    root = make_repo(tmp_path / "repo", {"ok.py": GOOD})
    db = tmp_path / "ro" / "log.db"
    monkeypatch.setenv("DOCAGENT_DB", str(db))
    assert main(["batch", str(root), "--provider", "offline"]) in (0, 1)
    capsys.readouterr()
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        code = main(["log", "--repo", str(root)])
        err = capsys.readouterr().err
        assert code == 0 or (err.count("\n") == 1 and str(db) in err)
    finally:
        db.parent.chmod(0o755)
