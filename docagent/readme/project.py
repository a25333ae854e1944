"""The project facts README sections are drafted from: the data, without how it is gathered.

:func:`docagent.readme.facts.gather_facts` fills a :class:`ProjectFacts`; the readers are
:mod:`docagent.readme.metadata` (package metadata, license) and :mod:`docagent.readme.cli_facts`
(command-line interfaces).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from docagent.readme.find import ReadmeFile


@dataclass
class CliParam:
    """One command-line parameter: option strings (``--verbose``, ``-v``) or an argument name."""

    decls: list[str]
    name: str
    help: str = ""
    is_option: bool = True
    required: bool = False


@dataclass
class CliCommand:
    """A command found in source.

    ``name`` is ``""`` for a top-level command or parser, the subcommand name for a
    subcommand, and ``"*"`` for options added to a parser whose command is unknown (a
    parser passed into a helper function).
    """

    name: str
    framework: str
    path: str
    line: int
    function: str = ""
    help: str = ""
    params: list[CliParam] = field(default_factory=list)
    is_group: bool = False

    @property
    def options(self) -> list[str]:
        """Every option string of this command (``--name``, ``-n``, ``--no-flag``)."""
        return [d for p in self.params if p.is_option for d in p.decls]


@dataclass
class ConsoleScript:
    """A console (or GUI) script: ``name = "module:attr"`` from the project metadata."""

    name: str
    target: str
    group: str = "console_scripts"

    @property
    def module(self) -> str:
        """The dotted module the script runs."""
        return self.target.split(":", 1)[0].strip()

    @property
    def package(self) -> str:
        """The top-level package (or module) of :attr:`module`."""
        return self.module.split(".", 1)[0]


@dataclass
class PackageInfo:
    """A top-level package or module: its import name, path and docstring summary."""

    name: str
    path: str
    docstring: str = ""
    runnable: bool = False


@dataclass
class ProjectFacts:
    """Everything docagent knows about a project when drafting or checking README sections."""

    name: str | None = None
    version: str | None = None
    description: str = ""
    requires_python: str = ""
    dependencies: list[str] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)
    scripts: list[ConsoleScript] = field(default_factory=list)
    entry_points: dict[str, dict[str, str]] = field(default_factory=dict)
    packages: list[PackageInfo] = field(default_factory=list)
    commands: dict[str, list[CliCommand]] = field(default_factory=dict)
    runnable_modules: list[str] = field(default_factory=list)
    license: str | None = None
    license_file: str | None = None
    env_vars: list[str] = field(default_factory=list)
    tests_dir: str | None = None
    urls: dict[str, str] = field(default_factory=dict)
    metadata_source: str | None = None
    readme: ReadmeFile | None = None
    readme_text: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def script_names(self) -> list[str]:
        """Names of the console and GUI scripts."""
        return [s.name for s in self.scripts]

    def commands_for(self, script: str) -> list[CliCommand]:
        """The commands found in the package a script (or ``python -m`` module) runs."""
        for s in self.scripts:
            if s.name == script:
                return self.commands.get(s.package, [])
        return self.commands.get(script.split(".", 1)[0], [])

    def known_options(self, script: str) -> set[str]:
        """Option strings the script (or module) accepts, including ``--help``/``-h``."""
        out = {"--help", "-h"}
        for c in self.commands_for(script):
            out.update(c.options)
        return out

    def subcommands(self, script: str) -> set[str]:
        """Names of the subcommands the script (or module) accepts (empty when it has none)."""
        return {c.name for c in self.commands_for(script) if c.name and c.name != "*"}

    def takes_arguments(self, script: str) -> bool:
        """True when a top-level command of the script takes positional arguments."""
        return any(
            not p.is_option for c in self.commands_for(script) if not c.name for p in c.params
        )

    def has_cli(self, script: str) -> bool:
        """True when docagent found the script's command-line definitions in the source."""
        return bool(self.commands_for(script))

    def dependency_names(self) -> set[str]:
        """Normalized names of all dependencies, extras included."""
        reqs = list(self.dependencies) + [r for rs in self.extras.values() for r in rs]
        return {n for n in (requirement_name(r) for r in reqs) if n}

    def to_dict(self) -> dict[str, Any]:
        """Return the facts as JSON-ready data (for prompts, logs and ``--json`` output)."""
        data = asdict(self)
        data["readme"] = asdict(self.readme) if self.readme else None
        data.pop("readme_text", None)
        return data


def normalize_name(name: str) -> str:
    """Normalize a distribution name the PEP 503 way (``Foo_Bar.baz`` -> ``foo-bar-baz``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(req: str) -> str | None:
    """Return the normalized distribution name of a requirement string, or None."""
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return normalize_name(m.group(1)) if m else None


__all__ = [
    "CliCommand",
    "CliParam",
    "ConsoleScript",
    "PackageInfo",
    "ProjectFacts",
    "normalize_name",
    "requirement_name",
]
