"""End-to-end tests of ``docagent batch`` through the real anthropic SDK and a loopback server."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from servers import HOSTILE

from docagent.batch import run_batch
from docagent.cli import main
from docagent.code.targets import code_fingerprint, read_file
from docagent.store import Store

CORE = '''"""Core arithmetic helpers."""


def base(x):
    return x * 2


def middle(x, y=1):
    return base(x) + y


def top(a):
    return middle(a)


def risky(v):
    if v < 0:
        raise ValueError("negative")
    return v


def numbers(n):
    for i in range(n):
        yield i


class Thing:
    def __init__(self, size):
        self.size = size

    def grow(self, n):
        self.size += n
'''

FAULTY = '''"""Targets the loopback server misbehaves on."""


def rate_limited(a):
    return a


def overloaded(a):
    return a


def broken(a):
    return a


def malformed(a):
    return a


def hostile(a):
    return a


def invented(a):
    return a


def slow(a):
    return a
'''

FILES = {"pkg/__init__.py": '"""Package."""\n', "pkg/core.py": CORE, "pkg/faulty.py": FAULTY}


def fingerprints(root: Path) -> dict[str, str]:
    """Code fingerprint (docstrings stripped) of every Python file under ``root``."""
    return {
        str(p.relative_to(root)): code_fingerprint(ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(root.rglob("*.py"))
        if ".docagent" not in p.parts
    }


def docstring(root: Path, rel: str, qualname: str) -> str | None:
    """The current docstring text of a target (None when it has none)."""
    facts = read_file(str(root / rel), rel)
    t = facts.target(qualname)
    assert t is not None, qualname
    return t.docstring.text if t.docstring else None


def test_faults_and_hostile_content_end_to_end(repo_factory, server, tmp_path: Path) -> None:
    """The run ends by itself, reports failures, applies only checked drafts, code unchanged."""
    root = repo_factory(FILES)
    before = fingerprints(root)
    server.faults = {
        "rate_limited": [429],  # the SDK retries and succeeds
        "overloaded": [529, 529, 529],  # fails after the SDK's 2 retries
        "broken": [500, 500, 500],
        "malformed": ["malformed", "malformed"],  # draft and redraft both unreadable
        "hostile": ["hostile"],
        "invented": ["invented", "invented"],  # fails the params check twice: proposed
        "slow": [("slow", 0.5)],
    }
    out = tmp_path / "p.jsonl"
    summary = run_batch(root, out=out, apply=True, provider="anthropic", progress=False)

    failed = {f["qualname"]: f["reason"] for f in summary["failures"]}
    assert set(failed) == {"overloaded", "broken", "malformed"}
    assert "overloaded" in failed["overloaded"] and "529" in failed["overloaded"]
    assert "500" in failed["broken"]
    assert "malformed" in failed["malformed"]
    assert summary["failed"] == 3
    assert summary["targets"] == 15  # 8 in core, 7 in faulty
    assert summary["proposed"] == 1 and summary["checks_failed"] == 1  # invented
    assert summary["applied"] == summary["targets"] - 4
    assert summary["cost_usd"] > 0 and summary["tokens"]["input"] > 0
    assert "anthropic" in summary["notice"]

    # Code is untouched apart from docstrings; applied docstrings are exactly the drafts.
    assert fingerprints(root) == before
    assert docstring(root, "pkg/faulty.py", "invented") is None
    assert docstring(root, "pkg/faulty.py", "broken") is None
    assert docstring(root, "pkg/faulty.py", "hostile").startswith(HOSTILE)  # escaped, inert
    assert docstring(root, "pkg/core.py", "risky") is not None
    assert "pwned" not in (root / "pkg/faulty.py").read_text().split('"""')[0]

    # The proposals file has one valid line per draft with text, with statuses.
    records = [json.loads(line) for line in out.read_text().splitlines()]
    by_name = {r["qualname"]: r for r in records}
    assert by_name["invented"]["status"] == "proposed"
    assert any(not c["ok"] for c in by_name["invented"]["checks"] if c["name"] == "params")
    assert by_name["top"]["status"] == "accepted"
    assert "malformed" not in by_name

    # The decision log has every draft (failures too) and a batch-policy decision per apply.
    with Store.open(root) as store:
        drafts = store.drafts(run_id=summary["run_id"])
        assert {d.qualname for d in drafts} >= {r["qualname"] for r in records} | set(failed)
        decided = [r for r in store.decisions() if r.reviewer == "batch-policy"]
        assert len(decided) == summary["applied"]
        assert all(r.decision == "accept" for r in decided)


def test_callers_wait_for_their_callees(repo_factory, server) -> None:
    """With concurrency, a caller's request is sent after its callees' drafts are done."""
    root = repo_factory({"m.py": CORE})
    order: list[str] = []
    summary = run_batch(
        root,
        provider="anthropic",
        concurrency=8,
        progress=False,
        on_draft=lambda item, draft: order.append(item.qualname),
    )
    assert summary["failed"] == 0
    assert order.index("base") < order.index("middle") < order.index("top")
    # the caller's context included the callee's new (proposed) docstring
    with Store.open(root) as store:
        drafts = {d.qualname: d for d in store.drafts(run_id=summary["run_id"])}
    assert "Handle base for the caller." in drafts["middle"].context["text"]


def test_rerun_drafts_nothing_twice(repo_factory, server, tmp_path: Path) -> None:
    """A second run reuses every logged draft: no new request reaches the server."""
    root = repo_factory({"m.py": CORE})
    server.faults = {"risky": ["invented", "invented"]}  # stays proposed after the first run
    out = tmp_path / "p.jsonl"
    first = run_batch(root, out=out, apply=True, provider="anthropic", progress=False)
    assert first["drafted"] == first["targets"] and first["proposed"] == 1
    calls = sum(server.received.values())
    second = run_batch(root, out=out, apply=True, provider="anthropic", progress=False)
    assert sum(server.received.values()) == calls
    assert second["targets"] == 1 and second["drafted"] == 0 and second["reused"] == 1
    assert second["estimate"]["to_draft"] == 0
    lines = out.read_text().splitlines()
    assert len(lines) == first["targets"]  # records kept, the re-emitted one replaced


def test_max_cost_stops_issuing_requests(repo_factory, server) -> None:
    """Once the spend reaches --max-cost no further request is sent and the run says so."""
    root = repo_factory({"m.py": CORE})
    # one request costs 1000 in + 200 out on Sonnet: $0.006
    summary = run_batch(
        root, provider="anthropic", concurrency=1, max_cost=0.01, progress=False, quiet=True
    )
    assert sum(server.answered.values()) == 2
    assert summary["drafted"] == 2
    assert summary["not_drafted"] == summary["targets"] - 2
    assert "max cost reached" in summary["stopped"]


def test_estimate_only_sends_nothing(repo_factory, server, capsys) -> None:
    """--estimate prints tokens and dollars from the price table and drafts nothing."""
    root = repo_factory({"m.py": CORE})
    code = main(["batch", str(root), "--estimate", "--provider", "anthropic"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    est = doc["estimate"]
    assert est["to_draft"] == est["targets"] == 8
    assert est["input_tokens"] > 1000 and est["output_tokens"] == 8 * 300
    assert est["priced"] and est["cost_usd"] > 0
    assert sum(server.received.values()) == 0


def test_cli_summary_and_exit_codes(repo_factory, server, capsys) -> None:
    """Stdout is one JSON summary; exit 1 when a target failed, 0 when all went well."""
    root = repo_factory({"m.py": CORE, "f.py": FAULTY})
    server.faults = {"broken": [500, 500, 500]}
    code = main(["batch", str(root), "--provider", "anthropic"])
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert code == 1
    assert summary["failed"] == 1 and summary["failures"][0]["qualname"] == "broken"
    assert "failed   f.py::broken" in captured.err
    assert "estimate:" in captured.err
    code = main(["batch", str(root), "--provider", "anthropic", "--apply"])
    assert code == 0  # broken is drafted again now and succeeds; the rest are reused
    summary = json.loads(capsys.readouterr().out)
    assert summary["drafted"] == 1 and summary["failed"] == 0


def test_bad_input_exits_2(repo_factory, tmp_path: Path, capsys) -> None:
    """Not a repository, --batch-api without anthropic, bad --concurrency: exit 2."""
    assert main(["batch", str(tmp_path / "nowhere")]) == 2
    root = repo_factory({"m.py": CORE})
    assert main(["batch", str(root), "--batch-api", "--provider", "offline"]) == 2
    assert "--batch-api needs the anthropic provider" in capsys.readouterr().err
    assert main(["batch", str(root), "--concurrency", "0"]) == 2


def test_offline_provider_says_so(repo_factory, tmp_path: Path, capsys) -> None:
    """Without a key, batch runs offline, says so, and its drafts apply cleanly."""
    root = repo_factory({"m.py": CORE})
    before = fingerprints(root)
    code = main(["batch", str(root), "--apply", "--out", str(tmp_path / "p.jsonl")])
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert code == 0
    assert summary["provider"] == "offline"
    assert "offline" in summary["notice"] and "no model was used" in captured.err
    assert summary["applied"] == summary["targets"] == 8
    assert summary["cost_usd"] == 0
    assert summary["coverage"]["after"] == 100.0
    assert fingerprints(root) == before


README = "# tinylib\n\nA tiny library for adding numbers.\n"
PYPROJECT = """[project]
name = "tinylib"
version = "0.1.0"
requires-python = ">=3.10"
"""


def test_readme_sections_offline(repo_factory, tmp_path: Path, capsys) -> None:
    """--readme drafts the missing README sections too; --apply writes those that pass."""
    root = repo_factory({"m.py": CORE, "README.md": README, "pyproject.toml": PYPROJECT})
    out = tmp_path / "p.jsonl"
    code = main(["batch", str(root), "--readme", "--apply", "--out", str(out)])
    summary = json.loads(capsys.readouterr().out)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    sections = [r for r in records if r["kind"] == "readme_section"]
    assert sections, records
    applied = [r for r in sections if r["status"] == "accepted"]
    readme = (root / "README.md").read_text()
    for r in applied:
        assert r["qualname"] in readme
    assert code == (1 if summary["failed"] else 0)
    assert summary["readme_sections"] == len(sections)
    assert summary["targets"] == 8 + len(sections)
    assert summary["drafted"] == 8 + len(sections)
    again = main(["batch", str(root), "--readme", "--out", str(out)])
    second = json.loads(capsys.readouterr().out)
    assert again == 0 and second["drafted"] == 0


def test_since_limits_to_changed_files(repo_factory, capsys) -> None:
    """--since REV drafts only targets in files changed since REV (a pull request's files)."""
    root = repo_factory({"m.py": CORE, "f.py": FAULTY})
    (root / "f.py").write_text(FAULTY + "\n\ndef added(q):\n    return q\n")
    assert main(["batch", str(root), "--since", "HEAD"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["targets"] == 8  # the 7 in f.py plus the new one; nothing from m.py
    assert main(["batch", str(root), "--since", "no-such-rev"]) == 2


CLI_V1 = '''"""Command line of tinylib."""

import argparse


def main(argv=None):
    """Run the tiny command line."""
    parser = argparse.ArgumentParser(prog="tiny")
    parser.add_argument("--quiet", action="store_true", help="Say less.")
    return parser.parse_args(argv)
'''


def test_readme_resume_redrafts_when_the_facts_change(repo_factory, tmp_path: Path, capsys):
    """A missing section's draft is reused only while the facts it was drafted from hold.

    Its body hash is that of "" in every run, so the resume key also hashes the facts: after
    the CLI gains an option, Usage is drafted again and names it.
    """
    pyproject = PYPROJECT + '\n[project.scripts]\ntiny = "tinylib.cli:main"\n'
    root = repo_factory(
        {
            "README.md": "# tinylib\n",
            "pyproject.toml": pyproject,
            "tinylib/__init__.py": '"""Tiny things."""\n',
            "tinylib/cli.py": CLI_V1,
        }
    )
    out = tmp_path / "p.jsonl"

    def usage() -> dict:
        assert main(["batch", str(root), "--readme", "--out", str(out)]) == 0
        capsys.readouterr()
        records = [json.loads(line) for line in out.read_text().splitlines()]
        usages = [r for r in records if r["qualname"] == "Usage"]
        assert len(usages) == 1  # a re-run replaces the section's record, never duplicates it
        return usages[0]

    first = usage()
    assert "--quiet" in first["text"] and "--verbose" not in first["text"]
    assert usage()["draft_id"] == first["draft_id"]  # unchanged facts: reused
    (root / "tinylib/cli.py").write_text(
        CLI_V1.replace(
            "    return parser",
            '    parser.add_argument("--verbose", action="store_true", help="Say more.")\n'
            "    return parser",
        )
    )
    third = usage()
    assert third["draft_id"] != first["draft_id"]
    assert "--verbose" in third["text"]


def test_estimate_counts_readme_sections(repo_factory, capsys) -> None:
    """--estimate covers README sections too, with their prompt tokens."""
    root = repo_factory({"m.py": CORE, "README.md": README, "pyproject.toml": PYPROJECT})
    assert main(["batch", str(root), "--estimate"]) == 0
    without = json.loads(capsys.readouterr().out)["estimate"]
    assert main(["batch", str(root), "--readme", "--estimate"]) == 0
    with_readme = json.loads(capsys.readouterr().out)["estimate"]
    assert with_readme["targets"] > without["targets"] == 8
    assert with_readme["to_draft"] == with_readme["targets"]
    assert with_readme["input_tokens"] > without["input_tokens"]


def test_apply_writes_each_file_once(repo_factory, tmp_path: Path, monkeypatch, capsys) -> None:
    """``batch --apply`` applies a file's accepts in one verified write, not one per docstring."""
    from docagent.code import edit

    root = repo_factory({"a.py": CORE, "b.py": CORE.replace("def ", "def b_")})
    before = fingerprints(root)
    writes: list[str] = []
    real = edit.write_atomic

    def counting(path, data, **kwargs):  # noqa: ANN001, ANN202 - wraps the writer
        writes.append(Path(path).name)
        return real(path, data, **kwargs)

    monkeypatch.setattr(edit, "write_atomic", counting)
    code = main(["batch", str(root), "--apply", "--out", str(tmp_path / "p.jsonl")])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["applied"] == summary["targets"] == 16
    assert sorted(writes) == ["a.py", "b.py"]
    assert fingerprints(root) == before
    records = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert len(records) == 16 and all(r["status"] == "accepted" for r in records)
    with Store.open(root) as store:
        assert len([d for d in store.decisions() if d.decision == "accept"]) == 16
        assert store.intents() == []


PY2 = 'def greet(name):\n    print "hello", name\n\n\nclass Old(object):\n    pass\n'


def test_a_python2_file_is_not_drafted_and_is_reported(
    repo_factory, tmp_path: Path, capsys
) -> None:
    """Batch drafts none of the definitions of a file Python 3 cannot parse (no draft of it
    could be applied): the file is a failure in the summary, with the scan's one-line reason,
    and the other files are drafted and applied as usual."""
    root = repo_factory({"m.py": CORE, "old.py": PY2})
    out = tmp_path / "p.jsonl"
    code = main(["batch", str(root), "--apply", "--out", str(out)])
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert code == 1  # a file was skipped
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["path"] for r in records} == {"m.py"} and len(records) == 8
    assert summary["applied"] == 8
    reason = "old.py:2: syntax error: Missing parentheses in call to 'print'."
    assert [(f["path"], f["reason"][: len(reason)]) for f in summary["failures"]] == [
        ("old.py", reason)
    ]
    assert f"failed   {reason}" in captured.err  # the place said once, not "old.py: old.py:2"
    assert "old.py: old.py" not in captured.err
    assert (root / "old.py").read_text() == PY2


def test_the_offline_estimate_says_no_model_is_called(repo_factory, capsys) -> None:
    """The offline drafter's estimate says why it costs nothing, not that a price is missing."""
    root = repo_factory({"m.py": CORE})
    assert main(["batch", str(root), "--estimate", "--provider", "offline"]) == 0
    line = next(x for x in capsys.readouterr().err.splitlines() if x.startswith("estimate:"))
    assert "calls no model" in line
    assert "price table" not in line
