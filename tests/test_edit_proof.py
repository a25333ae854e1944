"""The cheap proof that an edit changed only docstrings (docagent/code/proof.py).

Every edit the proof does not cover, or that is wrong, still goes through the full check and is
refused; these tests break the renderer on purpose so that the bytes written are not a docstring
alone, and check that nothing gets through either path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from docagent.code import docstring_placement, edit_plan, pyast, verification
from docagent.code.edit import DocEdit, apply_file_edits
from docagent.code.proof import Change, doc_ranges, prove
from docagent.code.targets import Docstring, read_file

SRC = '''"""Module."""


class A:
    """Old class doc."""

    def f(self):
        return 1


def g(x):
    # a comment
    return x
'''


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bytes]]:
    """Record what every call of the proof answered, with the edited bytes it was shown."""
    answers: list[tuple[bool, bytes]] = []
    real = verification.prove

    def spy(old: bytes, ranges: Any, new: bytes, *args: Any) -> bool:
        answers.append((real(old, ranges, new, *args), new))
        return answers[-1][0]

    monkeypatch.setattr(verification, "prove", spy)
    return answers


def test_ordinary_edits_are_proved_without_the_full_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = _spy(monkeypatch)
    full: list[str] = []
    real_verify = edit_plan.verify_edit
    monkeypatch.setattr(
        edit_plan, "verify_edit", lambda *a, **k: full.append("x") or real_verify(*a, **k)
    )
    (tmp_path / "m.py").write_text(SRC)
    edits = [
        DocEdit("<module>", "New module doc.\n\nWith a body."),
        DocEdit("A", "New class doc."),
        DocEdit("A.f", 'Return one, "quoted" and \\ escaped.'),
        DocEdit("g", "Return x."),
    ]
    res = apply_file_edits(tmp_path, "m.py", edits)
    assert res.applied == ["<module>", "A", "A.f", "g"] and res.written
    assert [ok for ok, _ in answers] == [True] and full == []
    text = (tmp_path / "m.py").read_text()
    assert '    def f(self):\n        r"""Return one, "quoted" and \\ escaped."""\n' in text
    assert 'def g(x):\n    """Return x."""\n    # a comment\n    return x\n' in text


@pytest.mark.parametrize(
    "bad",
    [
        '"""BAD"""; import os',  # a statement after the docstring
        '"""BAD""".upper()',  # no longer a docstring statement
        '"""BAD"""\n    import os',  # a new line of code below the docstring
        '"""BAD""" if True else 1',  # an expression, not a string
        '"""BAD""" + x',  # a string expression, with code in it
    ],
)
@pytest.mark.parametrize("target", ["A", "A.f", "<module>"])
def test_an_edit_that_changes_code_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str, target: str
) -> None:
    answers = _spy(monkeypatch)
    real_render = docstring_placement.render_cleaned

    def broken(cleaned: str, indent: str, **kw: Any) -> str:
        return bad if cleaned == "BAD" else real_render(cleaned, indent, **kw)

    monkeypatch.setattr(docstring_placement, "render_cleaned", broken)
    (tmp_path / "m.py").write_text(SRC)
    res = apply_file_edits(tmp_path, "m.py", [DocEdit(target, "BAD"), DocEdit("g", "Good.")])
    assert [q for q, _ in res.refused] == [target]
    assert res.refused[0][1].startswith("verification failed")
    assert res.applied == ["g"] and res.written
    assert not any(ok and b"BAD" in new for ok, new in answers)  # never proved safe
    if "\n" not in bad or target == "A":  # it parses: the proof saw it and said no
        assert any(not ok and b"BAD" in new for ok, new in answers)
    assert "BAD" not in (tmp_path / "m.py").read_text()


def _facts(src: str) -> Any:
    return read_file("m.py", "m.py", data=src.encode())


def _prove(src: str, new: str, changes: list[Change]) -> bool:
    tree = pyast.parse(new)
    old_tree = pyast.parse(src)
    return prove(
        src.encode(), lambda: doc_ranges(old_tree, src.encode()), new.encode(), tree, changes
    )


def test_an_insertion_followed_by_a_line_at_another_indentation_is_not_proved() -> None:
    src = "def f():\n    if x:\n        pass\n"
    facts = _facts(src)
    t = facts.target("f")
    data = b'    """Doc."""\n'
    pos = src.index("    if")
    new = src[:pos] + data.decode() + src[pos:]
    assert _prove(src, new, [Change(pos, pos, data, t, "Doc.")])
    # the same docstring claimed for a class that is not there
    assert not _prove(src, new, [Change(pos, pos, data, facts.targets[0], "Doc.")])
    # a different expected text
    assert not _prove(src, new, [Change(pos, pos, data, t, "Other.")])


def test_an_insertion_after_a_continued_line_is_not_proved() -> None:
    src = "def f():  # c \\\n    return 1\n"
    facts = _facts(src)
    data = b'    """Doc."""\n'
    pos = src.index("    return")
    new = src[:pos] + data.decode() + src[pos:]
    assert not _prove(src, new, [Change(pos, pos, data, facts.target("f"), "Doc.")])


def test_a_replacement_of_something_python_does_not_call_a_docstring_is_not_proved() -> None:
    src = 'def f():\n    x = 1\n    "not a docstring"\n'
    facts = _facts(src)
    start = src.index('"not')
    end = start + len('"not a docstring"')
    t = facts.target("f")
    # as if tree-sitter took the string for f's docstring
    wrong = Docstring("not a docstring", start, end, 3, 3, '"', "")
    fake = type(t)(**{**t.__dict__, "docstring": wrong})
    new = src[:start] + '"""Doc."""' + src[end:]
    assert not _prove(src, new, [Change(start, end, b'"""Doc."""', fake, "Doc.")])


def test_the_dry_run_diff_is_difflibs(tmp_path: Path) -> None:
    """The diff is matched around the changes only, and equals difflib's of the whole file."""
    import difflib

    src = SRC.replace("    return x\n", "    return x\n\n\ndef h():\n\n    return 2\n")
    (tmp_path / "m.py").write_text(src)
    edits = [DocEdit("<module>", "A.\n\nB."), DocEdit("A", "C."), DocEdit("h", "D.\n\nE.")]
    res = apply_file_edits(tmp_path, "m.py", edits, dry_run=True)
    assert res.new_bytes is not None
    lines = difflib.unified_diff(
        src.splitlines(keepends=True),
        res.new_bytes.decode().splitlines(keepends=True),
        fromfile="a/m.py",
        tofile="b/m.py",
    )
    assert res.diff == "".join(lines) and res.diff.count("@@ -") == 2
