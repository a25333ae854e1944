"""Docstrings docagent writes pass the formatter, linters and doc renderers teams already run."""

from __future__ import annotations

import ast
import io
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import griffe
import pytest
from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles
from sphinx.ext.napoleon import Config
from sphinx.ext.napoleon.docstring import GoogleDocstring, NumpyDocstring

from docagent.batch import run_batch
from docagent.code.targets import Param, Target
from docagent.draft.models import StructuredDraft
from docagent.draft.render import double_backticks, render, rest_project

FIXTURE = Path(__file__).parent / "fixtures" / "toolchain"
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


def _ruff(root: Path, *args: str) -> subprocess.CompletedProcess:
    assert RUFF, "ruff is a dev dependency"
    return subprocess.run([RUFF, *args], cwd=root, capture_output=True, text=True)


def _fixture(style: str, **extra: str) -> dict[str, str]:
    files = {f"pkg/{p.name}": p.read_text() for p in FIXTURE.glob("*.py")}
    files["pyproject.toml"] = f'[tool.docagent]\nstyle = "{style}"\n'
    files.update(extra)
    return files


def _drafted(repo_factory, style: str, **extra: str) -> Path:
    """The fixture project after an offline ``batch --apply``."""
    root = repo_factory(_fixture(style, **extra))
    summary = run_batch(root, apply=True, progress=False, quiet=True)
    assert summary["applied"] >= 12, summary
    return root


def _docstrings(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted((root / "pkg").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                text = ast.get_docstring(node)
                if text:
                    found[f"{path.name}:{getattr(node, 'name', '<module>')}"] = text
    return found


@pytest.mark.parametrize("style", ["google", "numpy"])
def test_applied_drafts_pass_ruff_format_and_pydocstyle(repo_factory, style):
    root = repo_factory(_fixture(style))
    before = _ruff(root, "format", "--isolated", "--check", ".")
    assert before.returncode == 0, before.stdout  # the fixture itself is formatted
    summary = run_batch(root, apply=True, progress=False, quiet=True)
    assert summary["applied"] >= 12, summary
    fmt = _ruff(root, "format", "--isolated", "--check", "--diff", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    # D1xx (missing docstrings) is coverage, which docagent scan measures; the rest is layout
    lint = _ruff(
        root,
        "check",
        "--isolated",
        "--select",
        "D",
        "--ignore",
        "D1",
        "--config",
        f'lint.pydocstyle.convention="{style}"',
        ".",
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.parametrize("style", ["google", "numpy"])
def test_griffe_reads_each_drafted_section_as_written(repo_factory, style):
    """mkdocstrings (griffe) shows one return value per Returns section, without warnings."""
    root = _drafted(repo_factory, style)
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logging.getLogger("griffe").addHandler(handler)
    try:
        # missing-type warnings are about the code's annotations (the fixture leaves some out on
        # purpose), not about how the docstring is laid out
        pkg = griffe.load(
            "pkg",
            search_paths=[root],
            docstring_parser=style,
            docstring_options={"warn_missing_types": False},
            allow_inspection=False,
        )
        sections: dict[str, dict[str, list]] = {}

        def walk(obj) -> None:
            if obj.docstring:
                sections[obj.path] = {s.kind.value: s.value for s in obj.docstring.parsed}
            for member in obj.members.values():
                if not member.is_alias:
                    walk(member)

        walk(pkg)
    finally:
        logging.getLogger("griffe").removeHandler(handler)
    assert warnings == []
    returns = {path: len(s["returns"]) for path, s in sections.items() if "returns" in s}
    assert returns and set(returns.values()) == {1}, returns  # a wrapped line is no 2nd value
    assert "pkg.shapes.Box.scaled" in returns
    yields = {path: len(s["yields"]) for path, s in sections.items() if "yields" in s}
    assert yields == {"pkg.shapes.Box.corners": 1, "pkg.bag.pairs": 1}
    raised = [str(r.annotation) for r in sections["pkg.shapes.Box.__init__"]["raises"]]
    assert raised == ["ShapeError"]
    params = [p.name for p in sections["pkg.shapes.Box.scaled"]["parameters"]]
    assert params == ["factor", "*args", "**kwargs"]


def _napoleon_doctree(text: str, style: str = "google"):
    """A docstring -> napoleon's reST (sphinx style: as is) -> docutils doctree, and messages."""

    class SphinxOnly(Directive):  # Sphinx's own directives, unknown to plain docutils
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True
        option_spec = {"type": directives.unchanged, "value": directives.unchanged}

        def run(self) -> list:
            return []

    for name in ("attribute", "method", "seealso", "versionadded", "deprecated"):
        directives.register_directive(name, SphinxOnly)
    for name in ("class", "exc", "obj", "func", "meth", "attr", "data", "py:class", "py:obj"):
        roles.register_local_role(name, roles.GenericRole(name, nodes.literal))
    config = Config(napoleon_use_param=True, napoleon_use_rtype=True)
    converter = {"google": GoogleDocstring, "numpy": NumpyDocstring}.get(style)
    rst = str(converter(text, config)) if converter else text
    messages = io.StringIO()
    tree = publish_doctree(rst, settings_overrides={"warning_stream": messages, "report_level": 2})
    return tree, messages.getvalue(), rst


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_napoleon_renders_drafts_of_a_sphinx_project(repo_factory, style):
    """Sphinx shows drafted code as code and a wrapped Returns line as one paragraph."""
    root = _drafted(repo_factory, style, **{"docs/conf.py": "extensions = []\n"})
    texts = _docstrings(root)
    assert any("``" in t for t in texts.values())
    for where, text in texts.items():
        tree, messages, rst = _napoleon_doctree(text, style)
        assert messages == "", f"{where}:\n{messages}\n{rst}"
        # single backticks are reST's default role: italics, and `a[i:j]` mangled
        italic_code = [n.astext() for n in tree.findall(nodes.title_reference)]
        assert italic_code == [], f"{where}: {italic_code}"
        # an indented continuation would make napoleon's Returns a definition list
        assert not list(tree.findall(nodes.definition_list)), f"{where}:\n{rst}"
    if style == "google":  # the wrapped Returns line continues at the section's indent
        scaled = texts["shapes.py:scaled"]
        assert (
            "    The result of ``Box(self.width * factor, self.height * factor)``\n    (" in scaled
        )


def test_a_project_without_sphinx_keeps_single_backticks(repo_factory):
    root = _drafted(repo_factory, "google")
    texts = _docstrings(root)
    assert "``" not in "".join(texts.values())
    assert "Return `Box(self.width * factor, self.height * factor)`." in texts["shapes.py:scaled"]


def test_rest_projects_are_the_sphinx_style_or_those_with_a_sphinx_conf(tmp_path):
    assert rest_project(tmp_path, "sphinx")
    assert not rest_project(tmp_path, "google")
    (tmp_path / "doc" / "source").mkdir(parents=True)
    (tmp_path / "doc" / "source" / "conf.py").write_text("extensions = []\n")
    assert rest_project(tmp_path, "google")


def test_double_backticks_leaves_roles_links_and_reST_code_alone():
    text = "Uses `x[i:j]`, :func:`len`, ``done``, `a link <https://example.org>`_ and `b`."
    assert double_backticks(text) == (
        "Uses ``x[i:j]``, :func:`len`, ``done``, `a link <https://example.org>`_ and ``b``."
    )
    assert double_backticks(double_backticks(text)) == double_backticks(text)


def test_model_drafts_get_reST_code_markup_but_examples_stay_as_written():
    draft = StructuredDraft(
        summary="Split `values` into chunks.",
        params={"values": "The `list` to split."},
        returns="Chunks of `values[i:i + size]`.",
        raises={"ValueError": "If `size` is not positive."},
        examples=">>> chunks(`x`)",
    )
    text = render(draft, "google", rest=True)
    assert "Split ``values`` into chunks." in text
    assert "The ``list`` to split." in text
    assert "``values[i:i + size]``" in text
    assert "If ``size`` is not positive." in text
    assert ">>> chunks(`x`)" in text
    assert "``" not in render(draft, "google")


# pydoclint's dependency (docstring_parser_fork) replaces docstring_parser, which docagent uses:
# it lives in its own venv, which .ci/run makes
PYDOCLINT = Path(__file__).resolve().parents[1] / ".venv-tools" / "bin" / "pydoclint"
PYDOCLINT_CONFIG = """
[tool.pydoclint]
style = "google"
arg-type-hints-in-docstring = false  # types live in the signature
check-return-types = false  # Returns entries carry no type
check-yield-types = false
allow-init-docstring = true  # __init__ documents its own arguments
check-class-attributes = false  # Attributes include the instance attributes __init__ sets
"""


@pytest.mark.skipif(
    not PYDOCLINT.exists(), reason="no .venv-tools/bin/pydoclint here (.ci/run makes it)"
)
@pytest.mark.parametrize("types", [False, True])
def test_applied_drafts_pass_pydoclint_configured_as_a_team_would(repo_factory, types):
    files = _fixture("google")
    config = PYDOCLINT_CONFIG
    if types:  # the team keeps argument types in docstrings too (pydoclint's default), and
        # pydoclint compares them: drafts follow its configuration, no docagent setting needed
        config = config.replace("arg-type-hints-in-docstring = false", "")
    files["pyproject.toml"] += config
    # pydoclint wants a generator's return annotation (DOC403): that is the code, not the text
    files["pkg/shapes.py"] = (
        files["pkg/shapes.py"]
        .replace("import math\n", "import math\nfrom collections.abc import Iterator\n", 1)
        .replace("def corners(self):", "def corners(self) -> Iterator[tuple[float, float]]:", 1)
    )
    root = repo_factory(files)
    summary = run_batch(root, apply=True, progress=False, quiet=True)
    assert summary["applied"] >= 12, summary
    # the annotated modules (bag.py is unannotated: see the numpy project test below)
    annotated = ["pkg/shapes.py", "pkg/plain.py"]
    after = subprocess.run([PYDOCLINT, *annotated], cwd=root, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "pkg/shapes.py" in after.stderr  # it read the drafted files
    typed = "factor (float): The factor" in (root / "pkg" / "shapes.py").read_text()
    assert typed == types


def test_types_in_docstrings_puts_annotations_in_google_and_sphinx_entries():
    params = (Param("size", "normal", "int"), Param("rest", "normal"))
    target = Target("m.py", "f", "function", "f", 1, 2, 0, 10, True, params=params)
    draft = StructuredDraft(summary="Do it.", params={"size": "How many.", "rest": "More."})
    google = render(draft, "google", target, types=True)
    assert "    size (int): How many.\n    rest: More." in google
    assert "(int)" not in render(draft, "google", target)
    sphinx = render(draft, "sphinx", target, types=True)
    assert ":param size: How many.\n:type size: int\n:param rest: More." in sphinx
    assert ":type" not in render(draft, "sphinx", target)


NUMPY_RUFF = """
[tool.ruff.lint]
select = ["D"]

[tool.ruff.lint.pydocstyle]
convention = "numpy"
"""
#: a numpy team's pydoclint for annotated code: types in signature and docstring, compared
PYDOCLINT_NUMPY_TYPED = 'style = "numpy"\ncheck-class-attributes = false\n'
#: and for unannotated code: no types to compare (pydoclint's own advice for such code)
PYDOCLINT_NUMPY_UNTYPED = PYDOCLINT_NUMPY_TYPED + (
    "arg-type-hints-in-signature = false\narg-type-hints-in-docstring = false\n"
    "check-return-types = false\ncheck-yield-types = false\n"
)


@pytest.mark.skipif(
    not PYDOCLINT.exists(), reason="no .venv-tools/bin/pydoclint here (.ci/run makes it)"
)
def test_numpy_project_with_magic_methods_and_unannotated_code(repo_factory):
    """ruff's D rules with the numpy convention: magic methods are drafted (D105), ``__init__``
    is not (D107 is off) and its class documents its arguments; the result passes ruff's D
    rules (coverage included), pydoclint, griffe and napoleon."""
    files = {f"pkg/{p.name}": p.read_text() for p in FIXTURE.glob("*.py")}
    files["pyproject.toml"] = NUMPY_RUFF
    files["typed.toml"] = "[tool.pydoclint]\n" + PYDOCLINT_NUMPY_TYPED
    files["untyped.toml"] = "[tool.pydoclint]\n" + PYDOCLINT_NUMPY_UNTYPED
    files["pkg/shapes.py"] = (  # shapes.py is the annotated module
        files["pkg/shapes.py"]
        .replace("import math\n", "import math\nfrom collections.abc import Iterator\n", 1)
        .replace("def corners(self):", "def corners(self) -> Iterator[tuple[float, float]]:", 1)
        .replace("def go(self):", "def go(self) -> int:", 1)
    )
    root = repo_factory(files)
    summary = run_batch(root, apply=True, progress=False, quiet=True)
    assert summary["failed"] == 0, summary
    lint = _ruff(root, "check", "--no-cache", "--output-format", "concise", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr  # D1 included: nothing is missing
    fmt = _ruff(root, "format", "--isolated", "--check", "--diff", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    texts = _docstrings(root)
    assert "bag.py:__init__" not in texts and "shapes.py:__init__" not in texts
    assert "Parameters\n----------\nitems\n" in texts["bag.py:Bag"]
    assert "Parameters\n----------\nwidth : float\n" in texts["shapes.py:Box"]
    assert "Raises\n------\nShapeError\n" in texts["shapes.py:Box"]
    assert "Returns\n-------\nint\n" in texts["bag.py:__len__"]
    assert "Returns\n-------\nstr\n" in texts["bag.py:__repr__"]
    assert "exc_type\n    The type of the exception" in texts["bag.py:__exit__"]

    def pydoclint(config: str, path: str) -> list[str]:
        run = subprocess.run(
            [PYDOCLINT, f"--config={config}", path], cwd=root, capture_output=True, text=True
        )
        assert path in run.stderr + run.stdout, run.stderr  # it read the drafted file
        return re.findall(r"^\s+\d+: (DOC\d+: .*)$", run.stdout + run.stderr, re.M)

    assert pydoclint("typed.toml", "pkg/shapes.py") == []
    # pydoclint wants a generator's annotation (DOC403 says so): that is the code, not the text
    untyped = pydoclint("untyped.toml", "pkg/bag.py")
    assert [v[:7] for v in untyped] == ["DOC403:"] and "`pairs`" in untyped[0], untyped

    pkg = griffe.load(
        "pkg",
        search_paths=[root],
        docstring_parser="numpy",
        docstring_options={"warn_missing_types": False},
        allow_inspection=False,
    )
    bag = pkg["bag"]["Bag"]
    assert [p.name for p in bag.docstring.parsed[1].value] == ["items"]
    for where, text in texts.items():
        _tree, messages, rst = _napoleon_doctree(text, "numpy")
        assert messages == "", f"{where}:\n{messages}\n{rst}"
