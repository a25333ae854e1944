"""``docagent report``: exact numbers from decision logs with known counts, in every format."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.report.stats import edit_similarity, histogram, median, wilson
from docagent.store import DraftRecord, Store

_spec = importlib.util.spec_from_file_location(
    "report_logs", Path(__file__).parent / "fixtures" / "report" / "logs.py"
)
assert _spec is not None and _spec.loader is not None
logs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(logs)

CONTRACT_FIELDS = [
    "drafts",
    "accepted",
    "edited",
    "rejected",
    "skipped",
    "accept_rate",
    "accept_rate_ci",
    "unchanged_rate",
    "median_edit_similarity",
    "median_review_seconds",
    "cost_usd",
    "cost_per_accepted_usd",
    "tokens",
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository (no decision log yet)."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def known(repo: Path) -> Path:
    """A repository whose decision log is ``logs.build_known``."""
    logs.build_known(repo)
    return repo


def report_json(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:  # type: ignore[type-arg]
    """Run ``report --format json`` and parse stdout."""
    assert main(["report", "--format", "json", "--repo", str(repo), *extra]) == 0
    return json.loads(capsys.readouterr().out)


# --------------------------------------------------------------------------- stats


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (3, 4, 0.3006, 0.9544),
        (50, 100, 0.4038, 0.5962),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(k, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_of_nothing_is_zero_and_bad_counts_are_refused() -> None:
    assert wilson(0, 0) == (0.0, 0.0)
    with pytest.raises(ValueError):
        wilson(5, 4)


def test_median_similarity_and_histogram() -> None:
    assert median([]) is None
    assert median([3, 1, 2]) == 2.0
    assert median([4, 1, 3, 2]) == 2.5
    assert edit_similarity("Return x.", "Return x + 1.") == pytest.approx(1 - 4 / 22)
    assert edit_similarity("  same  ", "same") == 1.0
    assert histogram([0.0, 0.05, 0.5, 0.99, 1.0], bins=10) == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]


@pytest.mark.parametrize(
    ("decision", "draft", "final", "outcome"),
    [
        ("accept", "A.", None, "accepted"),
        ("accept", "A.", "A.\n", "accepted"),
        ("accept", "A.", "B.", "edited"),
        ("edit", "A.", "A better one.", "edited"),
        ("edit", "A.", "A.", "accepted"),
        ("reject", "A.", None, "rejected"),
        ("skip", "A.", None, "skipped"),
    ],
)
def test_outcome_is_judged_by_the_kept_text(
    repo: Path, decision: str, draft: str, final: str | None, outcome: str
) -> None:
    """Outcome is judged by the kept text (surrounding whitespace does not count)."""
    from docagent.report import build

    with Store.open(repo) as store:
        run = store.start_run("tui")
        did = store.record_draft(run, DraftRecord("m.py", "f", "function", text=draft))
        store.record_decision(did, decision, final_text=final, reviewer="ann@example.com")
        overall = build(store).data["overall"]
    assert overall[outcome] == 1 and overall["drafts"] == 1


# --------------------------------------------------------------------------- json


def test_known_log_gives_exact_overall_numbers(
    known: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = report_json(known, capsys)
    assert list(data["overall"])[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
    assert data["overall"] == logs.KNOWN["overall"]
    assert data["reasons"] == logs.KNOWN["reasons"]
    assert list(data["reasons"]) == ["vague", "too long"]  # most frequent first
    assert data["coverage"] == logs.KNOWN["coverage"]
    assert set(data) >= {"overall", "slices", "reasons", "coverage"}


def test_slices_by_model_with_small_slices_marked(
    known: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = report_json(known, capsys, "--by", "model")
    assert list(data["slices"]) == ["model"]
    a, b = data["slices"]["model"]
    assert a["key"] == "claude-a"
    assert {k: a[k] for k in ("drafts", "accepted", "edited", "rejected", "skipped")} == {
        "drafts": 12,
        "accepted": 6,
        "edited": 2,
        "rejected": 2,
        "skipped": 1,
    }
    assert a["accept_rate"] == 0.8 and a["accept_rate_ci"] == [0.4902, 0.9433]
    assert a["unchanged_rate"] == 0.6
    assert a["cost_usd"] == 0.12 and a["cost_per_accepted_usd"] == 0.015
    assert a["tokens"] == {"input": 1200, "output": 240}
    assert a["median_review_seconds"] == 30.0
    assert a["small"] is False
    assert b["key"] == "claude-b"
    assert (b["accepted"], b["rejected"], b["skipped"], b["decided"]) == (3, 1, 1, 4)
    assert b["accept_rate"] == 0.75 and b["accept_rate_ci"] == [0.3006, 0.9544]
    assert b["median_review_seconds"] is None  # batch decisions have no review time
    assert b["small"] is True
    for row in (a, b):
        assert set(CONTRACT_FIELDS) <= set(row)


def test_every_dimension_slices(known: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dims = ["model", "prompt", "kind", "style", "path", "reviewer", "mode", "day"]
    args = [x for d in dims for x in ("--by", d)]
    data = report_json(known, capsys, *args)
    assert list(data["slices"]) == dims
    keys = {d: [r["key"] for r in data["slices"][d]] for d in dims}
    assert keys["prompt"] == ["pv1", "pv2"]
    assert keys["kind"] == ["class", "function", "method"]
    assert keys["style"] == ["google", "numpy"]
    assert keys["path"] == ["pkg/a.py", "pkg/b.py", "pkg/c.py"]
    assert keys["reviewer"] == ["(pending)", "alice@example.com", "ci-bot@example.com"]
    assert keys["mode"] == ["batch", "tui"]
    assert keys["day"] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    for dim in dims:  # slices partition the drafts
        assert sum(r["drafts"] for r in data["slices"][dim]) == 17
    kinds = {r["key"]: r for r in data["slices"]["kind"]}
    assert (kinds["class"]["rejected"], kinds["class"]["skipped"]) == (2, 1)
    assert kinds["method"]["edited"] == 2 and kinds["method"]["median_edit_similarity"] == 0.8091
    days = {r["key"]: r for r in data["slices"]["day"]}
    assert days["2024-05-02"]["accept_rate"] == 0.5  # 2 edited, 2 rejected
    assert all(r["small"] for r in data["slices"]["day"])


def test_undo_cancels_the_decision_it_undoes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(repo) as store:
        run = store.start_run("tui", "offline", "m", "pv")
        once = store.record_draft(run, DraftRecord("a.py", "f", "function", text="F."))
        twice = store.record_draft(run, DraftRecord("a.py", "g", "function", text="G."))
        store.record_decision(once, "accept", review_ms=1000)
        store.record_decision(once, "undo")
        store.record_decision(twice, "accept", review_ms=1000)
        store.record_decision(twice, "undo")
        store.record_decision(twice, "reject", reason="vague", review_ms=3000)
    o = report_json(repo, capsys)["overall"]
    assert (o["drafts"], o["accepted"], o["rejected"], o["pending"]) == (2, 0, 1, 1)
    assert o["accept_rate"] == 0.0 and o["median_review_seconds"] == 3.0


def test_since_keeps_decisions_on_or_after_the_day(
    known: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = report_json(known, capsys, "--since", "2024-05-02")
    o = data["overall"]
    # a7, a8 edited; a9, a10 rejected; a11 skipped (05-02) + claude-b's five (05-03).
    assert (o["drafts"], o["accepted"], o["edited"], o["rejected"], o["skipped"]) == (
        10,
        3,
        2,
        3,
        2,
    )
    assert o["pending"] == 0  # a12 was drafted on 05-01
    assert o["accept_rate"] == 0.625
    assert data["since"] == "2024-05-02"
    assert data["coverage"] == {"before": 70.0, "after": 82.5, "snapshots": 1}
    later = report_json(known, capsys, "--since", "2030-01-01")["overall"]
    assert later["drafts"] == 0


def test_time_saved_states_method_and_range(
    known: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ts = report_json(known, capsys)["time_saved"]
    # 8 kept with measured review time, 432 s of review measured (11 decisions), 120 s baseline.
    assert ts["kept_with_measured_review"] == 8
    assert ts["decisions_with_measured_review"] == 11
    assert ts["review_seconds_measured"] == 432.0
    assert ts["estimate_seconds"] == 8 * 120 - 432
    assert ts["range_seconds"] == [8 * 60 - 432, 8 * 180 - 432]
    assert ts["writing_seconds_baseline"] == 120.0
    assert "baseline" in ts["method"] and ts["assumptions"]


def test_writing_baseline_comes_from_settings(
    known: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (known / "pyproject.toml").write_text("[tool.docagent]\nwriting_seconds_baseline = 300\n")
    ts = report_json(known, capsys)["time_saved"]
    assert ts["writing_seconds_baseline"] == 300.0
    assert ts["estimate_seconds"] == 8 * 300 - 432


# --------------------------------------------------------------------------- empty and errors


def test_no_log_is_a_friendly_message_and_does_not_create_one(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "No decisions logged yet" in out
    assert not (repo / ".docagent").exists()


def test_empty_json_is_a_valid_document_of_zeros(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--format", "json", "--by", "model", "--repo", str(repo)]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert "No decisions logged yet" in captured.err
    o = data["overall"]
    assert [o[k] for k in CONTRACT_FIELDS] == [
        0,
        0,
        0,
        0,
        0,
        0.0,
        [0.0, 0.0],
        0.0,
        None,
        None,
        0.0,
        None,
        {"input": 0, "output": 0},
    ]
    assert data["slices"] == {"model": []}
    assert data["reasons"] == {}
    assert data["coverage"] == {"before": 0.0, "after": 0.0, "snapshots": 0}


def test_log_with_drafts_but_no_decisions_counts_them_pending(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(repo) as store:
        store.record_draft(None, DraftRecord("a.py", "f", "function", text="F.", cost_usd=0.5))
    o = report_json(repo, capsys)["overall"]
    assert (o["drafts"], o["pending"], o["decided"], o["cost_usd"]) == (1, 1, 0, 0.5)
    assert o["cost_per_accepted_usd"] is None and o["small"] is True


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "html"])
def test_empty_log_in_every_format_exits_0(
    repo: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--format", fmt, "--repo", str(repo)]) == 0
    captured = capsys.readouterr()
    assert "No decisions logged yet" in captured.out + captured.err


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "05/01/2024", ""])
def test_bad_since_is_a_one_line_usage_error(
    known: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--since", bad, "--repo", str(known)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--since" in err and "YYYY-MM-DD" in err


def test_out_writes_the_file_and_bad_out_is_an_error(
    known: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    assert main(["report", "--format", "json", "--out", str(out), "--repo", str(known)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(out.read_text())["overall"]["drafts"] == 17
    bad = tmp_path / "missing" / "r.json"
    assert main(["report", "--out", str(bad), "--repo", str(known)]) == 2
    assert "--out" in capsys.readouterr().err


# --------------------------------------------------------------------------- text formats


def test_table_shows_the_numbers(known: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--by", "model", "--repo", str(known)]) == 0
    out = capsys.readouterr().out
    assert "17: 9 accepted unchanged, 2 edited, 3 rejected, 2 skipped, 1 pending" in out
    assert "78.6% (95% CI 52.4–92.4%, n=14)" in out
    assert "$0.2200 ($0.0200 per accepted)" in out
    assert "50.0% → 82.5%" in out
    assert "claude-b *" in out  # small slice marked, not hidden
    assert "49.0–94.3%" in out
    assert "too small to judge" in out
    assert "Time saved (rough estimate): about 9 min" in out


def test_table_out_file_is_plain_text(known: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.txt"
    assert main(["report", "--out", str(out), "--repo", str(known)]) == 0
    text = out.read_text()
    assert "\x1b[" not in text and "78.6%" in text


def test_markdown_rows_are_exact(known: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "markdown", "--by", "model", "--repo", str(known)]) == 0
    md = capsys.readouterr().out
    assert md.startswith("### docagent report (2024-05-01 to 2024-05-03)")
    assert "| **Accept rate** | 78.6% (95% CI 52.4–92.4%, n=14) |" in md
    assert (
        "| claude-a | 12 | 6 | 2 | 2 | 1 | 80.0% | 49.0–94.3% | 60.0% | 0.81 | 30.0s"
        " | $0.1200 | $0.0150 |" in md
    )
    assert (
        "| claude-b \\* | 5 | 3 | 0 | 1 | 1 | 75.0% | 30.1–95.4% | 75.0% | - | - | $0.1000"
        " | $0.0333 |" in md
    )
    assert "| vague | 2 |" in md and "| too long | 1 |" in md


def test_markdown_escapes_pipes_in_keys(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open(repo) as store:
        did = store.record_draft(None, DraftRecord("a.py", "f", "function", text="F."))
        store.record_decision(did, "reject", reason="a | b")
    assert main(["report", "--format", "markdown", "--repo", str(repo)]) == 0
    assert "| a \\| b | 1 |" in capsys.readouterr().out


def test_csv_rows_are_exact(known: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "csv", "--by", "model", "--repo", str(known)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["dimension"], r["key"]) for r in rows] == [
        ("overall", "all"),
        ("model", "claude-a"),
        ("model", "claude-b"),
    ]
    overall, a, b = rows
    assert overall["drafts"] == "17" and overall["accept_rate"] == "0.7857"
    assert (overall["accept_rate_ci_low"], overall["accept_rate_ci_high"]) == ("0.5241", "0.9243")
    assert overall["tokens_input"] == "2200" and overall["cost_usd"] == "0.22"
    assert a["accept_rate_ci_low"] == "0.4902" and a["small"] == "false"
    assert b["small"] == "true" and b["median_review_seconds"] == ""
    assert b["cost_per_accepted_usd"] == "0.033333"


def test_batch_policy_applies_are_not_person_accepts(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Drafts applied by the batch policy are counted apart and never raise the accept rate."""
    from docagent.store import BATCH_REVIEWER, DraftRecord, Store

    with Store.open(repo) as store:
        run = store.start_run("batch", "offline", "offline-1", "p1")
        for n in range(3):
            did = store.record_draft(run, DraftRecord("m.py", f"f{n}", "function", f"Do {n}."))
            store.record_decision(did, "accept", reviewer=BATCH_REVIEWER)
        did = store.record_draft(run, DraftRecord("m.py", "g", "function", "Do g."))
        store.record_decision(did, "reject", reason="vague", reviewer="ana@example.com")
    overall = report_json(repo, capsys)["overall"]
    assert overall["auto_applied"] == 3
    assert (overall["accepted"], overall["rejected"], overall["decided"]) == (0, 1, 1)
    assert overall["accept_rate"] == 0.0


def test_pending_counts_each_target_once(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Drafting a target again (regenerate, prefetch, another run) never counts it twice.

    Five targets drafted ten times: ``f`` three drafts, none decided (pending once); ``g`` an
    old draft then an accepted one (not pending); ``h`` rejected, drafted again, undecided
    (pending); ``k`` one undecided draft that failed (pending, failed); ``m`` drafted twice,
    then its older draft accepted (decided after the newer draft was made: not pending).
    """
    from datetime import UTC, datetime

    def at(minute: int) -> datetime:
        return datetime(2024, 5, 1, 9, minute, tzinfo=UTC)

    with Store.open(repo) as store:
        run = store.start_run("tui", "offline", "m", "pv", at=at(0))

        def draft(name: str, minute: int, error: str | None = None) -> str:
            record = DraftRecord("a.py", name, "function", text=f"{name}.", error=error)
            return store.record_draft(run, record, at=at(minute))

        for minute in (1, 2, 3):
            draft("f", minute)
        draft("g", 1)
        store.record_decision(draft("g", 2), "accept", at=at(3))
        store.record_decision(draft("h", 1), "reject", reason="vague", at=at(2))
        draft("h", 3)
        draft("k", 1, "timeout")
        older = draft("m", 1)
        draft("m", 2)
        store.record_decision(older, "accept", at=at(3))
    data = report_json(repo, capsys)
    o = data["overall"]
    assert (o["drafts"], o["pending"], o["failed"]) == (10, 3, 1)
    assert (o["accepted"], o["rejected"]) == (2, 1)
    assert main(["report", "--repo", str(repo)]) == 0
    assert "3 pending" in capsys.readouterr().out
