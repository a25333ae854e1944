"""Style detection and staleness rules, for each rule and each style."""

from __future__ import annotations

import pytest

from docagent.code.docstrings import (
    apply_status,
    detect_style,
    majority_style,
    parse_sections,
)
from docagent.code.targets import extract

GOOGLE = '''"""Add.

    Args:
        a: first.
        b: second.

    Returns:
        The sum.
    """'''
NUMPY = '''"""Add.

    Parameters
    ----------
    a : int
        first.
    b : int
        second.

    Returns
    -------
    int
    """'''
SPHINX = '''"""Add.

    :param a: first.
    :param b: second.
    :returns: the sum.
    """'''


def _status(src: str, qualname: str = "f") -> tuple[str, list[str]]:
    targets = extract("m.py", src.encode())
    apply_status(targets)
    t = next(t for t in targets if t.qualname == qualname)
    return t.status, t.problems


@pytest.mark.parametrize(
    ("doc", "style"), [(GOOGLE, "google"), (NUMPY, "numpy"), (SPHINX, "sphinx")]
)
def test_consistent_docstrings_are_ok_in_every_style(doc: str, style: str) -> None:
    assert detect_style(doc) == style
    assert _status(f"def f(a, b):\n    {doc}\n    return a + b\n") == ("ok", [])


@pytest.mark.parametrize("doc", [GOOGLE, NUMPY, SPHINX])
def test_invented_and_missing_parameters_are_stale(doc: str) -> None:
    status, problems = _status(f"def f(a, c):\n    {doc}\n    return a\n")
    assert status == "stale"
    assert "documents parameter 'b' not in the signature" in problems
    assert "does not document parameter 'c'" in problems


@pytest.mark.parametrize("doc", [GOOGLE, NUMPY, SPHINX])
def test_returns_without_a_value_is_stale(doc: str) -> None:
    status, problems = _status(f"def f(a, b):\n    {doc}\n    print(a, b)\n")
    assert status == "stale"
    assert problems == ["documents Returns but never returns a value"]


def test_generator_without_yields_is_stale() -> None:
    doc = '"""Count.\n\n    Args:\n        n: how many.\n    """'
    status, problems = _status(f"def f(n):\n    {doc}\n    yield from range(n)\n")
    assert status == "stale"
    assert problems == ["is a generator but does not document Yields"]


@pytest.mark.parametrize("body_facts", ["all", "sectioned"])
@pytest.mark.parametrize("value", ["", " None"])
def test_a_generator_that_yields_no_value_need_not_document_yields(
    value: str, body_facts: str
) -> None:
    """A ``@contextmanager`` with a bare ``yield`` yields nothing a reader receives: like
    ``return None`` needs no Returns, it needs no Yields (pydoclint and Google's guide agree);
    it was stale, and drafts for it had to carry a Yields section to pass the checks."""
    doc = '"""Indent.\n\n    Args:\n        w: the writer.\n    """'
    src = f"@contextmanager\ndef f(w):\n    {doc}\n    w.indent()\n    yield{value}\n"
    targets = extract("m.py", src.encode(), body_facts=body_facts)
    apply_status(targets)
    assert (targets[1].status, targets[1].problems) == ("ok", [])
    yielding = extract("m.py", src.replace(f"yield{value}", "yield w").encode())
    apply_status(yielding)
    assert yielding[1].problems == ["is a generator but does not document Yields"]


@pytest.mark.parametrize("body_facts", ["all", "sectioned"])
def test_a_raise_in_a_nested_function_is_documented_not_stale(body_facts: str) -> None:
    """A decorator factory documents what its wrapper raises: the documented exception is
    raised in a function nested in the target, so the docstring is not stale (a repair used to
    delete the person's Raises entry). An exception raised nowhere still is."""
    doc = '"""Limit.\n\n    Raises:\n        ValueError: when called too often.\n    """'
    body = "    def wrap(f):\n        def inner():\n            raise ValueError(n)\n"
    src = f"def limit(n):\n    {doc}\n{body}        return inner\n    return wrap\n"
    targets = extract("m.py", src.encode(), body_facts=body_facts)
    apply_status(targets)
    assert (targets[1].status, targets[1].problems) == ("ok", [])
    other = extract("m.py", src.replace("raise ValueError", "raise KeyError").encode())
    apply_status(other)
    assert other[1].problems == ["documents Raises ValueError but raises nothing"]


def test_raises_disagreeing_with_raise_statements_is_stale() -> None:
    doc = '"""Check.\n\n    Args:\n        x: value.\n    """'
    status, problems = _status(f"def f(x):\n    {doc}\n    raise ValueError(x)\n")
    assert problems == ["raises ValueError but does not document it"]
    doc = '"""Check.\n\n    Raises:\n        KeyError: never.\n    """'
    status, problems = _status(f"def f():\n    {doc}\n    return 1\n")
    assert problems == ["documents Raises KeyError but raises nothing"]


def test_self_is_not_required_and_class_docs_check_init() -> None:
    src = (
        "class A:\n"
        '    """A thing.\n\n    Args:\n        size: how big.\n'
        '        color: what color.\n    """\n'
        "    def __init__(self, size):\n"
        '        """Make it."""\n'
        "        self.size = size\n"
        "    def m(self, k):\n"
        '        """Do.\n\n        Args:\n            k: key.\n        """\n'
    )
    assert _status(src, "A") == ("stale", ["documents parameter 'color' not in the signature"])
    assert _status(src, "A.m") == ("ok", [])


def test_prose_only_docstrings_are_never_stale() -> None:
    assert _status('def f(a, b):\n    """Add two numbers."""\n    return a + b\n') == ("ok", [])


def test_star_args_documented_either_way() -> None:
    doc = '"""Call.\n\n    Args:\n        *args: positional.\n        kwargs: keywords.\n    """'
    assert _status(f"def f(*args, **kwargs):\n    {doc}\n") == ("ok", [])


MULTI_REPLACE = '''class MultiReplace:
    """Do multiple find/replace actions in one pass (boltons' layout).

    Keyword Arguments:

    :type regex: bool
    :param regex: Treat search keys as regular expressions [Default: False]
    :type flags: int
    :param flags: flags to pass to the regex engine during compile
    :param sub_map: the mapping of values to replace

    Dictionary Usage::

        s = MultiReplace({'foo': 'zoo'})
    """

    def __init__(self, sub_map, **kwargs):
        """Compile any regular expressions that have been passed."""
        self.options = dict(kwargs)
'''


def test_options_of_kwargs_are_documented_not_invented() -> None:
    # boltons strutils.MultiReplace: its **kwargs options are documented as entries
    assert _status(MULTI_REPLACE, "MultiReplace") == ("ok", [])
    doc = '"""Open.\n\n    Args:\n        path: where.\n        mode: how.\n    """'
    assert _status(f"def f(path, *args):\n    {doc}\n") == ("ok", [])
    # without a variadic parameter the same entry is invented
    status, problems = _status(f"def f(path):\n    {doc}\n")
    assert problems == ["documents parameter 'mode' not in the signature"]
    # a parameter that is not variadic must still be documented
    status, problems = _status(
        MULTI_REPLACE.replace("    :param sub_map: the mapping of values to replace\n", ""),
        "MultiReplace",
    )
    assert problems == ["does not document parameter 'sub_map'"]


def test_majority_style() -> None:
    assert majority_style([GOOGLE, GOOGLE, NUMPY, "Plain."]) == "google"
    assert majority_style(["Plain.", "Also plain."]) == "pep257"
    assert majority_style([]) == "google"
    assert parse_sections(NUMPY).params == ["a", "b"]
