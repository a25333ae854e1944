"""Magic methods and ``__init__`` count as the repository's docstring checkers say: ruff's
D105/D107, pydocstyle, flake8-docstrings, interrogate; docagent's default otherwise."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docagent.code.special_methods import DEFAULT, configured_special_methods
from docagent.scan import scan

BIN = Path(sys.executable).parent
RUFF = shutil.which("ruff", path=str(BIN)) or shutil.which("ruff")
INTERROGATE = shutil.which("interrogate", path=str(BIN))

SAMPLE = """class Bag:
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __eq__(self, other):
        return self.items == other.items

    def add(self, item):
        self.items.append(item)


def merge(a, b):
    return a + b
"""

RUFF_CONFIGS = [
    'lint.select = ["D"]',
    'lint.select = ["D"]\nlint.pydocstyle.convention = "numpy"',
    'lint.select = ["D", "D107"]\nlint.pydocstyle.convention = "numpy"',
    'lint.select = ["D"]\nlint.pydocstyle.convention = "google"',
    'lint.select = ["D"]\nlint.ignore = ["D105"]',
    'lint.select = ["D1"]\nlint.ignore = ["D10"]',
    'lint.select = ["D105"]\nlint.ignore = ["D1"]',
    'lint.select = ["D10"]\nlint.ignore = ["D1"]',
    'lint.select = ["D"]\nlint.ignore = ["ALL"]',
    'lint.select = ["ALL"]\nlint.ignore = ["D203", "D213", "D107"]',
    'lint.extend-select = ["D"]\nlint.extend-ignore = ["D107"]',
    'select = ["D"]\nignore = ["D105"]',  # ruff's older top-level keys
    'lint.select = ["E", "F"]',  # no docstring rules: ruff does not decide
    "",
]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.mark.parametrize("config", RUFF_CONFIGS)
@pytest.mark.parametrize("file", ["ruff.toml", "pyproject.toml"])
def test_ruff_selection_is_resolved_as_ruff_resolves_it(tmp_path, config, file) -> None:
    """What ruff itself reports on the sample (D105, D107) is what docagent counts."""
    assert RUFF, "ruff is a dev dependency"
    text = config if file == "ruff.toml" else "[tool.ruff]\n" + config
    _write(tmp_path, {"bag.py": SAMPLE, file: text + "\n"})
    out = subprocess.run(
        [RUFF, "check", "--no-cache", "--output-format", "concise", "bag.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    codes = set(re.findall(r"\b(D1\d\d)\b", out.stdout))
    found = configured_special_methods(tmp_path)
    if not codes:
        assert found == DEFAULT
    else:
        assert (found.magic, found.init) == ("D105" in codes, "D107" in codes), out.stdout
        assert found.source.startswith(file)


@pytest.mark.parametrize(
    ("files", "magic", "init"),
    [
        ({"pyproject.toml": '[tool.pydocstyle]\nconvention = "numpy"\n'}, True, False),
        ({"pyproject.toml": "[tool.pydocstyle]\n"}, True, True),  # pep257 by default
        ({"setup.cfg": "[pydocstyle]\nignore = D105,D203\n"}, False, True),
        ({"tox.ini": "[pydocstyle]\nselect = D1\nadd-ignore = D107\n"}, True, False),
        ({".pydocstyle": "[pydocstyle]\nconvention = google\nadd-ignore = D105\n"}, False, True),
        ({"setup.cfg": "[flake8]\ndocstring-convention = numpy\n"}, True, False),
        (
            {".flake8": "[flake8]\ndocstring-convention = google\nextend-ignore = D1\n"},
            False,
            False,
        ),
        ({"tox.ini": "[flake8]\ndocstring-convention = pep257\nselect = E,F\n"}, False, False),
        (
            {"setup.cfg": "[flake8]\ndocstring-convention = all\nignore = D1\nselect = D105\n"},
            True,
            False,
        ),
        ({"pyproject.toml": "[tool.interrogate]\nfail-under = 90\n"}, True, True),
        ({"pyproject.toml": "[tool.interrogate]\nignore-magic = true\n"}, False, True),
        ({"setup.cfg": "[tool:interrogate]\nignore-init-method = true\n"}, True, False),
    ],
)
def test_pydocstyle_flake8_and_interrogate_settings_decide(tmp_path, files, magic, init) -> None:
    _write(tmp_path, files)
    found = configured_special_methods(tmp_path)
    assert (found.magic, found.init) == (magic, init), found
    assert found.source


def test_any_checker_that_requires_a_docstring_wins(tmp_path) -> None:
    """ruff's numpy convention drops D107, interrogate still counts ``__init__``."""
    _write(
        tmp_path,
        {
            "pyproject.toml": '[tool.ruff.lint]\nselect = ["D"]\n'
            '[tool.ruff.lint.pydocstyle]\nconvention = "numpy"\n'
            "[tool.interrogate]\nignore-magic = true\n"
        },
    )
    found = configured_special_methods(tmp_path)
    assert (found.magic, found.init) == (True, True)
    assert "ruff" in found.source and "interrogate" in found.source


def test_no_checker_or_an_unreadable_file_keeps_the_default(tmp_path) -> None:
    assert configured_special_methods(tmp_path) == DEFAULT
    _write(tmp_path, {"pyproject.toml": "[tool.ruff\n", "setup.cfg": "no section header\n"})
    assert configured_special_methods(tmp_path) == DEFAULT


def _public(result) -> dict[str, bool]:
    return {t["qualname"]: t["public"] for t in result.records(selected_only=False)}


def test_scan_counts_magic_methods_when_ruff_asks_and_not_by_default(repo_factory) -> None:
    plain = repo_factory({"bag.py": SAMPLE}, name="plain")
    default = scan(plain, use_cache=False)
    assert _public(default) == {
        "<module>": True,
        "Bag": True,
        "Bag.__init__": True,
        "Bag.__len__": False,
        "Bag.__eq__": False,
        "Bag.add": True,
        "merge": True,
    }
    assert default.summary()["total"] == 5 and default.special == DEFAULT

    root = repo_factory(
        {"bag.py": SAMPLE, "pyproject.toml": '[tool.ruff.lint]\nselect = ["D"]\n'}, name="ruff"
    )
    result = scan(root, use_cache=False)
    assert _public(result)["Bag.__len__"] and _public(result)["Bag.__eq__"]
    assert result.summary()["total"] == 7
    doc = json.loads(result.to_json())
    assert doc["summary"]["missing"] == 7
    assert {t["qualname"] for t in doc["targets"] if t["public"]} >= {"Bag.__len__", "Bag.__eq__"}


def test_a_changed_setting_is_not_hidden_by_the_scan_cache(repo_factory) -> None:
    """The cache of a scan under one rule is not reused under another."""
    files = {f"m{i}.py": SAMPLE for i in range(10)}  # more than a narrow scan: cached
    root = repo_factory(files)
    assert scan(root).summary()["total"] == 50
    (root / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["D"]\n')
    assert scan(root).summary()["total"] == 70
    (root / "pyproject.toml").write_text(
        '[tool.ruff.lint]\nselect = ["D"]\npydocstyle.convention = "numpy"\n'
    )
    assert scan(root).summary()["total"] == 60  # __init__ no longer counts (D107 off)
    (root / "pyproject.toml").unlink()
    assert scan(root).summary()["total"] == 50


def test_magic_methods_of_private_classes_never_count(repo_factory) -> None:
    text = SAMPLE.replace("class Bag", "class _Bag") + "\n\nclass Outer:\n    def __len__(self):\n"
    text += "        return 0\n"
    root = repo_factory({"bag.py": text, "pyproject.toml": '[tool.ruff.lint]\nselect = ["D"]\n'})
    public = _public(scan(root, use_cache=False))
    assert not public["_Bag.__len__"] and not public["_Bag.__init__"]
    assert public["Outer.__len__"]


@pytest.mark.skipif(not INTERROGATE, reason="interrogate is a dev dependency")
@pytest.mark.parametrize(
    "config", ["", "ignore-magic = true\n", "ignore-init-method = true\n", "fail-under = 50\n"]
)
def test_coverage_matches_interrogate_on_the_same_settings(repo_factory, config) -> None:
    """docagent's total and documented counts equal interrogate's under its own settings."""
    length = "    def __len__(self):\n"
    documented = SAMPLE.replace(length, length + '        """N."""\n')
    root = repo_factory(
        {
            "pkg/bag.py": '"""Bag."""\n\n\n' + documented,
            "pyproject.toml": "[tool.interrogate]\n" + config,
        }
    )
    out = subprocess.run(
        [INTERROGATE, "-vv", "--fail-under", "0", "pkg"], cwd=root, capture_output=True, text=True
    )
    total = re.search(r"\|\s*TOTAL\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)", out.stdout)
    assert total, out.stdout + out.stderr
    summary = scan(root, use_cache=False).summary()
    assert (summary["total"], summary["documented"]) == (int(total[1]), int(total[3]))
