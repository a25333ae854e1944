"""`docagent apply` and `docagent.apply_proposals.apply_proposals`: selection, outcomes, exit
codes."""

from __future__ import annotations

import ast
import json
import os
import subprocess
from pathlib import Path

import pytest

from docagent.apply_proposals import apply_proposals
from docagent.cli import main
from docagent.code.targets import code_shas, read_file
from docagent.proposals import Proposal

MOD = "def f(x):\n    return x\n\n\nclass A:\n    def m(self): pass\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with ``pkg/mod.py`` and ``pkg/other.py``."""
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "pkg" / "mod.py").write_text(MOD)
    (root / "pkg" / "other.py").write_text("def g(): pass\n")
    return root


def _jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _rec(qualname: str, text: str, path: str = "pkg/mod.py", **kw: object) -> dict:
    return {"path": path, "qualname": qualname, "text": text, "status": "accepted", **kw}


def _doc(root: Path, path: str, qualname: str) -> str | None:
    facts = read_file(str(root / path), path)
    t = facts.target(qualname)
    assert t is not None
    return t.docstring.text if t.docstring else None


def test_apply_accepted_records_and_summary(repo: Path, tmp_path: Path, capsys) -> None:
    """Accepted records are applied with a per-file summary; a second run applies nothing."""
    f = _jsonl(
        tmp_path / "p.jsonl",
        _rec("f", "Return x.\n\nArgs:\n    x: anything."),
        _rec("A.m", "Do nothing."),
        _rec("g", "G.", path="pkg/other.py"),
    )
    assert main(["apply", str(f), "--repo", str(repo)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "changed  pkg/mod.py: 2 docstrings" in err
    assert "changed  pkg/other.py: 1 docstring" in err
    assert "docagent apply: applied 3, skipped 0, refused 0 (2 files changed)" in err
    assert _doc(repo, "pkg/mod.py", "f") == "Return x.\n\nArgs:\n    x: anything."
    assert _doc(repo, "pkg/mod.py", "A.m") == "Do nothing."
    assert _doc(repo, "pkg/other.py", "g") == "G."

    # a second run is harmless: everything is already applied
    assert main(["apply", str(f), "--repo", str(repo)]) == 0
    err = capsys.readouterr().err
    assert "skipped  pkg/mod.py: 2 records: already applied" in err
    assert "skipped  pkg/other.py: 1 record: already applied" in err
    assert "applied 0, skipped 3, refused 0" in err


def test_status_selection_and_all_flag(repo: Path, tmp_path: Path, capsys) -> None:
    """Only accepted records apply; ``--all`` adds all but rejected ones."""
    f = _jsonl(
        tmp_path / "p.jsonl",
        _rec("f", "F.", status="proposed"),
        _rec("A", "A.", status="rejected"),
        _rec("A.m", "M."),
    )
    assert main(["apply", str(f), "--repo", str(repo)]) == 0
    err = capsys.readouterr().err
    assert "skipped  pkg/mod.py: 1 record: status is 'proposed'; only 'accepted'" in err
    assert "skipped  pkg/mod.py: 1 record: rejected" in err
    assert _doc(repo, "pkg/mod.py", "f") is None
    assert _doc(repo, "pkg/mod.py", "A.m") == "M."

    assert main(["apply", str(f), "--all", "--repo", str(repo)]) == 0
    err = capsys.readouterr().err
    assert "applied 1, skipped 2, refused 0" in err  # f applied; A rejected; A.m already applied
    assert _doc(repo, "pkg/mod.py", "f") == "F."
    assert _doc(repo, "pkg/mod.py", "A") is None


def test_dry_run_prints_diff_and_writes_nothing(repo: Path, tmp_path: Path, capsys) -> None:
    """``--dry-run`` prints a patch git can apply and writes nothing."""
    before = (repo / "pkg" / "mod.py").read_bytes()
    f = _jsonl(tmp_path / "p.jsonl", _rec("f", "Return x."), _rec("A", "An A."))
    assert main(["apply", str(f), "--dry-run", "--repo", str(repo)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ ")
    assert '+    """Return x."""\n' in out and '+    """An A."""\n' in out
    assert "would change pkg/mod.py: 2 docstrings" in err
    assert (
        "would apply 2, skipped 0, refused 0 (1 file would change); dry run: nothing written"
        in (err)
    )
    assert (repo / "pkg" / "mod.py").read_bytes() == before
    # the diff is a real patch: git applies it and gets the same file apply would write
    (tmp_path / "d.patch").write_text(out)
    subprocess.run(["git", "apply", str(tmp_path / "d.patch")], cwd=repo, check=True)
    assert _doc(repo, "pkg/mod.py", "f") == "Return x."


def test_refusals_exit_1_and_leave_files_untouched(repo: Path, tmp_path: Path, capsys) -> None:
    """Stale, unknown, unparseable and missing targets are refused: exit 1, files untouched."""
    facts = read_file(str(repo / "pkg" / "mod.py"), "pkg/mod.py")
    good_sha = code_shas(facts)["f"]
    (repo / "pkg" / "bad.py").write_text("def broken(:\n")
    before = {p.name: p.read_bytes() for p in (repo / "pkg").iterdir()}
    f = _jsonl(
        tmp_path / "p.jsonl",
        _rec("f", "F.", code_sha="0123456789abcdef"),  # stale
        _rec("A.nope", "X."),  # unknown qualname
        _rec("broken", "X.", path="pkg/bad.py"),  # unparseable file
        _rec("x", "X.", path="pkg/missing.py"),  # missing file
    )
    assert main(["apply", str(f), "--repo", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "refused  pkg/mod.py::f (line 1): the code of f changed since its draft" in err
    assert "refused  pkg/mod.py::A.nope (line 2): no definition 'A.nope' in pkg/mod.py" in err
    assert "refused  pkg/bad.py::broken (line 3): cannot parse: pkg/bad.py:1: syntax error" in err
    assert "refused  pkg/missing.py::x (line 4): pkg/missing.py: file not found" in err
    assert "applied 0, skipped 0, refused 4" in err
    assert {p.name: p.read_bytes() for p in (repo / "pkg").iterdir()} == before

    # the matching code_sha applies
    _jsonl(f, _rec("f", "F.", code_sha=good_sha))
    assert main(["apply", str(f), "--repo", str(repo)]) == 0
    assert _doc(repo, "pkg/mod.py", "f") == "F."


@pytest.mark.parametrize(
    ("py2", "reason"),
    [
        (  # a Python 2 statement: read as a syntax error
            'def f(x):\n    print "hi", x\n    return x\n',
            "cannot parse: pkg/py2.py:2: syntax error: Missing parentheses in call to 'print'."
            " Did you mean print(...)? (Python 2 code? docagent reads Python 3 only)",
        ),
        (  # a Python 2 expression only: refused when the edit is verified
            "def f(x):\n    x = 0777\n    return x\n",
            "pkg/py2.py: Python cannot parse this file (line 2: leading zeros",
        ),
    ],
)
def test_a_file_only_tree_sitter_reads_is_refused_in_one_line(
    repo: Path, tmp_path: Path, capsys, py2: str, reason: str
) -> None:
    """Python 2 code reads as definitions to tree-sitter but Python cannot parse it: its
    records (with or without a ``code_sha``) are refused with the reason, never a traceback."""
    (repo / "pkg" / "py2.py").write_text(py2)
    f = _jsonl(
        tmp_path / "p.jsonl",
        _rec("f", "F.", path="pkg/py2.py", code_sha="0123456789abcdef"),
        _rec("<module>", "M.", path="pkg/py2.py"),
        _rec("f", "F.", code_sha=code_shas(read_file(str(repo / "pkg/mod.py"), "pkg/mod.py"))["f"]),
    )
    for dry in ([], ["--dry-run"]):
        assert main(["apply", str(f), "--repo", str(repo), *dry]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert f"refused  pkg/py2.py::f (line 1): {reason}" in err
        assert f"refused  pkg/py2.py::<module> (line 2): {reason}" in err
        assert (repo / "pkg" / "py2.py").read_text() == py2
    assert _doc(repo, "pkg/mod.py", "f") == "F."  # the other file's record applied


def test_unwritable_file_is_refused(repo: Path, tmp_path: Path, capsys) -> None:
    """A read-only file is refused while other files are applied."""
    path = repo / "pkg" / "mod.py"
    os.chmod(path, 0o444)
    f = _jsonl(tmp_path / "p.jsonl", _rec("f", "F."), _rec("g", "G.", path="pkg/other.py"))
    assert main(["apply", str(f), "--repo", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "refused  pkg/mod.py::f (line 1): pkg/mod.py: the file is not writable" in err
    assert "applied 1, skipped 0, refused 1" in err
    assert path.read_text() == MOD


def test_malformed_jsonl_exits_2_and_applies_nothing(repo: Path, tmp_path: Path, capsys) -> None:
    """A malformed proposals file exits 2 naming the line, and nothing is applied."""
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(_rec("f", "F.")) + "\n" + '{"path": "pkg/mod.py", "text": "x"}\n')
    assert main(["apply", str(f), "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"docagent apply: error: {f}:2: missing required field 'qualname'")
    assert (repo / "pkg" / "mod.py").read_text() == MOD


def test_path_outside_repository_and_non_python_refused(repo: Path) -> None:
    """Paths that escape the repository (also via symlinks) and non-Python files are refused."""
    (repo / "notes.txt").write_text("x")
    link = repo / "pkg" / "escape.py"
    (repo.parent / "elsewhere.py").write_text("def f(): pass\n")
    link.symlink_to(repo.parent / "elsewhere.py")
    props = [
        Proposal(path="notes.txt", qualname="f", text="X.", status="accepted"),
        Proposal(path="pkg/escape.py", qualname="f", text="X.", status="accepted"),
    ]
    report = apply_proposals(repo, props)
    assert [o.reason for o in report.refused] == [
        "notes.txt: not a Python file",
        "pkg/escape.py: resolves outside the repository",
    ]
    assert (repo.parent / "elsewhere.py").read_text() == "def f(): pass\n"


def test_duplicates_skipped_and_conflicts_refused(repo: Path) -> None:
    """Duplicate records are skipped; conflicting ones are refused."""
    props = [
        Proposal(path="pkg/mod.py", qualname="f", text="F.", status="accepted", line=1),
        Proposal(path="pkg/mod.py", qualname="f", text="F.\n", status="accepted", line=2),
        Proposal(path="pkg/mod.py", qualname="A", text="One.", status="accepted", line=3),
        Proposal(path="pkg/mod.py", qualname="A", text="Two.", status="accepted", line=4),
    ]
    report = apply_proposals(repo, props)
    assert [(o.outcome, o.reason) for o in report.outcomes] == [
        ("applied", ""),
        ("skipped", "duplicate of the record on line 1"),
        ("refused", "conflicting proposals for this target (3, 4)"),
        ("refused", "conflicting proposals for this target (3, 4)"),
    ]
    assert _doc(repo, "pkg/mod.py", "A") is None


def test_readme_sections_route_to_the_hook(repo: Path, monkeypatch) -> None:
    """README records go to the README hook, dry run included."""
    seen: list[tuple[Path, list[str], bool]] = []

    def hook(root: Path, items: list[Proposal], *, dry_run: bool, create: bool = False):
        seen.append((root, [p.qualname for p in items], dry_run))
        return [("applied", "")] * len(items), "--- a/README.md\n+++ b/README.md\n"

    import docagent.readme.section_apply as readme_apply

    monkeypatch.setattr(readme_apply, "apply_readme_proposals", hook)
    props = [
        Proposal(
            path="README.md",
            qualname="Usage",
            text="Run.",
            kind="readme_section",
            status="accepted",
        ),
    ]
    report = apply_proposals(repo, props, dry_run=True)
    assert seen == [(repo, ["Usage"], True)]
    assert report.outcomes[0].outcome == "applied"
    assert report.diff.startswith("--- a/README.md")


def test_crlf_file_through_the_command(repo: Path, tmp_path: Path) -> None:
    """A CRLF file stays CRLF through the command."""
    path = repo / "pkg" / "win.py"
    path.write_bytes(b"def f():\r\n    return 1\r\n")
    f = _jsonl(tmp_path / "p.jsonl", _rec("f", "One.\n\nTwo.", path="pkg/win.py"))
    assert main(["apply", str(f), "--repo", str(repo)]) == 0
    data = path.read_bytes()
    assert data == b'def f():\r\n    """One.\r\n\r\n    Two.\r\n    """\r\n    return 1\r\n'
    assert ast.get_docstring(ast.parse(data).body[0]) == "One.\n\nTwo."


def test_an_empty_module_gets_its_docstring(tmp_path: Path) -> None:
    """An empty ``__init__.py`` is documentable: its code_sha matches before and after."""
    from docagent.apply_proposals import apply_proposals
    from docagent.code.targets import code_shas, read_file
    from docagent.proposals import Proposal

    (tmp_path / "__init__.py").write_text("")
    sha = code_shas(read_file(str(tmp_path / "__init__.py"), "__init__.py"))["<module>"]
    record = Proposal("__init__.py", "<module>", "The package.", status="accepted", code_sha=sha)
    report = apply_proposals(tmp_path, [record])
    assert [o.outcome for o in report.outcomes] == ["applied"]
    assert (tmp_path / "__init__.py").read_text() == '"""The package."""\n'
