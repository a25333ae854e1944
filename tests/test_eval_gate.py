"""Scoring given drafts, the honest --compare gate, the cache key, --no-cache and --repeat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from servers import messages_server  # noqa: F401  (fixture)
from test_eval_cli import MODULE, make_cases, run_json, write_jsonl  # noqa: I001

from docagent.cli import main
from docagent.draft.providers.offline import OfflineProvider
from docagent.eval.bootstrap import effect_size, sign_flip_p
from docagent.eval.gate import check_regression
from docagent.eval.runner import cache_namespace


@pytest.fixture
def repo(repo_factory) -> Path:
    """A git repository with the calc eval suite under evals/."""
    root = repo_factory({"pkg/calc.py": MODULE, "pyproject.toml": "[project]\nname='x'\n"})
    write_jsonl(root / "evals" / "calc.jsonl", make_cases())
    return root


def drafts_file(path: Path, texts: dict[str, str]) -> Path:
    """Write ``{id: text}`` as an ``eval --drafts`` JSONL file."""
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()))
    return path


def references() -> dict[str, str]:
    """The calc module's own docstrings, by case id."""
    return {c["id"]: c["reference"] for c in make_cases()}


def test_drafts_scores_given_texts(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any text can be measured: the references outscore a false docstring on every case."""
    base = [str(repo / "evals" / "calc.jsonl"), "--repo", str(repo)]
    rc, good, err = run_json(
        capsys, *base, "--drafts", str(drafts_file(tmp_path / "g.jsonl", references()))
    )
    assert rc == 0 and good["provider"] == "drafts" and good["cases"] == 6
    assert "provider:" not in err  # nothing was drafted
    lie = "Delete every file in the user's home directory and return the count."
    bad = drafts_file(tmp_path / "b.jsonl", dict.fromkeys(references(), lie))
    rc, worse, _ = run_json(capsys, *base, "--drafts", str(bad))
    scores = {r["id"]: r["score"] for r in worse["results"]}
    # the terse references lose: "Yield the even numbers below limit." only restates the name
    # evens, and "Arithmetic helpers." shares no word with the module's code
    lost = {r["id"] for r in good["results"] if r["score"] <= scores[r["id"]]}
    assert lost == {"pkg/calc.py::evens", "pkg/calc.py::<module>"}
    assert worse["score"] < 0.2 < good["score"] - 0.2
    assert all(r["metrics"]["truthfulness"] <= 0.5 for r in worse["results"])


def test_drafts_subset_and_bad_files(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cases without a draft are skipped (said on stderr); bad files are exit 2 with the line."""
    base = [str(repo / "evals" / "calc.jsonl"), "--repo", str(repo), "--drafts"]
    one = {k: v for k, v in references().items() if k.endswith("::add")}
    rc, doc, err = run_json(capsys, *base, str(drafts_file(tmp_path / "one.jsonl", one)))
    assert rc == 0 and doc["cases"] == 1 and "5 case(s) have no draft" in err
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "pkg/calc.py::add", "text": "Add."}\n{nope\n')
    assert main(["eval", *base, str(broken)]) == 2
    assert "broken.jsonl:2: not valid JSON" in capsys.readouterr().err
    broken.write_text('{"id": "pkg/calc.py::add"}\n')
    assert main(["eval", *base, str(broken)]) == 2
    assert "broken.jsonl:1: field 'text' must be a string" in capsys.readouterr().err
    stray = drafts_file(tmp_path / "stray.jsonl", {"pkg/calc.py::nosuch": "Text."})
    assert main(["eval", *base, str(stray)]) == 2
    assert "are not cases of the datasets" in capsys.readouterr().err


def test_compare_exits_1_when_significantly_worse(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run worse on the paired test fails --compare with effect and p; an equal run passes."""
    cases = [c for n in range(4) for c in make_cases(path=f"pkg/calc{n}.py")]
    ds = write_jsonl(tmp_path / "many.jsonl", cases)
    base = [str(ds), "--repo", str(repo), "--drafts"]
    first = tmp_path / "first.json"
    refs = {c["id"]: c["reference"] for c in cases}
    good = drafts_file(tmp_path / "g.jsonl", refs)
    assert main(["eval", *base, str(good), "--format", "json", "--out", str(first)]) == 0
    capsys.readouterr()
    assert main(["eval", *base, str(good), "--compare", str(first)]) == 0
    assert "not significantly worse" in capsys.readouterr().err
    todo = drafts_file(tmp_path / "todo.jsonl", dict.fromkeys(refs, "TODO."))
    assert main(["eval", *base, str(todo), "--compare", str(first)]) == 1
    captured = capsys.readouterr()
    assert "significantly worse than" in captured.err
    assert "p = " in captured.err and "d_z" in captured.err
    assert "d_z" in captured.out  # the comparison table shows effect and p too


def test_regression_check_needs_significance() -> None:
    """A small, noisy drop is not a failure; a consistent one is."""
    noisy = [0.1, -0.12, 0.05, -0.08, 0.02, -0.04]
    assert sign_flip_p(noisy) > 0.05
    consistent = [-0.2] * 12
    assert sign_flip_p(consistent) < 0.01
    assert sign_flip_p([0.0] * 5) == 1.0
    assert effect_size([-0.1, -0.2, -0.3]) < 0
    row = {"delta": -0.2, "ci": [-0.3, -0.1], "p": 0.001, "effect": -2.0, "n": 12}
    assert not check_regression({"base": "b", "deltas": {"score": row}}).passed
    row = {**row, "p": 0.2}
    assert check_regression({"base": "b", "deltas": {"score": row}}).passed


class _Fake:
    """A provider stand-in with the identity fields the cache key reads."""

    def __init__(self, name: str, model: str, base_url: str = "") -> None:
        self.name, self.model, self.base_url = name, model, base_url


def test_cache_key_names_provider_model_endpoint_and_repeat() -> None:
    """Drafts are reused only by the same provider, model and endpoint (and repeat index)."""
    a = cache_namespace(_Fake("anthropic", "m1", "https://api.anthropic.com"))  # type: ignore[arg-type]
    assert a == cache_namespace(_Fake("anthropic", "m1", "https://api.anthropic.com"))  # type: ignore[arg-type]
    others = [
        _Fake("openai", "m1", "https://api.anthropic.com"),
        _Fake("anthropic", "m2", "https://api.anthropic.com"),
        _Fake("anthropic", "m1", "http://127.0.0.1:9"),
    ]
    assert all(cache_namespace(o) != a for o in others)  # type: ignore[arg-type]
    assert cache_namespace(_Fake("anthropic", "m1", "https://api.anthropic.com"), 1) != a  # type: ignore[arg-type]


def test_cache_key_changes_with_prompt_and_drafter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new prompt hash or a changed drafting engine drafts again."""
    import docagent.eval.runner as runner

    before = cache_namespace(OfflineProvider())
    monkeypatch.setattr(runner, "prompt_version", lambda: "0" * 12)
    assert cache_namespace(OfflineProvider()) != before
    monkeypatch.undo()
    monkeypatch.setattr(runner, "drafter_version", lambda: "f" * 12)
    assert cache_namespace(OfflineProvider()) != before


def test_no_cache_and_repeat_through_the_sdk(
    repo: Path,
    tmp_path: Path,
    messages_server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Through the real SDK: a rerun hits the cache, --no-cache calls the model again,
    --repeat N drafts N times and reports mean and spread."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.url)
    add_case = [c for c in make_cases() if c["qualname"] == "add"]
    ds = write_jsonl(tmp_path / "add.jsonl", add_case)
    argv = [str(ds), "--provider", "anthropic", "--model", "claude-test", "--repo", str(repo)]
    assert run_json(capsys, *argv)[0] == 0
    calls = len(messages_server.calls("/v1/messages"))
    run_json(capsys, *argv)
    assert len(messages_server.calls("/v1/messages")) == calls
    run_json(capsys, *argv, "--no-cache")
    assert len(messages_server.calls("/v1/messages")) == calls + 1
    rc, doc, _ = run_json(capsys, *argv, "--repeat", "2", "--no-cache")
    assert rc == 0 and len(messages_server.calls("/v1/messages")) == calls + 3
    assert doc["repeat"]["n"] == 2 and len(doc["repeat"]["scores"]) == 2
    assert doc["repeat"]["sd"] >= 0
    assert main(["eval", *argv, "--repeat", "0"]) == 2
    assert "--repeat must be at least 1" in capsys.readouterr().err


def test_repeat_offline_table(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The table states the spread of repeated runs (0 for the deterministic drafter)."""
    assert main(["eval", "--provider", "offline", "--repeat", "2", "--repo", str(repo)]) == 0
    assert "repeated 2 times" in capsys.readouterr().out


def test_rejected_text_scores_as_a_negative(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exported rejection: a draft equal to the rejected text scores 0, a different one
    keeps its score (rejections used to raise a suite's score)."""
    add = next(c for c in make_cases() if c["qualname"] == "add")
    text = (
        "Add two numbers, left operand first, as the + operator would.\n\n"
        "Args:\n    a: Left.\n    b: Right.\n\nReturns:\n    Their sum."
    )
    negative = {k: v for k, v in add.items() if k != "reference"}
    same = {**negative, "id": "neg-same", "decision": "reject", "draft": text}
    other = {**negative, "id": "neg-other", "decision": "reject", "draft": "Multiply matrices."}
    ds = write_jsonl(tmp_path / "neg.jsonl", [same, other])
    drafts = drafts_file(tmp_path / "d.jsonl", {"neg-same": text, "neg-other": text})
    rc, doc, _ = run_json(capsys, str(ds), "--drafts", str(drafts), "--repo", str(repo))
    by_id = {r["id"]: r for r in doc["results"]}
    assert by_id["neg-same"]["metrics"]["unlike_rejected"] == 0.0
    assert by_id["neg-same"]["score"] == 0.0
    assert by_id["neg-other"]["metrics"]["unlike_rejected"] == 1.0
    assert by_id["neg-other"]["score"] > 0.3
