"""The repository's docstring style: configured (ruff, pydoclint, pydocstyle, numpydoc,
napoleon) wins over detected; detection needs a real majority; style examples are never stale
docstrings or unreviewed model drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from docagent.code.docstrings import majority_style
from docagent.code.style_config import configured_style
from docagent.code.targets import read_file
from docagent.config import Settings
from docagent.draft import Drafter, SymbolIndex
from docagent.draft.context import build_context
from docagent.draft.providers.offline import OfflineProvider
from docagent.scan import scan

GOOGLE = "Fetch a row.\n\nArgs:\n    key: The key.\n\nReturns:\n    The row."
PLAIN_MULTI = "Fetch a row.\n\nThe row is looked up by key and returned as it is stored."
PLAIN_ONE = "Fetch a row."


def test_one_google_docstring_among_plain_ones_does_not_flip_the_repo() -> None:
    """1 Google among 44 prose docstrings (cachetools' mix of one- and multi-line) is pep257."""
    texts = [GOOGLE] + [PLAIN_MULTI] * 14 + [PLAIN_ONE] * 30
    assert majority_style(texts) == "pep257"
    assert majority_style([GOOGLE] + [PLAIN_ONE] * 44) == "pep257"  # under a tenth


def test_a_sectioned_style_with_a_real_majority_wins() -> None:
    """One-liners fit every style: Google sections outnumbering prose paragraphs win."""
    assert majority_style([GOOGLE] * 20 + [PLAIN_ONE] * 44 + [PLAIN_MULTI] * 5) == "google"
    assert majority_style([GOOGLE] * 3 + [PLAIN_MULTI] * 3) == "pep257"  # a tie is no majority
    assert majority_style([]) == "google"


@pytest.mark.parametrize(
    ("files", "style", "where"),
    [
        (
            {"pyproject.toml": '[tool.ruff.lint.pydocstyle]\nconvention = "numpy"\n'},
            "numpy",
            "[tool.ruff.lint.pydocstyle] convention",
        ),
        (
            {"pyproject.toml": '[tool.ruff.pydocstyle]\nconvention = "pep257"\n'},
            "pep257",
            "[tool.ruff.pydocstyle]",
        ),
        ({"pyproject.toml": '[tool.pydoclint]\nstyle = "sphinx"\n'}, "sphinx", "pydoclint"),
        ({"setup.cfg": "[pydoclint]\nstyle = google\n"}, "google", "setup.cfg [pydoclint]"),
        ({"tox.ini": "[flake8]\ndocstring-convention = numpy\n"}, "numpy", "tox.ini [flake8]"),
        ({"pyproject.toml": "[tool.numpydoc_validation]\nchecks = []\n"}, "numpy", "numpydoc"),
        ({"docs/conf.py": 'extensions = ["numpydoc"]\n'}, "numpy", "numpydoc extension"),
        (
            {
                "docs/conf.py": 'extensions = ["sphinx.ext.napoleon"]\n'
                "napoleon_numpy_docstring = False\n"
            },
            "google",
            "napoleon_numpy_docstring = False",
        ),
    ],
)
def test_configured_style_is_read(tmp_path: Path, files, style, where) -> None:
    """Each tool's setting names the style and where it was found."""
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = configured_style(tmp_path)
    assert found is not None and found[0] == style and where in found[1]


def test_nothing_configured(tmp_path: Path) -> None:
    """No tool settings (or an unreadable pyproject.toml, or napoleon with both styles): None."""
    assert configured_style(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("not toml [")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/conf.py").write_text('extensions = ["sphinx.ext.napoleon"]\n')
    assert configured_style(tmp_path) is None


def test_configured_style_wins_over_detected(repo_factory) -> None:
    """A repo of Google docstrings whose ruff convention is numpy is scanned as numpy."""
    body = "".join(
        f'\n\ndef f{i}(key):\n    """{GOOGLE}\n    """\n    return key\n' for i in range(5)
    )
    root = repo_factory(
        {
            "m.py": body,
            "pyproject.toml": '[tool.ruff.lint.pydocstyle]\nconvention = "numpy"\n',
        }
    )
    result = scan(root, use_cache=False)
    assert result.style == "numpy" and "ruff" in result.style_source
    plain = repo_factory({"m.py": body}, name="plain")
    detected = scan(plain, use_cache=False)
    assert detected.style == "google" and detected.style_source == "detected"


APP = '''"""App."""


def stale(a, b):
    """Add things.

    Args:
        a: First.
        gone: A parameter that no longer exists.
    """
    return a + b


def good(x):
    """Double a number.

    Args:
        x: The number.
    """
    return x * 2


def drafted(y):
    """Halve a number.

    Args:
        y: The number.
    """
    return y / 2


def target(z):
    return z
'''


def test_style_examples_skip_stale_and_unreviewed_docstrings() -> None:
    """The stale neighbour and the model's unreviewed draft are never shown as examples."""
    facts = read_file("", "app.py", data=APP.encode())
    target = facts.target("target")
    pack = build_context(facts, target, None, examples=None)
    assert pack.examples_source == "nearby"
    assert not any("no longer exists" in e for e in pack.examples)
    drafter = Drafter(OfflineProvider(), Settings(), SymbolIndex.from_files([facts]), "google")
    assert any("Halve" in e for e in drafter.context(facts, target).examples)
    drafter.record_accepted("app.py", "drafted", "Halve a number.", reviewed=False)
    examples = drafter.context(facts, target).examples
    assert examples and not any("Halve" in e for e in examples)
    assert any("Double a number." in e for e in examples)
    drafter.record_accepted("app.py", "drafted", "Halve a number.")  # a person accepted it
    assert any("Halve" in e for e in drafter.context(facts, target).examples)


def test_unreviewed_neighbours_are_looked_up_once_per_draft_not_once_per_target_and_draft(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drafting every function of a file, each marked unreviewed in turn (as batch does), looks
    up the marked neighbours once each, not once for each later target (quadratic); the
    documented ones still stop being examples."""
    from docagent.code.targets import FileFacts

    n = 60
    code = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(n))
    facts = read_file("", "many.py", data=(APP + "\n\n" + code).encode())
    drafter = Drafter(OfflineProvider(), Settings(), SymbolIndex.from_files([facts]), "google")
    drafter.record_accepted("many.py", "drafted", "Halve a number.", reviewed=False)
    looked: list[str] = []
    real = FileFacts.target

    def target(self: FileFacts, qualname: str) -> object:
        looked.append(qualname)
        return real(self, qualname)

    monkeypatch.setattr(FileFacts, "target", target)
    for i in range(n):
        t = real(facts, f"f{i}")
        assert t is not None
        assert not any("Halve" in e for e in drafter.context(facts, t).examples)
        drafter.record_accepted("many.py", t.qualname, f"Add {i}.", reviewed=False)
    marked = [q for q in looked if q.startswith("f") or q == "drafted"]
    assert len(marked) <= 2 * n
