"""The command line in pipes and shells: no wrapping or markup, one path convention, completion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from docagent.cli import main

LONG = "pkg/" + "very_long_directory_name_" * 4 + "module.py"
FILES = {
    "data[bold]x.py": "def f(a):\n    return a\n",
    "notes/:smile:[/].py": "def g():\n    pass\n",
    LONG: "def h():\n    pass\n",
}


def test_piped_scan_never_wraps_and_prints_paths_as_they_are(repo_factory, capsys):
    root = repo_factory(FILES)
    assert main(["scan", str(root)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "  data[bold]x.py:1 function f" in lines
    assert "  notes/:smile:[/].py:1 function g" in lines
    assert f"  {LONG}:1 function h" in lines  # longer than 80 columns, on one line
    assert any("│ data[bold]x.py" in line for line in lines)  # the table too
    (summary,) = [line for line in lines if line.startswith("Coverage")]
    assert summary.endswith("Style: google (detected).")  # the whole sentence on one line
    assert "\x1b[" not in out  # no colour codes in a pipe


def _json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_path_and_repo_mean_the_same_for_every_command(repo_factory, capsys, monkeypatch):
    root = repo_factory({"m.py": "def f(a):\n    return a\n"})
    monkeypatch.chdir(root.parent)
    by_path = _json(capsys, "scan", str(root), "--json")
    by_repo = _json(capsys, "scan", "--repo", str(root), "--json")
    assert by_path == by_repo and by_path["summary"]["total"] == 2
    assert main(["batch", "--repo", str(root), "--out", str(root / "p.jsonl")]) == 0
    capsys.readouterr()
    # the commands that read the decision log take the repository either way too
    for extra in (["log", "--json"], ["report", "--format", "json"]):
        positional = _json(capsys, extra[0], str(root), *extra[1:])
        option = _json(capsys, extra[0], "--repo", str(root), *extra[1:])
        if extra[0] == "report":
            positional, option = positional["overall"], option["overall"]
            assert positional["drafts"] == 2
        else:
            assert {e["path"] for e in positional} == {"m.py"}
        assert positional == option, extra[0]
    assert main(["export", str(root)]) == 0  # nothing to export yet, but the right repository
    assert "no accepted, edited or rejected drafts" in capsys.readouterr().err


def test_path_and_a_different_repo_is_a_one_line_usage_error(repo_factory, tmp_path, capsys):
    root = repo_factory({"m.py": "x = 1\n"})
    with pytest.raises(SystemExit) as exc:
        main(["scan", str(root), "--repo", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "PATH" in err[0] and "--repo" in err[0]


def test_bash_completion_completes_commands_and_flags(tmp_path, capsys):
    assert main(["completion", "bash"]) == 0
    script = tmp_path / "docagent.bash"
    script.write_text(capsys.readouterr().out)
    probe = (
        f"source {script}\n"
        'COMP_WORDS=(docagent sc); COMP_CWORD=1; _shtab_docagent; echo "${COMPREPLY[@]}"\n'
        "COMP_WORDS=(docagent scan --fail); COMP_CWORD=2; _shtab_docagent; "
        'echo "${COMPREPLY[@]}"\n'
        "COMP_WORDS=(docagent batch --base); COMP_CWORD=2; _shtab_docagent; "
        'echo "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["scan", "--fail-under", "--base-url"]


def test_zsh_completion_names_every_command(capsys):
    assert main(["completion", "zsh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#compdef docagent")
    for cmd in ("scan", "review", "batch", "apply", "report", "eval", "export", "log"):
        assert f"    {cmd}:'" in out, cmd


def test_completion_without_shtab_is_a_one_line_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "shtab", None)  # import shtab raises ImportError
    assert main(["completion", "bash"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install shtab" in err[0]


def test_unknown_shell_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["completion", "fish"])
    assert exc.value.code == 2


def test_docs_describe_the_path_convention():
    text = (Path(__file__).parent.parent / "docs" / "getting-started.md").read_text()
    assert "--repo PATH" in text and "docagent completion" in text
