"""Settings precedence and validation: defaults < pyproject < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from docagent.config import load_settings
from docagent.errors import DocagentError


def test_precedence(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.docagent]\nstyle = "numpy"\nline-length = 72\nkinds = ["class"]\n'
    )
    s = load_settings(tmp_path, environ={})
    assert (s.style, s.line_length, s.kinds) == ("numpy", 72, ["class"])
    s = load_settings(tmp_path, environ={"DOCAGENT_STYLE": "sphinx", "DOCAGENT_KINDS": "a"[:0]})
    assert s.style == "sphinx" and s.kinds == []
    s = load_settings(tmp_path, {"style": "google"}, environ={"DOCAGENT_STYLE": "sphinx"})
    assert s.style == "google"
    s = load_settings(tmp_path, environ={"DOCAGENT_DB": "/x/y.db"})
    assert s.db == "/x/y.db" and load_settings(Path("/nonexistent"), environ={}).style == "auto"


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("colour = 1", {}, "unknown setting 'colour' in [tool.docagent] of pyproject.toml"),
        ("line_length = 'x'", {}, "setting 'line_length' in [tool.docagent]"),
        ("style = 'fancy'", {}, "must be one of auto, google, numpy, sphinx, pep257"),
        ("kinds = ['lambda']", {}, "unknown kind 'lambda'"),
        ("", {"DOCAGENT_LINE_LENGTH": "wide"}, "environment variable DOCAGENT_LINE_LENGTH"),
        ("", {"DOCAGENT_AI_ATTRIBUTION": "maybe"}, "must be true or false"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, toml: str, env: dict, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.docagent]\n{toml}\n")
    with pytest.raises(DocagentError) as info:
        load_settings(tmp_path, environ=env)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.docagent\n")
    with pytest.raises(DocagentError, match="cannot read TOML"):
        load_settings(tmp_path, environ={})
