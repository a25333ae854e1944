"""Checks on drafts: the same consistency rules as scanning, plus names, summary and literal."""

from __future__ import annotations

import inspect
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docagent.code.docstrings import parse_sections
from docagent.code.targets import read_file
from docagent.draft import StructuredDraft, SymbolIndex
from docagent.draft.draft_checks import backticked_names, hard_failures, run_checks
from docagent.draft.render import render

SRC = """
class Box:
    def __init__(self, size):
        self.size = size


def helper(x):
    return x


def gen(n):
    for i in range(n):
        yield i


def fail(x):
    if x < 0:
        raise ValueError("negative")
    print(x)
"""

FACTS = read_file("", "pkg/m.py", data=SRC.encode())
SYMBOLS = SymbolIndex.from_files([FACTS])


def check(qualname, draft, style="google"):
    """Render ``draft`` for ``qualname`` in ``style`` and return its checks by name."""
    t = FACTS.target(qualname)
    init = FACTS.target(qualname + ".__init__") if t.kind == "class" else None
    text = render(draft, style, t)
    return {c.name: c for c in run_checks(t, text, style, SYMBOLS, draft, init, FACTS)}


def failed(checks):
    """Return the names of the checks that failed, sorted."""
    return sorted(n for n, c in checks.items() if not c.ok)


def test_a_correct_draft_passes():
    d = StructuredDraft("Print x.", params={"x": "Value."}, raises={"ValueError": "If x < 0."})
    assert failed(check("fail", d)) == []


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx", "pep257"])
def test_invented_and_missing_parameters(style):
    d = StructuredDraft("Print x.", params={"y": "Nope."}, raises={"ValueError": "If x < 0."})
    c = check("fail", d, style)
    assert not c["params"].ok
    assert "'y' not in the signature" in c["params"].detail
    assert "parameter 'x'" in c["params"].detail


def test_no_params_at_all_is_missing():
    c = check("helper", StructuredDraft("Return x.", returns="x."))
    assert not c["params"].ok and "'x'" in c["params"].detail


def test_returns_only_with_a_value():
    d = StructuredDraft(
        "Print x.", params={"x": "V."}, returns="Nothing.", raises={"ValueError": "neg"}
    )
    assert failed(check("fail", d)) == ["returns"]
    soft = check("helper", StructuredDraft("Return x.", params={"x": "V."}))
    assert not soft["returns-documented"].ok and not soft["returns-documented"].hard


def test_yields_for_generators():
    c = check("gen", StructuredDraft("Count.", params={"n": "How many."}))
    assert failed(c) == ["yields"]
    c = check("helper", StructuredDraft("Return x.", params={"x": "V."}, yields="x", returns="x"))
    assert failed(c) == ["yields"]


def test_raises_agree_with_raise_statements():
    c = check("fail", StructuredDraft("Print x.", params={"x": "V."}))
    assert failed(c) == ["raises"] and "ValueError" in c["raises"].detail
    c = check(
        "helper",
        StructuredDraft("Return x.", params={"x": "V."}, returns="x", raises={"KeyError": "never"}),
    )
    assert failed(c) == ["raises"]


def test_class_params_are_checked_against_init():
    assert failed(check("Box", StructuredDraft("A box.", params={"size": "Size."}))) == []
    c = check("Box", StructuredDraft("A box.", params={"width": "Width."}))
    assert failed(c) == ["params"]


def test_backticked_names_must_exist():
    ok = StructuredDraft(
        "Return x via `helper` and ``Box.size`` and `len`.", params={"x": "`x`."}, returns="x"
    )
    assert failed(check("helper", ok)) == []
    bad = StructuredDraft("Return x via `made_up_function`.", params={"x": "V."}, returns="x")
    c = check("helper", bad)
    assert failed(c) == ["names"] and "made_up_function" in c["names"].detail
    assert backticked_names("see :func:`Box <pkg.m.Box>` and `a + b`") == ["pkg.m.Box"]


def test_methods_of_builtins_resolve_and_invented_ones_do_not():
    ok = StructuredDraft(
        "Return x, like `list.extend` and `dict.update` do.", params={"x": "V."}, returns="x"
    )
    assert failed(check("helper", ok)) == []
    bad = StructuredDraft("Return x, like `list.extend_all`.", params={"x": "V."}, returns="x")
    assert "list.extend_all" in check("helper", bad)["names"].detail


def test_names_the_person_wrote_are_not_blamed_on_the_draft():
    """A draft keeping a person's prose is not failed for a name the person wrote."""
    code = 'def visit(x):\n    """Visit x, see `somewhere_else`."""\n    return x\n'
    facts = read_file("", "pkg/v.py", data=code.encode())
    target = facts.target("visit")
    symbols = SymbolIndex.from_files([facts])
    kept = "Visit x, see `somewhere_else`.\n\nArgs:\n    x: V.\n\nReturns:\n    x."
    names = {c.name: c for c in run_checks(target, kept, "google", symbols)}["names"]
    assert names.ok
    invented = kept.replace("Args:", "Uses `made_up`.\n\nArgs:")
    names = {c.name: c for c in run_checks(target, invented, "google", symbols)}["names"]
    assert not names.ok and "made_up" in names.detail and "somewhere_else" not in names.detail


def test_summary_must_be_one_line():
    t = FACTS.target("helper")
    checks = {c.name: c for c in run_checks(t, "Return\nx.\n\nArgs:\n    x: V.", "google", SYMBOLS)}
    assert not checks["summary"].ok


def test_a_persons_summary_over_two_lines_does_not_fail_the_draft_that_keeps_it():
    """Updating a docstring whose summary spans two lines keeps it; a new one must be one line."""
    code = (
        "def ceil(x):\n"
        '    """Return the ceiling of *x*. If *options* is set, return the\n'
        '    smallest integer."""\n'
        "    if x is None:\n"
        "        raise ValueError('x')\n"
        "    return x\n"
    )
    facts = read_file("", "pkg/c.py", data=code.encode())
    target = facts.target("ceil")
    kept = (
        "Return the ceiling of *x*. If *options* is set, return the\nsmallest integer.\n\n"
        "Raises:\n    ValueError: If x is None."
    )
    assert {c.name: c for c in run_checks(target, kept, "google")}["summary"].ok
    rewritten = kept.replace("smallest integer.", "largest integer.")
    assert not {c.name: c for c in run_checks(target, rewritten, "google")}["summary"].ok


def test_text_that_cannot_be_a_docstring_fails_the_roundtrip():
    t = FACTS.target("helper")
    checks = {c.name: c for c in run_checks(t, "  indented\n\n\n", "google", SYMBOLS)}
    assert not checks["roundtrip"].ok
    assert [c.name for c in hard_failures(list(checks.values()))] == ["roundtrip"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
def test_any_summary_renders_to_a_safe_round_tripping_literal(s):
    summary = " ".join(s.split()) or "x"
    d = StructuredDraft(summary + " '''\"\"\"\\", params={"x": 'Ends with a quote"'}, returns="x")
    text = render(d, "google", FACTS.target("helper"))
    assert inspect.cleandoc(text) == text
    checks = check("helper", d)
    assert checks["literal"].ok and checks["roundtrip"].ok


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_rendered_sections_parse_back(style):
    d = StructuredDraft(
        "Do it.",
        "More words.",
        {"x": "The x."},
        "A value.",
        "",
        {"ValueError": "Bad."},
        "",
        {"a": "An attribute."},
    )
    sec = parse_sections(render(d, style))
    assert (sec.style, sec.params, sec.returns, sec.raises) == (style, ["x"], True, ["ValueError"])


_TRICKY = st.sampled_from(list("ab \n\t\x0b\x0c\x1a'`é\u2028\u0085\ufeff\"\\\r\x00\ud800"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_TRICKY | st.characters(), max_size=40))
def test_the_literal_check_without_parsing_plain_text_says_what_parsing_says(text):
    """A text the naive literal cannot change is not parsed: the checks are the ones a parse
    gives (quotes, backslashes, carriage returns, NULs and surrogates are parsed)."""
    from docagent.draft import draft_checks

    fast = draft_checks._check_literal(text)
    pattern = draft_checks._ESCAPABLE
    try:
        draft_checks._ESCAPABLE = re.compile(r"(?s).?")  # always parse the naive literal
        assert draft_checks._check_literal(text) == fast
    finally:
        draft_checks._ESCAPABLE = pattern


@pytest.mark.parametrize("char", ['"', "\\"])
def test_a_text_its_naive_literal_would_change_is_marked_escaped(char):
    from docagent.draft.draft_checks import _check_literal

    literal = _check_literal(f"Ends with the mark {char}")[0]
    assert literal.ok and "escaped when rendered" in literal.detail
    assert _check_literal("Read the mark.")[0].detail == ""


_LITERAL_CASES = [
    "Plain text.",
    "",
    "   ",
    "Two\nlines\n    indented\n",
    'Ends with a quote"',
    '"Starts with a quote',
    'Three """ quotes',
    "Ends with a backslash\\",
    "A \\N{BULLET} escape",
    "A \\n that is not a newline",
    "Null \x00 byte",
    "Lone \ud800 surrogate",
    "Carriage\rreturn",
    "Tab\tform\x0cfeed\x0bvertical \u2028 separator \x85 next line",
    "Quote at the end '''",
]


def _literals(text):
    """The naive literal of ``text`` and the one the edit engine renders (when it renders)."""
    from docagent.draft.draft_checks import literal_for

    rendered = literal_for(text)
    return [f'"""{text}"""', *([rendered] if rendered is not None else [])]


@pytest.mark.parametrize("text", _LITERAL_CASES)
@pytest.mark.parametrize("indent", ["    ", "  ", "\t"])
def test_a_literal_decided_without_the_parser_reads_as_the_parser_reads_it(text, indent):
    """A plain triple-quoted literal is decided without parsing: the result is the parser's
    for every literal (backslashes, quotes at the ends, ``\\N{...}``, NULs, surrogates)."""
    from docagent.draft.draft_checks import _parsed_literal_value, literal_value

    for literal in _literals(text):
        assert literal_value(literal, indent) == _parsed_literal_value(literal, indent)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_TRICKY | st.characters(), max_size=40))
def test_the_literal_and_roundtrip_checks_are_the_parsers(text):
    """The ``literal`` and ``roundtrip`` checks of any text are those parsing every literal
    gives."""
    from docagent.draft import draft_checks

    for literal in _literals(text):
        assert draft_checks.literal_value(literal) == draft_checks._parsed_literal_value(
            literal, "    "
        )
    fast = draft_checks._check_literal(text)
    decide = draft_checks.literal_value
    try:
        draft_checks.literal_value = lambda lit, indent="    ": draft_checks._parsed_literal_value(
            lit, indent
        )
        assert draft_checks._check_literal(text) == fast
    finally:
        draft_checks.literal_value = decide


def _fill_by_textwrap(text, width, indent="", first_indent=None):
    """What ``render._fill`` gave when every paragraph went through ``textwrap.wrap``."""
    import textwrap

    from docagent.draft.render import _UNWRAPPABLE, _paragraphs

    out = []
    first = indent if first_indent is None else first_indent
    for n, para in enumerate(_paragraphs(text)):
        if n:
            out.append("")
        lines = para.splitlines()
        if any(_UNWRAPPABLE.match(x) for x in lines):
            for i, x in enumerate(lines):
                out.append((first if not out or (i == 0 and n == 0) else indent) + x)
            continue
        joined = " ".join(x.strip() for x in lines)
        wrapped = textwrap.wrap(
            joined,
            width=max(20, width),
            initial_indent=first if n == 0 else indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.extend(wrapped or [first.rstrip()])
    return out


_PROSE = st.sampled_from(list("ab  \n\t\x0b\x0c\r\x1c\x85\u2028\xa0\u3000-.>*1:é"))


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=_PROSE | st.characters(), max_size=120),
    st.integers(min_value=0, max_value=90),
    st.sampled_from(["", "    ", "  "]),
    st.sampled_from([None, "", "Args: ", "x (int): "]),
)
def test_a_paragraph_that_fits_on_a_line_is_what_textwrap_gives(text, width, indent, first):
    """Rendering keeps a paragraph that fits on one line without ``textwrap``: the lines are
    those ``textwrap.wrap`` gives, whatever the white space (tabs, line and paragraph breaks,
    form feeds, non-breaking and wide spaces) and the indents."""
    from docagent.draft.render import _fill

    assert _fill(text, width, indent, first) == _fill_by_textwrap(text, width, indent, first)


@pytest.mark.parametrize("width", [10, 20, 72])
@pytest.mark.parametrize("first", [None, "Args: "])
def test_a_paragraph_at_the_edge_of_the_width_is_what_textwrap_gives(width, first):
    """Paragraphs one character shorter than, as long as and longer than the room left."""
    from docagent.draft.render import _fill

    room = max(20, width) - len(first or "")
    for size in range(room - 2, room + 3):
        words = ("ab " * size)[: size - 1] + "x"  # ends in a letter, ``size`` characters
        for text in (words, "x" * size, words + "\n" + words):
            assert _fill(text, width, "", first) == _fill_by_textwrap(text, width, "", first)
