"""``docagent eval`` end to end: JSON contract, stored runs, gate, compare, cache, export loop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from servers import GOOD_DRAFT, messages_server, reply_json  # noqa: F401  (fixture)

from docagent.cli import main
from docagent.code.targets import read_file
from docagent.store import DraftRecord, Store
from docagent.store.export import source_without_docstring

MODULE = '''"""Arithmetic helpers."""


def add(a, b):
    """Return the sum of a and b.

    Args:
        a: The first number.
        b: The second number.

    Returns:
        The sum.
    """
    return a + b


def check(value):
    """Raise ValueError when value is negative."""
    if value < 0:
        raise ValueError("negative")


def evens(limit):
    """Yield the even numbers below limit."""
    for n in range(0, limit, 2):
        yield n


class Counter:
    """Count things, starting from start."""

    def __init__(self, start=0):
        self.count = start

    def bump(self, step=1):
        """Increase the count by step and return it."""
        self.count += step
        return self.count
'''


def make_cases(text: str = MODULE, path: str = "pkg/calc.py", style: str = "google") -> list[dict]:
    """Eval cases (docs/evals.md) for every documented target of ``text`` (docstring removed)."""
    facts = read_file(path, path, text.encode())
    cases = []
    for t in facts.targets:
        if t.docstring is None:
            continue
        source = source_without_docstring(text, t.docstring.start_byte, t.docstring.end_byte)
        cases.append(
            {
                "id": f"{path}::{t.qualname}",
                "path": path,
                "qualname": t.qualname,
                "kind": t.kind,
                "source": source,
                "reference": t.docstring.text,
                "style": style,
                "tags": [t.kind],
            }
        )
    return cases


def write_jsonl(path: Path, cases: list[dict]) -> Path:
    """Write cases as JSONL and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return path


@pytest.fixture
def repo(repo_factory) -> Path:
    """A git repository with a small eval suite under evals/."""
    root = repo_factory({"pkg/calc.py": MODULE, "pyproject.toml": "[project]\nname='x'\n"})
    write_jsonl(root / "evals" / "calc.jsonl", make_cases())
    return root


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    """Run ``docagent eval ... --format json``; return (exit code, document, stderr)."""
    rc = main(["eval", *argv, "--format", "json"])
    captured = capsys.readouterr()
    return rc, (json.loads(captured.out) if captured.out.strip() else {}), captured.err


def test_json_contract_and_stored_run(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints score, metrics, cases, run, ci; the run is in the decision log."""
    ds = str(repo / "evals" / "calc.jsonl")
    rc, doc, err = run_json(capsys, ds, "--provider", "offline", "--repo", str(repo))
    assert rc == 0
    assert "provider: offline" in err
    assert 0 <= doc["ci"][0] <= doc["score"] <= doc["ci"][1] <= 1
    assert set(doc["metrics"]) == {
        "completeness",
        "truthfulness",
        "checks",
        "style",
        "helpfulness",
        "specificity",
        "similarity",
    }
    assert doc["metrics"]["style"] == 1.0  # offline drafts are written in the repository style
    assert doc["cases"] == 6 and len(doc["results"]) == 6
    assert doc["provider"] == "offline" and doc["prompt_version"]
    assert doc["reference"]["n"] == 6
    with Store.open(repo) as store:
        stored = store.eval_run(doc["run"])
        assert stored is not None and stored.n_cases == 6
        assert stored.score == pytest.approx(doc["score"])
        assert store.run(doc["run"]).mode == "eval"


def test_default_datasets_and_setting(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without DATASET: evals/**/*.jsonl, unless [tool.docagent] datasets names others."""
    rc, doc, _ = run_json(capsys, "--provider", "offline", "--repo", str(repo))
    assert rc == 0 and doc["cases"] == 6
    assert doc["datasets"][0].endswith("evals/calc.jsonl")
    write_jsonl(repo / "other" / "two.jsonl", make_cases()[:2])
    (repo / "pyproject.toml").write_text(
        "[project]\nname='x'\n[tool.docagent]\ndatasets = ['other/*.jsonl']\n"
    )
    rc, doc, _ = run_json(capsys, "--provider", "offline", "--repo", str(repo))
    assert rc == 0 and doc["cases"] == 2


def test_gate_exit_codes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--gate S exits 1 below S, 0 at or above; an S outside [0, 1] is bad usage."""
    base = ["--provider", "offline", "--repo", str(repo)]
    rc, doc, _ = run_json(capsys, *base)
    score = doc["score"]
    rc, _, err = run_json(capsys, *base, "--gate", f"{min(1.0, score + 0.01):.4f}")
    assert rc == 1 and "gate failed" in err and "below --gate" in err
    rc, _, err = run_json(capsys, *base, "--gate", f"{score - 0.01:.4f}")
    assert rc == 0 and "gate passed" in err
    assert main(["eval", *base, "--gate", "70"]) == 2
    assert "--gate must be between 0 and 1" in capsys.readouterr().err


def test_table_lists_metrics_and_worst_cases(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table shows the score with its interval, each metric and the worst cases."""
    assert main(["eval", "--provider", "offline", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "score  0." in out and "95% CI" in out
    for metric in ("completeness", "truthfulness", "checks", "similarity"):
        assert metric in out
    assert "worst cases" in out and "pkg/calc.py::" in out
    assert "reference docstrings (calibration" in out


def test_out_file_and_compare(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--compare takes a stored run id, 'latest' or an eval JSON file; deltas are paired."""
    base = ["--provider", "offline", "--repo", str(repo)]
    out = tmp_path / "first.json"
    assert main(["eval", *base, "--format", "json", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    first = json.loads(out.read_text())
    rc, doc, _ = run_json(capsys, *base, "--compare", first["run"][:6])
    row = doc["compare"]["deltas"]["score"]
    assert rc == 0 and doc["compare"]["shared"] == 6
    assert row["delta"] == 0 and row["change"] == "no clear change"
    rc, doc, _ = run_json(capsys, *base, "--compare", str(out))
    assert doc["compare"]["base"] == first["run"]
    assert main(["eval", *base, "--compare", "latest"]) == 0
    table = capsys.readouterr().out
    assert "compared with" in table and "no clear change" in table
    assert main(["eval", *base, "--compare", "nosuchrun"]) == 2
    assert "no stored eval run" in capsys.readouterr().err


def test_bad_dataset_is_exit_2_with_file_and_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed line or a case whose target is missing is bad input (exit 2)."""
    bad = repo / "bad.jsonl"
    bad.write_text(json.dumps(make_cases()[0]) + "\n{oops\n")
    assert main(["eval", str(bad), "--provider", "offline", "--repo", str(repo)]) == 2
    assert "bad.jsonl:2: not valid JSON" in capsys.readouterr().err
    case = {**make_cases()[1], "qualname": "missing_function"}
    write_jsonl(bad, [case])
    assert main(["eval", str(bad), "--provider", "offline", "--repo", str(repo)]) == 2
    assert "bad.jsonl:1: case" in capsys.readouterr().err


def test_model_that_invents_scores_lower_and_runs_are_cached(
    repo: Path,
    tmp_path: Path,
    messages_server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Through the real SDK: an invented parameter costs truthfulness and checks; reruns hit
    the draft cache instead of the API."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.url)
    add_case = [c for c in make_cases() if c["qualname"] == "add"]
    ds = write_jsonl(tmp_path / "add.jsonl", add_case)
    argv = [str(ds), "--provider", "anthropic", "--model", "claude-test", "--repo", str(repo)]
    rc, good, _ = run_json(capsys, *argv)
    assert rc == 0 and good["metrics"]["truthfulness"] == 1 and good["metrics"]["checks"] == 1
    calls = len(messages_server.calls("/v1/messages"))
    assert calls == 1
    rc, again, _ = run_json(capsys, *argv)
    assert len(messages_server.calls("/v1/messages")) == calls  # served from the cache
    assert again["score"] == good["score"]

    invented = dict(GOOD_DRAFT, params=[*GOOD_DRAFT["params"], {"name": "c", "description": "C."}])
    messages_server.queue(reply_json(invented), reply_json(invented))
    (repo / ".docagent" / "eval-cache.json").unlink()
    rc, bad, _ = run_json(capsys, *argv)
    assert bad["metrics"]["truthfulness"] < 1 and bad["metrics"]["checks"] == 0
    assert bad["score"] < good["score"]
    assert "param c" in bad["results"][0]["notes"]["invented"]


def test_export_feeds_eval(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The feedback loop: decisions logged -> docagent export -> docagent eval, offline."""
    facts = read_file(str(repo / "pkg" / "calc.py"), "pkg/calc.py")
    cases = {c["qualname"]: c for c in make_cases()}
    with Store.open(repo) as store:
        run = store.start_run("tui", "offline", "offline-1", "pv1")
        for qual, decision, final in (
            (
                "add",
                "edit",
                "Add a and b.\n\nArgs:\n    a: Left.\n    b: Right.\n\nReturns:\n    Sum.",
            ),
            ("Counter.bump", "accept", None),
            ("evens", "reject", None),
        ):
            target = facts.target(qual)
            did = store.record_draft(
                run,
                DraftRecord(
                    "pkg/calc.py",
                    qual,
                    target.kind,
                    text=f"Draft for {qual}.",
                    style="google",
                    source=cases[qual]["source"],
                ),
            )
            store.record_decision(did, decision, final, "vague" if decision == "reject" else "")
    exported = tmp_path / "from-log.jsonl"
    assert main(["export", "--format", "jsonl", "--out", str(exported), "--repo", str(repo)]) == 0
    capsys.readouterr()
    rc, doc, _ = run_json(capsys, str(exported), "--provider", "offline", "--repo", str(repo))
    assert rc == 0 and doc["cases"] == 3
    by_q = {r["qualname"]: r for r in doc["results"]}
    assert set(by_q) == {"add", "Counter.bump", "evens"}
    # the person's text is the reference: similarity is measured against it
    assert by_q["add"]["metrics"]["similarity"] is not None
    assert "negative" in by_q["evens"]["tags"]
