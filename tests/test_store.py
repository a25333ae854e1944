"""Decision log store: location, schema, round trips, undo, cache, upgrade, threads, secrets."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from docagent.draft.cache import cache_key
from docagent.errors import DocagentError
from docagent.store import (
    SCHEMA_VERSION,
    DraftRecord,
    Store,
    StoreError,
)

FIXTURES = Path(__file__).parent / "fixtures" / "store"
FAKE_KEY = "sk-ant-api03-FAKEFAKEFAKE0123456789abcdefXYZ"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _draft(path: str = "pkg/mod.py", qualname: str = "f", **kw: object) -> DraftRecord:
    kw.setdefault("text", "Do the thing.")
    kw.setdefault("kind", "function")
    return DraftRecord(path=path, qualname=qualname, **kw)  # type: ignore[arg-type]


def test_open_creates_db_in_repo_and_excludes_it(repo: Path, monkeypatch) -> None:
    monkeypatch.delenv("DOCAGENT_DB", raising=False)
    with Store.open(repo) as store:
        assert store.path == repo / ".docagent" / "docagent.db"
        assert store.schema_version == SCHEMA_VERSION
    assert (repo / ".docagent" / "docagent.db").is_file()
    exclude = (repo / ".git" / "info" / "exclude").read_text()
    assert ".docagent/" in exclude.splitlines()
    assert not (repo / ".gitignore").exists()
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert ".docagent" not in status
    conn = sqlite3.connect(repo / ".docagent" / "docagent.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_docagent_db_env_overrides_location(repo: Path, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "elsewhere" / "log.db"
    monkeypatch.setenv("DOCAGENT_DB", str(target))
    assert not Store.exists(repo)
    with Store.open(repo) as store:
        assert store.path == target
    assert target.is_file()
    assert Store.exists(repo)
    assert not (repo / ".docagent").exists()


def test_db_setting_in_pyproject(repo: Path, monkeypatch) -> None:
    monkeypatch.delenv("DOCAGENT_DB", raising=False)
    (repo / "pyproject.toml").write_text('[tool.docagent]\ndb = "logs/decisions.db"\n')
    with Store.open(repo) as store:
        assert store.path == repo / "logs" / "decisions.db"
    assert "logs/" in (repo / ".git" / "info" / "exclude").read_text().splitlines()


def test_round_trip_runs_drafts_decisions_calls(open_store) -> None:
    with open_store() as store:
        run = store.start_run("batch", "anthropic", "claude-x", "p1", {"style": "google"})
        checks = [{"name": "params", "ok": False, "detail": "x undocumented"}]
        did = store.record_draft(
            run,
            _draft(
                kind="method",
                qualname="A.f",
                code_sha="abc",
                style="google",
                checks=checks,
                context={"target": "def f(x): ..."},
                structured={"summary": "Do the thing."},
                tokens_in=120,
                tokens_out=30,
                cache_read_tokens=100,
                cost_usd=0.0042,
                latency_ms=812,
                source="class A:\n    def f(self, x): ...\n",
            ),
        )
        store.record_call(
            run,
            provider="anthropic",
            model="claude-x",
            request_id="req_1",
            draft_id=did,
            tokens_in=120,
            duration_ms=800,
        )
        store.record_decision(did, "edit", "Do the thing well.", "", "ann@x", 5300)
        store.end_run(run, drafted=1, cost_usd=0.0042)

        d = store.draft(did)
        assert d is not None and d.checks == checks and not d.checks_ok
        assert d.context == {"target": "def f(x): ..."} and d.structured["summary"]
        assert d.source and d.source.startswith("class A")
        (rev,) = store.decisions()
        assert (rev.decision, rev.final_text, rev.draft_text) == (
            "edit",
            "Do the thing well.",
            "Do the thing.",
        )
        assert (rev.kind, rev.model, rev.prompt_version, rev.style, rev.mode) == (
            "method",
            "claude-x",
            "p1",
            "google",
            "batch",
        )
        assert rev.review_ms == 5300 and rev.reviewer == "ann@x" and rev.cost_usd == 0.0042
        assert rev.day == rev.decided_at[:10]
        (entry,) = store.latest()
        assert entry.decision == "edit" and entry.calls[0].request_id == "req_1"
        r = store.run(run)
        assert r is not None and r.ended_at and r.summary == {"drafted": 1, "cost_usd": 0.0042}


def test_undo_cancels_previous_decision(open_store) -> None:
    with open_store() as store:
        run = store.start_run("tui")
        a = store.record_draft(run, _draft(qualname="a"))
        b = store.record_draft(run, _draft(qualname="b"))
        store.record_decision(a, "accept", reviewer="r")
        store.record_decision(a, "undo", reviewer="r")
        store.record_decision(a, "reject", reason="vague", reviewer="r")
        store.record_decision(b, "accept", reviewer="r")
        store.record_decision(b, "undo", reviewer="r")
        eff = {r.qualname: r.decision for r in store.decisions()}
        assert eff == {"a": "reject"}  # b's only decision was undone
        assert len(store.decisions(effective=False)) == 3
        assert [e.draft.qualname for e in store.latest(decision="undo")] == ["b", "a"]
        assert [e.draft.qualname for e in store.latest(decision="reject")] == ["a"]
        assert [h.decision for h in store.history(a)] == ["accept", "undo", "reject"]


def test_decision_validation(open_store) -> None:
    with open_store() as store:
        did = store.record_draft(None, _draft())
        with pytest.raises(ValueError):
            store.record_decision(did, "approve")
        with pytest.raises(DocagentError, match="no draft"):
            store.record_decision("nope", "accept")


def test_accept_defaults_final_text_and_reviewer(repo: Path, monkeypatch) -> None:
    monkeypatch.delenv("DOCAGENT_DB", raising=False)
    subprocess.run(["git", "-C", str(repo), "config", "user.email", "bo@example.com"], check=True)
    with Store.open(repo) as store:
        run = store.start_run("tui")
        did = store.record_draft(run, _draft(text="Exactly this."))
        store.record_decision(did, "accept")
        (rev,) = store.decisions()
        assert rev.final_text == "Exactly this." and rev.reviewer == "bo@example.com"
        assert rev.mode == "tui"


def test_the_reviewer_and_repository_come_from_one_git_process(
    repo: Path, monkeypatch: pytest.MonkeyPatch, git_starts: list[str]
) -> None:
    """The log's reviewer (the last ``user.email`` set, as ``git config --get`` reads it) and
    repository (``origin``, credentials dropped) are what git says, read by one process."""
    from docagent import repo as repomod

    monkeypatch.delenv("DOCAGENT_DB", raising=False)
    monkeypatch.delenv("DOCAGENT_REPO_NAME", raising=False)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True)

    git("config", "user.email", "first@example.com")
    git("config", "--add", "user.email", "last@example.com")
    git("remote", "add", "origin", "https://bot:s3cret@GitHub.com/acme/tools.git")
    git_starts.clear()
    with Store.open(repo) as store:
        assert store.repo == "github.com/acme/tools"
        assert store.default_reviewer() == "last@example.com"
    assert git_starts == ["config"]
    git("config", "--unset-all", "user.email")
    with Store.open(repo) as store:  # no user.email: the OS user, as before
        assert store.default_reviewer() == repomod.user_email(repo) != ""


def test_cached_draft_reuse_rules(open_store) -> None:
    key = cache_key("sha1", "ctx1", "p1", "m1", "google")
    assert key != cache_key("sha1", "ctx1", "p2", "m1", "google")
    with open_store() as store:
        assert store.cached_draft(key) is None
        old = store.record_draft(None, _draft(text="old", cache_key=key), at="2024-01-01")
        store.record_draft(None, _draft(text="broken", cache_key=key, error="timeout"))
        hit = store.cached_draft(key)
        assert hit is not None and hit.id == old and hit.text == "old"
        store.record_decision(old, "reject", reason="wrong", reviewer="r")
        assert store.cached_draft(key) is None
        assert store.cached_draft(key, include_rejected=True).id == old  # type: ignore[union-attr]


def test_since_filters_and_latest_path_filter(open_store) -> None:
    with open_store() as store:
        a = store.record_draft(None, _draft("pkg/a.py", "x"), at="2024-03-01T10:00:00")
        b = store.record_draft(None, _draft("pkg/sub/b.py", "y"), at="2024-03-02T10:00:00")
        c = store.record_draft(None, _draft("pkg/a_b.py", "z"), at="2024-03-03T10:00:00")
        store.record_decision(a, "accept", reviewer="r", at="2024-03-01T11:00:00")
        store.record_decision(b, "skip", reviewer="r", at="2024-03-05T11:00:00")
        store.record_decision(c, "accept", reviewer="r", at="2024-03-03T11:00:00")
        assert [r.qualname for r in store.decisions(since="2024-03-03")] == ["z", "y"]
        assert [d.qualname for d in store.drafts(since="2024-03-02")] == ["y", "z"]
        assert [e.draft.qualname for e in store.latest(path="pkg/a.py")] == ["x"]
        assert [e.draft.qualname for e in store.latest(path="pkg/sub")] == ["y"]
        assert [e.draft.qualname for e in store.latest(n=2)] == ["y", "z"]
        with pytest.raises(Exception, match="not a date"):
            store.decisions(since="last week")


def test_coverage_and_eval_runs(open_store) -> None:
    with open_store() as store:
        run = store.start_run("batch")
        store.record_coverage(run, 60.0, 75.5, total=200, documented_before=120)
        (snap,) = store.coverage()
        assert (snap.before, snap.after, snap.total, snap.run_id) == (60.0, 75.5, 200, run)
        eid = store.record_eval_run(
            0.81,
            {"completeness": 0.9},
            [{"id": "c1", "score": 0.81}],
            datasets=["evals/datasets/a.jsonl"],
            provider="offline",
            model="offline",
        )
        got = store.eval_run(eid[:6])
        assert got is not None and got.score == 0.81 and got.cases[0]["id"] == "c1"
        assert got.n_cases == 1 and got.metrics == {"completeness": 0.9}
        assert store.eval_run("latest").id == eid  # type: ignore[union-attr]
        assert store.eval_run("ffffffffffffff") is None


def test_upgrade_from_v1_keeps_every_row(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "v1.db", db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    before = {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
        for t in ("runs", "drafts", "decisions")
    }
    conn.close()
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        eff = {r.draft_id: (r.decision, r.final_text) for r in store.decisions()}
        assert eff == {
            "d1": ("accept", "Add two numbers."),
            "d2": ("accept", "A box."),
            "d3": ("reject", None),
        }
        d3 = store.draft("d3")
        assert d3 is not None and not d3.checks_ok and d3.source is None
        # the new columns and tables work on the upgraded database
        new = store.record_draft("run000000001", _draft(cache_key="k", source="x = 1\n"))
        assert store.cached_draft("k").id == new  # type: ignore[union-attr]
        store.record_call("run000000001", provider="offline", draft_id=new)
    conn = sqlite3.connect(db)
    for table, rows in before.items():
        cols = [
            d[1] for d in sqlite3.connect(FIXTURES / "v1.db").execute(f"PRAGMA table_info({table})")
        ]
        after = conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY rowid").fetchall()
        assert after[: len(rows)] == rows, table
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(db)


def test_threads_share_one_store(open_store) -> None:
    with open_store() as store:
        run = store.start_run("tui")
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(40):
                    did = store.record_draft(run, _draft(qualname=f"t{n}_{i}"))
                    store.record_decision(did, "accept", reviewer="r")
                    store.latest(3)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert len(store.decisions()) == 240


def test_corrupt_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "docagent.db"
    garbage = b"this is not sqlite\x00\xff" * 300
    db.write_bytes(garbage)
    with pytest.raises(StoreError) as info:
        Store(db)
    msg = str(info.value)
    assert str(db) in msg and "corrupt" in msg and "\n" not in msg
    assert db.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docagent.db"]


def test_damaged_sqlite_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "docagent.db"
    with Store(db) as store:
        for i in range(50):
            store.record_draft(None, _draft(qualname=f"q{i}", text="x" * 500))
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xde\xad" * ((4096 - 100) // 2)  # wreck the schema page
    db.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with pytest.raises(StoreError) as info, Store(db) as store:
        store.latest()
    assert str(db) in str(info.value) and "\n" not in str(info.value)
    assert db.read_bytes() == bytes(data)
