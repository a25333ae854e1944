"""`scan --since` on a few files: what it lists, how it finds the repository, what it imports."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git

from docagent import repo
from docagent.cli import build_parser, main

F = "def f(x):\n    return x\n"


def _scanned(capsys: pytest.CaptureFixture[str], *argv: str) -> set[str]:
    assert main(["scan", *argv, "--json"]) == 0
    return {t["path"] for t in json.loads(capsys.readouterr().out)["targets"]}


@pytest.fixture
def worked(repo_factory) -> Path:
    """A repository with every kind of change since HEAD in its work tree and index."""
    files = {
        f"{name}.py": F for name in ("edited", "staged", "moved", "gone", "unstaged_gone", "same")
    }
    files["kept_out.py"] = F
    root = repo_factory({**files, ".gitignore": "build/\nkept_out.py\n"})
    git(root, "add", "-f", "kept_out.py")
    git(root, "commit", "-qm", "track an ignored file")
    (root / "edited.py").write_text(F + "\n\ndef g(y):\n    return y\n")
    (root / "staged.py").write_text(F.replace("x", "z"))
    git(root, "add", "staged.py")
    git(root, "mv", "moved.py", "renamed.py")
    git(root, "rm", "-q", "gone.py")
    (root / "unstaged_gone.py").unlink()
    (root / "untracked.py").write_text(F)
    (root / "build").mkdir()
    (root / "build" / "gen.py").write_text(F)  # ignored
    (root / "venv" / "lib").mkdir(parents=True)
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "venv" / "lib" / "site.py").write_text(F)  # an environment, not the project
    (root / "notes.txt").write_text("not python\n")
    return root


EXPECTED = {"edited.py", "staged.py", "renamed.py", "untracked.py"}


def test_since_lists_edited_staged_renamed_and_untracked_files(worked, capsys) -> None:
    assert _scanned(capsys, str(worked), "--since", "HEAD") == EXPECTED


def test_since_no_longer_lists_an_ignored_file_removed_from_the_index(worked, capsys) -> None:
    git(worked, "rm", "-q", "--cached", "kept_out.py")  # still on disk, ignored now
    assert _scanned(capsys, str(worked), "--since", "HEAD") == EXPECTED
    (worked / "kept_out.py").write_text(F + "# edited\n")
    git(worked, "add", "-f", "kept_out.py")  # tracked again, and changed
    assert _scanned(capsys, str(worked), "--since", "HEAD") == EXPECTED | {"kept_out.py"}


def test_the_two_process_answer_is_the_step_by_step_one(
    worked, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git diff --merge-base` beside `ls-files --others` lists what the full listing, each
    revision resolved and the merge base computed by hand list (git before 2.30 gets that)."""
    git(worked, "checkout", "-q", "-b", "feature")
    git(worked, "commit", "-qm", "on the branch")  # the staged changes, the rename, the removal
    (worked / "same.py").write_text(F + "# touched\n")
    for since in ("HEAD", "main", "HEAD~1"):
        quick = repo.python_files(worked, since=since)
        monkeypatch.setattr(repo, "_changed_since", lambda *_a: None)
        slow = repo.python_files(worked, since=since)
        monkeypatch.undo()
        assert quick == slow, since
    assert "renamed.py" in repo.python_files(worked, since="main")
    assert "renamed.py" not in repo.python_files(worked, since="HEAD")


def test_since_a_branch_scans_what_this_branch_changed(repo_factory, capsys) -> None:
    root = repo_factory({"a.py": F, "b.py": F})
    git(root, "checkout", "-q", "-b", "feature")
    (root / "a.py").write_text(F + "# feature\n")
    git(root, "commit", "-qam", "feature")
    git(root, "checkout", "-q", "main")
    (root / "b.py").write_text(F + "# main\n")
    git(root, "commit", "-qam", "main")
    git(root, "checkout", "-q", "feature")
    (root / "new.py").write_text(F)
    assert _scanned(capsys, str(root), "--since", "main") == {"a.py", "new.py"}


def test_since_unrelated_history_is_a_one_line_error(repo_factory, capsys) -> None:
    root = repo_factory({"a.py": F})
    git(root, "checkout", "-q", "--orphan", "other")
    git(root, "commit", "-qm", "unrelated")
    git(root, "checkout", "-q", "main")
    assert main(["scan", str(root), "--since", "other"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no common ancestor" in err[0], err


@pytest.mark.parametrize("where", ["outside", "missing"])
def test_since_on_a_path_outside_any_repository_is_a_one_line_error(
    tmp_path: Path, capsys, where: str
) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "m.py").write_text(F)
    target = folder / "m.py" if where == "outside" else folder / "nope.py"
    assert main(["scan", str(target), "--since", "HEAD"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    words = "not inside a git repository" if where == "outside" else "no such file"
    assert len(err) == 1 and words in err[0], err


def _ask_git(path: Path) -> Path:
    top = git(path, "rev-parse", "--show-toplevel").strip()
    return Path(top).resolve()


def test_the_root_is_found_without_git_where_git_would_find_it(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder or file of a repository, and of a linked work tree: the nearest `.git`."""
    root = repo_factory({"pkg/sub/m.py": F})
    git(root, "worktree", "add", "-q", str(tmp_path / "linked"))
    places = [root, root / "pkg" / "sub", root / "pkg" / "sub" / "m.py", tmp_path / "linked"]
    places.append(tmp_path / "linked" / "pkg")
    started: list[object] = []
    real = subprocess.Popen

    def counting(*a: object, **k: object) -> subprocess.Popen[bytes]:
        started.append(a)
        return real(*a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(repo, "_ROOTS", {})
    monkeypatch.setattr(subprocess, "Popen", counting)
    found = [repo.find_root(p) for p in places]
    monkeypatch.undo()
    assert started == []
    assert found == [_ask_git(p if p.is_dir() else p.parent) for p in places]


def test_git_is_asked_when_the_walk_could_be_wrong(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `.git` without HEAD is not a repository (git looks further up); `core.worktree` (a
    submodule's, or set by hand) and GIT_DIR move the work tree."""
    outer = repo_factory({"a.py": F}, name="outer")
    fake = outer / "fake"
    (fake / ".git").mkdir(parents=True)
    monkeypatch.setattr(repo, "_ROOTS", {})
    assert repo.find_root(fake) == outer.resolve()
    inner = repo_factory({"i.py": F}, name="inner")
    git(outer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "vendor")
    assert repo.find_root(outer / "vendor") == _ask_git(outer / "vendor")  # core.worktree set
    elsewhere = repo_factory({"c.py": F}, name="elsewhere")
    moved = repo_factory({"d.py": F}, name="moved")
    git(moved, "config", "core.worktree", str(elsewhere))
    assert repo.find_root(moved) == _ask_git(moved) == elsewhere.resolve()
    other = repo_factory({"b.py": F}, name="other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setattr(repo, "_ROOTS", {})
    assert repo.find_root(outer) == other.resolve()


def test_a_folder_inside_dot_git_is_refused_in_one_line(repo_factory, capsys) -> None:
    root = repo_factory({"a.py": F})
    assert main(["scan", str(root / ".git" / "refs"), "--since", "HEAD"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err


def test_scan_since_imports_neither_gitpython_nor_unneeded_modules(worked) -> None:
    """`docagent scan --since` starts no more than it needs: no GitPython, no provider
    registry, no `importlib.resources` (tree-sitter's grammar package), no OpenSSL hashes."""
    code = (
        "import sys\n"
        "from docagent.cli import main\n"
        f"code = main(['scan', {str(worked)!r}, '--since', 'HEAD', '--json'])\n"
        "names = ('git', 'docagent.draft.providers.registry', 'importlib.resources', '_hashlib')\n"
        "print(code, sorted(n for n in names if n in sys.modules), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=worked.parent
    )
    assert proc.returncode == 0, proc.stderr
    assert {t["path"] for t in json.loads(proc.stdout)["targets"]} == EXPECTED
    assert proc.stderr.strip().splitlines()[-1] == "0 []", proc.stderr


PLAIN = '''"""Helpers."""


def add(a, b):
    """Add two numbers."""
    return a + b
'''
SECTIONED = '''def add(a, b):
    """Add two numbers.

    Args:
        a: The first.
        c: Not a parameter.
    """
    return a + b
'''


@pytest.mark.parametrize(
    ("text", "parser"), [(PLAIN, False), (SECTIONED, True)], ids=["plain", "sections"]
)
def test_the_docstring_parser_is_imported_only_for_a_docstring_with_sections(
    repo_factory, text: str, parser: bool
) -> None:
    """A narrowed scan of a file whose docstrings have no sections does not import
    docstring_parser (a few ms of start-up); one with sections still finds it stale."""
    root = repo_factory({"m.py": "x = 1\n"})
    (root / "m.py").write_text(text)
    code = (
        "import sys\n"
        "from docagent.cli import main\n"
        f"code = main(['scan', {str(root)!r}, '--since', 'HEAD', '--json'])\n"
        "print(code, 'docstring_parser' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root.parent
    )
    assert proc.returncode == 0, proc.stderr
    statuses = {t["qualname"]: t["status"] for t in json.loads(proc.stdout)["targets"]}
    assert statuses["add"] == ("stale" if parser else "ok")
    assert proc.stderr.strip().splitlines()[-1].split()[-1] == str(parser), proc.stderr


def _help(parser: argparse.ArgumentParser, argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit):
        parser.parse_args(argv)
    return capsys.readouterr().out


def test_a_command_builds_only_its_own_parser_and_reads_the_same(capsys) -> None:
    """`docagent scan ...` builds the scan parser alone: same help, same parsed arguments;
    a name that is no command gets the full parser's error."""
    full = build_parser()
    commands = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    assert len(commands.choices) > 5
    for name in commands.choices:
        one = build_parser(only=name)
        assert _help(one, [name, "--help"], capsys) == _help(full, [name, "--help"], capsys)
    argv = ["scan", "x", "--since", "HEAD", "--json", "--fail-under", "50"]
    assert build_parser(only="scan").parse_args(argv) == full.parse_args(argv)
    assert _help(build_parser(only="nope"), ["--help"], capsys) == _help(full, ["--help"], capsys)
    with pytest.raises(SystemExit):
        main(["nope"])
    err = capsys.readouterr().err
    assert "invalid choice: 'nope'" in err and all(f"'{c}'" in err for c in commands.choices)


def test_the_grammar_read_without_its_package_is_the_packages_grammar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tree-sitter-python's compiled module loaded alone parses as the package's grammar does;
    when that module cannot be found, the package gives it."""
    import importlib.machinery

    import tree_sitter_python
    from tree_sitter import Language, Parser

    from docagent.code import parser as ts

    source = b'class A:\n    """Doc."""\n\n    def f(self, x=1, *a, **k):\n        yield x\n'
    expected = str(Parser(Language(tree_sitter_python.language())).parse(source).root_node)
    monkeypatch.delitem(sys.modules, "tree_sitter_python")
    alone = Language(ts.python_grammar())
    assert "tree_sitter_python" not in sys.modules
    assert str(Parser(alone).parse(source).root_node) == expected
    assert str(Parser(ts.LANGUAGE).parse(source).root_node) == expected
    find_spec = importlib.machinery.PathFinder.find_spec

    def no_binding(name: str, *args: object) -> object:
        return None if name.endswith("._binding") else find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", no_binding)
    fallback = Language(ts.python_grammar())
    assert str(Parser(fallback).parse(source).root_node) == expected


def test_pyproject_is_parsed_once_per_scan_and_an_edit_is_seen(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings, special-method rules and style each read pyproject.toml: one parse serves
    them all, and an edited file is parsed again."""
    import tomllib

    from docagent.scan import scan

    pyproject = (
        '[tool.ruff.lint]\nselect = ["D"]\n\n[tool.ruff.lint.pydocstyle]\nconvention = "numpy"\n'
        '\n[tool.docagent]\nexclude = ["skip/**"]\n'
    )
    root = repo_factory({"m.py": F, "skip/s.py": F, "pyproject.toml": pyproject})
    parsed: list[str] = []
    real = tomllib.loads

    def counting(text: str, **kwargs: object) -> dict[str, object]:
        parsed.append(text)
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tomllib, "loads", counting)
    first = scan(root)
    assert (first.style, sorted(first.files)) == ("numpy", ["m.py"])
    assert len(parsed) == 1
    (root / "pyproject.toml").write_text(pyproject.replace("numpy", "google"))
    second = scan(root)
    assert (second.style, sorted(second.files)) == ("google", ["m.py"])
    assert len(parsed) == 2
    from docagent.config import load_settings

    load_settings(root).exclude.append("m.py")  # the settings' lists are their own
    assert sorted(scan(root).files) == ["m.py"] and len(parsed) == 2


@pytest.mark.parametrize("since", [[], ["--since", "HEAD"]])
def test_no_git_on_path_is_a_one_line_error(
    repo_factory, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, since: list[str]
) -> None:
    root = repo_factory({"a.py": F})
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(repo, "_ROOTS", {})
    monkeypatch.setattr(repo, "_PLAIN", {})
    assert main(["scan", str(root), *since]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["docagent scan: error: git is not installed (or not on PATH)"], err
