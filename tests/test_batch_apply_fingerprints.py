"""`batch --apply` guards each edit with the fingerprints it computed when it drafted the file.

Drafting parsed and fingerprinted every file; the write of a file's accepted drafts
(`Session.accept_file`) takes the `code_sha` of each target from those fingerprints when the
file still holds exactly the bytes they were computed from, instead of parsing it again. A file
that changed in between is fingerprinted from what is on disk, and a draft whose code changed
is refused, as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from applying import CHANGED, MOD

from docagent.cli import main
from docagent.code.astfacts import AstFacts
from docagent.code.factscache import HeldFingerprints, content_sha
from docagent.code.targets import read_file
from docagent.session import Session
from docagent.store import Store


def test_batch_apply_parses_each_file_once_for_its_fingerprints(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    """The file is parsed once, to draft it; its write is guarded with those fingerprints and
    verified by parsing the edited text, and both drafts are in the file and the log."""
    root = repo_factory({"m.py": MOD})
    assert main(["batch", str(root), "--apply"]) == 0
    capsys.readouterr()
    assert parses.count(MOD) == 1
    edited = (root / "m.py").read_text()
    assert edited.count('"""') == 6
    assert parses.count(edited) == 1  # the proof that only docstrings changed
    with Store.open(root) as store:
        decided = sorted((r.qualname, r.decision) for r in store.decisions())
        assert store.intents() == []
    assert decided == [("area", "accept"), ("perimeter", "accept")]


def test_a_file_changed_after_its_drafts_is_fingerprinted_again_and_refused(
    repo_factory: Any, parses: list[str]
) -> None:
    """Fingerprints of the version drafted from are not used for another version: the file on
    disk is parsed, ``area``'s draft is refused (its code changed), ``perimeter``'s applied."""
    root = repo_factory({"m.py": MOD})
    session = Session(root, mode="batch")
    try:
        session.prepare(order=False)
        accepts = [(item, session.draft_sync(item)) for item in session.items]
        (root / "m.py").write_text(CHANGED)
        parses.clear()
        outcomes = session.accept_file(accepts)
    finally:
        session.close()
    by_name = {item.qualname: o for (item, _), o in zip(accepts, outcomes, strict=True)}
    assert not by_name["area"].ok and "code of area changed" in by_name["area"].message
    assert by_name["perimeter"].ok and by_name["perimeter"].applied
    assert parses.count(CHANGED) == 1  # fingerprinted from the file itself
    text = (root / "m.py").read_text()
    assert "abs(width * height)" in text and text.count('"""') == 4


def test_held_fingerprints_are_only_those_of_the_same_bytes(tmp_path: Path) -> None:
    """Another version of the file (one byte differs) gets none; nor does a file Python's
    parser rejected (its fingerprints are of tokens, not of its code's tree)."""
    from docagent.draft.drafter import file_shas

    (tmp_path / "m.py").write_text(MOD)
    facts = read_file(str(tmp_path / "m.py"), "m.py")
    assert HeldFingerprints.of(facts) is None  # nothing computed yet
    shas = dict(file_shas(facts))
    held = HeldFingerprints.of(facts)
    assert held is not None
    assert held.code_shas(read_file(str(tmp_path / "m.py"), "m.py")) == shas
    (tmp_path / "m.py").write_text(MOD + "\n")
    assert held.code_shas(read_file(str(tmp_path / "m.py"), "m.py")) is None
    tokens = AstFacts(shas=shas, error=SyntaxError("invalid syntax"))
    assert HeldFingerprints(content_sha(facts), tokens).code_shas(facts) is None
