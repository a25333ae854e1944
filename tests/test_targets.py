"""The scanner's targets agree with Python's ast (docs/scanning.md): edge cases, real code."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from ast_reference import reference_targets

from docagent.code import parser as ts
from docagent.code.targets import SourceError, read_file

FIXTURE = Path(__file__).parent / "fixtures" / "edge_cases.py"
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _mine(path: Path, rel: str, mode: str = "all") -> list[tuple[str, str, bool]]:
    facts = read_file(str(path), rel, body_facts=mode)
    return [(t.qualname, t.kind, t.has_docstring) for t in facts.targets]


def test_edge_cases_agree_with_ast() -> None:
    assert _mine(FIXTURE, "edge_cases.py") == reference_targets(FIXTURE.read_text())
    assert _mine(FIXTURE, "edge_cases.py", "sectioned") == reference_targets(FIXTURE.read_text())


def test_scan_mode_gives_the_same_status_as_full_facts() -> None:
    """The scanner's fast path (body facts only where needed) decides every status the same."""
    from docagent.code.docstrings import apply_status

    for name in ("ipaddress.py", "nntplib.py", "smtplib.py", "statistics.py", "traceback.py"):
        full = read_file(str(STDLIB / name), name)
        fast = read_file(str(STDLIB / name), name, body_facts="sectioned")
        apply_status(full.targets)
        apply_status(fast.targets)
        assert [(t.qualname, t.status, t.problems) for t in fast.targets] == [
            (t.qualname, t.status, t.problems) for t in full.targets
        ]
        assert any(t.status == "stale" for t in full.targets), name  # the rules have work here


def test_edge_case_details() -> None:
    facts = read_file(str(FIXTURE), "edge_cases.py")
    by = {t.qualname: t for t in facts.targets}
    assert by["Prop.x#2"].decorators == ("x.setter",)
    assert by["Prop.x"].is_property
    assert "over" in by and by["over"].has_docstring  # @overload stubs take no number
    assert "over#2" not in by
    assert by["duplicated#2"].kind == "function"
    assert by["outer.f#2.g"].kind == "function"
    assert by["Prop.conditional_method"].kind == "method"
    assert by["Prop.Inner.deep.helper.Local.m"].kind == "method"
    assert not by["outer.f"].public  # local functions are not public API
    params = by["in_try"].params
    assert [(p.name, p.kind) for p in params] == [
        ("a", "positional_only"),
        ("b", "normal"),
        ("args", "var_positional"),
        ("c", "keyword_only"),
        ("d", "keyword_only"),
        ("kw", "var_keyword"),
    ]
    assert params[4].annotation == "int" and params[4].default == "2"
    assert by["in_try"].returns == "int" and by["in_try"].returns_value
    assert by["yields"].yields and not by["yields"].returns_value
    assert by["raises"].raises == ("KeyError", "IndexError", "ValueError")
    assert by["coro"].is_async
    assert not by["f_string_is_not_doc"].has_docstring
    assert not by["bytes_is_not_doc"].has_docstring
    assert by["concatenated"].docstring.text == "part one part two"
    assert by["raw_doc"].docstring.text == "Raw \\d docstring."
    assert by["raw_doc"].docstring.prefix == "r"
    assert by["<module>"].docstring.text == "Module docstring after comments."


def test_class_attributes_and_docstring_location() -> None:
    src = (
        b"class A:\n"
        b'    """Doc."""\n'
        b"    limit: int = 3\n"
        b"    name = 'a'\n"
        b"    def __init__(self, x):\n"
        b"        self.x = x\n"
        b"        if x:\n"
        b"            self.y = 2\n"
    )
    facts = read_file("a.py", "a.py", src)
    cls = facts.target("A")
    assert cls.attributes == ("limit", "name", "x", "y")
    assert cls.docstring.line == 2 and cls.docstring.quote == '"""'
    assert src[cls.docstring.start_byte : cls.docstring.end_byte] == b'"""Doc."""'


def test_grammar_docstring_node_shape() -> None:
    """Guards the tree-sitter-python pin: a docstring is expression_statement > string."""
    tree = ts.parse(b'def f():\n    """Doc."""\n')
    body = tree.root_node.children[0].child_by_field_name("body")
    stmt = body.named_children[0]
    assert stmt.type == "expression_statement"
    assert stmt.named_children[0].type == "string"
    assert [c.type for c in stmt.named_children[0].children] == [
        "string_start",
        "string_content",
        "string_end",
    ]


def test_latin1_cookie_and_crlf() -> None:
    src = "# -*- coding: latin-1 -*-\r\ndef f():\r\n    'caf\xe9'\r\n".encode("latin-1")
    facts = read_file("l.py", "l.py", src)
    assert facts.encoding == "iso8859-1"
    assert facts.newline == "\r\n"
    assert facts.target("f").docstring.text == "caf\xe9"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"def f(:\n    pass\n", "syntax error"),
        (b"x = '\xff\xfe'\n", "cannot decode"),
        (b"# -*- coding: nonsense -*-\nx = 1\n", "nonsense"),
    ],
)
def test_bad_files_raise_source_error(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        read_file("bad.py", "bad.py", data)


PYTHON2_FORMS = [
    ('def f(x):\n    print "hi", x\n', 2, "Missing parentheses in call to 'print'"),
    ("def f(code):\n    exec code in {}\n", 2, "Missing parentheses in call to 'exec'"),
    ("try:\n    pass\nexcept ValueError, e:\n    pass\n", 3, "must be parenthesized"),
    ('class A:\n    def f(self):\n        raise ValueError, "no"\n', 3, "invalid syntax"),
]


@pytest.mark.parametrize("body_facts", ["all", "sectioned"])
@pytest.mark.parametrize(("source", "line", "message"), PYTHON2_FORMS)
def test_a_python2_statement_is_a_one_line_syntax_error(
    source: str, line: int, message: str, body_facts: str
) -> None:
    """tree-sitter reads Python 2 statements without an error node; Python's parser confirms
    them and the file is a syntax error (scan's and drafting's reads alike), with a hint."""
    with pytest.raises(SourceError) as info:
        read_file("old.py", "old.py", source.encode(), body_facts=body_facts)
    text = str(info.value)
    assert text.startswith(f"old.py:{line}: syntax error: ") and message in text
    assert text.endswith("(Python 2 code? docagent reads Python 3 only)") and "\n" not in text


@pytest.mark.parametrize("body_facts", ["all", "sectioned"])
def test_a_python3_file_tree_sitter_reads_as_print_statement_is_read(body_facts: str) -> None:
    """``print >>f, x`` is a valid Python 3 expression (a tuple) that tree-sitter reads as a
    Python 2 print statement: Python's parser accepts it, so the file's targets stand."""
    source = b"import sys\n\n\ndef f(x):\n    print >>sys.stderr, x\n    raise\n"
    facts = read_file("new.py", "new.py", source, body_facts=body_facts)
    assert [t.qualname for t in facts.targets] == ["<module>", "f"]


def _stdlib_files() -> list[Path]:
    files = sorted(p for p in STDLIB.glob("*.py"))
    files += sorted(STDLIB.glob("json/*.py")) + sorted(STDLIB.glob("email/*.py"))
    files += sorted(STDLIB.glob("asyncio/*.py")) + sorted(STDLIB.glob("unittest/*.py"))
    return files


@pytest.mark.slow
def test_standard_library_agrees_with_ast_100_percent() -> None:
    """Every target, kind, qualname and has_docstring on a broad slice of the stdlib."""
    checked = targets = 0
    for path in _stdlib_files():
        text = path.read_bytes()
        try:
            ref = reference_targets(text.decode("utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        assert _mine(path, path.name) == ref, path
        assert _mine(path, path.name, "sectioned") == ref, path  # the scanner's fast path
        tree = ast.parse(text)
        expected = {
            (n.lineno, n.name): ast.get_docstring(n)
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        for t in read_file(str(path), path.name, body_facts="sectioned").targets:
            want = ast.get_docstring(tree) if t.kind == "module" else expected[(t.line, t.name)]
            assert (t.docstring.text if t.docstring else None) == want, (path, t.qualname)
        checked += 1
        targets += len(ref)
    assert checked > 200 and targets > 10000


def test_raises_are_listed_in_source_order() -> None:
    """``raises`` follows the code (tree-sitter's capture order varied between processes, so
    the offline drafter's Raises sections changed from one run to the next)."""
    source = (
        "def tell(self):\n"
        "    if not self.seekable:\n"
        '        raise UnsupportedOperation("underlying stream is not seekable")\n'
        "    if not self.telling:\n"
        '        raise OSError("telling position disabled by next() call")\n'
        "    try:\n"
        "        pass\n"
        "    except KeyError:\n"
        "        raise\n"
        "    assert x, 'pending decoded text'\n"
        "    raise ValueError\n"
    )
    facts = read_file("m.py", "m.py", source.encode())
    assert facts.target("tell").raises == (
        "UnsupportedOperation",
        "OSError",
        "KeyError",
        "ValueError",
    )
    name = "_pyio.py"  # TextIOWrapper.tell raises three exceptions in three ways
    facts = read_file(str(STDLIB / name), name)
    tree = ast.parse((STDLIB / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in ("tell", "read", "seek"):
            raised = [r for r in ast.walk(node) if isinstance(r, ast.Raise) and r.exc]
            raised.sort(key=lambda r: (r.lineno, r.col_offset))
            names = [ast.unparse(getattr(r.exc, "func", r.exc)) for r in raised]
            target = next(t for t in facts.targets if t.line == node.lineno)
            assert list(target.raises) == list(dict.fromkeys(names)), target.qualname
