"""`apply` reads each file version's fingerprints from the facts cache `batch` writes.

The `code_sha` guard compares a record's fingerprint with the file's. After `batch --out`, the
facts cache holds the fingerprints of the file versions it drafted from (keyed by the hash of
their bytes, signed with this user's key), so `apply` does not parse a file to fingerprint it.
An entry that is unsigned, damaged, signed by someone else or of another file version is never
used: the file is parsed, and a record whose code changed is refused either way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from applying import CHANGED, MOD, apply_all, batch_out

from docagent import signed_json
from docagent.cli import main
from docagent.code import factscache, fingerprints
from docagent.code.factscache import CACHE_NAME, content_sha
from docagent.code.file_context import FileContext
from docagent.code.targets import read_file
from docagent.scan import cache_key


def _cache_entries(root: Path) -> tuple[bytes, dict[str, Any]]:
    """The facts cache's signed header line and its entries."""
    head, _, body = (root / ".docagent" / CACHE_NAME).read_bytes().partition(b"\n")
    return head + b"\n", json.loads(body)


def _write_cache(root: Path, entries: dict[str, Any], key: bytes | None) -> None:
    """Write ``entries`` as the facts cache, signed with ``key`` (no signature when None)."""
    body = json.dumps(entries).encode()
    head = signed_json.header(factscache.TAG, key, body) if key is not None else b""
    (root / ".docagent" / CACHE_NAME).write_bytes(head + body)


def _sha(root: Path) -> str:
    return content_sha(read_file(str(root / "m.py"), "m.py"))


@pytest.mark.parametrize("dry_run", [True, False])
def test_apply_after_batch_takes_fingerprints_from_the_facts_cache(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str], dry_run: bool
) -> None:
    """The file about to be edited is not parsed for its fingerprints: Python parses only the
    edited text (the proof that only docstrings changed), and every record is applied."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    parses.clear()
    outcomes = apply_all(root, out, dry_run=dry_run)
    assert {q: o for q, (o, _) in outcomes.items()} == {"area": "applied", "perimeter": "applied"}
    assert MOD not in parses
    assert len(parses) == 1 and '"""' in parses[0].split("def area")[1]  # the edited text
    if not dry_run:
        assert (root / "m.py").read_text().count('"""') == 6


def test_without_the_cache_apply_parses_only_the_edited_text_and_applies_the_same(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    """Without the cache, the fingerprints come from the edited text's parse (the proof shows
    its code is the file's): Python parses the edited text once and the file not at all."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    (root / ".docagent" / CACHE_NAME).unlink()
    parses.clear()
    outcomes = apply_all(root, out)
    assert {q: o for q, (o, _) in outcomes.items()} == {"area": "applied", "perimeter": "applied"}
    assert MOD not in parses
    assert len(parses) == 1 and '"""' in parses[0].split("def area")[1]  # the edited text


def _forged(root: Path, fingerprints_of_draft: dict[str, str]) -> dict[str, Any]:
    """Entries claiming the current (changed) file has the drafted version's fingerprints."""
    head, entries = _cache_entries(root)
    (value,) = entries.values()
    value = [dict(fingerprints_of_draft), *value[1:]]
    return {_sha(root): value}


@pytest.mark.parametrize("how", ["old signature", "unsigned", "another key", "garbage"])
def test_a_tampered_or_foreign_entry_is_ignored_and_a_changed_record_refused(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str], how: str
) -> None:
    """A cache entry that says the changed file still has the drafted code cannot make `apply`
    write a stale record: unless this user's key signed it, it is not read."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    _, entries = _cache_entries(root)
    (drafted,) = entries.values()
    (root / "m.py").write_text(CHANGED)
    forged = _forged(root, drafted[0])
    key = cache_key()
    assert key is not None
    if how == "old signature":
        head, _ = _cache_entries(root)
        (root / ".docagent" / CACHE_NAME).write_bytes(head + json.dumps(forged).encode())
    elif how == "unsigned":
        _write_cache(root, forged, None)
    elif how == "another key":
        _write_cache(root, forged, bytes(32))
    else:
        (root / ".docagent" / CACHE_NAME).write_bytes(b"garbage\n{")
    parses.clear()
    outcomes = apply_all(root, out)
    assert outcomes["area"][0] == "refused"
    assert "the code of area changed since its draft" in outcomes["area"][1]
    assert outcomes["perimeter"][0] == "applied"
    assert parses.count(CHANGED) == 1  # fingerprinted from the file itself
    # the same forged entry signed with this user's key is read (the test's premise)
    (root / "m.py").write_text(CHANGED)
    _write_cache(root, forged, key)
    assert apply_all(root, out)["area"][0] == "applied"


def test_a_stale_entry_is_never_found_and_the_changed_record_refused(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    """The cache holds the drafted version; the file changed since: its bytes have another
    hash, so the file is fingerprinted again and the record whose code changed is refused."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    (root / "m.py").write_text(CHANGED)
    parses.clear()
    outcomes = apply_all(root, out)
    assert outcomes["area"][0] == "refused" and "changed since its draft" in outcomes["area"][1]
    assert outcomes["perimeter"][0] == "applied"
    assert parses.count(CHANGED) == 1


def test_a_cached_current_version_still_refuses_a_record_drafted_before(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    """With the changed file's own entry in the cache (a later batch run), the guard reads it
    and still refuses the record drafted from the old code."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    (root / "m.py").write_text(CHANGED)
    main(["batch", str(root), "--out", str(root.parent / "later.jsonl")])
    capsys.readouterr()
    _, entries = _cache_entries(root)
    assert _sha(root) in entries
    parses.clear()
    outcomes = apply_all(root, out)
    assert outcomes["area"][0] == "refused" and "changed since its draft" in outcomes["area"][1]
    assert outcomes["perimeter"][0] == "applied"
    assert CHANGED not in parses


def test_a_malformed_signed_entry_is_ignored(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    _write_cache(root, {_sha(root): [{"area": 7}, [], [], {}, None]}, cache_key())
    parses.clear()
    outcomes = apply_all(root, out)
    assert {q: o for q, (o, _) in outcomes.items()} == {"area": "applied", "perimeter": "applied"}
    assert MOD not in parses and len(parses) == 1  # fingerprinted from the edited text's parse


def test_a_qualname_the_entry_does_not_hold_is_fingerprinted_from_the_file() -> None:
    text = "def f(a):\n    return a\n\n\ndef g():\n    pass\n"
    facts = read_file("m.py", "m.py", text.encode())
    ctx = FileContext(facts, known_shas={"g": "cached"})
    assert ctx.code_sha("g") == "cached"
    assert ctx.code_sha("f") == FileContext(facts).code_sha("f") is not None


def test_a_cache_much_larger_than_the_files_to_edit_is_not_read(
    repo_factory: Any,
    capsys: pytest.CaptureFixture[str],
    parses: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Editing one file of a large repository does not read the whole repository's cache (it
    costs more than parsing that file); the edit is the same."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    monkeypatch.setattr(factscache, "READ_ALWAYS", 0)
    monkeypatch.setattr(factscache, "READ_RATIO", 0.5)  # the cache is larger than half of m.py
    loads: list[Path] = []
    real_load = factscache.FactsCache.load.__func__  # type: ignore[attr-defined]

    def load(cls: Any, root: Path) -> Any:
        loads.append(root)
        return real_load(cls, root)

    monkeypatch.setattr(factscache.FactsCache, "load", classmethod(load))
    parses.clear()
    outcomes = apply_all(root, out)
    assert {q: o for q, (o, _) in outcomes.items()} == {"area": "applied", "perimeter": "applied"}
    assert loads == [] and MOD not in parses and len(parses) == 1


def test_a_replaced_docstring_is_proved_with_one_parse_and_no_fingerprinting(
    repo_factory: Any,
    capsys: pytest.CaptureFixture[str],
    parses: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replacing a docstring needs the old file's docstring statements (the proof checks the
    replaced range is one): with the fingerprints cached, the old file is parsed for those
    only, never fingerprinted."""
    from docagent.code import astfacts
    from docagent.code.targets import code_shas

    documented = MOD.replace(
        "def area(width, height):\n", 'def area(width, height):\n    """Area."""\n'
    )
    root = repo_factory({"m.py": documented})
    batch_out(root, capsys)  # writes the facts cache of this version
    shas = code_shas(read_file(str(root / "m.py"), "m.py"))
    text = "Area.\n\nThe product of width and height."
    record = {"path": "m.py", "qualname": "area", "text": text, "code_sha": shas["area"]}
    out = root.parent / "hand.jsonl"
    out.write_text(json.dumps({**record, "status": "accepted"}) + "\n")
    traversals: list[object] = []
    real_facts = astfacts.tree_facts

    def tree_facts(tree: Any, **k: Any) -> Any:
        traversals.append(tree)
        return real_facts(tree, **k)

    monkeypatch.setattr(fingerprints, "tree_facts", tree_facts)
    parses.clear()
    outcomes = apply_all(root, out)
    assert outcomes["area"] == ("applied", "")
    new = '"""Area.\n\n    The product of width and height.\n    """'
    assert new in (root / "m.py").read_text()
    assert parses.count(documented) == 1 and traversals == []


def test_an_entry_of_a_file_python_rejects_is_not_read(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    """The cache keeps fingerprints of tokens for a file Python's parser rejects: they are
    never taken for the code's (a forged one could not make a changed record pass)."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    _, entries = _cache_entries(root)
    (drafted,) = entries.values()
    (root / "m.py").write_text(CHANGED)
    value = [dict(drafted[0]), *drafted[1:4], "invalid syntax (m.py, line 1)"]
    _write_cache(root, {_sha(root): value}, cache_key())
    parses.clear()
    outcomes = apply_all(root, out)
    assert outcomes["area"][0] == "refused" and "changed since its draft" in outcomes["area"][1]
    assert parses.count(CHANGED) == 1
