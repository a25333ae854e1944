"""Batch cost grows with the work, not with the repository or the log's history (issue 17).

What the user notices: a file is parsed once per run, a context pack built once, a re-run does
not load earlier drafts, proposals are flushed to disk in groups (and still in the file at once),
and the decision log keeps one copy of each file version. Timings live in benchmarks/.
"""

from __future__ import annotations

import ast
import json
import os
import sqlite3
from pathlib import Path

import pytest
from conftest import STDLIB, copy_stdlib

from docagent import batch_rerun
from docagent.batch import run_batch
from docagent.code import astfacts, pyast
from docagent.code.targets import SourceError, fingerprint_stripped, read_file, strip_docstrings
from docagent.draft import context as context_mod
from docagent.draft.symbols import Symbol, SymbolIndex, calls_in, imported_names, target_code
from docagent.store import DraftRecord, Store
from docagent.store.api import Store as StoreClass

MODULE = '''"""Helpers."""

import os
from json import dumps as to_json


def base(x):
    return x * 2


def middle(x, y=1):
    """Add.

    Args:
        x: A value.
    """
    return base(x) + y


def top(a):
    return middle(a) + len(os.sep)


class Thing:
    def __init__(self, size):
        self.size = size

    def grow(self, n):
        self.size += base(n)
        return to_json(self.size)
'''


def _batch(root: Path, **kw: object) -> dict:
    """A batch run that looks its targets up: the last run's record is removed first (a re-run
    on the same inputs replays it: tests/test_batch_rerun.py)."""
    batch_rerun.forget(root)
    return run_batch(root, provider="offline", progress=False, quiet=True, **kw)  # type: ignore[arg-type]


def _old_fingerprints(tree: ast.Module) -> tuple[str, dict[tuple[int, str], str]]:
    tree = strip_docstrings(tree)  # type: ignore[assignment]
    nodes = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            nodes[(n.lineno, n.name)] = n
    return fingerprint_stripped(tree), {k: fingerprint_stripped(v) for k, v in nodes.items()}


def _check_file(facts) -> None:  # noqa: ANN001
    found = astfacts.analyze(pyast.parse(facts.text, quiet=True), facts)
    module, by_pos = _old_fingerprints(pyast.parse(facts.text, quiet=True))
    for t in facts.targets:
        want = module if t.kind == "module" else by_pos.get((t.line, t.name))
        assert found.shas.get(t.qualname) == want, (facts.path, t.qualname)
        if t.kind != "module":
            code = target_code(facts, t)
            try:
                ast.parse(code)
            except SyntaxError:
                continue  # the old path fell back to a regular expression here
            assert found.calls[(t.line, t.name)] == calls_in(code), (facts.path, t.qualname)
    assert found.imports == frozenset(imported_names(facts.text))


def test_one_pass_gives_the_same_fingerprints_calls_and_imports(tmp_path: Path) -> None:
    """Code shas (which old logs and proposals carry), callees and imports are unchanged."""
    names = copy_stdlib(tmp_path, ["argparse.py", "dataclasses.py", "json/decoder.py", "enum.py"])
    (tmp_path / "odd.py").write_text(
        '"""Only a docstring."""\n', encoding="utf-8"
    )  # an empty module once stripped
    (tmp_path / "twice.py").write_text(
        "def f(): pass; \nclass C:\n    def f(self):\n        '''D.'''\n", encoding="utf-8"
    )
    for name in [*names, "odd.py", "twice.py"]:
        _check_file(read_file(str(tmp_path / name), name))


@pytest.mark.slow
def test_one_pass_equals_the_old_passes_on_the_whole_stdlib() -> None:
    """The single pass equals ast.dump per definition on every standard-library file."""
    for path in sorted(STDLIB.rglob("*.py")):
        rel = path.relative_to(STDLIB).as_posix()
        if rel.startswith(("site-packages/", "test/")):
            continue
        try:
            facts = read_file(str(path), rel)
            pyast.parse(facts.text, quiet=True)
        except (SourceError, SyntaxError, ValueError):
            continue
        _check_file(facts)


def test_a_run_parses_each_file_once_and_builds_each_pack_once(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Estimate and drafting share one context pack; the module AST is built once per file."""
    root = repo_factory({"pkg/core.py": MODULE, "pkg/other.py": "def lone(a):\n    return a\n"})
    texts = {(root / p).read_text() for p in ("pkg/core.py", "pkg/other.py")}
    parses: list[str] = []
    real_parse = pyast.parse

    def counting_parse(source, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if source in texts:
            parses.append(source)
        return real_parse(source, *a, **k)

    monkeypatch.setattr(pyast, "parse", counting_parse)
    built: list[str] = []
    real_build = context_mod.build_context

    def counting_build(facts, target, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        built.append(target.qualname)
        return real_build(facts, target, *a, **k)

    monkeypatch.setattr("docagent.draft.drafter.build_context", counting_build)
    summary = _batch(root, out=root / "p.jsonl")
    assert summary["drafted"] == summary["targets"] > 4
    assert sorted(parses) == sorted(texts)  # once per file, whatever asks
    # one pack per target; a caller whose callee was drafted since the estimate gets a new one
    again = [q for i, q in enumerate(built) if q in built[:i]]
    assert sorted(again) == ["Thing.grow", "middle", "top"]
    assert len(set(built)) == summary["targets"]


def test_a_rerun_reads_no_earlier_draft_in_bulk_and_reads_each_reused_draft_once(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run with nothing to do reuses every draft without loading the log's history: the
    reuse lookup is one query for the whole run, then each reused draft is read once (to write
    its record); a draft nobody decided on needs no history lookup."""
    root = repo_factory({"core.py": MODULE})
    first = _batch(root, out=root / "p.jsonl")
    assert first["drafted"] > 0

    def no_bulk(*_a: object, **_k: object) -> None:
        raise AssertionError("a re-run must not load every earlier draft")

    monkeypatch.setattr(StoreClass, "drafts", no_bulk)
    histories: list[str] = []
    reads: list[str] = []
    real_history, real_draft = StoreClass.history, StoreClass.draft

    def counting_history(self, draft_id):  # noqa: ANN001, ANN202
        histories.append(draft_id)
        return real_history(self, draft_id)

    queries: list[int] = []
    real_many = StoreClass.drafts_by_id

    def counting_draft(self, draft_id, **k):  # noqa: ANN001, ANN003, ANN202
        reads.append(draft_id)
        return real_draft(self, draft_id, **k)

    def counting_many(self, draft_ids, **k):  # noqa: ANN001, ANN003, ANN202
        reads.extend(draft_ids)
        queries.append(len(draft_ids))
        return real_many(self, draft_ids, **k)

    monkeypatch.setattr(StoreClass, "history", counting_history)
    monkeypatch.setattr(StoreClass, "draft", counting_draft)
    monkeypatch.setattr(StoreClass, "drafts_by_id", counting_many)
    monkeypatch.setattr("docagent.batch.READ_AHEAD", 3)
    again = _batch(root, out=root / "p.jsonl")
    assert again["drafted"] == 0 and again["reused"] == first["drafted"]
    assert histories == []
    assert len(reads) == len(set(reads)) == first["drafted"]
    assert queries == [3] * (first["drafted"] // 3) + (
        [first["drafted"] % 3] if first["drafted"] % 3 else []
    )


def test_proposals_are_in_the_file_at_once_and_flushed_to_disk_in_groups(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each record can be read as soon as it is handled (kill -9 keeps it); fsyncs are grouped."""
    body = "".join(f"\n\ndef f{i}(a):\n    return a + {i}\n" for i in range(30))
    root = repo_factory({"many.py": '"""Many."""\n' + body})
    out = root / "p.jsonl"
    syncs: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        syncs.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    seen: list[int] = []

    def on_draft(item, draft) -> None:  # noqa: ANN001
        lines = out.read_text(encoding="utf-8").splitlines()
        assert any(json.loads(x)["qualname"] == item.qualname for x in lines)
        seen.append(len(lines))

    summary = _batch(root, out=out, on_draft=on_draft)
    assert summary["proposed"] == 30 and len(seen) == 30
    assert len(out.read_text().splitlines()) == 30
    assert 1 <= len(syncs) < 10  # one per record before


def test_the_log_keeps_one_copy_of_each_file_version(repo_factory) -> None:
    """Drafts of one file share its stored text; each draft's source is still exact."""
    stale = MODULE.replace(
        "def base(x):\n", 'def base(x):\n    """Double.\n\n    Args:\n        y: no.\n    """\n'
    )
    root = repo_factory({"core.py": stale})
    summary = _batch(root, out=root / "p.jsonl")
    assert summary["drafted"] >= 5
    db = root / ".docagent" / "docagent.db"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM file_versions").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM drafts WHERE source IS NOT NULL").fetchone()[0] == 0
    conn.close()
    from docagent.store.export import source_without_docstring

    facts = read_file(str(root / "core.py"), "core.py")
    with Store.open(root) as store:
        for d in store.drafts():
            t = facts.target(d.qualname)
            assert t is not None
            want = (
                facts.text
                if t.docstring is None
                else source_without_docstring(
                    facts.text, t.docstring.start_byte, t.docstring.end_byte
                )
            )
            assert d.source == want, d.qualname
    assert any(d.status == "stale" for d in Store.open(root).drafts())


def test_a_file_with_a_secret_is_stored_scrubbed(tmp_path: Path) -> None:
    """A file version whose text holds a key is never stored as it is."""
    secret = "sk-ant-api03-" + "A1b2C3d4" * 4
    text = f'KEY = "{secret}"\n\n\ndef f(a):\n    return a\n'
    with Store(tmp_path / "log.db") as store:
        run = store.start_run("batch")
        draft_id = store.record_draft(
            run, DraftRecord("m.py", "f", "function", "Doc.", file_text=text, source_cut=(0, 0, ""))
        )
        row = store.draft(draft_id)
        assert row is not None and row.source is not None
        assert secret not in row.source and "[redacted]" in row.source
    conn = sqlite3.connect(tmp_path / "log.db")
    assert conn.execute("SELECT count(*) FROM file_versions").fetchone()[0] == 0
    conn.close()


def test_the_migration_moves_recorded_sources_into_file_versions(tmp_path: Path) -> None:
    """A log written before file versions keeps every draft's source, stored once."""
    from docagent.store.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for m in MIGRATIONS:
        if m.version > 4:
            break
        for statement in m.statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {m.version}")
    module = "def f(a):\n    return a\n\n\ndef g(b):\n    return b\n"
    for i, (q, src) in enumerate([("f", module), ("g", module), ("h", "x = 1\n"), ("k", None)]):
        conn.execute(
            "INSERT INTO drafts (id, created_at, path, qualname, kind, source)"
            " VALUES (?, '2026-01-01T00:00:00', 'm.py', ?, 'function', ?)",
            (f"d{i}", q, src),
        )
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert [store.draft(f"d{i}").source for i in range(4)] == [  # type: ignore[union-attr]
            module,
            module,
            "x = 1\n",
            None,
        ]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM file_versions").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM drafts WHERE source IS NOT NULL").fetchone()[0] == 0
    conn.close()


def test_the_symbol_index_keeps_names_ordered_whatever_the_insert_order() -> None:
    """Symbols added out of order are still listed by path and line; module lookups work."""

    def sym(path: str, line: int) -> Symbol:
        return Symbol(path, f"f{line}", "function", "run", line, "def run()")

    index = SymbolIndex([sym("b.py", 5), sym("a.py", 9), sym("b.py", 1), sym("a.py", 2)])
    assert [(s.path, s.line) for s in index.named("run")] == [
        ("a.py", 2),
        ("a.py", 9),
        ("b.py", 1),
        ("b.py", 5),
    ]
    index.texts.update({"pkg/sub/mod.py": "", "pkg/__init__.py": ""})
    assert index.known("sub.mod") and index.known("mod") and index.known("pkg")
    assert not index.known("ub.mod") and not index.known("nothing")


def test_a_batch_session_keeps_no_copies_of_the_files_it_changes(repo_factory) -> None:
    """Batch never undoes: accepts keep no file copies (memory stays flat), files are listed."""
    import asyncio

    from docagent.session import Session

    root = repo_factory({"m.py": MODULE})
    session = Session(root, mode="batch")
    items = session.prepare()
    for item in items[:3]:
        draft = asyncio.run(session.draft(item))
        assert session.accept(item, draft, reviewer="batch-policy").applied
    assert not session.can_undo() and session._undo == []
    assert session.changed_paths() == ["m.py"]
    session.close()


def test_scan_and_batch_do_not_import_gitpython(repo_factory) -> None:
    """Plain git commands serve the commands that only list files (start-up stays short)."""
    import subprocess
    import sys

    root = repo_factory({"m.py": MODULE})
    code = (
        "import sys\n"
        "from docagent.scan import scan\n"
        "from docagent.batch import run_batch\n"
        f"scan({str(root)!r})\n"
        f"run_batch({str(root)!r}, provider='offline', progress=False, quiet=True)\n"
        "print('git' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert proc.stdout.strip() == "False", proc.stderr


def test_a_narrowed_scan_of_one_file_leaves_the_cache_alone(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scan --since` on one changed file neither reads nor rewrites the whole cache."""
    import subprocess

    from docagent import scan as scan_mod

    files = {f"m{i}.py": f"def f{i}(a):\n    return a\n" for i in range(12)}
    root = repo_factory(files)
    scan_mod.scan(root)  # writes the cache
    cache = root / ".docagent" / scan_mod.CACHE_NAME
    assert cache.is_file()
    before = cache.read_bytes()
    (root / "m3.py").write_text("def f3(a, b):\n    return a\n")

    def no_cache(*_a: object, **_k: object) -> None:
        raise AssertionError("the cache was read")

    monkeypatch.setattr(scan_mod, "_load_cache", no_cache)
    result = scan_mod.scan(root, since="HEAD")
    assert sorted(result.files) == ["m3.py"]
    assert cache.read_bytes() == before
    monkeypatch.undo()
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    assert len(scan_mod.scan(root).files) == 12  # a whole scan still uses and updates it


def _records(out: Path) -> list[tuple[str, str, str, str]]:
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return [(r["path"], r["qualname"], r["code_sha"], r["text"]) for r in rows]


def test_a_rerun_with_nothing_to_draft_parses_no_file_and_resolves_no_call(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fingerprints come from the facts cache and only drafted items are ordered callees first:
    a no-op re-run neither parses a module with ``ast`` nor builds the call graph, and writes
    the same proposals."""
    from docagent.draft import resolve

    py2 = "def old(a):\n    return a | 0777\n"  # tree-sitter reads it, Python's parser not
    root = repo_factory(
        {"pkg/core.py": MODULE, "pkg/other.py": "def lone(a):\n    return a\n", "py2.py": py2}
    )
    out = root / "p.jsonl"
    first = _batch(root, out=out)
    assert first["drafted"] > 4
    assert ("py2.py", "old") in {(p, q) for p, q, _, _ in _records(out)}
    assert (root / ".docagent" / "facts-cache.json").is_file()
    before = _records(out)
    texts = {(root / p).read_text() for p in ("pkg/core.py", "pkg/other.py")}
    parses: list[str] = []
    real_parse = pyast.parse

    def counting_parse(source, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if source in texts:
            parses.append(source)
        return real_parse(source, *a, **k)

    def no_graph(*_a: object, **_k: object) -> None:
        raise AssertionError("nothing is drafted: no call needs resolving")

    monkeypatch.setattr(pyast, "parse", counting_parse)
    monkeypatch.setattr(resolve.Resolver, "__init__", no_graph)
    again = _batch(root, out=out)
    assert again["drafted"] == 0 and again["reused"] == first["drafted"]
    assert parses == []
    assert sorted(_records(out)) == sorted(before)
    # reused items come in file order: path, then source order
    keys = [(p, q) for p, q, _, _ in _records(out)]
    lines = {q: i for i, q in enumerate(["<module>", "base", "middle", "top", "Thing"])}
    assert keys == sorted(keys, key=lambda k: (k[0], lines.get(k[1].split(".")[0], 99), k[1]))


def test_a_changed_file_is_fingerprinted_again_and_only_its_changed_target_drafted(
    repo_factory,
) -> None:
    """The facts cache is keyed by the file's bytes: an edit is never hidden by it. The drafted
    item comes after the reused ones."""
    root = repo_factory({"core.py": MODULE})
    out = root / "p.jsonl"
    first = _batch(root, out=out)
    old = dict(((p, q), sha) for p, q, sha, _ in _records(out))
    (root / "core.py").write_text(MODULE.replace("return x * 2", "return x * 3"))
    handled: list[tuple[str, str]] = []
    again = _batch(root, out=out, on_draft=lambda item, _draft: handled.append(item.key))
    assert again["drafted"] == 1  # ``base`` changed; the rest is reused
    assert again["reused"] == first["drafted"] - 1
    records = _records(out)
    new = {(p, q): sha for p, q, sha, _ in records}
    facts = read_file(str(root / "core.py"), "core.py")
    want = astfacts.analyze(pyast.parse(facts.text, quiet=True), facts).shas
    assert new[("core.py", "base")] == want["base"] != old[("core.py", "base")]
    assert new[("core.py", "middle")] == old[("core.py", "middle")] == want["middle"]
    assert handled[-1] == ("core.py", "base")  # drafted after the reused items
    # --out ends in file order (source order here), the drafted record in its place
    assert [q for _, q, _, _ in records] == [
        "base",
        "middle",
        "top",
        "Thing",
        "Thing.__init__",
        "Thing.grow",
    ]


def test_a_damaged_foreign_or_malformed_facts_cache_is_ignored(repo_factory) -> None:
    """Whatever the cache holds, the fingerprints are the file's own: a cache with a wrong
    signature, garbage or an entry of the wrong shape is ignored and rewritten."""
    from docagent.code.factscache import CACHE_NAME, FactsCache, content_sha

    root = repo_factory({"core.py": MODULE})
    out = root / "p.jsonl"
    first = _batch(root, out=out)
    before = sorted(_records(out))
    cache = root / ".docagent" / CACHE_NAME
    head, _, body = cache.read_bytes().partition(b"\n")
    entries = json.loads(body)
    (sha,) = entries
    entries[sha][0] = {q: "0" * 16 for q in entries[sha][0]}  # other fingerprints, old MAC
    for damaged in (
        head + b"\n" + json.dumps(entries).encode(),
        b"garbage\n{",
        b"",
    ):
        cache.write_bytes(damaged)
        again = _batch(root, out=out)
        assert again["reused"] == first["drafted"] and again["drafted"] == 0
        assert sorted(_records(out)) == before
    # a well-signed entry of the wrong shape counts as not cached
    facts = read_file(str(root / "core.py"), "core.py")
    signed = FactsCache(root)
    signed._seen[content_sha(facts)] = [{"base": 7}, [], []]
    signed._changed = True
    signed.save()
    assert FactsCache.load(root).attach(facts) is False
    again = _batch(root, out=out)
    assert again["reused"] == first["drafted"] and sorted(_records(out)) == before
    assert FactsCache.load(root).attach(read_file(str(root / "core.py"), "core.py"))


def test_a_rerun_with_nothing_to_draft_reads_no_file_and_builds_no_symbol_index(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work items of a re-run come from the scan cache and the facts cache: a no-op re-run
    does not read any file with tree-sitter, parse it or index its symbols, and writes the
    same proposals. Once a file changes, its target is drafted again (reading what it needs)."""
    import docagent.session.files as session_files

    root = repo_factory({"pkg/core.py": MODULE, "pkg/other.py": "def lone(a):\n    return a\n"})
    out = root / "p.jsonl"
    first = _batch(root, out=out)
    assert first["drafted"] > 4
    before = _records(out)
    reads: list[str] = []
    parses: list[str] = []
    indexed: list[int] = []
    real_read, real_parse = session_files.read_file, pyast.parse
    real_index = SymbolIndex.from_files.__func__  # type: ignore[attr-defined]

    def counting_read(path, rel, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        reads.append(rel)
        return real_read(path, rel, *a, **k)

    def counting_parse(source, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        parses.append(source)
        return real_parse(source, *a, **k)

    def counting_index(cls, files):  # noqa: ANN001, ANN202
        indexed.append(len(files))
        return real_index(cls, files)

    monkeypatch.setattr(session_files, "read_file", counting_read)
    monkeypatch.setattr(pyast, "parse", counting_parse)
    monkeypatch.setattr(SymbolIndex, "from_files", classmethod(counting_index))
    again = _batch(root, out=out)
    assert again["drafted"] == 0 and again["reused"] == first["drafted"]
    assert (reads, parses, indexed) == ([], [], [])
    assert _records(out) == before
    # a changed file: its target is drafted from what is on disk now, with the symbol index
    (root / "pkg" / "other.py").write_text("def lone(a):\n    return a + 1\n")
    third = _batch(root, out=out)
    assert third["drafted"] == 2  # the module and ``lone``: both fingerprints changed
    assert third["reused"] == first["drafted"] - 2
    # the changed file comes from the scan's read of it (full facts), the other one is read
    # for the symbol index
    assert reads == ["pkg/core.py"] and indexed == [2]
    new = {(p, q): sha for p, q, sha, _ in _records(out)}
    old = {(p, q): sha for p, q, sha, _ in before}
    assert new[("pkg/other.py", "lone")] != old[("pkg/other.py", "lone")]
    assert {k: v for k, v in new.items() if k[0] != "pkg/other.py"} == {
        k: v for k, v in old.items() if k[0] != "pkg/other.py"
    }


def test_a_batch_draft_a_person_rejected_is_drafted_again_by_the_next_run(repo_factory) -> None:
    """The one-query reuse lookup still reads the history of a draft someone decided on: a
    rejected batch draft is never reused, the others are."""
    import asyncio

    from docagent.session import Session

    root = repo_factory({"core.py": MODULE})
    out = root / "p.jsonl"
    first = _batch(root, out=out)
    review = Session(root, mode="tui")
    item = next(i for i in review.prepare() if i.qualname == "top")
    draft = asyncio.run(review.draft(item))
    assert draft.cached  # the batch run's draft, shown for review
    review.reject(item, draft, "vague")
    review.close()
    again = _batch(root, out=out)
    assert again["drafted"] == 1 and again["reused"] == first["drafted"] - 1
    top = [r for r in _records(out) if r[:2] == ("core.py", "top")]
    assert len(top) == 1
    with Store.open(root) as store:
        assert store.history(draft.draft_id)[0].decision == "reject"


PY2 = '''"""Python 2 code (an octal literal): tree-sitter reads it, Python 3's parser does not."""


def old(a):
    return a | 0777  # shout


def helper(b):
    """Help."""
    return b
'''


def test_drafts_of_a_file_python_cannot_parse_are_reused_by_their_token_fingerprint(
    repo_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target in a file Python's parser rejects is looked up like the others (a fingerprint
    of its tokens): a re-run reads no file and builds no symbol index; a docstring or comment
    edit keeps its draft, a code edit drafts it again."""
    import docagent.session.files as session_files

    root = repo_factory({"py2.py": PY2, "pkg/core.py": MODULE})
    out = root / "p.jsonl"
    first = _batch(root, out=out)
    old = {(p, q): sha for p, q, sha, _ in _records(out)}
    assert old[("py2.py", "old")]  # fingerprinted
    reads: list[str] = []
    indexed: list[int] = []
    real_read = session_files.read_file
    real_index = SymbolIndex.from_files.__func__  # type: ignore[attr-defined]

    def counting_read(path, rel, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        reads.append(rel)
        return real_read(path, rel, *a, **k)

    def counting_index(cls, files):  # noqa: ANN001, ANN202
        indexed.append(len(files))
        return real_index(cls, files)

    monkeypatch.setattr(session_files, "read_file", counting_read)
    monkeypatch.setattr(SymbolIndex, "from_files", classmethod(counting_index))
    again = _batch(root, out=out)
    assert again["drafted"] == 0 and again["reused"] == first["drafted"]
    assert (reads, indexed) == ([], [])
    # another target's docstring and a comment change: the code did not
    (root / "py2.py").write_text(
        PY2.replace('"""Help."""', '"""Help more."""').replace("shout", "loud")
    )
    third = _batch(root, out=out)
    assert third["drafted"] == 0 and third["reused"] == first["drafted"]
    assert {(p, q): sha for p, q, sha, _ in _records(out)} == old
    # the code changes: the function is drafted again
    (root / "py2.py").write_text(PY2.replace("a | 0777", "a | 0755"))
    fourth = _batch(root, out=out)
    assert fourth["drafted"] == 1 and fourth["reused"] == first["drafted"] - 1
    new = {(p, q): sha for p, q, sha, _ in _records(out)}
    assert new[("py2.py", "old")] != old[("py2.py", "old")]
    assert new[("pkg/core.py", "base")] == old[("pkg/core.py", "base")]


def test_token_fingerprints_ignore_docstrings_comments_and_layout_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from docagent.code import token_fingerprints

    def shas(text: str) -> dict[str, str]:
        return token_fingerprints.token_shas(read_file("m.py", "m.py", text.encode()))

    source = PY2.replace('"""Python 2', "# Python 2").replace('not."""', "not.")
    base = shas(source)
    assert set(base) == {"<module>", "old", "helper"}
    assert shas(source.replace("  # shout", "")) == base
    assert shas(source.replace('"""Help."""', "'''Other words.'''")) == base
    assert shas(source.replace("a | 0777", "a  |  0777")) == base
    changed = shas(source.replace("return b", "return b + 1"))
    assert changed["helper"] != base["helper"] and changed["old"] == base["old"]
    assert changed["<module>"] != base["<module>"]
    # a file that cannot even be tokenized: each target's bytes without docstrings
    monkeypatch.setattr(token_fingerprints, "_tokens", lambda *_: None)
    raw = shas(source)
    assert raw["helper"] == shas(source.replace("Help.", "Help!"))["helper"]
    assert raw["<module>"] == shas(source.replace("Help.", "Help!"))["<module>"]
    assert raw["old"] != shas(source.replace("a | 0777", "b | 0777"))["old"]
