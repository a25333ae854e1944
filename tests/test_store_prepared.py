"""Recording a draft in two steps: its row prepared (scrubbed, serialised) where the draft is
made, then written by the process that holds the log (docagent/store/prepared.py, issue 17).

What the user notices: the log holds the same draft either way (its export source, checks,
context), nothing that looks like a credential, drafts recorded together all survive, and a
paid draft the log could not take is kept in the journal and written in later.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

import pytest

from docagent.proposals import Proposal
from docagent.store import CallRecord, DraftRecord, Store, StoreError, prepare_draft
from docagent.store.export import source_without_docstring
from docagent.store.sources import docstring_cut

FAKE_KEY = "sk-ant-api03-FAKEFAKEFAKE0123456789abcdefXYZ"
MODULE = 'def f(x):\n    """Old."""\n    return x\n\n\ndef g():\n    return 1\n'


def _record(qualname: str = "f", text: str = "New.", **kw: object) -> DraftRecord:
    start = MODULE.index('"""Old."""')
    end = start + len('"""Old."""')
    fields: dict[str, object] = {
        "path": "m.py",
        "qualname": qualname,
        "kind": "function",
        "text": text,
        "code_sha": "c0de",
        "status": "stale",
        "style": "google",
        "context": {"text": "## target\ndef f(x): ...", "tokens": 9, "hint": None},
        "structured": {"summary": text, "params": [{"name": "x", "description": "The x."}]},
        "checks": [{"name": "params", "ok": True, "detail": "", "hard": True}],
        "original_docstring": "Old.",
        "file_text": MODULE,
        "source_cut": docstring_cut(MODULE, start, end),
        "cache_key": f"key-{qualname}",
        "context_hash": "ctx",
    }
    fields.update(kw)
    return DraftRecord(**fields)  # type: ignore[arg-type]


def _row(store: Store, draft_id: str) -> dict[str, object]:
    assert store.path is not None
    with sqlite3.connect(store.path) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
    out = dict(row)
    for name in ("id", "created_at"):
        out.pop(name)
    return out


def test_a_draft_prepared_elsewhere_is_logged_as_its_record_is(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as direct, Store(tmp_path / "b.db") as split:
        run_a = direct.start_run("batch", "offline", "offline-2", "p1")
        run_b = split.start_run("batch", "offline", "offline-2", "p1")
        a = direct.record_draft(run_a, _record())
        # prepared in another process and sent over a pipe: plain data that pickles
        prepared = pickle.loads(pickle.dumps(prepare_draft(_record())))
        b = split.record_draft(run_b, prepared)
        row_a, row_b = _row(direct, a), _row(split, b)
        assert row_a.pop("run_id") == run_a and row_b.pop("run_id") == run_b
        assert row_a == row_b
        logged = split.draft(b)
        assert logged is not None
        assert logged.source == source_without_docstring(MODULE, *_span())
        assert logged.checks == [{"name": "params", "ok": True, "detail": "", "hard": True}]
        assert logged.context == {"text": "## target\ndef f(x): ...", "tokens": 9, "hint": None}
        # provider, model and prompt version left blank are the run's, as for a record
        blank = prepare_draft(_record("g", provider="", model="", prompt_version=""))
        g = split.draft(split.record_draft(run_b, blank))
        assert g is not None and (g.provider, g.model, g.prompt_version) == (
            "offline",
            "offline-2",
            "p1",
        )


def _span() -> tuple[int, int]:
    start = MODULE.index('"""Old."""')
    return start, start + len('"""Old."""')


def test_a_prepared_draft_holds_no_credential(tmp_path: Path) -> None:
    secret_module = MODULE + f'\nKEY = "{FAKE_KEY}"\n'
    record = _record(
        text=f"Use {FAKE_KEY}.",
        context={"text": f"token = '{FAKE_KEY}'", "tokens": 3},
        structured={"summary": f"Uses {FAKE_KEY}."},
        checks=[{"name": "secret", "ok": False, "detail": FAKE_KEY, "hard": True}],
        original_docstring=f"Was {FAKE_KEY}.",
        error=f"failed with {FAKE_KEY}",
        file_text=secret_module,
    )
    prepared = prepare_draft(record)
    assert FAKE_KEY.encode() not in pickle.dumps(prepared)
    with Store(tmp_path / "log.db") as store:
        run = store.start_run("batch", "offline", "offline-2", "p1")
        draft_id = store.record_draft(run, prepared)
        logged = store.draft(draft_id)
        assert logged is not None and logged.source is not None
        assert "[redacted]" in logged.source and "[redacted]" in logged.text
    data = b"".join(p.read_bytes() for p in tmp_path.glob("log.db*"))
    assert FAKE_KEY.encode() not in data


def test_drafts_recorded_together_are_all_logged_with_one_copy_of_their_file(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "log.db") as store:
        run = store.start_run("batch", "offline", "offline-2", "p1")
        records = [_record("f"), prepare_draft(_record("g")), _record("h")]
        ids = store.record_drafts(run, records)
        assert len(set(ids)) == 3
        for draft_id, name in zip(ids, "fgh", strict=True):
            logged = store.draft(draft_id)
            assert logged is not None and logged.qualname == name
            assert logged.source == source_without_docstring(MODULE, *_span())
        assert store.path is not None
        with sqlite3.connect(store.path) as conn:
            assert conn.execute("SELECT count(*) FROM file_versions").fetchone()[0] == 1
        with pytest.raises(ValueError):
            store.record_drafts(run, records, [None])


def test_a_prepared_paid_draft_the_log_cannot_take_goes_to_the_journal_and_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.db"
    store = Store(path, busy_timeout=0.2)
    run = store.start_run("batch", "anthropic", "claude", "p1")
    call = CallRecord(provider="anthropic", model="claude", status="ok", tokens_in=1000)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as info:
            store.record_paid(run, prepare_draft(_record()), call)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "unlogged.jsonl" in str(info.value) and "goes into the log" in str(info.value)
    store.close()
    with Store(path) as reopened:
        assert reopened.replay_unlogged() == 1
        calls = reopened.calls()
        assert len(calls) == 1 and calls[0].tokens_in == 1000
        logged = reopened.draft(calls[0].draft_id)
        assert logged is not None and logged.text == "New."
        assert logged.source == source_without_docstring(MODULE, *_span())


@pytest.mark.parametrize(
    "record",
    [
        {"path": "a.py", "qualname": "f", "kind": "function", "text": "T.", "status": None},
        {"path": "a.py", "qualname": "C", "kind": "class", "text": "", "checks": None},
        {"path": "a.py", "qualname": "f", "text": "T.", "draft_id": 7, "original_sha": "none"},
        {"path": "a/b.py", "qualname": "f", "text": "T.", "extra": [1], "model": "m"},
    ],
)
def test_a_record_built_in_process_is_the_record_read_from_a_file(record: dict) -> None:
    """batch writes its records without validating them again: the same record, byte for
    byte, as validating gives."""
    made, read = Proposal.from_record(dict(record)), Proposal.from_dict(dict(record))
    assert made == read and made.to_json() == read.to_json()
    assert json.loads(made.to_json()) == read.to_dict()


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"path": "a\\b.py", "qualname": "f", "text": "T."}, "backslashes"),
        ({"path": "a.py", "qualname": "", "text": "T."}, "empty"),
        ({"path": "a.py", "qualname": "f", "kind": "lambda", "text": "T."}, "kind"),
    ],
)
def test_a_record_apply_would_refuse_is_not_written(record: dict, problem: str) -> None:
    """What makes ``apply`` refuse a whole proposals file is refused for the one record."""
    with pytest.raises(ValueError, match=problem):
        Proposal.from_record(record)
