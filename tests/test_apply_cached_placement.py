"""`apply` after `batch` places docstrings from the facts cache, without tree-sitter.

`batch` keeps, per file version (keyed by the hash of its bytes, signed with this user's key),
where each definition's docstring is or would go. `apply` reads a file, finds its version's
entry and plans the edits from it: tree-sitter reads only the new literals, Python parses only
the edited text (the proof). An entry of other bytes, a tampered, foreign, malformed or
self-contradicting one is never used: the file is read with tree-sitter, as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from applying import apply_all, batch_out
from conftest import STDLIB

from docagent import signed_json
from docagent.apply_proposals import apply_proposals
from docagent.cli import main
from docagent.code import factscache
from docagent.code import parser as ts
from docagent.code.astfacts import ast_facts
from docagent.code.docstrings import docstring_sha
from docagent.code.edit import remove_docstrings
from docagent.code.factscache import CACHE_NAME, FactsCache, content_sha
from docagent.code.targets import read_file
from docagent.scan import cache_key

MOD = '''"""Shapes."""
import math


class Circle:
    def __init__(self, r):
        self.r = r

    def area(self):
        return math.pi * self.r ** 2


def area(width, height): return width * height


def perimeter(width, height):
    # the sum of the sides
    return 2 * (width + height)
'''


@pytest.fixture
def tree_sitter_reads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What tree-sitter is given to parse from now on."""
    seen: list[bytes] = []
    real = ts.parse

    def parse(source: bytes) -> Any:
        seen.append(source)
        return real(source)

    monkeypatch.setattr(ts, "parse", parse)
    return seen


def _entries(root: Path) -> dict[str, Any]:
    _, _, body = (root / ".docagent" / CACHE_NAME).read_bytes().partition(b"\n")
    return json.loads(body)


def _write_cache(root: Path, entries: dict[str, Any], key: bytes | None) -> None:
    body = json.dumps(entries).encode()
    head = signed_json.header(factscache.TAG, key, body) if key is not None else b""
    (root / ".docagent" / CACHE_NAME).write_bytes(head + body)


def _reads_of(reads: list[bytes], text: str) -> int:
    return sum(1 for r in reads if r == text.encode())


def _expected(root: Path, out: Path, dry_run: bool = False) -> tuple[dict[str, Any], bytes]:
    """The outcomes and the file ``apply`` gives without the facts cache (a copy)."""
    import shutil

    bare = root.parent / f"bare-{dry_run}"
    shutil.copytree(root, bare)
    (bare / ".docagent" / CACHE_NAME).unlink()
    return apply_all(bare, out, dry_run=dry_run), (bare / "m.py").read_bytes()


@pytest.mark.parametrize("dry_run", [True, False])
def test_apply_after_batch_does_not_read_the_file_with_tree_sitter(
    repo_factory: Any,
    capsys: pytest.CaptureFixture[str],
    tree_sitter_reads: list[bytes],
    dry_run: bool,
) -> None:
    """Insertions (a one-line body, a comment first, a class, a method) are placed from the
    cache; the file comes out exactly as when it is read with tree-sitter."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    want, want_bytes = _expected(root, out, dry_run)
    tree_sitter_reads.clear()
    outcomes = apply_all(root, out, dry_run=dry_run)
    assert outcomes == want
    assert {o for o, _ in outcomes.values()} == {"applied"} and len(outcomes) >= 5
    # the one-line body is verified in full (the edited text is read): never the file itself
    assert _reads_of(tree_sitter_reads, MOD) == 0 and tree_sitter_reads
    assert (root / "m.py").read_bytes() == (MOD.encode() if dry_run else want_bytes)


def test_an_entry_of_other_bytes_is_not_used(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], tree_sitter_reads: list[bytes]
) -> None:
    """The file changed after `batch` (a line added above everything: every offset moved):
    its bytes hash differently, the drafted version's entry is not found, the file is read
    with tree-sitter and the docstrings land where they belong."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    moved = "# a comment added after the drafts\n" + MOD
    (root / "m.py").write_text(moved)
    want, want_bytes = _expected(root, out)
    tree_sitter_reads.clear()
    assert apply_all(root, out) == want
    assert _reads_of(tree_sitter_reads, moved) == 1
    assert (root / "m.py").read_bytes() == want_bytes


def _forged_under_current_sha(root: Path, drafted_value: list[Any]) -> dict[str, Any]:
    """The drafted version's entry (its offsets), claimed for the current, moved file."""
    current = content_sha(read_file(str(root / "m.py"), "m.py"))
    return {current: drafted_value}


@pytest.mark.parametrize("how", ["unsigned", "another key", "old signature"])
def test_a_tampered_or_foreign_entry_with_wrong_offsets_is_ignored(
    repo_factory: Any,
    capsys: pytest.CaptureFixture[str],
    tree_sitter_reads: list[bytes],
    how: str,
) -> None:
    """An entry claiming the moved file has the drafted version's offsets is not read unless
    this user's key signed it: the file is read with tree-sitter and edited correctly."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    head = (root / ".docagent" / CACHE_NAME).read_bytes().partition(b"\n")[0] + b"\n"
    (drafted,) = _entries(root).values()
    moved = "# moved\n" + MOD
    (root / "m.py").write_text(moved)
    forged = _forged_under_current_sha(root, drafted)
    if how == "unsigned":
        _write_cache(root, forged, None)
    elif how == "another key":
        _write_cache(root, forged, bytes(32))
    else:
        (root / ".docagent" / CACHE_NAME).write_bytes(head + json.dumps(forged).encode())
    want, want_bytes = _expected(root, out)
    tree_sitter_reads.clear()
    assert apply_all(root, out) == want
    assert _reads_of(tree_sitter_reads, moved) == 1
    assert (root / "m.py").read_bytes() == want_bytes


@pytest.mark.parametrize(
    "damage",
    [
        "no placement",
        "not a string",
        "short line",
        "offset outside the file",
        "not a number",
        "docstring hash disagrees",
    ],
)
def test_a_malformed_or_inconsistent_signed_entry_is_not_used_for_placement(
    repo_factory: Any,
    capsys: pytest.CaptureFixture[str],
    tree_sitter_reads: list[bytes],
    damage: str,
) -> None:
    """A well-signed entry whose placement facts are missing, malformed, or disagree with its
    own docstring hashes is not used to place anything: the file is read with tree-sitter."""
    documented = MOD.replace("    def area(self):\n", '    def area(self):\n        """Area."""\n')
    root = repo_factory({"m.py": documented})
    out = batch_out(root, capsys)
    entries = _entries(root)
    (sha,) = entries
    value = entries[sha]
    if damage == "no placement":
        value[5] = None
    elif damage == "not a string":
        value[5] = {"a": 1}
    elif damage == "short line":
        value[5] = value[5].replace(" ", "\n", 1)
    elif damage == "docstring hash disagrees":
        value[3]["Circle.area"] = docstring_sha("Another text.")
    else:
        lines = value[5].split("\n")
        (k,) = [i for i, line in enumerate(lines) if line.startswith("Circle.area ")]
        fields = lines[k].split(" ")
        assert len(fields) == 16  # with its docstring
        fields[4] = "99999" if damage == "offset outside the file" else "x"
        lines[k] = " ".join(fields)
        value[5] = "\n".join(lines)
    _write_cache(root, entries, cache_key())
    want, want_bytes = _expected(root, out)
    tree_sitter_reads.clear()
    assert apply_all(root, out) == want
    assert _reads_of(tree_sitter_reads, documented) == 1
    assert (root / "m.py").read_bytes() == want_bytes


def test_a_docstring_written_since_the_draft_is_refused_with_the_cached_placement(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], tree_sitter_reads: list[bytes]
) -> None:
    """A person wrote a docstring after `batch` drafted one; a later `batch` run cached the
    new version. `apply` places from that entry and still refuses to overwrite the words."""
    root = repo_factory({"m.py": MOD})
    out = batch_out(root, capsys)
    written = MOD.replace(
        "def perimeter(width, height):\n",
        'def perimeter(width, height):\n    """Mine, by hand."""\n',
    )
    (root / "m.py").write_text(written)
    main(["batch", str(root), "--out", str(root.parent / "later.jsonl")])
    capsys.readouterr()
    assert content_sha(read_file(str(root / "m.py"), "m.py")) in _entries(root)
    tree_sitter_reads.clear()
    outcomes = apply_all(root, out)
    assert outcomes["perimeter"][0] == "refused"
    assert "was written since its draft" in outcomes["perimeter"][1]
    assert outcomes["Circle.area"][0] == "applied"
    assert _reads_of(tree_sitter_reads, written) == 0
    assert '"""Mine, by hand."""' in (root / "m.py").read_text()


def _planned(t: Any) -> tuple[Any, ...]:
    return (
        t.qualname,
        t.kind,
        t.name,
        t.line,
        t.end_line,
        t.start_byte,
        t.end_byte,
        t.public,
        t.body_start_byte,
        t.docstring,
        t.insertion,
    )


SAMPLE = ["argparse.py", "ast.py", "dataclasses.py", "email/message.py", "typing.py"]


@pytest.mark.parametrize("rel", SAMPLE)
@pytest.mark.parametrize("stripped", [False, True])
def test_the_cached_facts_are_those_of_a_fresh_read(
    tmp_path: Path, rel: str, stripped: bool
) -> None:
    """What planning reads of each target (names, kinds, lines, offsets, docstrings, where a
    new docstring goes) is the same from the cache as from tree-sitter, with and without
    docstrings in the file."""
    data = (STDLIB / rel).read_bytes()
    if stripped:
        facts = read_file(rel, rel, data)
        text, _ = remove_docstrings(facts)
        data = text.encode(facts.encoding)
    fresh = read_file(rel, rel, data)
    ast_facts(fresh)
    cache = FactsCache(tmp_path)
    cache.add([fresh])
    cache.save()
    cached = FactsCache.load(tmp_path).file_facts(rel, data)
    assert cached is not None
    assert (cached.path, cached.encoding, cached.newline) == (
        fresh.path,
        fresh.encoding,
        fresh.newline,
    )
    assert cached.text == fresh.text and cached.source == fresh.source

    assert [_planned(t) for t in cached.targets] == [_planned(t) for t in fresh.targets]
    # another path: the same entry (a copy of the file), the module's own name and visibility
    other = FactsCache.load(tmp_path).file_facts("pkg/_private.py", data)
    assert other is not None
    assert (other.targets[0].name, other.targets[0].public) == ("_private", False)


@pytest.mark.slow
def test_the_cached_facts_are_those_of_a_fresh_read_on_the_whole_stdlib() -> None:
    """Every file of the standard library tree-sitter reads: the targets rebuilt from its
    placement line are the fresh read's (every odd docstring literal read back from bytes)."""
    from docagent.code.placement_facts import placement, targets_from_placement
    from docagent.code.targets import SourceError

    checked = 0
    for path in sorted(STDLIB.rglob("*.py")):
        rel = path.relative_to(STDLIB).as_posix()
        try:
            fresh = read_file(rel, rel, path.read_bytes())
        except SourceError:
            continue
        rebuilt = targets_from_placement(rel, fresh.source, placement(fresh))
        assert rebuilt is not None, rel
        assert [_planned(t) for t in rebuilt] == [_planned(t) for t in fresh.targets], rel
        checked += 1
    assert checked > 1000


@pytest.mark.slow
def test_stdlib_round_trip_placed_from_the_cache(
    tmp_path: Path, tree_sitter_reads: list[bytes]
) -> None:
    """Strip the docstrings of standard-library modules, cache their versions as `batch` does,
    apply the docstrings back: every one comes back exactly, the code is unchanged, and no
    file is read with tree-sitter."""
    import ast
    import subprocess

    from docagent.code.targets import code_shas, strip_docstrings
    from docagent.proposals import Proposal

    def shape(data: bytes) -> tuple[list[str | None], str]:
        tree = ast.parse(data)
        docs = [ast.get_docstring(tree)] + [
            ast.get_docstring(n)
            for n in ast.walk(tree)
            if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        return docs, ast.dump(strip_docstrings(tree))

    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    originals: dict[str, bytes] = {}
    proposals: list[Proposal] = []
    for rel in [*SAMPLE, "inspect.py", "_pydecimal.py", "tarfile.py", "logging/__init__.py"]:
        data = (STDLIB / rel).read_bytes()
        facts = read_file(rel, rel, data)
        shas = code_shas(facts)
        text, removed = remove_docstrings(facts)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode(facts.encoding))
        originals[rel] = data
        for q in removed:
            t = facts.target(q)
            assert t is not None and t.docstring is not None
            proposals.append(
                Proposal(rel, q, t.docstring.text, kind=t.kind, status="accepted", code_sha=shas[q])
            )
    cache = FactsCache.load(root)
    files = [read_file(str(root / rel), rel) for rel in originals]
    for f in files:
        ast_facts(f)
    cache.add(files)
    cache.save()
    stripped = {f.source for f in files}
    tree_sitter_reads.clear()
    report = apply_proposals(root, proposals)
    assert len(report.applied) == len(proposals) > 700
    assert not stripped & set(tree_sitter_reads)
    for rel, data in originals.items():
        assert shape((root / rel).read_bytes()) == shape(data), rel
