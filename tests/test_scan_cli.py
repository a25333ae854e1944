"""``docagent scan`` from the outside: the JSON contract, thresholds, filters, errors, cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import git

from docagent.cli import main

FILES = {
    "pkg/__init__.py": '"""Package."""\n',
    "pkg/mod.py": (
        '"""Module."""\n\n'
        "class Client:\n"
        '    """A client."""\n\n'
        "    def get(self, key):\n"
        "        return key\n\n"
        "    def _private(self):\n"
        "        pass\n\n"
        "def stale(a):\n"
        '    """Do.\n\n    Args:\n        b: wrong name.\n    """\n'
        "    return a\n"
    ),
}


def run_scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["scan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(repo_factory, capsys, monkeypatch) -> None:
    root = repo_factory(FILES)
    monkeypatch.chdir(root)
    code, out, _ = run_scan(capsys, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["root"] == "."
    assert doc["summary"] == {
        "total": 5,
        "documented": 4,
        "coverage": 80.0,
        "missing": 1,
        "stale": 1,
    }
    by = {(t["path"], t["qualname"]): t for t in doc["targets"]}
    get = by[("pkg/mod.py", "Client.get")]
    assert get == {
        "path": "pkg/mod.py",
        "qualname": "Client.get",
        "kind": "method",
        "line": 6,
        "end_line": 7,
        "public": True,
        "has_docstring": False,
        "status": "missing",
        "problems": [],
    }
    assert by[("pkg/mod.py", "Client._private")]["public"] is False  # listed, not counted
    assert by[("pkg/mod.py", "stale")]["problems"] == [
        "documents parameter 'b' not in the signature",
        "does not document parameter 'a'",
    ]


def test_all_counts_private_and_fail_under(repo_factory, capsys, monkeypatch) -> None:
    root = repo_factory(FILES)
    monkeypatch.chdir(root)
    code, out, _ = run_scan(capsys, "--json", "--all")
    assert json.loads(out)["summary"]["total"] == 6
    code, _, err = run_scan(capsys, "--fail-under", "85")
    assert code == 1 and "80.0% is below --fail-under 85%" in err
    code, out, _ = run_scan(capsys, "--fail-under", "80")
    assert code == 0
    assert "Coverage 80.0%" in out and "Client.get" in out and "Style:" in out


def test_since_and_untracked_and_gitignore(repo_factory, capsys, monkeypatch) -> None:
    root = repo_factory(FILES)
    monkeypatch.chdir(root)
    (root / ".gitignore").write_text("build/\n")
    (root / "build").mkdir()
    (root / "build" / "gen.py").write_text("def gen(): pass\n")
    (root / "new.py").write_text("def fresh(): pass\n")
    code, out, _ = run_scan(capsys, "--json", "--since", "HEAD")
    paths = {t["path"] for t in json.loads(out)["targets"]}
    assert paths == {"new.py"}
    (root / "pkg" / "mod.py").write_text("def changed(): pass\n")
    code, out, _ = run_scan(capsys, "--json", "--since", "HEAD")
    assert {t["path"] for t in json.loads(out)["targets"]} == {"new.py", "pkg/mod.py"}
    code, _, err = run_scan(capsys, "--since", "nosuchrev")
    assert code == 2 and "unknown git revision" in err


def test_not_a_git_repository(tmp_path, capsys) -> None:
    code, _, err = run_scan(capsys, str(tmp_path))
    assert code == 2
    assert err.strip().count("\n") == 0 and "not inside a git repository" in err


def test_bad_files_are_reported_and_skipped(repo_factory, capsys, monkeypatch) -> None:
    root = repo_factory(
        {
            "ok.py": "def f(): pass\n",
            "broken.py": "def f(:\n",
            "latin.py": b"x = '\xe9'\n",
        }
    )
    monkeypatch.chdir(root)
    code, out, err = run_scan(capsys, "--json")
    assert code == 0
    doc = json.loads(out)
    assert {t["path"] for t in doc["targets"]} == {"ok.py"}
    assert {e["path"] for e in doc["errors"]} == {"broken.py", "latin.py"}
    assert "broken.py:1: syntax error" in err and "latin.py: cannot decode" in err


def test_cache_is_never_stale(repo_factory, capsys, monkeypatch) -> None:
    root = repo_factory({"a.py": "def f(): pass\n"})
    monkeypatch.chdir(root)
    _, out1, _ = run_scan(capsys, "--json")
    assert (root / ".docagent" / "scan-cache.json").exists()
    assert json.loads(out1)["summary"]["documented"] == 0
    (root / "a.py").write_text('def f():\n    """Now documented."""\n')
    _, out2, _ = run_scan(capsys, "--json")
    assert json.loads(out2)["summary"]["missing"] == 1  # only the module docstring is missing
    t = next(t for t in json.loads(out2)["targets"] if t["qualname"] == "f")
    assert t["has_docstring"] is True
    assert ".docagent" not in git(root, "status", "--porcelain")


def test_path_narrows_to_directory(repo_factory, capsys) -> None:
    root = repo_factory({**FILES, "other/x.py": "def x(): pass\n"})
    code, out, _ = run_scan(capsys, str(root / "other"), "--json")
    assert {t["path"] for t in json.loads(out)["targets"]} == {"other/x.py"}
    assert json.loads(out)["root"] == str(root)


def test_config_error_is_one_line(repo_factory, capsys, monkeypatch) -> None:
    root = repo_factory({"pyproject.toml": "[tool.docagent]\nstyle = 3\n", "a.py": ""})
    monkeypatch.chdir(root)
    code, _, err = run_scan(capsys)
    assert code == 2
    assert "setting 'style' in [tool.docagent] of pyproject.toml must be a string" in err


def test_exclude_config(repo_factory, capsys, monkeypatch) -> None:
    root = repo_factory(
        {
            "pyproject.toml": '[tool.docagent]\nexclude = ["gen/**"]\n',
            "a.py": "",
            "gen/b.py": "",
        }
    )
    monkeypatch.chdir(root)
    _, out, _ = run_scan(capsys, "--json")
    assert {t["path"] for t in json.loads(out)["targets"]} == {"a.py"}


def test_help_is_light_and_useful() -> None:
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "docagent", "scan", "--help"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0
    assert "--fail-under" in proc.stdout and "--since" in proc.stdout
    imported = proc.stderr
    for heavy in ("tree_sitter", "textual", "anthropic", "git.repo"):
        assert f" {heavy}\n" not in imported and f" {heavy}." not in imported, heavy


def test_docagent_documents_itself(capsys, tmp_path) -> None:
    pkg = Path(__file__).resolve().parent.parent / "docagent"
    if subprocess.run(["git", "-C", str(pkg), "rev-parse"], capture_output=True).returncode:
        # an unpacked sdist is no git repository: scan a copy that is one
        import shutil

        shutil.copytree(pkg, tmp_path / "docagent", ignore=shutil.ignore_patterns("__pycache__"))
        git(tmp_path, "init", "-q")
        pkg = tmp_path / "docagent"
    code, _, err = run_scan(capsys, str(pkg), "--fail-under", "100")
    assert code == 0, err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_repository_git_refuses_is_a_one_line_error(
    repo_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clone owned by another user ("dubious ownership"): git's reason, no traceback."""
    root = repo_factory({"a.py": "x = 1\n"})
    for path in [root, *root.rglob("*")]:
        os.chown(path, 1234, 1234, follow_symlinks=False)
    assert main(["scan", str(root)]) == 2
    err = capsys.readouterr().err
    assert "dubious ownership" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


PY2_MODULE = '''"""Python 2 code."""


def greet(name):
    print "hello", name


class Old(object):
    def run(self, code):
        try:
            exec code
        except ValueError, e:
            raise RuntimeError, "bad"
'''


def test_a_python2_file_is_one_error_and_its_definitions_are_not_targets(
    repo_factory, capsys, monkeypatch
) -> None:
    """tree-sitter reads Python 2 statements without an error, but no draft of such a file
    could ever be applied: scan reports it in one line, as a syntax error, and counts none of
    its definitions; the rest of the repository is scanned as before (cold and cached)."""
    root = repo_factory({**FILES, "old.py": PY2_MODULE})
    monkeypatch.chdir(root)
    message = (
        "old.py:5: syntax error: Missing parentheses in call to 'print'. Did you mean"
        " print(...)? (Python 2 code? docagent reads Python 3 only)"
    )
    for _ in range(2):  # the second scan reads the cache
        code, out, err = run_scan(capsys, "--json")
        assert code == 0
        doc = json.loads(out)
        assert doc["errors"] == [{"path": "old.py", "error": message}]
        assert err.count("old.py") == 1 and message in err
        assert {t["path"] for t in doc["targets"]} == {"pkg/__init__.py", "pkg/mod.py"}
        assert doc["summary"]["total"] == 5  # as test_json_contract, without old.py
    code, out, err = run_scan(capsys, "old.py")  # a narrowed scan reads it directly
    assert code == 0 and message in err and "old.py:" not in out


def test_the_coverage_line_says_how_many_files_were_skipped(repo_factory, capsys, monkeypatch):
    """ "Coverage 100.0% — 0 of 0" of a path whose only file was skipped read as a success:
    the line says that files were skipped (their errors are listed on stderr)."""
    root = repo_factory({**FILES, "old.py": PY2_MODULE, "broken.py": "def f(:\n"})
    monkeypatch.chdir(root)
    _, out, _ = run_scan(capsys)
    assert "1 missing, 1 stale, 2 files skipped (listed above). Style:" in out
    _, out, _ = run_scan(capsys, "old.py")
    assert "0 of 0 public targets documented, 0 missing, 0 stale, 1 file skipped" in out
    _, out, _ = run_scan(capsys, "pkg")
    assert "skipped" not in out
