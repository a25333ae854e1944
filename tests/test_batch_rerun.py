"""A batch re-run on the same inputs as the last one: the same result, without the per-target
work (docagent/batch_rerun.py, issue 17).

What the user notices: the re-run prints, logs, writes and exits exactly as a normal re-run
does; any change to a file, the settings, the drafter, the log or ``--out`` gives a normal run.
Timings live in benchmarks/batch_offline.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docagent import batch, batch_rerun
from docagent.cli import main
from docagent.store import Store

MODULE = '''"""Helpers."""


def middle(x, y=1):
    return base(x) + y


def base(x):
    return x * 2


class Thing:
    def grow(self, n):
        return base(n)
'''
OTHER = "def lone(a):\n    return a\n"
#: a record of a target that is not in the run (documented already): kept as it is
FOREIGN = {
    "path": "gone.py",
    "qualname": "old",
    "kind": "function",
    "text": "Old.",
    "status": "proposed",
}


@pytest.fixture
def normal_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that looked targets up (a normal run), not those that replayed."""
    from docagent.session import Session

    count: list[int] = []
    real = Session.prepare

    def counting(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        count.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(Session, "prepare", counting)
    return count


def _cli(root: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str):
    code = main(["batch", str(root), "--provider", "offline", "--out", str(out), *extra])
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    run_id, duration = summary.pop("run_id"), summary.pop("duration_s")
    err = [line for line in captured.err.splitlines() if not line.startswith("docagent batch:")]
    return code, summary, err, out.read_bytes(), (run_id, duration)


def _repo(repo_factory, tmp_path: Path) -> tuple[Path, Path]:
    root = repo_factory({"pkg/core.py": MODULE, "pkg/other.py": OTHER})
    out = tmp_path / "p.jsonl"
    out.write_text(json.dumps(FOREIGN) + "\n")
    return root, out


def test_an_identical_rerun_prints_logs_and_writes_what_a_normal_rerun_does(
    repo_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str], normal_runs: list[int]
) -> None:
    root, out = _repo(repo_factory, tmp_path)
    first = _cli(root, out, capsys)
    assert first[1]["drafted"] == 6 and first[0] == 0
    assert (root / ".docagent" / batch_rerun.RECORD_NAME).is_file()
    drafted = out.read_bytes()
    second = _cli(root, out, capsys)  # reuses every draft
    assert second[1]["reused"] == 6 and second[1]["drafted"] == 0
    assert len(normal_runs) == 1  # no target looked up, read or drafted
    assert second[3] == drafted  # the drafting run left --out as a re-run writes it
    third = _cli(root, out, capsys)
    assert len(normal_runs) == 1
    assert third[:4] == second[:4]  # exit code, summary, stderr, --out byte for byte
    kept = json.loads(out.read_text().splitlines()[0])  # kept, with the contract's defaults
    assert {k: kept[k] for k in FOREIGN} == FOREIGN
    # the same as a normal re-run of this state
    batch_rerun.forget(root)
    fourth = _cli(root, out, capsys)
    assert len(normal_runs) == 2 and fourth[:4] == third[:4]
    # and the same as a normal re-run after the drafting run
    (root / ".docagent" / batch_rerun.RECORD_NAME).unlink()
    out.write_bytes(drafted)
    fifth = _cli(root, out, capsys)
    assert len(normal_runs) == 3 and fifth[:4] == second[:4]
    with Store.open(root) as store:
        runs = {r.id: r for r in store.runs()}
        logged = runs[third[4][0]]
        assert logged.ended_at and logged.config == runs[second[4][0]].config
        summary = dict(logged.summary)
        assert summary.pop("duration_s") == third[4][1]
        normal = dict(runs[fourth[4][0]].summary)
        normal.pop("duration_s")
        assert summary == normal


#: the targets of :func:`_repo` in file order (path, then source order)
FILE_ORDER = [
    ("pkg/core.py", "middle"),
    ("pkg/core.py", "base"),
    ("pkg/core.py", "Thing"),
    ("pkg/core.py", "Thing.grow"),
    ("pkg/other.py", "<module>"),
    ("pkg/other.py", "lone"),
]


def _keys(data: bytes) -> list[tuple[str, str]]:
    """The targets of ``--out``'s records, in the file's order (every line must be JSON)."""
    return [(r["path"], r["qualname"]) for r in map(json.loads, data.splitlines())]


def test_a_drafting_run_leaves_out_in_file_order_and_the_first_rerun_replays_it(
    repo_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str], normal_runs: list[int]
) -> None:
    """Drafted callees first, the records end in file order (the kept one first); the very
    first re-run replays the record without writing ``--out`` at all."""
    root, out = _repo(repo_factory, tmp_path)
    first = _cli(root, out, capsys)
    assert first[1]["drafted"] == 6
    assert _keys(first[3]) == [("gone.py", "old"), *FILE_ORDER]
    before = out.stat()
    second = _cli(root, out, capsys)
    assert len(normal_runs) == 1 and second[1]["reused"] == 6 and second[0] == 0
    after = out.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert second[3] == first[3]


def test_the_record_is_left_only_when_each_line_is_its_logged_drafts_record(
    repo_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The end of a drafting run checks ``--out`` line by line against the drafts the log
    holds: a line naming another target's draft, or none, or changed in any byte, leaves
    no record for the next run to replay."""
    root, out = _repo(repo_factory, tmp_path)
    seen: list[tuple] = []
    real = batch._settled

    def keeping(*args):  # noqa: ANN002, ANN202
        seen.append(args)
        return real(*args)

    monkeypatch.setattr(batch, "_settled", keeping)
    batch.run_batch(root, provider="offline", out=out, progress=False, quiet=True)
    session, listed, items, _, kept = seen[0]
    session.store = Store.open(root)  # the run closed its own
    data = out.read_bytes()
    lines = data[len(kept) :].splitlines(keepends=True)
    ids = [json.loads(line)["draft_id"] for line in lines]
    copy = tmp_path / "copy.jsonl"

    def settled(new: bytes) -> str | None:
        copy.write_bytes(new)
        return real(session, listed, items, copy, kept)

    try:
        assert settled(data) == batch_rerun.bytes_digest(data)
        swapped = lines[0].replace(ids[0].encode(), ids[1].encode())
        assert settled(kept + swapped + b"".join(lines[1:])) is None
        no_id = json.loads(lines[0])
        del no_id["draft_id"]
        nameless = (json.dumps(no_id, ensure_ascii=False) + "\n").encode()
        assert settled(kept + nameless + b"".join(lines[1:])) is None
        spaced = lines[0].replace(b'", "', b'",  "', 1)
        assert settled(kept + spaced + b"".join(lines[1:])) is None
    finally:
        session.store.close()


def test_without_concurrency_one_the_records_still_end_in_file_order(
    repo_factory, tmp_path: Path
) -> None:
    """Whatever order the drafts finish in, ``--out`` ends in file order."""
    root, out = _repo(repo_factory, tmp_path)
    summary = batch.run_batch(
        root, provider="offline", out=out, progress=False, quiet=True, concurrency=4
    )
    assert summary["drafted"] == 6
    assert _keys(out.read_bytes()) == [("gone.py", "old"), *FILE_ORDER]


@pytest.mark.parametrize(
    ("target", "nth", "written", "ordered"),
    [
        ("docagent.proposals.append_proposal", 4, 3, False),  # three records written
        ("docagent.batch._put_in_file_order", 1, 6, False),  # before the end's rewrite
        # the writes of a run: scan cache, facts cache, --out's kept records, then the rewrite
        ("os.replace", 4, 6, False),  # the file-order copy written, not yet renamed
        ("docagent.writes._fsync_dir", 2, 6, True),  # renamed, its folder not yet synced
    ],
    ids=["mid-run", "before-rewrite", "before-rename", "after-rename"],
)
def test_a_killed_drafting_run_leaves_readable_records_and_the_rerun_completes(
    repo_factory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
    nth: int,
    written: int,
    ordered: bool,
) -> None:
    """kill -9 during a drafting run: every record written is a complete line, the foreign
    record is kept, and the next run reuses what was drafted, completes the rest and leaves
    ``--out`` in file order, which the run after it replays."""
    from killing import run_killed

    root, out = _repo(repo_factory, tmp_path)
    proc = run_killed(target, nth, ["batch", str(root), "--provider", "offline", "--out", str(out)])
    assert proc.returncode == -9, proc.stderr
    keys = _keys(out.read_bytes())  # every line parses
    assert keys[0] == ("gone.py", "old") and len(keys) == 1 + written
    assert set(keys[1:]) <= set(FILE_ORDER)
    assert (keys[1:] == FILE_ORDER) == ordered  # drafted callees first: base before middle
    code, summary, _, data, _ = _cli(root, out, capsys)
    assert code == 0 and summary["drafted"] + summary["reused"] == 6
    assert summary["reused"] >= written
    assert _keys(data) == [("gone.py", "old"), *FILE_ORDER]
    again = _cli(root, out, capsys)
    assert again[3] == data and again[1]["reused"] == 6


def test_a_replayed_run_starts_two_git_processes(
    repo_factory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    normal_runs: list[int],
    git_starts: list[str],
) -> None:
    """The replayed run asks git for the files (the scan) and, once, for the reviewer and the
    repository's remote; the git folder of a plain checkout is ``.git`` (no ``rev-parse``)."""
    root, out = _repo(repo_factory, tmp_path)
    first = _cli(root, out, capsys)
    git_starts.clear()
    again = _cli(root, out, capsys)
    assert len(normal_runs) == 1 and again[3] == first[3]
    assert sorted(git_starts) == ["config", "ls_files"]
    exclude = (root / ".git" / "info" / "exclude").read_text().splitlines()
    assert exclude.count(".docagent/") == 1


def test_a_rerun_without_out_is_replayed_too(
    repo_factory, tmp_path: Path, normal_runs: list[int]
) -> None:
    root, _ = _repo(repo_factory, tmp_path)
    results = [
        batch.run_batch(root, provider="offline", progress=False, quiet=True) for _ in range(3)
    ]
    assert len(normal_runs) == 2  # without --out only a run that reused everything is foreseen
    for r in results:
        del r["run_id"], r["duration_s"]
    assert results[2] == results[1] and results[1]["reused"] == 6


def _edit_file(root: Path, out: Path) -> None:
    (root / "pkg" / "other.py").write_text(OTHER.replace("return a", "return a + 1"))


def _edit_docstring_only(root: Path, out: Path) -> None:
    # not a code change, but the target's docstring changed: its draft is not reused
    (root / "pkg" / "other.py").write_text(OTHER.replace(":\n", ':\n    """Lone."""\n', 1))


def _edit_config(root: Path, out: Path) -> None:
    (root / "pyproject.toml").write_text('[tool.docagent]\nvisibility = "all"\n')


def _edit_out(root: Path, out: Path) -> None:
    out.write_text(out.read_text().replace("proposed", "accepted", 1))


def _remove_out(root: Path, out: Path) -> None:
    out.unlink()


def _reject(root: Path, out: Path) -> None:
    import asyncio

    from docagent.session import Session

    review = Session(root, mode="tui")
    item = next(i for i in review.prepare() if i.qualname == "middle")
    draft = asyncio.run(review.draft(item))
    review.reject(item, draft, "vague")
    review.close()


def _damage_record(root: Path, out: Path) -> None:
    path = root / ".docagent" / batch_rerun.RECORD_NAME
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"reused": 6', b'"reused": 7'))


@pytest.mark.parametrize(
    "change",
    [
        _edit_file,
        _edit_docstring_only,
        _edit_config,
        _edit_out,
        _remove_out,
        _reject,
        _damage_record,
    ],
)
@pytest.mark.parametrize("runs", [1, 2], ids=["after-drafting", "after-reusing"])
def test_any_change_gives_a_normal_run(
    repo_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str], normal_runs, change, runs
) -> None:
    root, out = _repo(repo_factory, tmp_path)
    for _ in range(runs):
        _cli(root, out, capsys)
    assert (root / ".docagent" / batch_rerun.RECORD_NAME).is_file()
    change(root, out)
    before = len(normal_runs)
    changed = _cli(root, out, capsys)
    assert len(normal_runs) == before + 1
    # what a run without any record gives on the same state
    batch_rerun.forget(root)
    again = _cli(root, out, capsys)
    assert changed[1]["targets"] == again[1]["targets"]
    assert sorted(changed[3].splitlines()) == sorted(again[3].splitlines())


def test_a_new_drafter_version_gives_a_normal_run(
    repo_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str], normal_runs, monkeypatch
) -> None:
    """A new prompt version (a new drafter) is a normal run (which finds the drafts it can
    still reuse by their full cache key)."""
    from docagent.draft import prompts

    root, out = _repo(repo_factory, tmp_path)
    for _ in range(2):
        _cli(root, out, capsys)
    real = prompts.prompt_version
    monkeypatch.setattr(prompts, "prompt_version", lambda *a, **k: real(*a, **k) + "-next")
    code, summary, *_ = _cli(root, out, capsys)
    assert code == 0 and summary["targets"] == 6 and len(normal_runs) == 2


def test_a_different_out_file_gives_a_normal_run(
    repo_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str], normal_runs
) -> None:
    root, out = _repo(repo_factory, tmp_path)
    for _ in range(2):
        _cli(root, out, capsys)
    other = tmp_path / "q.jsonl"
    code, summary, _, written, _ = _cli(root, other, capsys)
    assert len(normal_runs) == 2 and summary["reused"] == 6
    assert len(written.splitlines()) == 6


def test_runs_that_change_files_or_narrow_the_work_write_no_record(
    repo_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = _repo(repo_factory, tmp_path)
    for _ in range(2):
        _cli(root, out, capsys, "--since", "HEAD")
    assert not (root / ".docagent" / batch_rerun.RECORD_NAME).exists()
    for _ in range(2):
        _cli(root, out, capsys, "--apply")
    assert not (root / ".docagent" / batch_rerun.RECORD_NAME).exists()


def test_a_replayed_run_logs_no_credential_its_summary_holds(
    repo_factory, tmp_path: Path, capsys: pytest.CaptureFixture[str], normal_runs: list[int]
) -> None:
    """Texts of the summary found clean are not scanned again when the run is replayed; one
    holding a credential (here in the --out path) is still scrubbed from the log."""
    token = "ghp_" + "Q7xk2Lm9Pz4Rt8Vw1Ny6Bc3Hd5Fg0JsEAb12"
    root, _ = _repo(repo_factory, tmp_path)
    out = tmp_path / f"{token}.jsonl"
    runs = [_cli(root, out, capsys) for _ in range(3)]
    assert len(normal_runs) == 1 and runs[2][:4] == runs[1][:4]
    record = (root / ".docagent" / batch_rerun.RECORD_NAME).read_text()
    assert token in record  # the summary, as printed
    assert token not in json.loads(record.partition("\n")[2])["clean"]
    with Store.open(root) as store:
        logged = [json.dumps(r.summary) for r in store.runs()]
    assert len(logged) == 3 and all(token not in s and "[redacted]" in s for s in logged)


def test_the_run_after_a_paid_run_reports_what_a_normal_rerun_does(
    repo_factory, tmp_path: Path, server, normal_runs: list[int]
) -> None:
    """After a run that drafted through a model (tokens and dollars spent), the foreseen re-run
    reports nothing drafted, nothing spent and an estimate of $0, as a normal re-run does, and
    sends no request."""
    root, out = _repo(repo_factory, tmp_path)

    def run() -> dict:
        summary = batch.run_batch(
            root, provider="anthropic", out=out, progress=False, quiet=True, concurrency=1
        )
        del summary["run_id"], summary["duration_s"]
        return summary

    first = run()
    assert first["drafted"] == 6 and first["cost_usd"] > 0 and first["estimate"]["cost_usd"] > 0
    calls = sum(server.received.values())
    drafted = out.read_bytes()
    foreseen = run()
    assert len(normal_runs) == 1 and sum(server.received.values()) == calls
    written = out.read_bytes()
    (root / ".docagent" / batch_rerun.RECORD_NAME).unlink()
    out.write_bytes(drafted)
    normal = run()
    assert len(normal_runs) == 2 and sum(server.received.values()) == calls
    assert foreseen == normal and out.read_bytes() == written
    assert foreseen["cost_usd"] == 0 and foreseen["tokens"] == {"input": 0, "output": 0}
