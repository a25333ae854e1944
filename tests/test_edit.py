"""Edge cases of the safe edit engine (docs/safe-edits.md): one docstring changes, nothing else."""

from __future__ import annotations

import ast
import inspect
import os
import stat
from pathlib import Path

import pytest

from docagent.code.edit import (
    DocEdit,
    RefusedEdit,
    apply_file_edits,
    docstring_text,
    file_sha,
    plan_file_edits,
    remove_docstrings,
    render_docstring,
    restore_file,
)
from docagent.code.targets import read_file, strip_docstrings


def _docstrings(text: str) -> dict[tuple[int, str], str | None]:
    tree = ast.parse(text)
    out: dict[tuple[int, str], str | None] = {(0, "<module>"): ast.get_docstring(tree)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            out[(node.lineno, node.name)] = ast.get_docstring(node)
    return out


def _code(text: str) -> str:
    tree = ast.parse(text)
    if not tree.body:
        tree.body = [ast.Pass()]
    return ast.dump(strip_docstrings(tree))


def edit(tmp_path: Path, source: bytes | str, edits: dict[str, str], **kw: object) -> bytes:
    """Write ``source`` to a file, apply ``edits`` and check the result; return the new bytes."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    path = tmp_path / "mod.py"
    path.write_bytes(data)
    res = apply_file_edits(tmp_path, "mod.py", [DocEdit(q, t) for q, t in edits.items()], **kw)
    assert res.refused == [], res.refused
    assert sorted(res.applied) == sorted(edits)
    new = path.read_bytes()
    assert res.old_bytes == data and res.new_bytes == new
    facts = read_file(str(path), "mod.py", new)
    assert _code(facts.text) == _code(read_file(str(path), "mod.py", data).text)
    for q, text in edits.items():
        t = facts.target(q)
        assert t is not None and t.docstring is not None
        assert t.docstring.text == docstring_text(text)
    # ast, independently of tree-sitter
    docs = _docstrings(facts.text)
    for q, text in edits.items():
        t = facts.target(q)
        key = (0, "<module>") if q == "<module>" else (t.line, t.name)
        assert docs[key] == docstring_text(text)
    return new


def test_insert_function_and_class_at_body_indentation(tmp_path: Path) -> None:
    """New docstrings go first in the body, at the body's indentation, PEP 257 layout."""
    src = "class A:\n    def f(self, x):\n        return x\n"
    new = edit(tmp_path, src, {"A": "A thing.", "A.f": "Return x.\n\nMore words."})
    assert new.decode() == (
        'class A:\n    """A thing."""\n\n'
        + '    def f(self, x):\n        """Return x.\n\n        More words.\n        """\n'
        "        return x\n"
    )


def test_replace_keeps_quote_style_and_prefix(tmp_path: Path) -> None:
    """Replacing keeps the existing quotes and ``r`` prefix."""
    src = "def f():\n    r'''Old \\d.'''\n    return 1\n\ndef g():\n    'Old.'\n"
    new = edit(tmp_path, src, {"f": "New \\w text.", "g": "New."}).decode()
    assert "    r'''New \\w text.'''\n" in new
    assert "    'New.'\n" in new


def test_replace_only_touches_the_docstring_bytes(tmp_path: Path) -> None:
    """Comments, odd spacing and code around a replaced docstring stay byte for byte."""
    src = (
        "import os  # keep   this\n\n\ndef f(a,   b):  # odd   spacing\n"
        '    """Old summary.\n\n    Old body.\n    """\n    x = [1,2,\n      3]\n    return x\n'
    )
    new = edit(tmp_path, src, {"f": "New summary."}).decode()
    assert new == src.replace('"""Old summary.\n\n    Old body.\n    """', '"""New summary."""')


def test_tabs_stay_tabs(tmp_path: Path) -> None:
    """Tab-indented files get tab-indented docstrings and split blocks."""
    src = "class A:\n\tdef f(self):\n\t\treturn 1\n\n\tdef g(self): return 2\n"
    new = edit(tmp_path, src, {"A.f": "F.\n\nBody.", "A.g": "G."}).decode()
    assert '\t\t"""F.\n\n\t\tBody.\n\t\t"""\n\t\treturn 1\n' in new
    assert '\tdef g(self):\n\t\t"""G."""\n\t\treturn 2\n' in new
    assert "    " not in new


def test_crlf_stays_crlf(tmp_path: Path) -> None:
    """CRLF files get CRLF line endings inside and around new docstrings."""
    src = b"import os\r\n\r\ndef f():\r\n    return 1\r\n\r\nclass A: pass\r\n"
    new = edit(tmp_path, src, {"<module>": "Mod.", "f": "Two\n\nlines.", "A": "A."})
    assert b"\n" not in new.replace(b"\r\n", b"")
    assert new.startswith(b'"""Mod."""\r\n\r\nimport os\r\n')
    assert b'    """Two\r\n\r\n    lines.\r\n    """\r\n' in new


def test_latin1_cookie_keeps_encoding_and_escapes_what_it_cannot_hold(tmp_path: Path) -> None:
    """A latin-1 file stays latin-1; characters it cannot hold become ``\\N{...}`` escapes."""
    src = "# -*- coding: latin-1 -*-\ndef f():\n    return 'café'\n".encode("latin-1")
    new = edit(tmp_path, src, {"f": "Café → naïve ☃."})
    text = new.decode("latin-1")
    assert "Caf\xe9" in text  # é is held by latin-1, written as is
    assert "\\N{RIGHTWARDS ARROW}" in text and "\\N{SNOWMAN}" in text
    assert "return 'caf\xe9'" in text


def test_utf8_bom_is_kept(tmp_path: Path) -> None:
    """A UTF-8 byte order mark stays in front of the new module docstring."""
    new = edit(tmp_path, b"\xef\xbb\xbfx = 1\n", {"<module>": "Doc ü."})
    assert new.startswith(b'\xef\xbb\xbf"""Doc \xc3\xbc."""')


@pytest.mark.parametrize(
    ("src", "qualname", "expected"),
    [
        ("def f(x): return x\n", "f", 'def f(x):\n    """Doc."""\n    return x\n'),
        ("class A: pass\n", "A", 'class A:\n    """Doc."""\n    pass\n'),
        (
            "async def h(): await g()\n",
            "h",
            'async def h():\n    """Doc."""\n    await g()\n',
        ),
        ("class A: x = 1; y = 2  # c\n", "A", 'class A:\n    """Doc."""\n    x = 1; y = 2  # c\n'),
        (
            "if True:\n  def f(): pass",
            "f",
            'if True:\n  def f():\n      """Doc."""\n      pass',
        ),
    ],
)
def test_one_line_bodies_become_blocks(
    tmp_path: Path, src: str, qualname: str, expected: str
) -> None:
    """One-line bodies are split into blocks with the docstring first."""
    assert edit(tmp_path, src, {qualname: "Doc."}).decode() == expected


def test_module_docstring_after_shebang_coding_comments_before_future(tmp_path: Path) -> None:
    """Module docstrings go after the header comments and before ``from __future__``."""
    src = (
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# Copyright\n\n"
        "from __future__ import annotations\n\nimport os\n"
    )
    new = edit(tmp_path, src, {"<module>": "The module."}).decode()
    assert new == (
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# Copyright\n"
        '"""The module."""\n\nfrom __future__ import annotations\n\nimport os\n'
    )
    compile(new, "mod.py", "exec")  # __future__ still first


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("", '"""Doc."""\n'),
        ("x = 1", '"""Doc."""\n\nx = 1'),
        ("# only a comment", '# only a comment\n"""Doc."""'),
    ],
)
def test_module_docstring_edge_files(tmp_path: Path, src: str, expected: str) -> None:
    """Empty, code-only and comment-only files (no final newline) get module docstrings."""
    assert edit(tmp_path, src, {"<module>": "Doc."}).decode() == expected


def test_body_starting_with_comment_and_type_comment(tmp_path: Path) -> None:
    """The docstring goes right under the header, below a PEP 484 type comment only."""
    src = (
        "def f(a):\n    # type: (int) -> int\n    return a\n\n"
        "def g():\n\n    # a comment about x\n    x = 1\n"
    )
    new = edit(tmp_path, src, {"f": "F.", "g": "G."}).decode()
    assert 'def f(a):\n    # type: (int) -> int\n    """F."""\n    return a\n' in new
    assert 'def g():\n    """G."""\n\n    # a comment about x\n    x = 1\n' in new


def test_multiline_signature_decorators_and_nesting(tmp_path: Path) -> None:
    """Multi-line signatures, decorators and nested definitions at any depth."""
    src = (
        "import functools\n\n@functools.cache\n@staticmethod\ndef f(\n    a: int,\n"
        "    b: str = ':',\n) -> dict[str, int]:  # trailing: comment\n    return {}\n\n"
        "class Outer:\n    class Inner:\n        def m(self):\n            def helper():\n"
        "                return 1\n            return helper\n"
    )
    edits = {
        "f": "F.",
        "Outer": "Outer.",
        "Outer.Inner": "Inner.",
        "Outer.Inner.m": "M.",
        "Outer.Inner.m.helper": "Helper.\n\nDeep.",
    }
    new = edit(tmp_path, src, edits).decode()
    assert ') -> dict[str, int]:  # trailing: comment\n    """F."""\n' in new
    assert '            def helper():\n                """Helper.\n\n                Deep.\n' in new


@pytest.mark.parametrize(
    "text",
    [
        'Has """ inside.',
        "Has ''' inside.",
        "Has \"\"\" and ''' both.",
        'Ends in a quote "',
        'Ends in quotes ""',
        '"Starts" with a quote.',
        "Back\\slash \\n and \\\\ double.",
        "Ends in a backslash \\",
        "Non-ASCII: naïve café, 日本語, emoji 🎉.",
        "Control \x00 \x07 \r chars and \u2028.",
        "Summary.\n\n    Indented example:\n        code()\n\nEnd.",
        "\n  leading blank then indented\nsecond",
        "First\n    all following lines indented\n    more",
        "Trailing whitespace   \n\nline two   ",
        "Line\n   \n whitespace-only line kept",
        "",
    ],
)
def test_tricky_texts_round_trip_exactly(tmp_path: Path, text: str) -> None:
    """Quotes, backslashes, control and non-ASCII characters, odd indents read back exactly."""
    src = 'def f():\n    return 1\n\ndef g():\n    """Old."""\n'
    edit(tmp_path, src, {"f": text, "g": text})


def test_render_one_line_when_it_fits_else_multiline() -> None:
    """A one-line text stays on one line when it fits the line length."""
    assert render_docstring("Short.", "    ") == '"""Short."""'
    long = "word " * 20 + "end."
    lit = render_docstring(long, "    ", line_length=88)
    assert "\n" in lit and inspect.cleandoc(ast.literal_eval(lit)) == inspect.cleandoc(long)
    assert "\n" not in render_docstring(long, "    ", line_length=200)


def test_render_uses_raw_for_backslashes_and_switches_quotes() -> None:
    """Backslashes get an ``r`` prefix, embedded triple quotes switch the quote style."""
    assert render_docstring("Match \\d+.", "") == 'r"""Match \\d+."""'
    assert render_docstring('Say """hi""".', "") == "'''Say \"\"\"hi\"\"\".'''"
    assert render_docstring("Ends \\", "") == '"""Ends \\\\"""'
    assert render_docstring("x", "", prefix="u") == 'u"""x"""'


def test_render_keeps_newline_and_indent() -> None:
    """Rendered literals use the file's newline and the given indentation."""
    lit = render_docstring("A.\n\nB.", "\t", newline="\r\n")
    assert lit == '"""A.\r\n\r\n\tB.\r\n\t"""'


def test_several_edits_one_file_bottom_up_and_idempotent(tmp_path: Path) -> None:
    """Several edits to one file apply together; applying them again skips all."""
    src = "def a(): pass\ndef b(): pass\nclass C:\n    def d(self): pass\n"
    edits = {"<module>": "M.", "a": "A.", "b": "B.", "C": "C.", "C.d": "D."}
    edit(tmp_path, src, edits)
    again = apply_file_edits(tmp_path, "mod.py", [DocEdit(q, t) for q, t in edits.items()])
    assert again.applied == [] and not again.written
    assert {q for q, r in again.skipped if r == "already applied"} == set(edits)


def test_file_mode_kept_and_symlink_followed(tmp_path: Path) -> None:
    """The atomic write keeps permission bits, follows symlinks and leaves no temp file."""
    real = tmp_path / "real.py"
    real.write_text("def f(): pass\n")
    os.chmod(real, 0o754)
    (tmp_path / "link.py").symlink_to(real)
    res = apply_file_edits(tmp_path, "link.py", [DocEdit("f", "F.")])
    assert res.written
    assert (tmp_path / "link.py").is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o754
    assert '"""F."""' in real.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _refused(tmp_path: Path, name: str, data: bytes, edits: list[DocEdit], **kw: object) -> str:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    res = apply_file_edits(tmp_path, name, edits, **kw)
    assert not res.written and res.applied == []
    assert len(res.refused) == len({e.qualname for e in edits})
    if data is not None:
        assert path.read_bytes() == data
    return res.refused[0][1]


def test_refuse_unknown_qualname_with_suggestion(tmp_path: Path) -> None:
    """An unknown qualname is refused with close matches and the file is untouched."""
    reason = _refused(tmp_path, "m.py", b"def fetch(): pass\n", [DocEdit("fetc", "X.")])
    assert "no definition 'fetc' in m.py" in reason and "did you mean fetch" in reason


def test_refuse_stale_code_sha(tmp_path: Path) -> None:
    """A ``code_sha`` that no longer matches the code is refused."""
    reason = _refused(tmp_path, "m.py", b"def f(): pass\n", [DocEdit("f", "X.", "0" * 16)])
    assert "changed since its draft" in reason


def test_refuse_unparseable_and_missing_file(tmp_path: Path) -> None:
    """Unparseable and missing files are refused with the reason."""
    reason = _refused(tmp_path, "m.py", b"def f(:\n", [DocEdit("f", "X.")])
    assert "syntax error" in reason
    res = apply_file_edits(tmp_path, "nope.py", [DocEdit("f", "X.")])
    assert res.refused == [("f", "nope.py: file not found")]
    assert not (tmp_path / "nope.py").exists()


def test_refuse_unwritable_file(tmp_path: Path) -> None:
    """A read-only file is refused (not replaced behind the user's back)."""
    path = tmp_path / "m.py"
    path.write_bytes(b"def f(): pass\n")
    os.chmod(path, 0o444)
    res = apply_file_edits(tmp_path, "m.py", [DocEdit("f", "X.")])
    assert res.refused == [("f", "m.py: the file is not writable")]
    assert path.read_bytes() == b"def f(): pass\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_refuse_when_file_bytes_changed_since_draft(tmp_path: Path) -> None:
    """A file whose bytes changed since the draft is refused."""
    data = b"def f(): pass\n"
    reason = _refused(
        tmp_path, "m.py", data, [DocEdit("f", "X.")], expected_file_sha=file_sha(b"other")
    )
    assert "changed since its draft" in reason


def test_conflicting_edits_refused_duplicates_skipped(tmp_path: Path) -> None:
    """Two texts for one target are refused; identical duplicates are skipped."""
    facts = read_file("m.py", "m.py", b"def f(): pass\ndef g(): pass\n")
    plan = plan_file_edits(
        facts, [DocEdit("f", "A."), DocEdit("f", "B."), DocEdit("g", "G."), DocEdit("g", "G.")]
    )
    assert ("f", "conflicting texts for the same target") in plan.refused
    assert plan.applied == ["g"]
    assert plan.skipped == [("g", "duplicate of an earlier edit of the same target")]


def test_dry_run_writes_nothing_and_returns_diff(tmp_path: Path) -> None:
    """A dry run returns the unified diff and leaves the file alone."""
    path = tmp_path / "m.py"
    path.write_bytes(b"def f(): pass\n")
    res = apply_file_edits(tmp_path, "m.py", [DocEdit("f", "F.")], dry_run=True)
    assert not res.written and res.applied == ["f"]
    assert path.read_bytes() == b"def f(): pass\n"
    assert res.diff.startswith("--- a/m.py\n+++ b/m.py\n")
    assert '+    """F."""\n' in res.diff


def test_restore_file_undoes_and_refuses_to_clobber(tmp_path: Path) -> None:
    """Undo restores the old bytes, but never over a later change."""
    path = tmp_path / "m.py"
    path.write_bytes(b"def f(): pass\n")
    res = apply_file_edits(tmp_path, "m.py", [DocEdit("f", "F.")])
    assert res.old_bytes is not None and res.new_bytes is not None
    path.write_bytes(res.new_bytes + b"# someone else\n")
    with pytest.raises(RefusedEdit, match="changed since the edit"):
        restore_file(path, res.old_bytes, expected_current=res.new_bytes)
    path.write_bytes(res.new_bytes)
    restore_file(path, res.old_bytes, expected_current=res.new_bytes)
    assert path.read_bytes() == b"def f(): pass\n"


def test_remove_docstrings_keeps_code(tmp_path: Path) -> None:
    """Removing docstrings leaves the code, and keeps ones that would promote a string."""
    src = (
        '"""Mod."""\nimport os\n\ndef f():\n    """Only."""\n\nclass A:\n    """Doc."""; x = 1\n'
        '    def g(self):\n        """Doc."""\n        "not a docstring"\n'
    )
    facts = read_file("m.py", "m.py", src.encode())
    new, removed = remove_docstrings(facts)
    assert removed == ["<module>", "f", "A"]  # A.g keeps its docstring: "not a docstring" follows
    assert new == (
        "import os\n\ndef f():\n    pass\n\nclass A:\n    x = 1\n    def g(self):\n"
        '        """Doc."""\n        "not a docstring"\n'
    )


def test_docstring_own_text_is_applied_verbatim_not_cleaned_again(tmp_path: Path) -> None:
    # inspect.cleandoc is not idempotent: this docstring (as in http.cookiejar) reads back as
    # "RFC.\n\n    Body." and cleaning that again would dedent the body.
    """A docstring's own text is applied verbatim; other texts are cleaned."""
    src = 'def f():\n    """\n\n    RFC.\n\n        Body.\n    """\n\ndef g(): pass\n'
    facts = read_file("m.py", "m.py", src.encode())
    own = facts.target("f").docstring.text
    assert own == "RFC.\n\n    Body." and inspect.cleandoc(own) != own
    assert docstring_text(own) == own
    edit(tmp_path, src, {"g": own})
    res = apply_file_edits(tmp_path, "mod.py", [DocEdit("f", own)])
    assert res.skipped == [("f", "already applied")]
    # texts no literal can produce are cleaned: tabs, blank edge lines, common indentation
    assert docstring_text("\n\tA\n\tB\n\n") == "A\nB"
    assert docstring_text("Summary.\n") == "Summary."


def test_code_sha_check_matches_targets_code_shas() -> None:
    """The engine's code_sha check computes exactly ``targets.code_shas``."""
    from docagent.code.file_context import FileContext
    from docagent.code.targets import code_shas

    src = (
        '"""M."""\nclass A:\n    """A."""\n    def f(self):\n        """F."""\n        return 1\n'
        "    @property\n    def x(self): return 2\n    @x.setter\n    def x(self, v): pass\n"
        "def g():\n    def h(): pass\n    return h\n"
    )
    facts = read_file("m.py", "m.py", src.encode())
    ctx = FileContext(facts)
    assert {t.qualname: ctx.code_sha(t.qualname) for t in facts.targets} == code_shas(facts)


@pytest.mark.parametrize(
    ("src", "qualname", "expected"),
    [
        ('def f(): "old"\n', "f", 'def f(): "New."\n'),
        ('class A: "old"; x = 1\n', "A", 'class A: "New."; x = 1\n'),
        (
            'def f():\n    ("old "\n     "parts")\n    return 1\n',
            "f",
            'def f():\n    "New."\n    return 1\n',
        ),
        ("def f():\n    u'old'\n", "f", "def f():\n    u'New.'\n"),
        ('"""Old module."""\r\nimport os\r\n', "<module>", '"""New."""\r\nimport os\r\n'),
    ],
)
def test_replace_odd_existing_docstrings(
    tmp_path: Path, src: str, qualname: str, expected: str
) -> None:
    """Header-line, ``;``-joined, concatenated and ``u``-prefixed docstrings are replaced."""
    assert edit(tmp_path, src, {qualname: "New."}) == expected.encode()


def test_replace_on_header_line_with_multiline_text(tmp_path: Path) -> None:
    """A multi-line text replacing a header-line docstring stays valid and exact."""
    new = edit(tmp_path, 'def f(): "old"\n', {"f": "One.\n\nTwo."}).decode()
    assert new == 'def f(): """One.\n\n    Two.\n    """\n'


def test_code_sha_matches_targets_on_real_code() -> None:
    """The code_sha check equals ``targets.code_shas`` on a real module."""
    import sysconfig

    from docagent.code.file_context import FileContext
    from docagent.code.targets import code_shas

    path = Path(sysconfig.get_paths()["stdlib"]) / "ast.py"
    facts = read_file(str(path), "ast.py")
    ctx = FileContext(facts)
    assert {t.qualname: ctx.code_sha(t.qualname) for t in facts.targets} == code_shas(facts)


def test_failed_verification_refuses_only_the_bad_edit(tmp_path: Path, monkeypatch) -> None:
    """An edit that fails verification is refused alone; the file's other edits still apply."""
    from docagent.code import docstring_placement

    real_render = docstring_placement.render_cleaned

    def broken(cleaned: str, indent: str, **kw: object) -> str:
        if cleaned == "BAD":
            return '"""BAD"""; import os'  # parses, but changes the code
        return real_render(cleaned, indent, **kw)

    monkeypatch.setattr(docstring_placement, "render_cleaned", broken)
    path = tmp_path / "m.py"
    path.write_text("def f(): pass\ndef g(): pass\n")
    res = apply_file_edits(tmp_path, "m.py", [DocEdit("f", "BAD"), DocEdit("g", "Good.")])
    assert res.refused == [
        ("f", "verification failed: the edit would change code outside docstrings")
    ]
    assert res.applied == ["g"] and res.written
    assert path.read_text() == 'def f(): pass\ndef g():\n    """Good."""\n    pass\n'
    # alone, the bad edit leaves the file untouched
    res = apply_file_edits(tmp_path, "m.py", [DocEdit("f", "BAD")])
    assert res.refused and not res.written and res.error
    assert path.read_text() == 'def f(): pass\ndef g():\n    """Good."""\n    pass\n'


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        # a method follows: one blank line after the new docstring (PEP 257)
        (
            "class A:\n    def f(self):\n        return 1\n",
            'class A:\n    """Doc."""\n\n    def f(self):\n        return 1\n',
        ),
        # decorated method, nested class and a comment before the method
        (
            "class A:\n    @property\n    def f(self):\n        return 1\n",
            'class A:\n    """Doc."""\n\n    @property\n    def f(self):\n        return 1\n',
        ),
        (
            "class A:\n    class B:\n        pass\n",
            'class A:\n    """Doc."""\n\n    class B:\n        pass\n',
        ),
        (
            "class A:\n    # note\n    def f(self):\n        return 1\n",
            'class A:\n    """Doc."""\n\n    # note\n    def f(self):\n        return 1\n',
        ),
        # already a blank line: not doubled
        (
            "class A:\n\n    def f(self):\n        return 1\n",
            'class A:\n    """Doc."""\n\n    def f(self):\n        return 1\n',
        ),
        # any statement next (ruff format and black want the blank line too)
        ("class A:\n    x = 1\n", 'class A:\n    """Doc."""\n\n    x = 1\n'),
        ("class E(Exception):\n    pass\n", 'class E(Exception):\n    """Doc."""\n\n    pass\n'),
        # CRLF files get a CRLF blank line
        (
            "class A:\r\n    def f(self):\r\n        return 1\r\n",
            'class A:\r\n    """Doc."""\r\n\r\n    def f(self):\r\n        return 1\r\n',
        ),
    ],
)
def test_new_class_docstring_gets_a_blank_line_before_a_definition(
    tmp_path: Path, src: str, expected: str
) -> None:
    """PEP 257 and ruff format: a blank line after a new class docstring."""
    qualname = src.split("class ", 1)[1].split("(")[0].split(":")[0]
    assert edit(tmp_path, src, {qualname: "Doc."}).decode() == expected


def test_replacing_a_class_docstring_adds_no_blank_line(tmp_path: Path) -> None:
    """Only new class docstrings get the blank line; a replaced one keeps the layout."""
    src = 'class A:\n    """Old."""\n    def f(self):\n        return 1\n'
    assert edit(tmp_path, src, {"A": "New."}).decode() == src.replace("Old.", "New.")


def test_function_docstrings_get_no_blank_line_before_a_nested_def(tmp_path: Path) -> None:
    """Functions keep their docstring right above the first statement, even a nested def."""
    src = "def f():\n    def g():\n        return 1\n    return g\n"
    assert edit(tmp_path, src, {"f": "Doc."}).decode() == (
        'def f():\n    """Doc."""\n    def g():\n        return 1\n    return g\n'
    )


def test_apply_parses_the_whole_file_with_tree_sitter_once(tmp_path: Path, monkeypatch) -> None:
    """New docstrings are placed with the read's syntax tree; after the edit tree-sitter reads
    only the new literals, all in one parse (the proof of an edit checks the rest with Python's
    parser)."""
    from docagent.code import parser as ts

    parsed: list[bytes] = []
    real_parse = ts.parse

    def counting(source: bytes):  # noqa: ANN202 - wraps the parser
        parsed.append(source)
        return real_parse(source)

    monkeypatch.setattr(ts, "parse", counting)
    path = tmp_path / "m.py"
    original = b"class A:\n    def f(self):\n        return 1\n\ndef g():\n    pass\n"
    path.write_bytes(original)
    res = apply_file_edits(tmp_path, "m.py", [DocEdit("A.f", "F."), DocEdit("g", "G.")])
    assert res.applied == ["A.f", "g"] and res.written
    assert _docstrings(path.read_text())[(2, "f")] == "F."
    assert parsed == [original, b'"""F."""\n"""G."""']
