"""Stale docstrings are repaired in place: only what disagrees with the code changes."""

from __future__ import annotations

import textwrap

import pytest

from docagent.code.docstrings import consistency_problems
from docagent.code.targets import Target, read_file
from docagent.config import Settings
from docagent.draft import Drafter, StructuredDraft, SymbolIndex
from docagent.draft.prompts import build_prompt
from docagent.draft.providers.offline import OfflineProvider
from docagent.draft.repair import repair_docstring

# A hand-written docstring in the manner of humanize's ``clamp``: prose, a fenced pycon example
# block, typed arguments with multi-line descriptions, a typed Returns and a blank line before
# the closing quotes. It is stale only because the function raises ValueError.
BOUND_SRC = '''
import math


def bound(
    amount: float,
    template: str = "{:}",
    lowest: float | None = None,
    highest: float | None = None,
    below: str = "<",
    above: str = ">",
) -> str:
    """Format a number, held between a lowest and a highest value.

    When the number falls outside the range, the nearest limit is shown instead,
    formatted, with a marker in front saying which side it was cut off on.

    Examples:
        ```pycon
        >>> bound(3.25)
        '3.25'
        >>> bound(0.002, lowest=0.01)
        '<0.01'
        >>> bound(0.75, template="{:.0%}", highest=0.5)
        '>50%'

        ```

    Args:
        amount (int, float): The number to show.
        template (str OR callable): A format string, or a callable that takes
            the number and returns text.
        lowest (int, float): The smallest value shown as itself.
        highest (int, float): The largest value shown as itself.
        below (str): Put in front of the result when the number is below
            the lowest value.
        above (str): Put in front of the result when the number is above
            the highest value.

    Returns:
        str: The formatted number. It is held between the lowest and highest
            values; a number outside them gets the matching marker.

    """
    if not math.isfinite(amount):
        return str(amount)
    if lowest is not None and amount < lowest:
        amount, mark = lowest, below
    elif highest is not None and amount > highest:
        amount, mark = highest, above
    else:
        mark = ""
    if isinstance(template, str):
        return mark + template.format(amount)
    if callable(template):
        return mark + template(amount)
    msg = "template must be a string or a callable"
    raise ValueError(msg)
'''

STRUCTURED = StructuredDraft(
    "Return the bound.",
    params={"c": "The sea."},
    raises={"ValueError": "If template is neither a string nor a callable.", "KeyError": ""},
    yields="Each item.",
)


def target_of(src: str, qualname: str = "f") -> Target:
    """Read ``src`` as a module and return its target ``qualname``."""
    facts = read_file("", "pkg/m.py", data=src.encode())
    t = facts.target(qualname)
    assert t is not None and t.docstring is not None
    return t


def repaired(t: Target, structured: StructuredDraft | None = STRUCTURED) -> str | None:
    """Repair ``t``'s docstring against its own consistency problems."""
    problems = consistency_problems(t, t.docstring.text)
    assert problems
    return repair_docstring(t.docstring.text, t, problems, structured, "google")


def test_the_clamp_case_gains_exactly_a_raises_section() -> None:
    """Examples, typed args and prose stay byte for byte; only a Raises section is added."""
    t = target_of(BOUND_SRC, "bound")
    original = t.docstring.text
    assert [p.code for p in consistency_problems(t, original)] == ["raises-missing"]
    out = repaired(t)
    assert out == (
        original + "\n\nRaises:\n    ValueError: If template is neither a string nor a callable."
    )
    assert consistency_problems(t, out) == []


async def test_the_drafter_repairs_and_batch_may_apply_it() -> None:
    """Offline, the draft of a stale docstring is the repaired text and passes every check."""
    facts = read_file("", "pkg/m.py", data=BOUND_SRC.encode())
    t = facts.target("bound")
    drafter = Drafter(OfflineProvider(), Settings(), SymbolIndex.from_files([facts]), "google")
    draft = await drafter.draft(facts, t)
    assert draft.text.startswith(t.docstring.text + "\n\nRaises:\n    ValueError: ")
    assert draft.text.count("\n") == t.docstring.text.count("\n") + 3
    kept = {c.name: c for c in draft.checks}["preserves_existing"]
    assert kept.ok and kept.hard
    assert draft.ok, draft.failed_checks


def function(header: str, doc: str, body: str) -> Target:
    """A function ``f`` with ``header`` (the ``def`` line), docstring ``doc`` and ``body``."""
    src = (
        "from typing import Iterator\n\n\n"
        + header
        + "\n"
        + textwrap.indent('"""' + doc + '\n"""', "    ")
        + "\n"
        + textwrap.indent(body, "    ")
        + "\n"
    )
    return target_of(src)


SUM = "return a + b"
IDENTITY = "return a"
PRINT = "print(a)"
COUNT = "for i in range(n):\n    yield i"
LOOKUP = "if k not in d:\n    raise KeyError(k)\nreturn d[k]"

# (code, style) -> (header, body, docstring, expected repaired docstring)
CASES: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("param-invented", "google"): (
        "def f(a, b):",
        SUM,
        """Add two numbers.

Args:
    a (int): The first.
    old (int): Gone now,
        it spans two lines.
    b (int): The second.

Returns:
    int: The sum.""",
        """Add two numbers.

Args:
    a (int): The first.
    b (int): The second.

Returns:
    int: The sum.""",
    ),
    ("param-missing", "google"): (
        'def f(a: int, b: int, c: str = "x") -> int:',
        IDENTITY,
        """Add.

Args:
    a (int): The first
        number.

Returns:
    int: The sum.""",
        """Add.

Args:
    a (int): The first
        number.
    b (int): The `b` argument.
    c (str): The sea.

Returns:
    int: The sum.""",
    ),
    ("returns-without-value", "google"): (
        "def f(a):",
        PRINT,
        """Print a.

Args:
    a: The value.

Returns:
    Nothing useful.

Examples:
    >>> f(1)
    1""",
        """Print a.

Args:
    a: The value.

Examples:
    >>> f(1)
    1""",
    ),
    ("yields-missing", "google"): (
        "def f(n: int) -> Iterator[int]:",
        COUNT,
        """Count up.

Args:
    n: How far.

Examples:
    >>> list(f(2))
    [0, 1]""",
        """Count up.

Args:
    n: How far.

Yields:
    Each item.

Examples:
    >>> list(f(2))
    [0, 1]""",
    ),
    ("yields-not-generator", "google"): (
        "def f(n):",
        "return list(range(n))",
        """List numbers.

Args:
    n: How far.

Yields:
    Each number,
    one at a time.""",
        """List numbers.

Args:
    n: How far.""",
    ),
    ("raises-missing", "google"): (
        "def f(d, k):",
        LOOKUP,
        """Look up k.

Args:
    d: The mapping.
    k: The key.

Returns:
    The value.""",
        """Look up k.

Args:
    d: The mapping.
    k: The key.

Returns:
    The value.

Raises:
    KeyError: Raised by this function.""",
    ),
    ("raises-not-raised", "google"): (
        "def f(a):",
        IDENTITY,
        """Identity.

Args:
    a: The value.

Raises:
    ValueError: Never, really.

Returns:
    The value.""",
        """Identity.

Args:
    a: The value.

Returns:
    The value.""",
    ),
    ("param-invented", "numpy"): (
        "def f(a, b):",
        SUM,
        """Add two numbers.

Parameters
----------
a : int
    The first.
old : int
    Gone now,
    it spans two lines.
b : int
    The second.

Returns
-------
int
    The sum.""",
        """Add two numbers.

Parameters
----------
a : int
    The first.
b : int
    The second.

Returns
-------
int
    The sum.""",
    ),
    ("param-missing", "numpy"): (
        'def f(a: int, b: int, c: str = "x") -> int:',
        IDENTITY,
        """Add.

Parameters
----------
a : int
    The first
    number.

Returns
-------
int
    The sum.""",
        """Add.

Parameters
----------
a : int
    The first
    number.
b : int
    The `b` argument.
c : str
    The sea.

Returns
-------
int
    The sum.""",
    ),
    ("returns-without-value", "numpy"): (
        "def f(a):",
        PRINT,
        """Print a.

Parameters
----------
a
    The value.

Returns
-------
None
    Nothing useful.""",
        """Print a.

Parameters
----------
a
    The value.""",
    ),
    ("yields-missing", "numpy"): (
        "def f(n: int) -> Iterator[int]:",
        COUNT,
        """Count up.

Parameters
----------
n : int
    How far.

Examples
--------
>>> list(f(2))
[0, 1]""",
        """Count up.

Parameters
----------
n : int
    How far.

Yields
------
int
    Each item.

Examples
--------
>>> list(f(2))
[0, 1]""",
    ),
    ("yields-not-generator", "numpy"): (
        "def f(n):",
        "return list(range(n))",
        """List numbers.

Parameters
----------
n : int
    How far.

Yields
------
int
    Each number.""",
        """List numbers.

Parameters
----------
n : int
    How far.""",
    ),
    ("raises-missing", "numpy"): (
        "def f(d, k):",
        LOOKUP,
        """Look up k.

Parameters
----------
d : dict
    The mapping.
k : str
    The key.

Returns
-------
object
    The value.""",
        """Look up k.

Parameters
----------
d : dict
    The mapping.
k : str
    The key.

Returns
-------
object
    The value.

Raises
------
KeyError
    Raised by this function.""",
    ),
    ("raises-not-raised", "numpy"): (
        "def f(a):",
        IDENTITY,
        """Identity.

Parameters
----------
a : int
    The value.

Raises
------
ValueError
    Never, really.

Returns
-------
int
    The value.""",
        """Identity.

Parameters
----------
a : int
    The value.

Returns
-------
int
    The value.""",
    ),
    ("param-invented", "sphinx"): (
        "def f(a, b):",
        SUM,
        """Add two numbers.

:param a: The first.
:param old: Gone now,
    it spans two lines.
:type old: int
:param b: The second.
:returns: The sum.""",
        """Add two numbers.

:param a: The first.
:param b: The second.
:returns: The sum.""",
    ),
    ("param-missing", "sphinx"): (
        'def f(a: int, b: int, c: str = "x") -> int:',
        IDENTITY,
        """Add.

:param a: The first
    number.
:type a: int
:returns: The sum.""",
        """Add.

:param a: The first
    number.
:type a: int
:param b: The ``b`` argument.
:type b: int
:param c: The sea.
:type c: str
:returns: The sum.""",
    ),
    ("returns-without-value", "sphinx"): (
        "def f(a):",
        PRINT,
        """Print a.

:param a: The value.
:returns: Nothing useful.
:rtype: None""",
        """Print a.

:param a: The value.""",
    ),
    ("yields-missing", "sphinx"): (
        "def f(n: int) -> Iterator[int]:",
        COUNT,
        """Count up.

:param n: How far.

Example::

    list(f(2))""",
        """Count up.

:param n: How far.
:yields: Each item.

Example::

    list(f(2))""",
    ),
    ("yields-not-generator", "sphinx"): (
        "def f(n):",
        "return list(range(n))",
        """List numbers.

:param n: How far.
:yields: Each number.""",
        """List numbers.

:param n: How far.""",
    ),
    ("raises-missing", "sphinx"): (
        "def f(d, k):",
        LOOKUP,
        """Look up k.

:param d: The mapping.
:param k: The key.
:returns: The value.""",
        """Look up k.

:param d: The mapping.
:param k: The key.
:returns: The value.
:raises KeyError: Raised by this function.""",
    ),
    ("raises-not-raised", "sphinx"): (
        "def f(a):",
        IDENTITY,
        """Identity.

:param a: The value.
:raises ValueError: Never, really.
:returns: The value.""",
        """Identity.

:param a: The value.
:returns: The value.""",
    ),
}


@pytest.mark.parametrize(("code", "style"), sorted(CASES), ids="-".join)
def test_each_problem_is_repaired_in_each_style(code: str, style: str) -> None:
    """The one problem is fixed, in the docstring's own format; nothing else changes."""
    header, body, doc, expected = CASES[code, style]
    t = function(header, doc, body)
    assert {p.code for p in consistency_problems(t, doc)} == {code}
    out = repaired(t)
    assert out == expected
    assert consistency_problems(t, out) == []


def test_a_missing_raise_joins_an_existing_raises_section() -> None:
    """A Raises section that lists other exceptions gets one more entry, in its own place."""
    doc = """Look up k.

Args:
    d: The mapping.
    k: The key.

Raises:
    TypeError: If d is not a mapping,
        or k is unhashable.

Examples
    Not a google section title, so it ends the Raises section."""
    t = function("def f(d, k):", doc, "if not d:\n    raise TypeError(d)\n" + LOOKUP)
    out = repaired(t, StructuredDraft("x.", raises={"KeyError": "If k is absent."}))
    assert out == doc.replace("unhashable.\n", "unhashable.\n    KeyError: If k is absent.\n")


def test_several_problems_at_once() -> None:
    """An invented and a missing parameter and a missing raise, all in one pass."""
    doc = """Look up k.

Args:
    mapping: Renamed since.
    k: The key.

Returns:
    The value."""
    t = function("def f(d, k):", doc, LOOKUP)
    assert repaired(t) == (
        "Look up k.\n\nArgs:\n    k: The key.\n    d: The `d` argument.\n\n"
        "Returns:\n    The value.\n\nRaises:\n    KeyError: Raised by this function."
    )


def test_without_a_structured_draft_the_additions_are_neutral() -> None:
    """No provider text: new entries are named, not given an invented meaning."""
    doc = "Add.\n\nArgs:\n    a: The first."
    t = function("def f(a, b):", doc, "if a:\n    raise KeyError(a)\nreturn b")
    assert repaired(t, None) == (
        "Add.\n\nArgs:\n    a: The first.\n    b: The `b` argument.\n\n"
        "Raises:\n    KeyError: Raised by this function."
    )


def test_class_parameters_come_from_init() -> None:
    """A class docstring's arguments are repaired against ``__init__``."""
    src = '''
class Box:
    """A box.

    Args:
        width (int): How wide.
        depth (int): How deep.
    """

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
'''
    facts = read_file("", "pkg/m.py", data=src.encode())
    t, init = facts.target("Box"), facts.target("Box.__init__")
    problems = consistency_problems(t, t.docstring.text, None, init)
    out = repair_docstring(t.docstring.text, t, problems, None, "google", init=init)
    assert (
        out
        == "A box.\n\nArgs:\n    width (int): How wide.\n    height (int): The `height` argument."
    )


UNRECOGNISED = {
    # a google arguments section written as a bullet list
    "bullets": ("def f(a, c):", "Do it.\n\nArgs:\n    - a: The a.", IDENTITY),
    # a numpy entry documenting an invented name together with a real one
    "shared": (
        "def f(a):",
        "Do it.\n\nParameters\n----------\na, b : int\n    The values.",
        IDENTITY,
    ),
    # entries at two different indentations
    "ragged": ("def f(a, b, c):", "Do it.\n\nArgs:\n    a: The a.\n  b: The b.", IDENTITY),
}


@pytest.mark.parametrize("name", sorted(UNRECOGNISED))
async def test_an_unrecognised_layout_is_not_patched(name: str) -> None:
    """No guesswork: the repair gives up and the full draft is a hard failure, never applied."""
    header, doc, body = UNRECOGNISED[name]
    t = function(header, doc, body)
    assert repaired(t) is None
    src = "from typing import Iterator\n\n\n" + header + "\n"
    src += textwrap.indent('"""' + doc + '\n"""', "    ") + "\n    " + body + "\n"
    facts = read_file("", "pkg/m.py", data=src.encode())
    drafter = Drafter(OfflineProvider(), Settings(), SymbolIndex.from_files([facts]), "google")
    draft = await drafter.draft(facts, facts.target("f"))
    kept = {c.name: c for c in draft.checks}["preserves_existing"]
    assert not kept.ok and kept.hard
    assert kept.detail.startswith("cannot be repaired in place: replaces the hand-written")
    assert "would go" in kept.detail
    assert not draft.ok
    assert draft.attempts == 1  # a redraft cannot help


def test_nothing_to_repair_returns_the_text() -> None:
    """Without problems the text comes back unchanged."""
    t = function("def f(a):", "Do it.\n\nArgs:\n    a: The a.", IDENTITY)
    assert repair_docstring(t.docstring.text, t, [], None, "google") == t.docstring.text


def test_the_prompt_for_a_stale_target_quotes_the_docstring_and_its_problems() -> None:
    """Models see the current docstring and its problems, and are told to keep the rest."""
    t = target_of(BOUND_SRC, "bound")
    problems = [p.message for p in consistency_problems(t, t.docstring.text)]
    prompt = build_prompt(
        "function",
        "bound",
        "pkg/m.py",
        "google",
        "ctx",
        existing=t.docstring.text,
        problems=problems,
    )
    assert t.docstring.text in prompt.user
    assert "- raises ValueError but does not document it" in prompt.user
    assert "still true" in prompt.user
    plain = build_prompt("function", "bound", "pkg/m.py", "google", "ctx")
    assert t.docstring.text not in plain.user
