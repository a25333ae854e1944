"""Whether drafts put parameter types in docstring entries: the setting, else pydoclint's
configuration, else what the repository's own docstrings do."""

from __future__ import annotations

from pathlib import Path

import pytest

from docagent.code.docstrings import typed_entries_majority
from docagent.code.style_config import configured_types
from docagent.config import load_settings
from docagent.draft.render import repo_types

TYPED = "Do it.\n\nArgs:\n    size (int): How many.\n    name (str): Which.\n"
UNTYPED = "Do it.\n\nArgs:\n    size: How many.\n    name: Which.\n"
REST_TYPED = "Do it.\n\n:param size: How many.\n:type size: int\n"


def test_most_entries_typed_means_typed():
    assert typed_entries_majority([TYPED, TYPED, UNTYPED]) is True
    assert typed_entries_majority([UNTYPED, UNTYPED, TYPED]) is False
    assert typed_entries_majority([REST_TYPED] * 3) is True


def test_too_few_documented_parameters_to_tell():
    assert typed_entries_majority([TYPED, TYPED]) is None
    assert typed_entries_majority(["One line.", "Prose only.\n\nMore prose."] * 5) is None


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ("[tool.pydoclint]\nstyle = 'google'\n", True),  # pydoclint's default
        ("[tool.pydoclint]\narg-type-hints-in-docstring = false\n", False),
        ("[tool.pydoclint]\narg_type_hints_in_docstring = false\n", False),
        ("[tool.ruff]\nline-length = 100\n", None),
    ],
)
def test_pydoclint_configuration_decides(tmp_path: Path, pyproject, expected):
    (tmp_path / "pyproject.toml").write_text(pyproject)
    found = configured_types(tmp_path)
    assert (found[0] if found else None) is expected


def test_setup_cfg_pydoclint_section(tmp_path: Path):
    (tmp_path / "setup.cfg").write_text("[pydoclint]\narg-type-hints-in-docstring = False\n")
    assert configured_types(tmp_path) == (
        False,
        "setup.cfg [pydoclint] arg-type-hints-in-docstring",
    )


def test_setting_then_pydoclint_then_docstrings(tmp_path: Path):
    assert repo_types(tmp_path, None, [TYPED] * 3) is True  # as the repository writes them
    assert repo_types(tmp_path, None, [UNTYPED] * 3) is False
    assert repo_types(tmp_path, None, []) is False  # nothing to go by: the signature
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pydoclint]\narg-type-hints-in-docstring = false\n"
    )
    assert repo_types(tmp_path, None, [TYPED] * 3) is False  # the linter's settings win
    assert repo_types(tmp_path, True, []) is True  # and docagent's own setting wins over all


def test_unset_setting_is_none_and_explicit_false_is_kept(tmp_path: Path):
    assert load_settings(tmp_path, environ={}).types_in_docstrings is None
    (tmp_path / "pyproject.toml").write_text("[tool.docagent]\ntypes_in_docstrings = false\n")
    assert load_settings(tmp_path, environ={}).types_in_docstrings is False


def test_a_sample_of_documented_parameters_settles_it():
    # the first 200 docstrings with entries decide; the rest are not parsed
    assert typed_entries_majority([TYPED] * 200 + [UNTYPED] * 500) is True
