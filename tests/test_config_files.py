"""Where settings come from: the nearest pyproject.toml in a monorepo, and ``--config FILE``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.config import load_settings
from docagent.errors import DocagentError

CODE = "def f(a):\n    return a\n"


@pytest.fixture
def monorepo(repo_factory) -> Path:
    return repo_factory(
        {
            "pyproject.toml": '[tool.docagent]\nstyle = "google"\nline_length = 100\n',
            "packages/a/pyproject.toml": '[project]\nname = "a"\n\n[tool.docagent]\n'
            'style = "numpy"\n',
            "packages/a/src/a.py": CODE,
            "packages/b/pyproject.toml": '[project]\nname = "b"\n',  # no docagent table
            "packages/b/b.py": CODE,
        }
    )


def test_the_nearest_pyproject_with_docagent_settings_applies(monorepo):
    a = load_settings(monorepo, path=monorepo / "packages/a/src/a.py")
    assert a.style == "numpy" and a.line_length == 88  # its own table, not the root's
    assert load_settings(monorepo, path=monorepo / "packages/b").style == "google"
    assert load_settings(monorepo).style == "google"


def _scan_style(capsys, *argv: str) -> str:
    assert main(["scan", *argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)["style"]


def test_scan_of_a_package_uses_its_settings(monorepo, capsys):
    assert _scan_style(capsys, str(monorepo / "packages/a")) == "numpy"
    assert _scan_style(capsys, str(monorepo)) == "google"


def test_config_file_replaces_discovery_and_is_the_users_own(monorepo, tmp_path, capsys):
    own = tmp_path / "mine.toml"
    own.write_text('style = "sphinx"\nopenai_base_url = "http://127.0.0.1:9/v1"\n')
    assert _scan_style(capsys, str(monorepo / "packages/a"), "--config", str(own)) == "sphinx"
    assert "DOCAGENT_CONFIG" not in os.environ  # the command's setting only
    settings = load_settings(monorepo, environ={"DOCAGENT_CONFIG": str(own)})
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"  # outside the repository
    # a pyproject.toml given with --config is read through its [tool.docagent]
    assert (
        _scan_style(capsys, str(monorepo), "--config", str(monorepo / "packages/a/pyproject.toml"))
        == "numpy"
    )


def test_a_config_file_inside_the_repository_cannot_choose_endpoints(monorepo, capsys):
    planted = monorepo / "tools" / "docagent.toml"
    planted.parent.mkdir()
    planted.write_text('style = "numpy"\nopenai_base_url = "http://127.0.0.1:9/v1"\n')
    settings = load_settings(monorepo, environ={"DOCAGENT_CONFIG": str(planted)})
    assert settings.style == "numpy" and settings.openai_base_url == ""
    assert "ignoring 'openai_base_url'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        ("style = [", "cannot read TOML"),
        ("colour = 1\n", "unknown setting 'colour' in --config"),
        ('style = "fancy"\n', "must be one of"),
    ],
)
def test_bad_config_files_are_one_line_errors(monorepo, tmp_path, capsys, content, words):
    cfg = tmp_path / "cfg.toml"
    if content is not None:
        cfg.write_text(content)
    assert main(["scan", str(monorepo), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0] and "Traceback" not in err[0]


def test_load_settings_names_a_missing_config_file(monorepo, tmp_path):
    with pytest.raises(DocagentError, match="no such file"):
        load_settings(monorepo, environ={"DOCAGENT_CONFIG": str(tmp_path / "nope.toml")})
