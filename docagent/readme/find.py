"""Find a repository's README and say whether docagent can edit it.

Markdown READMEs are supported. A reStructuredText (or plain text) README is detected and
reported as unsupported for editing, so front ends can tell the user why no README sections
are proposed instead of silently doing nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
RST_SUFFIXES = (".rst", ".rest")
_PREFERENCE = ("markdown", "rst", "text")


@dataclass(frozen=True)
class ReadmeFile:
    """A README found in a repository.

    ``path`` is POSIX and relative to the repository root; ``format`` is ``markdown``,
    ``rst`` or ``text``; ``supported`` is True only for Markdown; ``reason`` says why an
    unsupported README is not edited; ``exists`` is False for the README.md docagent would
    create in a repository that has none.
    """

    path: str
    format: str
    supported: bool
    reason: str = ""
    exists: bool = True


def readme_format(name: str) -> str:
    """Return ``markdown``, ``rst`` or ``text`` for a README file name (by its suffix)."""
    low = name.lower()
    if low.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    if low.endswith(RST_SUFFIXES):
        return "rst"
    return "text"


def _declared_readme(root: Path) -> str | None:
    """Return the ``readme`` file named in ``[project]`` of pyproject.toml, if any."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return None
    readme = data.get("project", {}).get("readme")
    if isinstance(readme, dict):
        readme = readme.get("file")
    if isinstance(readme, str) and readme and ".." not in Path(readme).parts:
        return readme
    return None


def make_readme_file(path: str, exists: bool = True) -> ReadmeFile:
    """Describe the README at repository-relative ``path`` (format and whether it is editable)."""
    fmt = readme_format(path)
    if fmt == "markdown":
        return ReadmeFile(path, fmt, True, "", exists)
    kind = "reStructuredText" if fmt == "rst" else "plain text"
    reason = (
        f"{path} is {kind}: docagent drafts and edits README sections only in Markdown (README.md)"
    )
    return ReadmeFile(path, fmt, False, reason, exists)


def find_readme(root: str | Path) -> ReadmeFile:
    """Find the README of the repository at ``root``.

    The file named by ``[project] readme`` in pyproject.toml wins when it exists; otherwise
    the top-level ``README*`` file (any case), Markdown first, then reStructuredText, then
    plain text. When there is none, the result is ``README.md`` with ``exists=False``:
    applying a section creates it.
    """
    root = Path(root)
    declared = _declared_readme(root)
    if declared and (root / declared).is_file():
        return make_readme_file(Path(declared).as_posix())
    candidates = [
        p.name for p in root.iterdir() if p.is_file() and p.name.lower().startswith("readme")
    ]
    if candidates:
        candidates.sort(key=lambda n: (_PREFERENCE.index(readme_format(n)), n != "README.md", n))
        return make_readme_file(candidates[0])
    return make_readme_file("README.md", exists=False)
