"""The offline drafter reads a function from its file's tree instead of parsing it again.

Batch parses every file once (fingerprints, calls, the call graph); the offline drafter used to
parse each function's dedented code again. It now takes the function's node from the file's
tree when that node is exactly what the parse of the dedented code gives, positions aside
(:func:`docagent.draft.offline.body_facts.file_function`), and parses otherwise. The drafts are
the same either way: compared here on every function of the standard-library sample (and of
the whole standard library in a slow test) and on the cases where dedenting changes the code.
"""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from conftest import STDLIB, STDLIB_SAMPLE

from docagent.cli import main
from docagent.code.astfacts import ast_facts
from docagent.code.targets import FileFacts, Target, read_file
from docagent.draft.offline import body_facts as body_facts_module
from docagent.draft.offline.body_facts import BodyFacts, body_facts, file_function
from docagent.draft.offline.drafter import function_draft

FUNCTIONS = ("function", "method")


def _view(facts: BodyFacts) -> dict[str, Any]:
    """``facts`` with its nodes dumped without positions (what may differ between trees)."""
    out = dict(vars(facts))
    out["return_nodes"] = [ast.dump(n) for n in facts.return_nodes]
    if facts.single_return is not None:
        out["single_return"] = ast.dump(facts.single_return)
    return out


def _compare(facts: FileFacts, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, list[str]]:
    """Draft every function of ``facts`` from the file's tree and from a parse of its own code.

    Returns how many came from the tree, how many were parsed, and the qualnames whose body
    facts or drafts differ.
    """
    ast_facts(facts)  # what batch computed before drafting
    reused = parsed = 0
    differ = []
    for target in facts.targets:
        if target.kind not in FUNCTIONS:
            continue
        if file_function(facts, target) is not None:
            reused += 1
        else:
            parsed += 1
        mine = body_facts(facts, target)
        drafts = [function_draft(facts, target, p, r) for p in (False, True) for r in (False, True)]
        with monkeypatch.context() as m:
            m.setattr(body_facts_module, "file_function", lambda f, t: None)
            theirs = body_facts(facts, target)
            before = [
                function_draft(facts, target, p, r) for p in (False, True) for r in (False, True)
            ]
        if _view(mine) != _view(theirs) or drafts != before:
            differ.append(target.qualname)
    return reused, parsed, differ


def test_sample_functions_drafted_from_the_file_tree_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every function of the stdlib sample: the same body facts and drafts (4 renderings of
    heads) from the file's node as from parsing its code alone; most come from the tree."""
    reused = parsed = 0
    differ: list[tuple[str, str]] = []
    for name in STDLIB_SAMPLE:
        if not (STDLIB / name).is_file():
            continue
        facts = read_file(str(STDLIB / name), name)
        r, p, d = _compare(facts, monkeypatch)
        reused, parsed = reused + r, parsed + p
        differ += [(name, q) for q in d]
    assert differ == []
    assert reused > 3000
    assert parsed < reused / 10  # multi-line strings in the body, mostly


@pytest.mark.slow
def test_stdlib_functions_drafted_from_the_file_tree_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same on every file of the standard library Python parses (tests included)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    reused = 0
    differ: list[tuple[str, str]] = []
    for path in sorted(stdlib.rglob("*.py")):
        rel = str(path.relative_to(stdlib))
        if "site-packages" in path.parts:
            continue
        try:
            facts = read_file(str(path), rel)
        except Exception:  # noqa: BLE001 - files tree-sitter or the decoder reject
            continue
        if ast_facts(facts).tree is None:
            continue
        r, _p, d = _compare(facts, monkeypatch)
        reused += r
        differ += [(rel, q) for q in d]
    assert differ == []
    assert reused > 30000


def _facts(tmp_path: Path, text: str | bytes, name: str = "m.py") -> FileFacts:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    facts = read_file(str(path), name)
    ast_facts(facts)
    return facts


def _target(facts: FileFacts, qualname: str) -> Target:
    target = facts.target(qualname)
    assert target is not None
    return target


DEDENT_CHANGES = {
    # a string spanning lines: dedenting the method changes its value
    "multi-line string": ("class A:\n    def f(self):\n        return '''one\n        two'''\n"),
    # a blank line of spaces inside a string: dedent empties it, even at column 0
    "blank line in a string": ("def f():\n    return '''one\n    \ntwo'''\n"),
    # a comment left of the body: the dedented method does not parse (its body is unknown)
    "comment at column 0": (
        "class A:\n    def f(self, x):\n# note\n        if x:\n            raise ValueError\n"
        "        return x + 1\n"
    ),
    # tabs in the first 200 characters are expanded before dedenting
    "tabs": "class A:\n\tdef f(self, x):\n\t\treturn x + '\t'\n",
    # carriage returns: the blank line keeps the margin, the method does not parse alone
    "CRLF": "class A:\r\n    def f(self, x):\r\n\r\n        return x\r\n",
}


@pytest.mark.parametrize("case", sorted(DEDENT_CHANGES))
def test_code_that_dedenting_changes_is_parsed_as_before(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the dedented code is not the file's node with its margin removed, the drafter
    parses the code as before (the file's node would give another draft)."""
    facts = _facts(tmp_path, DEDENT_CHANGES[case].encode())
    target = _target(facts, "A.f" if case not in ("blank line in a string",) else "f")
    assert file_function(facts, target) is None
    _reused, parsed, differ = _compare(facts, monkeypatch)
    assert parsed == 1 and differ == []


def test_the_docstring_and_decorators_do_not_stop_the_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A multi-line docstring (its text is never read) and decorators: the file's node."""
    text = (
        "import functools\n\n\nclass A:\n"
        "    @functools.cache\n"
        "    @staticmethod\n"
        "    def f(x, y=1):\n"
        '        """Do it.\n\n        More.\n        """\n'
        "        if x is None:\n"
        "            raise ValueError('no x')\n"
        "        for item in x:\n"
        "            yield item + y\n"
    )
    facts = _facts(tmp_path, text)
    node = file_function(facts, _target(facts, "A.f"))
    assert isinstance(node, ast.FunctionDef) and node.lineno == 7
    reused, parsed, differ = _compare(facts, monkeypatch)
    assert (reused, parsed, differ) == (1, 0, [])


def test_drafting_parses_no_function(tmp_path: Path, parses: list[str]) -> None:
    """With the file's facts computed (as batch does), drafting its functions parses nothing."""
    facts = _facts(tmp_path, (STDLIB / "textwrap.py").read_text(encoding="utf-8"))
    parses.clear()
    for target in facts.targets:
        if target.kind in FUNCTIONS:
            function_draft(facts, target)
    assert parses == []


MOD = '''"""Shapes."""


class Box:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        if self.width < 0:
            raise ValueError("negative width")
        return self.width * self.height


def scale(box, factor):
    return Box(box.width * factor, box.height * factor)
'''


def test_offline_batch_parses_each_file_once(
    repo_factory: Any, capsys: pytest.CaptureFixture[str], parses: list[str], tmp_path: Path
) -> None:
    """An offline ``batch --out`` gives Python's parser the file once and no function's code
    (the draft checks parse each rendered docstring literal, in a function ``_f`` of its own)."""
    root = repo_factory({"m.py": MOD})
    out = tmp_path / "proposals.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    capsys.readouterr()
    assert len(out.read_text().splitlines()) == 4  # module, class, its method, the function
    assert parses.count(MOD) == 1
    assert [t for t in parses if t != MOD and not t.startswith("def _f():\n")] == []


def test_names_check_reads_the_file_definitions_once_and_sees_new_ones(tmp_path: Path) -> None:
    """The ``names`` check resolves a backticked name defined in the file (its definitions'
    names are gathered once per file, not per draft), and a definition added to the file's
    facts later resolves too."""
    from dataclasses import replace

    from docagent.draft.draft_checks import unresolved_names

    facts = _facts(tmp_path, "def helper():\n    pass\n\n\ndef main(x):\n    return helper()\n")
    main_t = _target(facts, "main")
    text = "Call `helper` and `later` on `x`."
    assert unresolved_names(text, main_t, None, None, facts) == ["later"]
    assert unresolved_names(text, main_t, None, None, facts) == ["later"]
    facts.targets.append(replace(_target(facts, "helper"), name="later", qualname="later"))
    assert unresolved_names(text, main_t, None, None, facts) == []
