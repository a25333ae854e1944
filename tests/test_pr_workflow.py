"""Pull requests: --since at the merge base, A...B, --changed-lines, annotations, workflow."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from conftest import git

from docagent.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
A = "def a(x):\n    return x\n"
THREE = (
    '"""Module."""\n\n\n'
    "def one(x):\n    return x\n\n\n"
    "def two(x):\n    return x\n\n\n"
    "class Box:\n"
    "    def put(self, x):\n        return x\n\n"
    "    def take(self, x):\n        return x\n"
)


def _scanned(capsys, *argv: str) -> set[str]:
    assert main(["scan", *argv, "--json"]) == 0
    return {t["path"] for t in json.loads(capsys.readouterr().out)["targets"]}


@pytest.fixture
def branched(repo_factory):
    """main: a.py, b.py; branch feature changes a.py; then main changes b.py."""
    root = repo_factory({"a.py": A, "b.py": "def b(x):\n    return x\n"})
    git(root, "branch", "-M", "main")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "a.py").write_text(A + "\n\ndef a2(y):\n    return y\n")
    git(root, "commit", "-qam", "feature work")
    git(root, "checkout", "-q", "main")
    (root / "b.py").write_text("def b(x, z):\n    return x + z\n")
    git(root, "commit", "-qam", "main moves on")
    git(root, "checkout", "-q", "feature")
    return root


def test_since_compares_with_the_merge_base(branched, capsys):
    assert _scanned(capsys, str(branched), "--since", "main") == {"a.py"}


def test_since_accepts_a_three_dot_range(branched, capsys):
    git(branched, "checkout", "-q", "main")
    assert _scanned(capsys, str(branched), "--since", "main...feature") == {"a.py"}
    assert _scanned(capsys, str(branched), "--since", "feature...main") == {"b.py"}


@pytest.mark.parametrize(
    ("since", "words"),
    [
        ("main..feature", "A...B"),
        ("main...nope", "unknown git revision"),
        ("nope", "unknown git revision"),
        ("--output=x", "cannot start with '-'"),
    ],
)
def test_bad_since_values_are_one_line_errors(branched, capsys, since, words):
    assert main(["scan", str(branched), f"--since={since}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]


def _proposed(root: Path, *extra: str) -> list[str]:
    out = root / ".docagent" / f"p{len(list(root.glob('.docagent/p*.jsonl')))}.jsonl"
    assert main(["batch", str(root), "--out", str(out), *extra]) in (0, 1)
    return sorted(json.loads(line)["qualname"] for line in out.read_text().splitlines())


def test_changed_lines_drafts_only_targets_whose_own_lines_changed(repo_factory, capsys):
    root = repo_factory({"m.py": THREE})
    git(root, "branch", "-M", "main")
    git(root, "checkout", "-q", "-b", "feature")
    src = THREE.replace("def two(x):\n    return x", "def two(x):\n    return x * 2")
    src = src.replace(
        "def take(self, x):\n        return x", "def take(self, x):\n        return -x"
    )
    (root / "m.py").write_text(src)
    git(root, "commit", "-qam", "change two functions")
    assert _proposed(root, "--since", "main", "--changed-lines") == ["Box.take", "two"]
    capsys.readouterr()
    assert _proposed(root, "--since", "main") == ["Box", "Box.put", "Box.take", "one", "two"]
    # a new file counts as changed throughout, uncommitted edits count too
    (root / "new.py").write_text("def fresh(x):\n    return x\n")
    got = _proposed(root, "--since", "main", "--changed-lines")
    assert got == ["<module>", "Box.take", "fresh", "two"]


@pytest.mark.parametrize("command", ["batch", "scan"])
def test_changed_lines_without_since_is_a_one_line_error(repo_factory, capsys, command):
    root = repo_factory({"m.py": THREE})
    assert main([command, str(root), "--changed-lines"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--changed-lines needs --since" in err[0]


NO_DOC = THREE.replace('"""Module."""\n\n\n', "")


def test_a_new_function_does_not_touch_its_module(repo_factory, capsys):
    """The blank lines that separate an added function are not the module's own change: an
    undocumented module is not drafted because a function was added to it; deleted code
    still touches what contained it."""
    root = repo_factory({"m.py": NO_DOC})
    git(root, "branch", "-M", "main")
    git(root, "checkout", "-q", "-b", "feature")
    added = NO_DOC.replace("def two(", "def extra(y):\n    return y\n\n\ndef two(")
    (root / "m.py").write_text(added)
    assert _proposed(root, "--since", "main", "--changed-lines") == ["extra"]
    capsys.readouterr()
    # the same change reported by scan: one target listed and counted
    argv = ["scan", str(root), "--since", "main", "--changed-lines", "--format", "github"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "function extra" in lines[0]
    assert "0 of 1 documented" in lines[1]
    git(root, "commit", "-qam", "add extra")
    (root / "m.py").write_text(added.replace("    return y\n", "    y += 1\n    return y\n"))
    git(root, "commit", "-qam", "extra grows")
    (root / "m.py").write_text(added)  # a deleted statement touches the function it was in
    assert _proposed(root, "--since", "HEAD", "--changed-lines") == ["extra"]


def test_scan_changed_lines_counts_and_lists_only_changed_targets(repo_factory, capsys):
    root = repo_factory({"m.py": THREE})
    git(root, "branch", "-M", "main")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "m.py").write_text(
        THREE.replace("def two(x):\n    return x", "def two(x):\n    return x * 2")
    )
    git(root, "commit", "-qam", "change two")
    assert main(["scan", str(root), "--since", "main...feature", "--changed-lines", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["total"] == 1 and doc["summary"]["missing"] == 1
    assert len(doc["targets"]) == 6  # the contract still lists every target of the file
    assert main(["scan", str(root), "--since", "main", "--changed-lines"]) == 0
    out = capsys.readouterr().out
    assert "m.py:8 function two" in out and "one" not in out and "Box" not in out


STALE = 'def s(a):\n    """Do.\n\n    Args:\n        b: x.\n    """\n    return a\n'


def test_scan_format_github_writes_workflow_commands(repo_factory, capsys):
    root = repo_factory({"odd,name:1.py": "def f(a):\n    return a\n", "st.py": STALE})
    assert main(["scan", str(root), "--format", "github", "--fail-under", "90"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "::warning file=odd%2Cname%3A1.py,line=1,title=docagent missing-docstring"
        "::missing docstring: module docstring"
    )
    assert lines[1].startswith("::warning file=odd%2Cname%3A1.py,line=1,endLine=2,")
    (stale,) = [ln for ln in lines if "stale-docstring" in ln]
    assert "file=st.py,line=1,endLine=7" in stale and "'b' not in the signature" in stale
    assert lines[-1] == (
        "::error title=docagent::docstring coverage 25.0%25: 1 of 4 documented, 3 missing, "
        "1 stale, below --fail-under 90%25"
    )
    assert all(ln.startswith("::") for ln in lines)


def test_scan_format_sarif_is_a_sarif_2_1_0_log(repo_factory, capsys):
    root = repo_factory({"pkg/a b.py": "def f(a):\n    return a\n", "st.py": STALE})
    assert main(["scan", str(root), "--format", "sarif"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["missing-docstring", "stale-docstring"]
    results = run["results"]
    assert len(results) == 4  # two modules, f, and the stale s
    for r in results:
        assert rules[r["ruleIndex"]] == r["ruleId"] and r["level"] == "warning"
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert loc["region"]["startLine"] >= 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"pkg/a%20b.py", "st.py"}


def test_json_and_another_format_together_are_refused(repo_factory, capsys):
    root = repo_factory({"m.py": "x = 1\n"})
    assert main(["scan", str(root), "--json", "--format", "sarif"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


WORKFLOW = ROOT / "docs" / "workflows" / "docstrings-pr.yml"


def _docagent_commands(workflow: dict) -> list[list[str]]:
    out = []
    for step in workflow["jobs"]["docstrings"]["steps"]:
        run = step.get("run", "")
        run = re.sub(r"\$\{\{[^}]*\}\}", "main", run).split(">")[0]
        words = shlex.split(run.replace("\n", " "))
        if words[:1] == ["docagent"]:
            out.append(words[1:])
    return out


def test_the_documented_workflow_parses_and_its_commands_are_valid():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["docstrings"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[0]["with"]["fetch-depth"] == 0
    commands = _docagent_commands(workflow)
    assert [c[0] for c in commands] == ["scan", "batch", "apply"]
    for argv in commands:
        build_parser().parse_args(argv)  # SystemExit when a flag is wrong
    assert "--changed-lines" in commands[1] and "--dry-run" in commands[2]
    posting = next(s for s in steps if "reviewdog" in s.get("run", ""))
    assert "-f=diff" in posting["run"] and "docstrings.patch" in posting["run"]
    # the page shows the workflow as it is checked in
    assert WORKFLOW.read_text() in (ROOT / "docs" / "pr-workflow.md").read_text()


def test_the_workflows_patch_is_what_apply_dry_run_prints(repo_factory, capsys):
    """The patch the workflow posts applies to the checkout with ``git apply -p1``."""
    root = repo_factory({"m.py": THREE})
    out = root / ".docagent" / "p.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["apply", str(out), "--all", "--dry-run", "--repo", str(root)]) == 0
    patch = capsys.readouterr().out
    assert patch.startswith("--- a/m.py\n+++ b/m.py\n")
    (root / "d.patch").write_text(patch)
    git(root, "apply", "-p1", "--check", "d.patch")
