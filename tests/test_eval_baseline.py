"""evals/check_baseline.py: the CI gate fails on a score drop or a changed dataset."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_eval_cli import make_cases, write_jsonl

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The check_baseline module pointed at a temporary datasets/baselines pair."""
    sys.path.insert(0, str(ROOT / "evals"))
    try:
        import check_baseline
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(check_baseline, "DATASETS", tmp_path / "datasets")
    monkeypatch.setattr(check_baseline, "BASELINES", tmp_path / "baselines")
    write_jsonl(tmp_path / "datasets" / "tiny.jsonl", make_cases())
    return check_baseline


def test_record_then_pass_then_fail_on_drop(gate, tmp_path: Path, capsys) -> None:
    """--update records; an unchanged run passes; a baseline above the score fails."""
    assert gate.main(["tiny", "--update"]) == 0
    path = tmp_path / "baselines" / "tiny.offline.json"
    doc = json.loads(path.read_text())
    assert doc["cases"] == 6 and doc["tolerance"] == gate.TOLERANCE
    assert all("text" not in r for r in doc["results"])
    assert gate.main(["tiny"]) == 0
    assert ": ok" in capsys.readouterr().out
    doc["score"] += 0.01
    path.write_text(json.dumps(doc))
    assert gate.main(["tiny"]) == 1
    assert "FAILED" in capsys.readouterr().out
    doc["score"] -= 0.012  # a baseline just below the score passes
    path.write_text(json.dumps(doc))
    assert gate.main(["tiny"]) == 0


def test_changed_dataset_or_missing_baseline_fails(gate, tmp_path: Path, capsys) -> None:
    """A dataset edited after its baseline, or without one, fails until re-recorded."""
    assert gate.main(["tiny"]) == 1
    assert "no baseline" in capsys.readouterr().out
    assert gate.main(["tiny", "--update"]) == 0
    write_jsonl(tmp_path / "datasets" / "tiny.jsonl", make_cases()[:3])
    assert gate.main(["tiny"]) == 1
    assert "changed since its baseline" in capsys.readouterr().out


def test_committed_baselines_are_current() -> None:
    """The committed baselines were recorded from the committed datasets."""
    import hashlib

    for name in ("dev", "heldout"):
        base = json.loads((ROOT / "evals" / "baselines" / f"{name}.offline.json").read_text())
        data = (ROOT / "evals" / "datasets" / f"{name}.jsonl").read_bytes()
        assert base["dataset_sha256"] == hashlib.sha256(data).hexdigest()
        assert 0 < base["score"] <= 1 and base["provider"] == "offline"
