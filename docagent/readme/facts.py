"""Static project facts for README sections, gathered without running or importing user code.

Sources: ``pyproject.toml`` (``[project]``, Poetry's ``[tool.poetry]``), ``setup.cfg`` and
literal ``setup(...)`` arguments in ``setup.py`` (read with :mod:`ast`, never executed); console
scripts and entry points; command-line interfaces found by parsing source with :mod:`ast`
(argparse ``add_argument``/``add_parser``, click ``@click.command``/``@group.command``/
``@click.option``/``@click.argument``, typer ``@app.command`` parameters with
``typer.Option``/``typer.Argument``); top-level packages with their module docstrings; the
LICENSE kind; environment variables the code reads; and the existing README text.

This module walks the project's layout (:func:`gather_facts`); the facts themselves are in
:mod:`docagent.readme.project`, the metadata and LICENSE readers in
:mod:`docagent.readme.metadata`, the command-line parsers in :mod:`docagent.readme.cli_facts`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from docagent.code import pyast
from docagent.readme.cli_facts import cli_facts
from docagent.readme.find import find_readme
from docagent.readme.metadata import license_kind, read_metadata
from docagent.readme.project import (
    CliCommand,
    CliParam,
    ConsoleScript,
    PackageInfo,
    ProjectFacts,
    normalize_name,
    requirement_name,
)

if TYPE_CHECKING:
    from docagent.config import Settings

_NOT_PACKAGES = {
    "tests",
    "test",
    "docs",
    "doc",
    "examples",
    "example",
    "scripts",
    "benchmarks",
    "build",
    "dist",
    "tools",
    "venv",
    "site-packages",
}
_NOT_MODULES = {"setup", "conftest", "noxfile", "tasks", "fabfile", "manage", "dodo"}
_MAX_FILES = 3000


# ----------------------------------------------------------------------------- layout


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    return " ".join(doc.strip().split("\n\n", 1)[0].split())


def _source_files(root: Path, settings: Settings | None) -> list[str]:
    from docagent.repo import python_files

    include = getattr(settings, "include", None) or ["**/*.py"]
    exclude = getattr(settings, "exclude", None) or []
    try:
        files = python_files(root, include, exclude)
    except Exception:  # not a git repository: walk the tree instead
        files = sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*.py")
            if not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
    return files[:_MAX_FILES]


def _package_of(rel: str) -> tuple[str, str] | None:
    """Return ``(top-level import name, base dir)`` for a source file, or None (tests, docs…)."""
    parts = rel.split("/")
    base = ""
    if parts[0] == "src" and len(parts) > 1:
        parts, base = parts[1:], "src/"
    top = parts[0]
    if len(parts) == 1:
        name = top[:-3]
        if name in _NOT_MODULES or name.startswith("test"):
            return None
        return name, base
    if top in _NOT_PACKAGES or top.startswith((".", "test")) or not top.isidentifier():
        return None
    return top, base


def gather_facts(root: str | Path, settings: Settings | None = None) -> ProjectFacts:
    """Collect :class:`ProjectFacts` for the repository at ``root`` (reads files only)."""
    root = Path(root)
    facts = ProjectFacts()
    read_metadata(root, facts)
    facts.readme = find_readme(root)
    if facts.readme.exists:
        try:
            facts.readme_text = (root / facts.readme.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            facts.problems.append(f"{facts.readme.path}: cannot read: {exc}")
    for name in ("tests", "test"):
        if (root / name).is_dir():
            facts.tests_dir = name
            break

    packages: dict[str, PackageInfo] = {}
    env: set[str] = set()
    runnable: set[str] = set()
    for rel in _source_files(root, settings):
        where = _package_of(rel)
        if where is None:
            continue
        top, base = where
        try:
            data = (root / rel).read_bytes()
            tree = pyast.parse(data, filename=rel, quiet=True)
        except (OSError, SyntaxError, ValueError) as exc:
            facts.problems.append(f"{rel}: cannot parse: {exc}")
            continue
        inner = rel[len(base) :]
        dotted = inner[:-3].replace("/", ".")
        if dotted.endswith(".__init__"):
            dotted = dotted[: -len(".__init__")]
        if inner == f"{top}/__init__.py" or inner == f"{top}.py":
            packages[top] = PackageInfo(
                top,
                base + (top if inner.endswith("__init__.py") else inner),
                _first_paragraph(ast.get_docstring(tree)),
            )
        elif top not in packages and inner.startswith(top + "/"):
            packages.setdefault(top, PackageInfo(top, base + top))
        if dotted.endswith(".__main__"):
            runnable.add(dotted[: -len(".__main__")])
        elif _has_main_guard(tree):
            runnable.add(dotted)
        cmds, read_env = cli_facts(tree, rel)
        env |= read_env
        facts.commands.setdefault(top, []).extend(cmds)
    for name in runnable:
        top = name.split(".", 1)[0]
        if top in packages and name == top:
            packages[top].runnable = True
    facts.packages = sorted(packages.values(), key=lambda p: p.name)
    facts.runnable_modules = sorted(runnable)
    facts.env_vars = sorted(v for v in env if re.fullmatch(r"[A-Z][A-Z0-9_]*", v))
    facts.commands = {k: v for k, v in facts.commands.items() if v}
    return facts


def _has_main_guard(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            text = ast.unparse(node.test)
            if "__name__" in text and "__main__" in text:
                return True
    return False


__all__ = [
    "CliCommand",
    "CliParam",
    "ConsoleScript",
    "PackageInfo",
    "ProjectFacts",
    "gather_facts",
    "license_kind",
    "normalize_name",
    "requirement_name",
]
