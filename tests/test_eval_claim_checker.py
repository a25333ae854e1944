"""The LLM claim checker, through the real anthropic SDK against the loopback Messages API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import MessagesServer, Recorded, Reply, message_body
from test_eval_cli import MODULE, make_cases, run_json, write_jsonl

from docagent.eval.claim_checker import claims_prompt
from docagent.store import Store

ADD = "pkg/calc.py::add"
#: ValueError is a builtin exception library calls can raise: statics leave the claim unknown
FALSE_RAISE = """Return the sum of a and b.

Args:
    a: The first number.
    b: The second number.

Returns:
    The sum.

Raises:
    ValueError: If a is negative.
"""


class ClaimsServer(MessagesServer):
    """Answers claim-checker requests: every listed claim gets the scripted verdict."""

    def __init__(self) -> None:
        """Start with every claim judged false."""
        super().__init__()
        self.verdict = "false"
        self.raw: str | None = None

    def route(self, rec: Recorded) -> Reply:
        """One verdict per numbered claim of the request (or the scripted raw text)."""
        if self.raw is not None:
            return Reply(200, message_body(self.raw, model="claude-haiku-4-5"))
        text = (rec.json or {}).get("messages", [{}])[0].get("content", "")
        listed = re.findall(r"^(\d+)\. (.+)$", text.split("Claims to check", 1)[-1], re.M)
        verdicts = [
            {"id": int(i), "verdict": self.verdict, "reason": f"{claim} is not in the code"}
            for i, claim in listed
        ]
        body = message_body(json.dumps({"verdicts": verdicts}), model="claude-haiku-4-5")
        return Reply(200, body)


@pytest.fixture
def claims_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClaimsServer]:
    """A running server; the SDK is pointed at it with a dummy key."""
    server = ClaimsServer()
    for k, v in server.env().items():
        monkeypatch.setenv(k, v)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def setup(repo_factory, tmp_path: Path) -> tuple[Path, list[str]]:
    """A repository, and the eval arguments that score FALSE_RAISE as add's docstring."""
    repo = repo_factory({"pkg/calc.py": MODULE})
    dataset = write_jsonl(tmp_path / "calc.jsonl", make_cases())
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text(json.dumps({"id": ADD, "text": FALSE_RAISE}) + "\n")
    return repo, [str(dataset), "--repo", str(repo), "--drafts", str(drafts)]


def _add(doc: dict) -> dict:
    return next(r for r in doc["results"] if r["id"] == ADD)


def test_false_claim_statics_cannot_decide_is_marked_false_and_cached(
    setup: tuple[Path, list[str]],
    claims_server: ClaimsServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Statics leave "Raises ValueError" open; the model says false, the score drops, the call is
    logged with its usage and cost, and a second run answers from the cache (no request)."""
    repo, args = setup
    rc, static, _ = run_json(capsys, *args)
    assert rc == 0 and _add(static)["metrics"]["truthfulness"] == 1.0
    assert claims_server.calls("/v1/messages") == []  # no model without --claims-model

    rc, checked, err = run_json(capsys, *args, "--claims-model", "claude-haiku-4-5")
    assert rc == 0 and "checked by claude-haiku-4-5" in err
    result = _add(checked)
    assert result["metrics"]["truthfulness"] == 0.5
    assert result["score"] < _add(static)["score"]
    assert any(n.startswith("raises ValueError: model:") for n in result["notes"]["invented"])
    (request,) = claims_server.calls("/v1/messages")
    body = request.json
    assert body["model"] == "claude-haiku-4-5"
    assert body["system"][0]["text"] == claims_prompt()
    assert "0. raises ValueError" in body["messages"][0]["content"]
    assert body["output_config"]["format"]["type"] == "json_schema"

    with Store.open(repo) as store:
        (call,) = [c for c in store.calls() if c.model == "claude-haiku-4-5"]
        assert call.run_id == checked["run"]
        assert (call.status, call.tokens_in, call.tokens_out) == ("ok", 1000, 200)
        assert call.cost_usd == pytest.approx((1000 * 1.0 + 200 * 5.0) / 1e6)
        assert call.request_id

    rc, again, _ = run_json(capsys, *args, "--claims-model", "claude-haiku-4-5")
    assert rc == 0 and len(claims_server.calls("/v1/messages")) == 1  # cached
    assert _add(again)["score"] == result["score"]
    assert (repo / ".docagent" / "claims-cache.json").is_file()

    rc, other, _ = run_json(capsys, *args, "--claims-model", "claude-sonnet-4-6")
    assert len(claims_server.calls("/v1/messages")) == 2  # the model is part of the key


def test_true_verdict_and_unusable_answers_leave_the_static_score(
    setup: tuple[Path, list[str]],
    claims_server: ClaimsServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The model's answer is untrusted: prose, an unknown verdict word or an id not asked
    about changes nothing; a "true" verdict does not raise the score either."""
    _, args = setup
    rc, static, _ = run_json(capsys, *args)
    for raw in (
        "I think the claims are mostly fine.",
        json.dumps({"verdicts": [{"id": 0, "verdict": "FALSE!", "reason": "x"}]}),
        json.dumps({"verdicts": [{"id": 7, "verdict": "false", "reason": "x"}]}),
    ):
        claims_server.raw = raw
        rc, doc, _ = run_json(capsys, *args, "--claims-model", "claude-haiku-4-5", "--no-cache")
        assert rc == 0 and _add(doc)["score"] == _add(static)["score"], raw
    claims_server.raw = None
    claims_server.verdict = "true"
    rc, doc, _ = run_json(capsys, *args, "--claims-model", "claude-haiku-4-5")
    assert _add(doc)["score"] == _add(static)["score"]


def test_claims_model_needs_a_key(
    setup: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Without ANTHROPIC_API_KEY, --claims-model is a one-line usage error, not a silent skip."""
    _, args = setup
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    rc, doc, err = run_json(capsys, *args, "--claims-model", "claude-haiku-4-5")
    assert rc == 2 and doc == {}
    assert "--claims-model uses Anthropic: set ANTHROPIC_API_KEY" in err


def test_claims_model_while_drafting(
    setup: tuple[Path, list[str]],
    claims_server: ClaimsServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With a drafter, every draft's undecided claims go to the checker too; the offline
    drafter writes only claims statics decide, so it asks nothing and scores as before."""
    repo, args = setup
    base = [args[0], "--repo", str(repo), "--provider", "offline"]
    rc, plain, _ = run_json(capsys, *base)
    rc2, checked, _ = run_json(capsys, *base, "--claims-model", "claude-haiku-4-5")
    assert rc == rc2 == 0 and checked["score"] == plain["score"]
    assert claims_server.calls("/v1/messages") == []
