"""The cut that removes a target's docstring from its logged source: decided from the file's
one parse, the same cut as parsing each candidate (docs/decision-log.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import STDLIB

from docagent.code.astfacts import ast_facts
from docagent.code.targets import SourceError, read_file
from docagent.draft.models import Draft
from docagent.store.sources import docstring_bodies, docstring_cut
from docagent.work.items import docstring_record

CASES = {
    "module and defs": '"""Mod."""\n\n\ndef f():\n    """Doc."""\n    return 1\n\n\n'
    'def g():\n    """Only."""\n\n\nclass A:\n    "Doc."\n\n    x = 1\n',
    "module only": '"""Only a docstring."""\n',
    "one-liners": 'def f(): "Doc."\ndef g(): "Doc."; return 1\nclass A: "Doc."\n',
    "semicolons": 'def f():\n    "Doc.";\n\ndef g():\n    "Doc."; x = 1\n    return x\n',
    "comments": 'def f():\n    "Doc."  # c\n\ndef g():\n    "Doc."  # c\n    return 1\n',
    "parenthesized": 'def f():\n    ("Doc.")\n\ndef g():\n    (\n        "Doc."\n    )\n'
    "    return 1\n",
    "backslash": 'class A:\\\n    "Doc."\nx = 1\n\ndef f():\n    x = 1\\\n\n    return x\n',
    "concatenated": 'def f():\n    "a" \\\n    "b"\n\ndef g():\n    ("a"\n     "b")\n    pass\n',
    "multi-line": 'def f():\n    """A.\n\n    B.\n    """\n\n\nclass A:\n    """A."""\n'
    '    def m(self):\n        """M."""\n',
    "crlf": 'def f():\r\n    """Doc."""\r\n\r\ndef g():\r\n    """Doc."""\r\n    return 1\r\n',
    "tabs": 'def f():\n\t"""Doc."""\n\treturn 1\n\nclass A:\n\t"Doc."\n',
    "non-ascii": '"""Modulé."""\nx = "é"\ndef f():\n    """Dôc."""\n\n\ndef g(): pass\n',
    "future": '"""Mod."""\nfrom __future__ import annotations\n',
    "nested": 'def f():\n    def g():\n        """In."""\n    """Not a docstring."""\n'
    "    return g\n",
}


def _facts(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return read_file(str(path), name)


def _by_parsing(text: str, start: int, end: int) -> tuple[int, int, str]:
    return docstring_cut(text, start, end)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cut_from_the_files_parse_is_the_cut_parsing_finds(tmp_path: Path, name: str) -> None:
    facts = _facts(tmp_path, "m.py", CASES[name])
    tree = ast_facts(facts).tree
    assert tree is not None
    bodies = docstring_bodies(facts.source, tree)
    seen = 0
    for t in facts.targets:
        if t.docstring is None:
            continue
        seen += 1
        doc = t.docstring
        cut = docstring_cut(facts.text, doc.start_byte, doc.end_byte, bodies)
        assert cut == _by_parsing(facts.text, doc.start_byte, doc.end_byte), t.qualname
        assert cut[0] <= doc.start_byte and cut[1] >= doc.end_byte  # the docstring goes
    assert seen


def test_a_file_with_lone_carriage_returns_is_cut_by_parsing() -> None:
    # its lines are not where docstring_cut looks for them (by "\\n")
    text = 'def f():\r    """Doc."""\r\rdef g():\r    """Doc."""\r    return 1\r'
    assert docstring_bodies(text.encode(), ast.parse(text)) == {}


def test_logging_drafts_of_a_file_parses_it_once_not_once_per_docstring(
    tmp_path: Path, parses: list[str]
) -> None:
    text = "".join(f'def f{i}():\n    """Doc {i}."""\n    return {i}\n\n\n' for i in range(20))
    facts = _facts(tmp_path, "m.py", '"""Mod."""\n\n\n' + text)
    for t in facts.targets:
        draft = Draft(path="m.py", qualname=t.qualname, kind=t.kind, text="New.")
        record = docstring_record(draft, facts, t)
        assert record.source_cut != (0, 0, "")
    assert len(parses) == 1


@pytest.mark.slow
def test_the_cuts_of_every_standard_library_docstring_are_the_parsed_ones() -> None:
    checked = 0
    for path in sorted(STDLIB.rglob("*.py")):
        rel = str(path.relative_to(STDLIB))
        if rel.startswith(("site-packages", "test/")):
            continue
        try:
            facts = read_file(str(path), rel)
        except SourceError:
            continue
        tree = ast_facts(facts).tree
        if tree is None:
            continue
        bodies = docstring_bodies(facts.source, tree)
        for t in facts.targets:
            doc = t.docstring
            if doc is None:
                continue
            got = docstring_cut(facts.text, doc.start_byte, doc.end_byte, bodies)
            assert got == _by_parsing(facts.text, doc.start_byte, doc.end_byte), (rel, t.qualname)
            checked += 1
    assert checked > 8_000
