"""The effort level is recorded with each draft in the decision log and reports slice by it."""

from __future__ import annotations

import json

import pytest
from servers import MessagesServer

from docagent.batch import run_batch
from docagent.cli import main


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    """A loopback Messages API server; the SDK is pointed at it."""
    with MessagesServer(from_prompt=True, model="claude-sonnet-4-6") as srv:
        for k, v in srv.env().items():
            monkeypatch.setenv(k, v)
        yield srv


def test_report_slices_by_effort(repo_factory, server, capsys) -> None:
    """Drafts made with effort low and with none are two slices of `report --by effort`."""
    root = repo_factory({"m.py": '"""M."""\n\n\ndef f(a):\n    return a\n'})
    run_batch(root, provider="anthropic", model="claude-sonnet-4-6", progress=False, quiet=True)
    assert all(r.json["output_config"]["effort"] == "low" for r in server.calls("/v1/messages"))
    (root / "m.py").write_text('"""M."""\n\n\ndef f(a):\n    return a + 1\n')
    (root / "pyproject.toml").write_text('[tool.docagent]\neffort = "off"\n')
    run_batch(root, provider="anthropic", model="claude-sonnet-4-6", progress=False, quiet=True)
    assert "effort" not in server.calls("/v1/messages")[-1].json["output_config"]
    capsys.readouterr()
    assert main(["report", "--format", "json", "--by", "effort", "--repo", str(root)]) == 0
    slices = json.loads(capsys.readouterr().out)["slices"]["effort"]
    assert sorted((s["key"], s["drafts"]) for s in slices) == [("(none)", 1), ("low", 1)]
