"""The optional LLM judge, against the loopback Messages API server (real SDK, no network)."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import MessagesServer, Recorded, Reply, message_body
from test_eval_cli import MODULE, make_cases, write_jsonl

from docagent.commands import eval as eval_command
from docagent.errors import DocagentError
from docagent.eval.datasets import parse_case
from docagent.eval.judge import Judge, agreement, rubric, verdict_for
from docagent.eval.runner import CaseResult, prepare


class JudgeServer(MessagesServer):
    """Answers judge requests by looking at the proposed docstring: scores are scripted."""

    def __init__(self) -> None:
        """Start with the default scores."""
        super().__init__()
        self.scores: dict[str, int] = {}
        self.default_score = 4
        self.raw: str | None = None

    def route(self, rec: Recorded) -> Reply:
        """Score by the first scripted marker found in the proposed docstring."""
        body = rec.json or {}
        text = body.get("messages", [{}])[0].get("content", "")
        proposed = text.split("Proposed docstring", 1)[-1]
        if self.raw is not None:
            return Reply(200, message_body(self.raw))
        score = next((s for k, s in self.scores.items() if k in proposed), self.default_score)
        answer = {"score": score, "reason": f"scored {score}"}
        return Reply(200, message_body(json.dumps(answer)))


@pytest.fixture
def judge_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[JudgeServer]:
    """A running judge server; the SDK is pointed at it with a dummy key."""
    server = JudgeServer()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    try:
        yield server
    finally:
        server.close()


def _prep(qualname: str = "add"):
    case = next(c for c in make_cases() if c["qualname"] == qualname)
    return prepare(parse_case(case, "t.jsonl", 1))


async def test_judge_request_and_verdicts(judge_server: JudgeServer) -> None:
    """The rubric is the cached system prompt, the answer is schema-constrained JSON, and the
    code and proposed docstring are in the user turn; scores map to metric and verdict."""
    judge = Judge("claude-judge")
    judge_server.scores = {"Bad.": 1}
    good = await judge.judge(_prep(), "Add a and b.")
    bad = await judge.judge(_prep(), "Bad.")
    await judge.aclose()
    assert (good.score, good.value, good.verdict) == (4, 0.75, "accept")
    assert (bad.score, bad.value, bad.verdict) == (1, 0.0, "reject")
    body = judge_server.calls("/v1/messages")[0].json
    assert body["model"] == "claude-judge"
    assert body["system"][0]["text"] == rubric()
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["output_config"]["format"]["type"] == "json_schema"
    user = body["messages"][0]["content"]
    assert "def add(a, b):" in user and "Add a and b." in user
    assert [verdict_for(s) for s in (1, 2, 3, 4, 5)] == [
        "reject",
        "reject",
        "edit",
        "accept",
        "accept",
    ]


@pytest.mark.parametrize("raw", ["not json at all", '{"score": 9, "reason": "x"}'])
async def test_judge_bad_answers_are_errors_not_scores(judge_server: JudgeServer, raw: str) -> None:
    """A non-JSON or out-of-range answer is an error (the case gets no judge score)."""
    judge_server.raw = raw
    judge = Judge("claude-judge")
    verdict = await judge.judge(_prep(), "Add a and b.")
    await judge.aclose()
    assert verdict.error and verdict.to_dict()["verdict"] == ""


def test_agreement_counts_exact_and_usable() -> None:
    """Exact: same outcome; usable: same accept-or-edit vs reject call."""

    def r(decision: str, verdict: str) -> CaseResult:
        return CaseResult(
            "i", "p", "q", "function", "google", [], 1.0, {}, decision=decision,
            judge_on_draft={"verdict": verdict},
        )  # fmt: skip

    got = agreement([r("accept", "accept"), r("edit", "accept"), r("reject", "edit")])
    assert got["n"] == 3
    assert got["exact"] == pytest.approx(1 / 3)
    assert got["usable"] == pytest.approx(2 / 3)
    assert got["matrix"]["reject"]["edit"] == 1
    assert agreement([])["exact"] is None


def _args(repo: Path, dataset: Path, **extra: object) -> argparse.Namespace:
    values = dict(
        datasets=[str(dataset)],
        provider="offline",
        model=None,
        gate=None,
        compare=None,
        format="json",
        out=None,
        repo=str(repo),
        judge=True,
    )
    values.update(extra)
    return argparse.Namespace(**values)


def test_eval_with_judge_reports_agreement_with_people(
    repo_factory, tmp_path: Path, judge_server: JudgeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--judge adds the judge metric and compares its verdicts on people's drafts with their
    decisions (cases exported from the decision log carry both)."""
    repo = repo_factory({"pkg/calc.py": MODULE})
    cases = {c["qualname"]: c for c in make_cases()}
    exported = []
    for qual, decision, draft in (
        ("add", "edit", "Draft for add."),
        ("evens", "reject", "Draft for evens."),
        ("Counter.bump", "accept", "Draft for bump."),
    ):
        exported.append({**cases[qual], "id": qual, "decision": decision, "draft": draft})
    dataset = write_jsonl(tmp_path / "exported.jsonl", exported)
    judge_server.scores = {"Draft for add.": 3, "Draft for evens.": 1, "Draft for bump.": 2}
    assert eval_command.run(_args(repo, dataset)) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["metrics"]["judge"] == pytest.approx(0.75)  # offline drafts scored 4
    agree = doc["judge_agreement"]
    assert agree["n"] == 3
    assert agree["exact"] == pytest.approx(2 / 3)  # bump: person accepted, judge rejected
    assert agree["matrix"]["accept"]["reject"] == 1
    assert len(judge_server.calls("/v1/messages")) == 6  # each draft + each person's draft
    assert eval_command.run(_args(repo, dataset, format="table")) == 0
    assert re.search(
        r"judge agreement with people \(n=3, 0 from the decision log\): exact 67%",
        capsys.readouterr().out,
    )


def test_judge_needs_a_key(repo_factory, tmp_path: Path) -> None:
    """Without ANTHROPIC_API_KEY, --judge is a usage error (exit 2), not a silent skip."""
    repo = repo_factory({"pkg/calc.py": MODULE})
    dataset = write_jsonl(tmp_path / "c.jsonl", make_cases()[:1])
    with pytest.raises(DocagentError, match="--judge uses Anthropic: set ANTHROPIC_API_KEY"):
        eval_command.run(_args(repo, dataset))


def test_judge_agreement_from_the_decision_log(
    repo_factory, tmp_path: Path, judge_server: JudgeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --judge, people's decisions already in the decision log are judged too."""
    from docagent.store import DraftRecord, Store

    repo = repo_factory({"pkg/calc.py": MODULE})
    cases = {c["qualname"]: c for c in make_cases()}
    with Store.open(repo) as store:
        run = store.start_run("tui", "offline", "offline-1", "pv1")
        for qual, decision in (("add", "accept"), ("evens", "reject")):
            did = store.record_draft(
                run,
                DraftRecord(
                    "pkg/calc.py",
                    qual,
                    cases[qual]["kind"],
                    text=f"Logged {qual}.",
                    style="google",
                    source=cases[qual]["source"],
                ),
            )
            store.record_decision(did, decision, None, "", "ann@example.com")
    judge_server.scores = {"Logged add.": 5, "Logged evens.": 5}
    dataset = write_jsonl(tmp_path / "plain.jsonl", make_cases()[:2])
    assert eval_command.run(_args(repo, dataset)) == 0
    agree = json.loads(capsys.readouterr().out)["judge_agreement"]
    assert (agree["n"], agree["from_log"]) == (2, 2)
    assert agree["exact"] == pytest.approx(0.5)  # the judge accepted what the person rejected
    assert agree["matrix"]["reject"]["accept"] == 1


# ----------------------------------------------------------------------------- calibration


def test_constant_judge_has_kappa_zero_despite_high_agreement() -> None:
    """A judge that always says accept agrees with people 75% of the time and has kappa 0."""
    from docagent.eval.judge import cohen_kappa, kappa_with_ci

    people = ["accept"] * 75 + ["reject"] * 15 + ["edit"] * 10
    constant = [(p, "accept") for p in people]
    assert sum(p == j for p, j in constant) / len(constant) == 0.75
    assert cohen_kappa(constant) == pytest.approx(0.0)
    kappa, (lo, hi) = kappa_with_ci(constant)
    assert kappa == pytest.approx(0.0) and lo <= 0.0 <= hi
    perfect = [(p, p) for p in people]
    assert cohen_kappa(perfect) == 1.0
    assert kappa_with_ci(perfect)[1] == (1.0, 1.0)
    assert cohen_kappa([]) is None


def test_agreement_reports_kappa_and_interval() -> None:
    """agreement() carries kappa and its interval next to the raw agreement rates."""
    from types import SimpleNamespace

    from docagent.eval.judge import agreement

    results = [
        SimpleNamespace(decision=d, judge_on_draft={"verdict": "accept"})
        for d in ["accept"] * 6 + ["reject"] * 2
    ]
    agree = agreement(results)
    assert agree["exact"] == 0.75 and agree["kappa"] == 0.0
    assert agree["kappa_ci"][0] <= 0.0 <= agree["kappa_ci"][1]
    assert agree["usable_kappa"] == 0.0


def test_judge_defaults_to_a_model_other_than_the_drafters() -> None:
    """The judge does not grade its own drafts by default."""
    from docagent.draft.providers.anthropic import default_model
    from docagent.eval.judge import default_judge_model

    drafter = default_model()
    judge = default_judge_model(drafter)
    assert judge and judge != drafter
    assert default_judge_model(judge) != judge
