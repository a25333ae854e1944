"""Package metadata for README facts: pyproject.toml, setup.cfg, setup.py and the LICENSE.

Everything is read, nothing is run: ``setup.py`` is parsed with :mod:`ast` and only literal
``setup(...)`` arguments are used.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from pathlib import Path
from typing import Any

from docagent.code import pyast
from docagent.readme.project import ConsoleScript, ProjectFacts

_LICENSE_FILES = (
    "LICENSE",
    "LICENSE.txt",
    "LICENSE.md",
    "LICENCE",
    "LICENCE.txt",
    "COPYING",
    "COPYING.txt",
    "LICENSE.rst",
)


# ----------------------------------------------------------------------------- metadata


def _load_toml(path: Path, facts: ProjectFacts) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        facts.problems.append(f"{path.name}: cannot read: {exc}")
        return {}


def _license_from_metadata(value: Any, classifiers: list[str]) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        text = value["text"].strip()
        if text and "\n" not in text and len(text) < 40:
            return text
    for c in classifiers:
        if c.startswith("License :: OSI Approved :: "):
            return c.rsplit(" :: ", 1)[-1].replace(" License", "")
    return None


def _read_pyproject(root: Path, facts: ProjectFacts) -> None:
    path = root / "pyproject.toml"
    if not path.is_file():
        return
    data = _load_toml(path, facts)
    project = data.get("project")
    poetry = data.get("tool", {}).get("poetry")
    if isinstance(project, dict) and project.get("name"):
        facts.metadata_source = "pyproject.toml [project]"
        facts.name = str(project.get("name"))
        facts.version = str(project["version"]) if "version" in project else None
        facts.description = str(project.get("description") or "")
        facts.requires_python = str(project.get("requires-python") or "")
        facts.dependencies = [str(d) for d in project.get("dependencies") or []]
        extras = project.get("optional-dependencies") or {}
        facts.extras = {str(k): [str(r) for r in v] for k, v in extras.items()}
        for group, key in (("console_scripts", "scripts"), ("gui_scripts", "gui-scripts")):
            for name, target in (project.get(key) or {}).items():
                facts.scripts.append(ConsoleScript(str(name), str(target), group))
        for group, entries in (project.get("entry-points") or {}).items():
            if isinstance(entries, dict):
                facts.entry_points[str(group)] = {str(k): str(v) for k, v in entries.items()}
        facts.license = _license_from_metadata(
            project.get("license"), [str(c) for c in project.get("classifiers") or []]
        )
        facts.urls = {str(k): str(v) for k, v in (project.get("urls") or {}).items()}
    elif isinstance(poetry, dict) and poetry.get("name"):
        facts.metadata_source = "pyproject.toml [tool.poetry]"
        facts.name = str(poetry["name"])
        facts.version = str(poetry.get("version") or "") or None
        facts.description = str(poetry.get("description") or "")
        deps = dict(poetry.get("dependencies") or {})
        python = deps.pop("python", "")
        facts.requires_python = python if isinstance(python, str) else ""
        facts.dependencies = list(deps)
        facts.extras = {
            str(k): [str(r) for r in v] for k, v in (poetry.get("extras") or {}).items()
        }
        for name, target in (poetry.get("scripts") or {}).items():
            if isinstance(target, str):
                facts.scripts.append(ConsoleScript(str(name), target))
        facts.license = _license_from_metadata(
            poetry.get("license"), [str(c) for c in poetry.get("classifiers") or []]
        )
    # uv/hatch/pdm dev dependency groups count as "development" facts only.
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for k, v in groups.items():
            facts.extras.setdefault(f"group:{k}", [r for r in v if isinstance(r, str)])


def _entry_lines(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        if "=" in line:
            name, target = line.split("=", 1)
            if name.strip() and target.strip():
                out.append((name.strip(), target.strip()))
    return out


def _read_setup_cfg(root: Path, facts: ProjectFacts) -> None:
    path = root / "setup.cfg"
    if not path.is_file() or facts.name:
        return
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except (configparser.Error, UnicodeDecodeError, OSError) as exc:
        facts.problems.append(f"setup.cfg: cannot read: {exc}")
        return
    if not parser.has_option("metadata", "name"):
        return
    facts.metadata_source = "setup.cfg"
    facts.name = parser.get("metadata", "name").strip()
    facts.description = parser.get("metadata", "description", fallback="").strip()
    facts.version = parser.get("metadata", "version", fallback="").strip() or None
    facts.requires_python = parser.get("options", "python_requires", fallback="").strip()
    reqs = parser.get("options", "install_requires", fallback="")
    facts.dependencies = [r.strip() for r in reqs.splitlines() if r.strip()]
    if parser.has_section("options.extras_require"):
        for key, value in parser.items("options.extras_require"):
            facts.extras[key] = [r.strip() for r in value.splitlines() if r.strip()]
    if parser.has_section("options.entry_points"):
        for group, value in parser.items("options.entry_points"):
            entries = dict(_entry_lines(value))
            if group in ("console_scripts", "gui_scripts"):
                facts.scripts.extend(ConsoleScript(n, t, group) for n, t in entries.items())
            else:
                facts.entry_points[group] = entries
    classifiers = parser.get("metadata", "classifiers", fallback="").splitlines()
    facts.license = _license_from_metadata(
        parser.get("metadata", "license", fallback=""), [c.strip() for c in classifiers]
    )


def literal_value(node: ast.AST | None) -> Any:
    """The value of a literal expression (read with :mod:`ast`, never run), or None."""
    if node is None:
        return None
    try:
        return pyast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _pkg_info_name(root: Path) -> str | None:
    """The ``Name:`` of an sdist's PKG-INFO at ``root`` (metadata setup.py computes), or None."""
    try:
        head = (root / "PKG-INFO").read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return None
    match = re.search(r"^Name:[ \t]*(\S+)[ \t]*$", head, re.MULTILINE)
    return match.group(1) if match else None


def _read_setup_py(root: Path, facts: ProjectFacts) -> None:
    """Read literal ``setup(...)`` keyword arguments from setup.py (never executed).

    A keyword whose value is a module-level name assigned a literal (``install_requires =
    [...]``, then ``install_requires=install_requires``) counts as that literal. When the name
    is computed (``name=about["__title__"]``), an sdist's PKG-INFO supplies it.
    """
    path = root / "setup.py"
    if not path.is_file():
        return
    try:
        tree = pyast.parse(path.read_bytes(), filename="setup.py", quiet=True)
    except (SyntaxError, ValueError) as exc:
        facts.problems.append(f"setup.py: cannot parse: {exc}")
        return
    call = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name == "setup":
                call = node
                break
    if call is None:
        return
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    assigned = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    }

    def value(key: str) -> Any:
        node = kw.get(key)
        if isinstance(node, ast.Name) and node.id in assigned:
            node = assigned[node.id]
        return literal_value(node)

    name = value("name")
    if not isinstance(name, str) and "name" in kw:
        name = _pkg_info_name(root)
    if not facts.name and isinstance(name, str):
        facts.name = name
        facts.metadata_source = "setup.py"
    if facts.metadata_source != "setup.py":
        return
    desc = value("description")
    facts.description = desc if isinstance(desc, str) else facts.description
    req = value("python_requires")
    facts.requires_python = req if isinstance(req, str) else facts.requires_python
    deps = value("install_requires")
    if isinstance(deps, list | tuple):
        facts.dependencies = [str(d) for d in deps]
    extras = value("extras_require")
    if isinstance(extras, dict):
        facts.extras = {str(k): [str(r) for r in v] for k, v in extras.items()}
    eps = value("entry_points")
    if isinstance(eps, str):  # the INI form: "[console_scripts]\nname = module:attr"
        ini = configparser.ConfigParser(interpolation=None, delimiters=("=",))
        try:
            ini.read_string("\n".join(line.strip() for line in eps.splitlines()))
            eps = {g: [f"{k} = {v}" for k, v in ini.items(g)] for g in ini.sections()}
        except configparser.Error:
            eps = None
    if isinstance(eps, dict):
        for group, entries in eps.items():
            if isinstance(entries, str):
                pairs = _entry_lines(entries)
            else:
                pairs = _entry_lines("\n".join(str(e) for e in entries or []))
            if group in ("console_scripts", "gui_scripts"):
                facts.scripts.extend(ConsoleScript(n, t, group) for n, t in pairs)
            else:
                facts.entry_points[str(group)] = dict(pairs)
    lic = value("license")
    classifiers = value("classifiers")
    facts.license = facts.license or _license_from_metadata(
        lic, [str(c) for c in classifiers] if isinstance(classifiers, list | tuple) else []
    )


# ----------------------------------------------------------------------------- license

_LICENSE_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AGPL-3.0", ("gnu affero general public license",)),
    ("LGPL-3.0", ("gnu lesser general public license", "version 3")),
    ("LGPL-2.1", ("gnu lesser general public license", "version 2.1")),
    ("GPL-3.0", ("gnu general public license", "version 3")),
    ("GPL-2.0", ("gnu general public license", "version 2")),
    ("Apache-2.0", ("apache license", "version 2.0")),
    ("MPL-2.0", ("mozilla public license", "2.0")),
    ("BSD-3-Clause", ("redistribution and use", "neither the name")),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms",)),
    ("MIT", ("permission is hereby granted, free of charge",)),
    ("ISC", ("permission to use, copy, modify, and/or distribute",)),
    ("Unlicense", ("this is free and unencumbered software",)),
)


def license_kind(text: str) -> str | None:
    """Recognize a license text (MIT, Apache-2.0, BSD, GPL, …); None when unrecognized."""
    low = " ".join(text.lower().split())
    for kind, needles in _LICENSE_PATTERNS:
        if all(n in low for n in needles):
            return kind
    return None


def _read_license(root: Path, facts: ProjectFacts) -> None:
    for name in _LICENSE_FILES:
        path = root / name
        if path.is_file():
            facts.license_file = name
            try:
                kind = license_kind(path.read_text(encoding="utf-8", errors="replace")[:20000])
            except OSError:
                kind = None
            if kind and not facts.license:
                facts.license = kind
            return


def read_metadata(root: Path, facts: ProjectFacts) -> None:
    """Fill ``facts`` from the package metadata and LICENSE file at ``root``."""
    _read_pyproject(root, facts)
    _read_setup_cfg(root, facts)
    _read_setup_py(root, facts)
    _read_license(root, facts)


__all__ = ["license_kind", "literal_value", "read_metadata"]
