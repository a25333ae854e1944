"""Copying a local SQLite log into the shared store: everything arrives, once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import PG_ROLE_PASSWORD, git

from docagent.cli import main
from docagent.store import CallRecord, DraftRecord, Store

FIXTURES = Path(__file__).parent / "fixtures" / "store"
MODULE = "def f(x):\n    return x\n\n\ndef g():\n    pass\n"


def _local_log(path: Path) -> Store:
    """A local log with every kind of row: runs, stored sources, decisions with an undo,
    model calls, coverage and an eval run."""
    store = Store(path, repo="github.com/acme/app")
    store._reviewer = "dev@example.com"
    run = store.start_run("tui", "anthropic", "m1", "p1", {"style": "google"})
    ids = []
    for name in ("f", "g"):
        draft = DraftRecord(
            path="pkg/m.py",
            qualname=name,
            kind="function",
            text=f"Do {name}.",
            file_text=MODULE,
            source_cut=(0, 0, ""),
        )
        ids.append(store.record_paid(run, draft, CallRecord(request_id=f"req-{name}")))
    store.record_decision(ids[0], "accept")
    store.record_decision(ids[1], "reject", reason="wrong")
    store.record_decision(ids[1], "undo")
    store.record_decision(ids[1], "edit", final_text="Do g, carefully.")
    store.record_coverage(run, 50.0, 100.0, scope="pkg")
    store.record_eval_run(0.9, {"m": 1}, [{"case": 1}], run_id=run)
    store.end_run(run, drafted=2)
    return store


def _summary(store: Store, repo: str = "github.com/acme/app") -> dict[str, object]:
    """What the log holds of ``repo``, in the order the store returns it."""
    drafts = [d for d in store.drafts() if d.repo == repo]
    return {
        "runs": [(r.id, r.mode, r.summary) for r in store.runs() if r.repo == repo],
        "drafts": [(d.id, d.text, d.source) for d in drafts],
        "decisions": [
            (r.draft_id, r.decision, r.final_text, r.reviewer)
            for r in store.decisions()
            if r.repo == repo
        ],
        "history": [(h.decision, h.reason) for d in drafts for h in store.history(d.id)],
        "calls": [(c.draft_id, c.request_id) for c in store.calls() if c.repo == repo],
        "coverage": [(c.scope, c.before, c.after) for c in store.coverage() if c.repo == repo],
        "evals": [(e.id, e.score, e.cases) for e in store.eval_runs() if e.repo == repo],
    }


def test_copy_twice_copies_once(open_store, tmp_path: Path) -> None:
    """Everything arrives with its ids and texts; a second copy adds nothing; another
    repository's rows already in the shared store are left alone."""
    local = _local_log(tmp_path / "local.db")
    with open_store(repo="github.com/acme/other") as shared:
        shared.record_decision(
            shared.record_draft(None, DraftRecord(path="x.py", qualname="h", kind="function")),
            "accept",
            reviewer="someone@example.com",
        )
        first = shared.copy_from(local)
        assert first["drafts"] == [2, 0] and first["decisions"] == [4, 0]
        assert first["file_versions"] == [1, 0] and first["llm_calls"] == [2, 0]
        second = shared.copy_from(local)
        assert all(new == 0 for new, _ in second.values()), second
        assert second["decisions"] == [0, 4]
        assert _summary(shared) == _summary(local)
        assert all(_summary(shared).values())
        assert len(shared.decisions()) == 3  # two copied drafts and the other repository's
        # decisions made locally after the first copy arrive with the next one
        local.record_decision(local.drafts()[0].id, "undo")
        assert shared.copy_from(local)["decisions"] == [1, 4]
        assert {r.draft_id for r in shared.decisions()} == {
            r.draft_id for r in local.decisions()
        } | {d.id for d in shared.drafts() if d.repo == "github.com/acme/other"}
    local.close()


def test_old_log_rows_get_the_repository(open_store, tmp_path: Path) -> None:
    """A log from before the repository was recorded migrates in place; its rows get the
    name given to the copy."""
    old = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "v1.db", old)
    with Store(old) as local, open_store() as shared:
        before = len(local.decisions())
        assert {d.repo for d in local.drafts()} == {""}
        counts = shared.copy_from(local, "git.example.com/team/legacy")
        assert counts["drafts"][0] == len(local.drafts()) > 0
        assert len(shared.decisions()) == before
        assert {d.repo for d in shared.drafts()} == {"git.example.com/team/legacy"}
        assert {r.repo for r in shared.decisions()} == {"git.example.com/team/legacy"}


def test_store_copy_command_is_idempotent(repo_factory, pg_store_url: str, capsys) -> None:
    """`docagent store copy --to URL` twice: rows copied once; the password is never shown."""
    root = repo_factory({"m.py": MODULE})
    git(root, "remote", "add", "origin", "https://github.com/Acme/App.git")
    assert main(["batch", str(root), "--provider", "offline"]) == 0
    capsys.readouterr()
    args = ["store", "copy", "--repo", str(root), "--to", pg_store_url, "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["repo"] == "github.com/Acme/App"
    assert first["tables"]["drafts"][0] == 3 and first["tables"]["runs"] == [1, 0]  # m, f, g
    assert main(args[:-1]) == 0
    out = capsys.readouterr()
    assert "0 rows new" in out.out and PG_ROLE_PASSWORD not in out.out + out.err
    assert PG_ROLE_PASSWORD not in json.dumps(first)
    with Store(None, url=pg_store_url) as shared, Store.open(root) as local:
        assert [d.id for d in shared.drafts()] == [d.id for d in local.drafts()]
        assert len(shared.decisions()) == len(local.decisions())


def test_store_copy_needs_a_target_and_a_log(repo_factory, capsys) -> None:
    """No target or no local log: one line, exit 2."""
    root = repo_factory({"m.py": MODULE})
    assert main(["store", "copy", "--repo", str(root)]) == 2
    assert "no shared store to copy into" in capsys.readouterr().err
    url = "postgresql://u:secretpw@127.0.0.1:1/x"
    assert main(["store", "copy", "--repo", str(root), "--to", url]) == 2
    err = capsys.readouterr().err
    assert "no local decision log to copy" in err and "secretpw" not in err


def test_report_on_the_shared_store_equals_the_local_one(pg_store_url: str, tmp_path: Path) -> None:
    """The report aggregated by PostgreSQL equals the one SQLite aggregates, on every slice."""
    from docagent.report import build
    from docagent.report.compute import DIMENSIONS

    local = _local_log(tmp_path / "local.db")
    store = local
    for i in range(30):  # more decisions: every outcome, several days, an undo
        did = store.record_draft(
            None,
            DraftRecord(path=f"pkg/m{i % 3}.py", qualname=f"h{i}", kind="method", text=f"T {i}."),
            at=f"2026-01-0{1 + i % 5}T10:00:00",
        )
        decision = ("accept", "edit", "reject", "skip")[i % 4]
        final = f"T {i}, edited." if decision == "edit" else None
        store.record_decision(
            did,
            decision,
            final,
            reviewer=f"r{i % 2}@example.com",
            review_ms=900 + i,
            at=f"2026-01-0{1 + i % 5}T11:00:00",
        )
        if i % 7 == 0:
            store.record_decision(did, "undo", at=f"2026-01-0{1 + i % 5}T12:00:00")
    with Store(None, url=pg_store_url) as shared:
        shared.copy_from(local)
        dims = list(DIMENSIONS)
        theirs = build(shared, by=dims).data
    ours = build(local, by=dims).data
    local.close()
    for data in (theirs, ours):
        data.pop("generated_at", None)
    assert theirs == ours
    assert ours["overall"]["drafts"] > 30
