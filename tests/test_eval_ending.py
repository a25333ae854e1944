"""A docstring cut short is recognised by its end; a finished one of any style is not."""

from __future__ import annotations

import pytest

from docagent.eval.ending import finished

FINISHED = [
    "Shapes and their areas.",
    "Shapes.\n\nReturns:\n    area in cells",
    "Shapes.\n\n:return: area in cells",
    "Shapes.\n\nSee Also\n--------\nbox_area",
    "Shapes.\n\n>>> area(box)\n4",
    "Shapes.\n\n>>> box = Box(2, 3)",
    "Shapes.\n\n>>> for s in shapes:\n...     print(s)",
    "Shapes.\n\n.. [1] https://example.org/boxes",
    # one-line descriptions may go without a period
    "Scale.\n\nParameters\n----------\nalpha : float\n    Clamping factor\nsize : int\n    Cells",
    "Scale.\n\nArgs:\n    value: The new value, or None to keep it\n    unit: The new unit",
    "Scale.\n\nArgs:\n    search: Search object.\n\nReturns:\n    Score.",
    "Scale.\n\nReturns\n-------\nint\n    The area.",
    "Scale.\n\nNotes\n-----\nThe area grows with the square of the side.",
    "Sum them.\n\nThe rule :func:`~shapes.area` is used.",
]

CUT = [
    # prose, dangling words, open brackets (as before)
    "Shapes and the",
    "Shapes made with `Box",
    "Shapes made with boxes. They are drawn",
    # a section header with nothing under it
    "Add a renderable to the columns.\n\nArgs:",
    "Normalized distance.\n\nReturns\n-------",
    # a field or item with no description
    "Run a fixture.\n\n:param fixture_func: the fixture function\n:param",
    "Run a fixture.\n\n:param fixture_func: the fixture function\n:returns:",
    "Screen.\n\nArgs:\n    renderable",
    "Apply opacity.\n\nArgs:\n    segments: Incoming segments.\n    ansi_theme:",
    "Mixing matrix.\n\nReturns\n-------\nm: numpy array",
    # a doctest example whose source does not parse
    "Partition.\n\nExamples\n--------\n>>> G = nx.karate_club_graph()\n>>> part =",
    "Tree.\n\n>>> def minimum_edge(T, u, v):\n...     # the path\n... def",
    # a description over several lines that stops mid-clause
    "Matching.\n\nReturns\n-------\nm : set\n  A set of edges such that no two edges share\n"
    "  and every edge not in the set",
    # the paragraph of a prose section
    "Components.\n\nExamples\n--------\nGenerate a sorted list of connected components, largest",
    # a role at the start of a line is not a field
    "Randomness.\n\nWhen `k` is not given,\n:func:`~nx.label_propagation`\nis used. "
    "Results depend on\nthe order of nodes",
]


@pytest.mark.parametrize("text", FINISHED)
def test_finished_docstrings_of_every_style_end_properly(text: str) -> None:
    """Fields, section items, doctests, references and one-line descriptions may end without a
    period; none of them is mistaken for a cut."""
    assert finished(text)


@pytest.mark.parametrize("text", CUT)
def test_a_docstring_cut_short_does_not_end_properly(text: str) -> None:
    """Every mark of a cut — empty section or field, broken doctest, description or prose
    paragraph stopping mid-clause — is caught."""
    assert not finished(text)


def test_empty_text_is_not_finished() -> None:
    """Nothing written is not a finished docstring."""
    assert not finished("")
    assert not finished("   \n")
