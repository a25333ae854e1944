"""evals/check_runs.py: a prompt or model change needs a fresh recorded model run.

The loopback Messages API server stands in for the model; the real ``anthropic`` SDK talks
to it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from servers import messages_server  # noqa: F401  (fixture)
from test_eval_cli import make_cases, write_jsonl  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runs_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages_server):  # noqa: F811
    """check_runs pointed at a tiny dataset, its own baselines and runs, and the server."""
    sys.path.insert(0, str(ROOT / "evals"))
    try:
        import check_runs
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(check_runs, "DATASETS", tmp_path / "datasets")
    monkeypatch.setattr(check_runs, "BASELINES", tmp_path / "baselines")
    monkeypatch.setattr(check_runs, "RUNS", tmp_path / "runs")
    write_jsonl(tmp_path / "datasets" / "tiny.jsonl", make_cases())
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "tiny.offline.json").write_text(json.dumps({"score": 0.0}))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.url)
    return check_runs


ARGS = ["--dataset", "tiny", "--model", "claude-test"]


def test_no_run_fails_with_the_command_to_record_one(runs_gate, capsys) -> None:
    """Without a run for the current prompt hash CI fails and says how to record one."""
    assert runs_gate.main(ARGS) == 1
    out = capsys.readouterr().out
    assert "no recorded anthropic run of tiny for prompt" in out
    assert "evals/check_runs.py --record --provider anthropic --model claude-test" in out


def test_record_then_pass_then_prompt_change_fails(
    runs_gate,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages_server,  # noqa: F811
    capsys,
) -> None:
    """--record drafts through the SDK and writes prompt hash, model and per-case scores; the
    check passes for that prompt and fails as soon as the prompt hash changes."""
    assert runs_gate.main([*ARGS, "--record"]) == 0
    assert len(messages_server.calls("/v1/messages")) >= 6
    files = list((tmp_path / "runs").glob("*.json"))
    assert len(files) == 1
    run = json.loads(files[0].read_text())
    assert run["prompt_version"] == runs_gate.prompt_version()
    assert run["model"] == "claude-test" and run["provider"] == "anthropic"
    assert len(run["results"]) == 6 and all("score" in r for r in run["results"])
    assert run["drafter_version"] and run["dataset_sha256"]
    capsys.readouterr()
    assert runs_gate.main(ARGS) == 0
    assert ": ok" in capsys.readouterr().out
    monkeypatch.setattr(runs_gate, "prompt_version", lambda: "feedfacecafe")
    assert runs_gate.main(ARGS) == 1
    assert "for prompt feedfacecafe" in capsys.readouterr().out


def test_recorded_run_must_meet_the_offline_baseline(runs_gate, tmp_path: Path, capsys) -> None:
    """A run scoring below the offline drafter's baseline fails."""
    assert runs_gate.main([*ARGS, "--record"]) == 0
    (tmp_path / "baselines" / "tiny.offline.json").write_text(json.dumps({"score": 0.99}))
    assert runs_gate.main(ARGS) == 1
    assert "below the offline drafter's baseline 0.990" in capsys.readouterr().out


def test_significantly_worse_than_the_previous_prompt_fails(
    runs_gate, tmp_path: Path, capsys
) -> None:
    """Against the newest run of an earlier prompt, a significant paired drop fails."""
    cases = [c for n in range(4) for c in make_cases(path=f"pkg/calc{n}.py")]
    write_jsonl(tmp_path / "datasets" / "tiny.jsonl", cases)
    assert runs_gate.main([*ARGS, "--record"]) == 0
    current = json.loads(next((tmp_path / "runs").glob("*.json")).read_text())
    better = {
        **current,
        "prompt_version": "0ldpr0mpt000",
        "recorded_at": "2020-01-01T00:00:00+00:00",
        "results": [{**r, "score": min(1.0, r["score"] + 0.3)} for r in current["results"]],
    }
    (tmp_path / "runs" / "old.json").write_text(json.dumps(better))
    assert runs_gate.main(ARGS) == 1
    out = capsys.readouterr().out
    assert "significantly worse than old.json" in out and "p = " in out


def test_waiver_passes_loudly_for_one_prompt_only(
    runs_gate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Without model access a prompt can be waived in the commit; the next change fails."""
    assert runs_gate.main([*ARGS, "--waive", " "]) == 2
    assert runs_gate.main([*ARGS, "--waive", "no model access here"]) == 0
    waivers = json.loads((tmp_path / "runs" / "waivers.json").read_text())
    assert [w["reason"] for w in waivers.values()] == ["no model access here"]
    capsys.readouterr()
    assert runs_gate.main(ARGS) == 0
    assert "NOT MEASURED" in capsys.readouterr().out
    monkeypatch.setattr(runs_gate, "prompt_version", lambda: "feedfacecafe")
    assert runs_gate.main(ARGS) == 1
    assert "--waive" in capsys.readouterr().out
