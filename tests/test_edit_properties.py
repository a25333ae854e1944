"""Property tests: any text renders to a literal that reads back exactly, or is refused.

"Exactly" is :func:`docagent.code.edit.docstring_text`: the text itself when a literal can
produce it (every ``inspect.cleandoc`` result), else ``inspect.cleandoc(text)``.
"""

from __future__ import annotations

import ast
import inspect

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from docagent.code.edit import (
    DocEdit,
    RefusedEdit,
    docstring_text,
    plan_file_edits,
    render_docstring,
)
from docagent.code.targets import read_file, strip_docstrings

_TRICKY = "\"'\\\n\r\t \x00\x0c\x0b\u2028\u00e9\u2603\U0001f389\ud800 abcN{}xu"
texts = st.one_of(
    st.text(st.sampled_from(list(_TRICKY)), max_size=40),
    st.text(st.characters(codec=None), max_size=40),
    st.text(max_size=60),
)
indents = st.sampled_from(["", "    ", "\t", "        ", "\t\t", "  "])
quotes = st.sampled_from(['"""', "'''", '"', "'"])
prefixes = st.sampled_from(["", "r", "u", "R", "U"])
encodings = st.sampled_from(["utf-8", "latin-1", "ascii", "cp1252", "utf-8-sig"])


@settings(max_examples=400, deadline=None)
@given(texts, indents, quotes, prefixes, encodings, st.sampled_from(["\n", "\r\n"]))
@example('x"', "", '"""', "", "utf-8", "\n")
@example("\\", "    ", "'", "r", "ascii", "\n")
@example("A\n    indented body", "    ", '"""', "", "utf-8", "\n")
@example("\"\"\" ''' \\", "\t", '"""', "r", "latin-1", "\r\n")
def test_render_reads_back_exactly_or_refuses(
    text: str, indent: str, quote: str, prefix: str, encoding: str, newline: str
) -> None:
    """Any text renders to a literal that reads back exactly in any encoding, or is refused."""
    try:
        literal = render_docstring(
            text, indent, quote=quote, prefix=prefix, encoding=encoding, newline=newline
        )
    except RefusedEdit:
        return
    literal.encode(encoding)  # the file's encoding can hold it
    ind = indent or " "
    source = f"def f():{newline}{ind}{literal}{newline}{ind}pass{newline}"
    tree = ast.parse(source)
    assert ast.get_docstring(tree.body[0]) == docstring_text(text)
    assert ast.dump(strip_docstrings(tree)) == ast.dump(
        strip_docstrings(ast.parse(f"def f():\n{indent or ' '}pass\n"))
    )


_SHAPES = [
    "def f(x): return x\n",
    "def f(x):\n    return x\n",
    "def f(x):\n    'old'\n    return x\n",
    "class f:\n\tdef g(self):\n\t\tpass\n",
    "# c\nclass f: pass",
    "import os\n\n\nasync def f():\n    # c\n    await os()\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts,
    st.sampled_from(_SHAPES),
    st.sampled_from(["<module>", "f"]),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["utf-8", "latin-1"]),
)
def test_engine_never_produces_a_different_docstring_or_broken_code(
    text: str, shape: str, qualname: str, newline: str, encoding: str
) -> None:
    """Whole-file edits give the exact docstring and unchanged code, or write nothing."""
    source = shape.replace("\n", newline)
    if encoding != "utf-8":
        source = f"# -*- coding: {encoding} -*-{newline}" + source
    data = source.encode(encoding)
    facts = read_file("m.py", "m.py", data)
    plan = plan_file_edits(facts, [DocEdit(qualname, text)])
    if plan.new_text is None:
        assert plan.refused or plan.skipped  # refused or already applied; nothing to write
        return
    new = plan.new_bytes
    assert new is not None
    after = read_file("m.py", "m.py", new)
    assert after.encoding == facts.encoding
    assert after.newline == facts.newline
    tree = ast.parse(after.text)
    node = (
        tree
        if qualname == "<module>"
        else next(n for n in ast.walk(tree) if getattr(n, "name", None) == "f")
    )
    assert ast.get_docstring(node) == docstring_text(text)  # type: ignore[arg-type]
    assert ast.dump(strip_docstrings(tree)) == ast.dump(strip_docstrings(ast.parse(facts.text)))


@given(texts)
def test_docstring_text_is_the_text_or_its_cleandoc_and_a_fixed_point(text: str) -> None:
    """The applied text is the text or its cleandoc (line ends read as Python reads them: CR LF
    and CR are newlines), and applying it again changes nothing."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    target = docstring_text(text)
    assert target in (lines, inspect.cleandoc(lines))
    assert "\r" not in target
    assert docstring_text(target) == target  # applying a docstring's own text changes nothing
