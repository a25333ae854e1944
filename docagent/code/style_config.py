"""The docstring style a repository already configured for its linters and documentation tools.

Read, in this order (the first that names a style wins):

- ruff: ``[tool.ruff.lint.pydocstyle] convention`` (or the older ``[tool.ruff.pydocstyle]``),
  ``google``, ``numpy`` or ``pep257``;
- pydoclint: ``[tool.pydoclint] style`` (``google``, ``numpy``, ``sphinx``), also in
  ``setup.cfg``'s ``[pydoclint]``;
- pydocstyle: ``[tool.pydocstyle] convention``, or ``setup.cfg``/``tox.ini``/``.pydocstyle``'s
  ``[pydocstyle] convention``; flake8-docstrings' ``docstring-convention`` in ``[flake8]``;
- numpydoc: a ``[tool.numpydoc_validation]`` table, or ``numpydoc`` in the Sphinx extensions of
  ``docs/conf.py`` (or ``doc/conf.py``, ``conf.py``) means numpy;
- napoleon: ``sphinx.ext.napoleon`` in those extensions with exactly one of
  ``napoleon_google_docstring`` / ``napoleon_numpy_docstring`` set to False names the other.

:func:`configured_style` returns the style and where it was found; a configured style wins
over the style detected from the docstrings (:func:`docagent.code.docstrings.majority_style`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import configparser

from docagent.vocab import STYLES


def get_key(table: Any, *keys: str) -> Any:
    """The value at ``keys`` in nested TOML tables, or None where a table or key is missing."""
    for key in keys:
        if not isinstance(table, dict):
            return None
        table = table.get(key)
    return table


def _style(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in STYLES:
        return value.strip().lower()
    return None


#: each TOML file read, by path: its text and what it parsed to (one parse per file version)
_TOML: dict[Path, tuple[str, dict[str, Any]]] = {}


def load_toml(path: Path) -> dict[str, Any]:
    """The TOML document at ``path``, parsed once per process for each text the file has.

    The settings, the special-method rules and the style each read ``pyproject.toml``: the
    file is read every time (an edit is seen) and parsed again only when its text changed.
    The document is shared: callers must not change it. A file that cannot be read, is not
    UTF-8 or is not TOML gives the error of reading or parsing it (``OSError``,
    ``UnicodeDecodeError``, ``tomllib.TOMLDecodeError``).
    """
    text = path.read_text(encoding="utf-8")
    known = _TOML.get(path)
    if known is not None and known[0] == text:
        return known[1]
    import tomllib  # here, like configparser below: most repositories have neither file

    data = tomllib.loads(text)
    _TOML[path] = (text, data)
    return data


def read_pyproject(path: Path, whole: bool = False) -> dict[str, Any] | None:
    """The ``[tool]`` table of the TOML file at ``path`` (the whole document when ``whole``).

    None when the file is missing, unreadable or not TOML; ``{}`` when it has no ``[tool]``.
    The result is shared (see :func:`load_toml`): do not change it.
    """
    if not path.is_file():
        return None
    try:
        data = load_toml(path)
    except (OSError, UnicodeDecodeError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return None
    if whole:
        return data
    tool_table = data.get("tool")
    return tool_table if isinstance(tool_table, dict) else {}


def read_ini(path: Path) -> configparser.ConfigParser | None:
    """The ini file at ``path`` (``setup.cfg``, ``tox.ini``, …), or None when unreadable."""
    if not path.is_file():
        return None
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return parser


def _from_pyproject(root: Path) -> tuple[str, str] | None:
    tool = read_pyproject(root / "pyproject.toml")
    if tool is None:
        return None
    candidates = [
        (("ruff", "lint", "pydocstyle", "convention"), "[tool.ruff.lint.pydocstyle] convention"),
        (("ruff", "pydocstyle", "convention"), "[tool.ruff.pydocstyle] convention"),
        (("pydoclint", "style"), "[tool.pydoclint] style"),
        (("pydocstyle", "convention"), "[tool.pydocstyle] convention"),
    ]
    for keys, where in candidates:
        style = _style(get_key(tool, *keys))
        if style:
            return style, f"pyproject.toml {where}"
    if isinstance(tool.get("numpydoc_validation"), dict):
        return "numpy", "pyproject.toml [tool.numpydoc_validation]"
    return None


def _from_ini(root: Path) -> tuple[str, str] | None:
    options = [
        ("pydoclint", "style"),
        ("pydocstyle", "convention"),
        ("flake8", "docstring-convention"),
        ("flake8", "docstring_convention"),
    ]
    for name in ("setup.cfg", "tox.ini", ".pydocstyle", ".flake8"):
        parser = read_ini(root / name)
        if parser is None:
            continue
        for section, option in options:
            if parser.has_option(section, option):
                style = _style(parser.get(section, option))
                if style:
                    return style, f"{name} [{section}] {option}"
    return None


_FALSE_RE = r"^\s*{name}\s*=\s*False\b"


def _from_sphinx(root: Path) -> tuple[str, str] | None:
    for rel in ("docs/conf.py", "doc/conf.py", "docs/source/conf.py", "conf.py"):
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r"""["']numpydoc["']""", text):
            return "numpy", f"{rel}: numpydoc extension"
        if "sphinx.ext.napoleon" in text:
            no_google = re.search(_FALSE_RE.format(name="napoleon_google_docstring"), text, re.M)
            no_numpy = re.search(_FALSE_RE.format(name="napoleon_numpy_docstring"), text, re.M)
            if no_google and not no_numpy:
                return "numpy", f"{rel}: napoleon_google_docstring = False"
            if no_numpy and not no_google:
                return "google", f"{rel}: napoleon_numpy_docstring = False"
    return None


_TYPES_OPTION = "arg-type-hints-in-docstring"


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    return None


def configured_types(root: str | Path) -> tuple[bool, str] | None:
    """Return ``(types_in_docstrings, where)`` when the repository configures pydoclint.

    pydoclint's ``arg-type-hints-in-docstring`` (in ``[tool.pydoclint]`` or ``setup.cfg``'s
    ``[pydoclint]``, either spelling) says whether argument entries carry types; a pydoclint
    table without it means pydoclint's default, true. None when pydoclint is not configured.
    """
    base = Path(root)
    tool = read_pyproject(base / "pyproject.toml")
    table = get_key(tool, "pydoclint") if tool else None
    if isinstance(table, dict):
        for key in (_TYPES_OPTION, _TYPES_OPTION.replace("-", "_")):
            value = _truthy(table.get(key))
            if value is not None:
                return value, f"pyproject.toml [tool.pydoclint] {key}"
        return True, "pyproject.toml [tool.pydoclint] (pydoclint's default)"
    parser = read_ini(base / "setup.cfg")
    if parser is not None and parser.has_section("pydoclint"):
        for key in (_TYPES_OPTION, _TYPES_OPTION.replace("-", "_")):
            if parser.has_option("pydoclint", key):
                value = _truthy(parser.get("pydoclint", key))
                if value is not None:
                    return value, f"setup.cfg [pydoclint] {key}"
        return True, "setup.cfg [pydoclint] (pydoclint's default)"
    return None


def configured_style(root: str | Path) -> tuple[str, str] | None:
    """Return ``(style, where)`` when the repository at ``root`` configures a docstring style.

    None when no linter or documentation tool names one (unreadable files are ignored).
    """
    base = Path(root)
    return _from_pyproject(base) or _from_ini(base) or _from_sphinx(base)


__all__ = [
    "configured_style",
    "configured_types",
    "get_key",
    "load_toml",
    "read_ini",
    "read_pyproject",
]
