"""Python's parse of each file runs while the scan's worker processes read the files.

The scan's workers read every file with tree-sitter; prepare needs Python's tree of every file
too (fingerprints, calls, the call graph, the offline drafter's function nodes). The main
process now parses them while the workers run (`Preparing._parse_ahead`), instead of waiting
for the workers and parsing after: still once per file, and the same drafts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import STDLIB, make_repo

from docagent.cli import main
from docagent.code.astfacts import ast_facts
from docagent.code.factscache import FactsCache
from docagent.code.targets import read_file
from docagent.scan import CACHE_NAME, content_hash
from docagent.session.preparing import Preparing

#: large enough for the scan to start its worker processes (more than 8 files, 200 KB)
FILES = [
    "argparse.py",
    "ast.py",
    "calendar.py",
    "csv.py",
    "difflib.py",
    "fractions.py",
    "gettext.py",
    "shlex.py",
    "textwrap.py",
    "uuid.py",
]


def _repo(root: Path) -> Path:
    files = {name: (STDLIB / name).read_text(encoding="utf-8") for name in FILES}
    return make_repo(root, files)


def _records(out: Path) -> list[str]:
    rows = []
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record.pop("draft_id", None)
        rows.append(json.dumps(record, sort_keys=True))
    return rows


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan starts its worker processes whatever the machine's number of cores."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_files_are_parsed_while_the_workers_scan_once_each(
    tmp_path: Path,
    two_workers: None,
    parses: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every file is given to Python's parser once, by the parse that runs during the scan;
    the drafts are those of a run that parses after the scan."""
    ahead: list[list[str]] = []
    real = Preparing._parse_ahead

    def spy(self: Preparing, files: list[tuple[str, str]]) -> None:
        ahead.append(sorted(rel for rel, _ in files))
        real(self, files)

    monkeypatch.setattr(Preparing, "_parse_ahead", spy)
    root = _repo(tmp_path / "a")
    out = tmp_path / "a.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    assert ahead == [sorted(FILES)]
    texts = [(root / name).read_text(encoding="utf-8") for name in FILES]
    assert [parses.count(t) for t in texts] == [1] * len(FILES)
    # else only the draft checks' literals and the few functions whose dedented code is not
    # their node in the file's tree (tests/test_draft_offline_tree.py)
    others = [t for t in parses if t not in texts and not t.startswith("def _f():\n")]
    assert len(others) < len(_records(out)) / 10

    monkeypatch.setattr(Preparing, "_parse_ahead", lambda self, files: None)
    other = _repo(tmp_path / "b")
    out_b = tmp_path / "b.jsonl"
    assert main(["batch", str(other), "--out", str(out_b)]) == 0
    capsys.readouterr()
    assert _records(out) == _records(out_b)
    assert len(_records(out)) > 100


def test_a_file_the_facts_cache_holds_is_not_parsed_ahead(
    tmp_path: Path, two_workers: None, parses: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """With the facts cache of an earlier run and no scan cache, no file is parsed during the
    scan (its facts come from the cache), and the re-run reuses every draft."""
    root = _repo(tmp_path / "r")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    first = _records(out)
    cache = FactsCache.load(root)
    assert all(cache.holds(content_hash((root / name).read_bytes())) for name in FILES)
    (root / ".docagent" / CACHE_NAME).unlink()
    parses.clear()
    assert main(["batch", str(root), "--out", str(out)]) == 0
    capsys.readouterr()
    texts = {(root / name).read_text(encoding="utf-8") for name in FILES}
    assert [t for t in parses if t in texts] == []
    assert sorted(_records(out)) == sorted(first)


def test_a_file_changed_after_its_parse_ahead_is_not_given_that_parse(
    tmp_path: Path,
    two_workers: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A file edited once it was parsed during the scan: that parse is not used (its text is
    not the file's any more); the drafts' fingerprints are those of the edited file."""
    root = _repo(tmp_path / "r")
    real = Preparing._parse_ahead

    def edit_after(self: Preparing, files: list[tuple[str, str]]) -> None:
        real(self, files)
        with open(root / "csv.py", "a", encoding="utf-8") as fh:
            fh.write("\n\ndef added(x):\n    return x + 1\n")

    monkeypatch.setattr(Preparing, "_parse_ahead", edit_after)
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    capsys.readouterr()
    facts = read_file(str(root / "csv.py"), "csv.py")
    shas = ast_facts(facts).shas
    records = [json.loads(line) for line in out.read_text().splitlines()]
    mine = {r["qualname"]: r["code_sha"] for r in records if r["path"] == "csv.py"}
    assert mine["added"] == shas["added"]
    assert mine == {q: shas[q] for q in mine}
