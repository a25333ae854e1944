"""``docagent outcomes``: what became of applied and proposed drafts in the repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.outcomes import check
from docagent.store import BATCH_REVIEWER, DraftRecord, Store

MODULE = '''"""Tools."""


def add(a, b):
    """Add a and b, returning their sum."""
    return a + b


def noop():
    """Do nothing at all, on purpose."""


def gone():
    """Soon to be deleted entirely."""


def proposed(x):
    return x
'''


def _git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose module has three docstrings batch --apply wrote, one commit."""
    monkeypatch.delenv("DOCAGENT_DB", raising=False)
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "tools.py").write_text(MODULE)
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "docstrings applied by batch")
    return root


def _log(root: Path) -> dict[str, str]:
    """Drafts: add/noop/gone applied by the batch policy, ``proposed`` only proposed."""
    ids = {}
    with Store.open(root) as store:
        run = store.start_run("batch", "offline", "m1", "pv1")
        texts = {
            "add": "Add a and b, returning their sum.",
            "noop": "Do nothing at all, on purpose.",
            "gone": "Soon to be deleted entirely.",
            "proposed": "Return x unchanged, as given.",
        }
        for i, (qual, text) in enumerate(texts.items()):
            did = store.record_draft(
                run, DraftRecord("tools.py", qual, "function", text=text), at=f"2026-01-0{i + 1}"
            )
            if qual != "proposed":
                store.record_decision(
                    did, "accept", reviewer=BATCH_REVIEWER, mode="batch", at=f"2026-01-0{i + 1}"
                )
            ids[qual] = did
    return ids


def _outcomes(root: Path) -> dict[str, tuple[str, str, float | None]]:
    with Store.open(root) as store:
        return {o.draft_id: (o.outcome, o.via, o.similarity) for o in store.outcomes()}


def test_kept_edited_removed_gone_and_applied_on_a_pull_request(repo: Path) -> None:
    ids = _log(repo)
    with Store.open(repo) as store:
        first = check(repo, store, at="2026-02-01T00:00:00+00:00")
    assert first.counts == {"kept": 3, "edited": 0, "removed": 0, "gone": 0}
    # a person edits one docstring, removes another, deletes a function and commits a PR
    # suggestion (the proposed draft's text)
    text = MODULE.replace("Add a and b, returning their sum.", "Add a and b; return the sum.")
    text = text.replace('    """Do nothing at all, on purpose."""\n', "    pass\n")
    text = text.replace('def gone():\n    """Soon to be deleted entirely."""\n\n\n', "")
    text = text.replace(
        "def proposed(x):\n", 'def proposed(x):\n    """Return x unchanged, as given."""\n'
    )
    (repo / "tools.py").write_text(text)
    _git(repo, "commit", "-qam", "review changes")
    head = _git(repo, "rev-parse", "HEAD")
    with Store.open(repo) as store:
        second = check(repo, store, at="2030-03-01T00:00:00+00:00")
    found = _outcomes(repo)
    assert found[ids["add"]][:2] == ("edited", "batch")
    assert 0.6 < (found[ids["add"]][2] or 0) < 1.0
    assert found[ids["noop"]][:2] == ("removed", "batch")
    assert found[ids["gone"]][:2] == ("gone", "batch")
    assert found[ids["proposed"]][:2] == ("kept", "pr")
    assert len(second.changed) == 4
    edited = next(o for o in second.changed if o.draft_id == ids["add"])
    assert edited.commit_sha == head  # the commit where the text changed
    assert edited.current_text == "Add a and b; return the sum."
    assert edited.changed_at[:4] != "2030"  # the commit's time, not the time of the check


def test_running_again_records_nothing_twice(repo: Path) -> None:
    ids = _log(repo)
    with Store.open(repo) as store:
        check(repo, store, at="2026-02-01T00:00:00+00:00")
        again = check(repo, store, at="2026-02-02T00:00:00+00:00")
        rows = store.outcomes()
    assert again.changed == []
    assert len(rows) == 3
    assert {o.checked_at[:10] for o in rows} == {"2026-02-02"}
    assert {o.changed_at[:10] for o in rows} == {"2026-02-01"}
    assert ids["proposed"] not in {o.draft_id for o in rows}  # never applied: no outcome


def test_a_later_change_replaces_the_standing_outcome(repo: Path) -> None:
    ids = _log(repo)
    with Store.open(repo) as store:
        check(repo, store, use_git=False)
    (repo / "tools.py").write_text(MODULE.replace("their sum.", "the total."))
    with Store.open(repo) as store:
        check(repo, store, use_git=False)
    assert _outcomes(repo)[ids["add"]][0] == "edited"
    (repo / "tools.py").write_text(MODULE)  # back to the applied text
    with Store.open(repo) as store:
        check(repo, store, use_git=False)
        rows = [o for o in store.outcomes() if o.draft_id == ids["add"]]
    assert [(o.outcome, o.current_text) for o in rows] == [("kept", None)]


def test_an_uncommitted_change_names_no_commit(repo: Path) -> None:
    ids = _log(repo)
    (repo / "tools.py").write_text(MODULE.replace("their sum.", "the total."))
    with Store.open(repo) as store:
        summary = check(repo, store)
    (changed,) = [o for o in summary.changed if o.draft_id == ids["add"]]
    assert changed.commit_sha == ""


def test_command_prints_outcomes_and_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _log(repo)
    (repo / "tools.py").write_text(MODULE.replace("their sum.", "the total."))
    assert main(["outcomes", str(repo), "--no-git"]) == 0
    out = capsys.readouterr().out
    assert "3 drafts followed: 2 kept, 1 edited, 0 removed, 0 gone" in out
    assert "edited (similarity" in out and "tools.py::add" in out
    assert main(["outcomes", "--repo", str(repo), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"]["edited"] == 1 and doc["changed"] == []


def test_command_without_a_log_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outcomes", str(repo)]) == 0
    assert "no decision log yet" in capsys.readouterr().err


def _log_with_sources(root: Path) -> dict[str, str]:
    """Like :func:`_log`, with the module source recorded (what export needs)."""
    ids = {}
    with Store.open(root) as store:
        run = store.start_run("batch", "offline", "m1", "pv1")
        for qual, text, applied in [
            ("add", "Add a and b, returning their sum.", True),
            ("noop", "Do nothing at all, on purpose.", True),
            ("gone", "Soon to be deleted entirely.", True),
            ("proposed", "Return x unchanged, as given.", False),
        ]:
            did = store.record_draft(
                run, DraftRecord("tools.py", qual, "function", text=text, source=MODULE)
            )
            if applied:
                store.record_decision(did, "accept", reviewer=BATCH_REVIEWER, mode="batch")
            ids[qual] = did
    return ids


def test_export_has_edited_survivors_removals_and_pr_suggestions(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _log_with_sources(repo)
    assert main(["export", str(repo)]) == 0
    assert capsys.readouterr().out == ""  # batch-policy accepts alone are no reference
    text = MODULE.replace("Add a and b, returning their sum.", "Add a and b; return the sum.")
    text = text.replace('    """Do nothing at all, on purpose."""\n', "    pass\n")
    text = text.replace('def gone():\n    """Soon to be deleted entirely."""\n\n\n', "")
    text = text.replace(
        "def proposed(x):\n", 'def proposed(x):\n    """Return x unchanged, as given."""\n'
    )
    (repo / "tools.py").write_text(text)
    assert main(["outcomes", str(repo), "--no-git"]) == 0
    capsys.readouterr()
    assert main(["export", str(repo)]) == 0
    cases = {c["qualname"]: c for c in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(cases) == {"add", "noop", "proposed"}  # a deleted function says nothing
    add, noop, proposed = cases["add"], cases["noop"], cases["proposed"]
    assert (add["decision"], add["reference"]) == ("edit", "Add a and b; return the sum.")
    assert add["draft"] == "Add a and b, returning their sum."
    assert "edited-after" in add["tags"] and add["metadata"]["draft_id"] == ids["add"]
    assert noop["decision"] == "reject" and "negative" in noop["tags"]
    assert noop["draft"] == "Do nothing at all, on purpose." and "reference" not in noop
    assert (proposed["decision"], proposed["reference"]) == (
        "accept",
        "Return x unchanged, as given.",
    )
    assert "pr" in proposed["tags"]
    # the inspect_ai format keeps its contract: a removal is a negative a stock scorer fails
    assert main(["export", str(repo), "--format", "inspect"]) == 0
    samples = {
        s["metadata"]["qualname"]: s for s in map(json.loads, capsys.readouterr().out.splitlines())
    }
    assert samples["noop"]["metadata"]["negative"] is True
    assert samples["add"]["target"] == "Add a and b; return the sum."


def test_report_shows_retention_pr_applied_and_repo(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _log(repo)
    _git(repo, "remote", "add", "origin", "https://bot:s3cret@github.com/acme/tools.git")
    text = MODULE.replace("Add a and b, returning their sum.", "Add a and b; return the sum.")
    text = text.replace(
        "def proposed(x):\n", 'def proposed(x):\n    """Return x unchanged, as given."""\n'
    )
    (repo / "tools.py").write_text(text)
    assert main(["report", str(repo), "--format", "json", "--by", "repo"]) == 0
    before = json.loads(capsys.readouterr().out)["overall"]
    assert before["retention_rate"] is None and before["pending"] == 1
    assert main(["outcomes", str(repo), "--no-git"]) == 0
    capsys.readouterr()
    assert main(["report", str(repo), "--format", "json", "--by", "repo"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    overall = data["overall"]
    assert overall["retention"] == {
        "followed": 4,
        "kept": 3,  # noop and gone as applied, proposed as committed on the pull request
        "edited": 1,
        "removed": 0,
        "gone": 0,
        "rate": 0.75,
    }
    assert overall["pr_applied"] == 1 and overall["pending"] == 0
    assert overall["auto_applied"] == 3 and overall["decided"] == 0  # no accept rate from these
    assert [s["key"] for s in data["slices"]["repo"]] == ["github.com/acme/tools"]
    assert "s3cret" not in out
    assert main(["report", str(repo), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| **Retention** | 75.0% kept in the repository (3 kept, 1 edited, 0 removed;" in md
    assert "| unchanged | retained |" in md  # the column appears once drafts are followed


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://user:token@github.com/org/x.git", "github.com/org/x"),
        ("git@github.com:org/x.git", "github.com/org/x"),
        ("ssh://git@gitlab.example.com:2222/team/x", "gitlab.example.com/team/x"),
        ("https://gitlab.example.com/group/sub/x/", "gitlab.example.com/group/sub/x"),
    ],
)
def test_repo_name_is_the_normalised_remote(repo: Path, url: str, name: str) -> None:
    from docagent.repo import repo_name

    assert repo_name(repo) == "repo"  # no remote: the folder's name
    _git(repo, "remote", "add", "origin", url)
    assert repo_name(repo) == name


def test_a_corrupt_log_is_one_line_and_left_untouched(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = repo / ".docagent" / "docagent.db"
    log.parent.mkdir()
    log.write_bytes(b"not a database")
    assert main(["outcomes", str(repo)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "decision log is corrupt" in err
    assert log.read_bytes() == b"not a database"
