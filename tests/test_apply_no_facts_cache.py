"""`apply` without the facts cache: the `code_sha` guard is checked from the edited text's parse.

Without a facts cache entry for the file version (proposals made on another checkout, a cache
of another user), the guard's fingerprints come from Python's parse of the edited text, once
the proof shows it has the file's code: each definition is found there at its line moved by the
docstrings inserted above it. A guard that does not hold there makes the planner plan the file
again with every guard checked first, so the outcomes and their reasons are exactly those of
checking the file's own fingerprints first.
"""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from docagent.apply_proposals import apply_proposals
from docagent.code.astfacts import tree_facts
from docagent.code.docstrings import docstring_sha
from docagent.code.edit import remove_docstrings
from docagent.code.edit_plan import DocEdit, plan_file_edits
from docagent.code.file_context import FileContext
from docagent.code.fingerprints import def_fingerprints, parse_module
from docagent.code.targets import code_shas, read_file
from docagent.proposals import Proposal

DRAFTED = '''"""Shapes."""


class Square:
    def area(self):
        return self.side**2

    def scale(self, k):
        self.side *= k


class Circle:
    def area(self):
        return 3.14 * self.r**2

    def scale(self, k):
        self.r *= k
'''


def _records(source: str, texts: dict[str, str]) -> list[Proposal]:
    """Accepted records of ``texts`` by qualname, with the fingerprints of ``source``."""
    shas = code_shas(read_file("m.py", "m.py", source.encode()))
    return [
        Proposal("m.py", q, text, status="accepted", code_sha=shas[q]) for q, text in texts.items()
    ]


def _outcomes(root: Path, records: list[Proposal], dry_run: bool = False) -> dict[str, Any]:
    report = apply_proposals(root, records, dry_run=dry_run)
    return {o.proposal.qualname: (o.outcome, o.reason) for o in report.outcomes}


def _checked_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plan as before this change: every ``code_sha`` guard checked before the edit."""
    monkeypatch.setattr(FileContext, "defer_code_sha", lambda self, q, expected: False)


TEXTS = {
    "<module>": "Shapes and their measures.",
    "Square": "A square.",
    "Square.area": "The area.",
    "Square.scale": "Scale by k.",
    "Circle": "A circle.",
    "Circle.area": "The area.",
    "Circle.scale": "Scale by k.",
}


#: the records whose code holds ``Circle.area``
TEXTS_AROUND = ("<module>", "Circle")


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_method_whose_code_changed_is_refused_below_inserted_docstrings(
    repo_factory: Any, parses: list[str], dry_run: bool
) -> None:
    """``Circle.area`` changed since its draft; ``Square.area`` (same name, same code as
    drafted) did not. With six docstrings inserted above it, the changed method is still found
    and refused with the reason and fingerprint that checking the file first gives."""
    changed = DRAFTED.replace("3.14 * self.r**2", "3.14159 * self.r**2")
    root = repo_factory({"m.py": changed})
    records = _records(DRAFTED, TEXTS)
    outcomes = _outcomes(root, records, dry_run)
    now = code_shas(read_file("m.py", "m.py", changed.encode()))["Circle.area"]
    was = records[5].code_sha
    assert outcomes.pop("Circle.area") == (
        "refused",
        f"the code of Circle.area changed since its draft (code_sha {was} != {now}); "
        "draft it again",
    )
    assert {q for q, (o, _) in outcomes.items() if o == "refused"} == {"<module>", "Circle"}
    assert all(o == ("applied", "") for q, o in outcomes.items() if q not in TEXTS_AROUND)
    assert changed in parses  # planned again, the file's own fingerprints checked first
    text = (root / "m.py").read_text()
    assert text.count('"""') == (2 if dry_run else 10)  # four docstrings written


def test_the_outcomes_are_those_of_checking_every_guard_first(
    repo_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed code, a record already applied whose code changed, a changed docstring, an
    unknown name: the same outcomes, reasons and bytes as planning with the guards first."""
    changed = DRAFTED.replace("self.side *= k", "self.side = self.side * k").replace(
        "def area(self):\n        return 3.14",
        'def area(self):\n        """The area."""\n        return 3.14',
    )
    records = _records(DRAFTED, TEXTS)
    records[5] = Proposal(  # Circle.area: already has that docstring, but its code is the same
        "m.py", "Circle.area", "The area.", status="accepted", code_sha=records[5].code_sha
    )
    records.append(Proposal("m.py", "Triangle", "A triangle.", status="accepted", code_sha="x"))
    records.append(
        Proposal(
            "m.py",
            "Circle.scale",
            "Scale the circle.",
            status="accepted",
            original_sha=docstring_sha(None),
        )
    )
    deferred = _outcomes(repo_factory({"m.py": changed}, name="a"), records, dry_run=True)
    first_root = repo_factory({"m.py": changed}, name="b")
    with monkeypatch.context() as m:
        _checked_first(m)
        first = _outcomes(first_root, records, dry_run=True)
    assert deferred == first
    assert deferred["Square.scale"][0] == "refused" and "code" in deferred["Square.scale"][1]
    assert deferred["Circle.area"] == ("skipped", "already applied")


def test_a_docstring_written_since_the_draft_is_refused(repo_factory: Any) -> None:
    """The ``original_sha`` guard is checked when the edit is screened, as always."""
    written = DRAFTED.replace(
        "    def scale(self, k):\n        self.r",
        '    def scale(self, k):\n        """Mine."""\n        self.r',
    )
    root = repo_factory({"m.py": written})
    records = _records(DRAFTED, {"Square": "A square.", "Circle.scale": "Scale by k."})
    records[1] = Proposal(
        "m.py",
        "Circle.scale",
        "Scale by k.",
        status="accepted",
        code_sha=records[1].code_sha,
        original_sha=docstring_sha(None),
    )
    outcomes = _outcomes(root, records)
    assert outcomes["Circle.scale"] == (
        "refused",
        "the docstring of Circle.scale was written since its draft; draft it again",
    )
    assert outcomes["Square"] == ("applied", "")
    assert '"""Mine."""' in (root / "m.py").read_text()


def test_a_change_in_a_one_line_body_is_refused_where_the_proof_does_not_reach(
    repo_factory: Any,
) -> None:
    """Splitting a one-line body is verified by the full comparison, not the proof: the guard
    is then checked from the file's own fingerprints."""
    drafted = "def f(): return 1\n\n\ndef g(): return 2\n"
    changed = drafted.replace("return 2", "return 3")
    root = repo_factory({"m.py": changed})
    outcomes = _outcomes(root, _records(drafted, {"f": "One.", "g": "Two."}))
    assert outcomes["f"] == ("applied", "")
    assert outcomes["g"][0] == "refused" and "the code of g changed" in outcomes["g"][1]


MODULES = ["argparse.py", "textwrap.py", "shlex.py", "dataclasses.py", "fractions.py"]


@pytest.mark.parametrize("wrong", [0, 5])
@pytest.mark.parametrize("name", MODULES)
def test_standard_library_modules_plan_the_same(
    name: str, wrong: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stripped standard-library module gets its docstrings back (with ``wrong``, one record
    in five has the fingerprint of other code): the same plan (bytes, applied, skipped,
    refused) as with every guard checked first. When every guard holds, each fingerprint taken
    from the edited text's parse is the stripped file's own."""
    path = Path(sysconfig.get_paths()["stdlib"]) / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this Python")
    facts = read_file(str(path), name)
    shas = code_shas(facts)
    text, removed = remove_docstrings(facts)
    data = text.encode(facts.encoding)
    edits = []
    for i, q in enumerate(removed):
        t = facts.target(q)
        assert t is not None and t.docstring is not None
        bad = wrong and i % wrong == 0
        edits.append(DocEdit(q, t.docstring.text, shas[removed[i - 1]] if bad else shas[q]))
    seen: list[dict[str, str | None] | None] = []
    real = FileContext._proven_shas

    def proven_shas(self: FileContext) -> dict[str, str | None] | None:
        seen.append(real(self))
        return seen[-1]

    with monkeypatch.context() as m:
        m.setattr(FileContext, "_proven_shas", proven_shas)
        deferred = plan_file_edits(read_file(name, name, data), edits)
    with monkeypatch.context() as m:
        _checked_first(m)
        first = plan_file_edits(read_file(name, name, data), edits)
    assert deferred.new_bytes == first.new_bytes
    assert (deferred.applied, deferred.skipped, deferred.refused) == (
        first.applied,
        first.skipped,
        first.refused,
    )
    assert deferred.applied  # the test's premise: most records apply
    if not wrong:
        own = code_shas(read_file(name, name, data))
        assert seen and seen[0] == {q: own[q] for q in removed}


@pytest.mark.parametrize("name", MODULES)
def test_fingerprints_of_some_definitions_are_those_of_the_whole_traversal(name: str) -> None:
    """``def_fingerprints`` gives, for the definitions asked (every third, nested ones among
    them), the fingerprints ``tree_facts`` gives, with or without the whole module's."""
    path = Path(sysconfig.get_paths()["stdlib"]) / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this Python")
    tree = parse_module(path.read_text(encoding="utf-8"), name)
    whole = tree_facts(tree)
    keys = set(list(whole.shas)[::3])
    for module in (False, True):
        found = def_fingerprints(tree, keys, module)
        assert found.shas == {k: whole.shas[k] for k in keys}
        assert found.module_sha == (whole.module_sha if module else None)
        assert found.classes == {k for k in keys if isinstance(whole.nodes[k], ast.ClassDef)}
