"""Static project facts for README sections, gathered without running or importing user code.

Sources: ``pyproject.toml`` (``[project]``, Poetry's ``[tool.poetry]``), ``setup.cfg`` and
literal ``setup(...)`` arguments in ``setup.py`` (read with :mod:`ast`, never executed); console
scripts and entry points; command-line interfaces found by parsing source with :mod:`ast`
(argparse ``add_argument``/``add_parser``, click ``@click.command``/``@group.command``/
``@click.option``/``@click.argument``, typer ``@app.command`` parameters with
``typer.Option``/``typer.Argument``); top-level packages with their module docstrings; the
LICENSE kind; environment variables the code reads; and the existing README text.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent.code import pyast
from docagent.readme.find import ReadmeFile, find_readme

if TYPE_CHECKING:
    from docagent.config import Settings

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


def _literal(node: ast.AST | None) -> Any:
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
        return _literal(node)

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


# ----------------------------------------------------------------------------- CLI parsing


def _str_args(call: ast.Call) -> list[str]:
    return [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _kw(call: ast.Call, name: str) -> Any:
    for k in call.keywords:
        if k.arg == name:
            return _literal(k.value)
    return None


def _callee(node: ast.AST) -> tuple[str, str]:
    """Return ``(receiver, attribute)`` of a callee: ``click.option`` gives (click, option)."""
    if isinstance(node, ast.Attribute):
        base = node.value
        recv = (
            base.id
            if isinstance(base, ast.Name)
            else (base.attr if isinstance(base, ast.Attribute) else "")
        )
        return recv, node.attr
    if isinstance(node, ast.Name):
        return "", node.id
    return "", ""


def _split_decls(decls: list[str]) -> list[str]:
    out: list[str] = []
    for d in decls:
        for part in d.split("/"):
            part = part.strip()
            if part.startswith("-"):
                out.append(part)
    return out


def _click_name(func: str) -> list[str]:
    base = func.lower().replace("_", "-")
    names = [base]
    for suffix in ("-command", "-cmd", "-group", "-grp"):
        if base.endswith(suffix) and len(base) > len(suffix):
            names.append(base[: -len(suffix)])
    return names


class _CliVisitor(ast.NodeVisitor):
    """Collect argparse, click and typer definitions from one module."""

    def __init__(self, path: str):
        self.path = path
        self.commands: list[CliCommand] = []
        self.env_vars: set[str] = set()
        self.typer_apps: set[str] = set()
        self._argparse: CliCommand | None = None
        self._subparsers: dict[str, CliCommand] = {}
        self._parser_vars: dict[str, CliCommand] = {}

    # argparse and environment variables --------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        """Track ``p = sub.add_parser("name")`` and ``app = typer.Typer()`` assignments."""
        value = node.value
        if isinstance(value, ast.Call):
            recv, attr = _callee(value.func)
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if attr == "add_parser" and value.args:
                names = _str_args(value)
                if names:
                    cmd = CliCommand(
                        names[0],
                        "argparse",
                        self.path,
                        node.lineno,
                        help=str(_kw(value, "help") or ""),
                    )
                    aliases = _kw(value, "aliases")
                    self.commands.append(cmd)
                    if isinstance(aliases, list | tuple):
                        for a in aliases:
                            self.commands.append(
                                CliCommand(
                                    str(a), "argparse", self.path, node.lineno, params=cmd.params
                                )
                            )
                    for t in targets:
                        self._parser_vars[t] = cmd
            elif attr == "ArgumentParser":
                cmd = CliCommand(
                    "",
                    "argparse",
                    self.path,
                    node.lineno,
                    help=str(_kw(value, "description") or ""),
                )
                self.commands.append(cmd)
                for t in targets:
                    self._parser_vars[t] = cmd
            elif attr == "Typer":
                self.typer_apps.update(targets)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        """Collect ``add_argument`` calls and environment-variable reads."""
        recv, attr = _callee(node.func)
        if attr == "add_argument":
            decls = _str_args(node)
            if decls:
                cmd = self._parser_vars.get(recv)
                if cmd is None:
                    # a parser passed in from elsewhere: which command it belongs to is unknown
                    cmd = self._parser_vars.setdefault(
                        recv, CliCommand("*", "argparse", self.path, node.lineno)
                    )
                    if cmd not in self.commands:
                        self.commands.append(cmd)
                is_option = decls[0].startswith("-")
                param = CliParam(
                    decls=[d for d in decls if d.startswith("-")] if is_option else decls[:1],
                    name=str(_kw(node, "dest") or decls[-1].lstrip("-").replace("-", "_")),
                    help=str(_kw(node, "help") or "") if _kw(node, "help") is not None else "",
                    is_option=is_option,
                    required=bool(_kw(node, "required")) if is_option else True,
                )
                cmd.params.append(param)
        elif attr == "add_argument_to" and recv == "shtab":
            decls = _kw(node, "option_string") or ["-s", "--print-completion"]
            if isinstance(decls, str):
                decls = [decls]
            cmd = self._parser_vars.get(_callee(node.args[0])[1]) if node.args else None
            target = cmd or CliCommand("*", "argparse", self.path, node.lineno)
            if target not in self.commands:
                self.commands.append(target)
            target.params.append(CliParam([str(d) for d in decls], "print_completion"))
        elif attr == "getenv" or (attr == "get" and recv == "environ"):
            names = _str_args(node)
            if names:
                self.env_vars.add(names[0])
        for k in node.keywords:
            if k.arg in ("envvar", "auto_envvar_prefix"):
                value = _literal(k.value)
                if isinstance(value, str) and k.arg == "envvar":
                    self.env_vars.add(value)
                elif isinstance(value, list | tuple):
                    self.env_vars.update(str(v) for v in value)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        """Collect ``os.environ["NAME"]`` reads."""
        recv, attr = _callee(node.value)
        key = node.slice
        if attr == "environ" and isinstance(key, ast.Constant) and isinstance(key.value, str):
            self.env_vars.add(key.value)
        self.generic_visit(node)

    # click and typer ------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Collect click commands/groups and typer commands defined by decorators."""
        cmd: CliCommand | None = None
        params: list[CliParam] = []
        typer_cmd = False
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call):
                recv, attr = _callee(dec)
                if attr in ("command", "group") and recv:
                    cmd = self._click_command(node, None, recv, attr)
                continue
            recv, attr = _callee(dec.func)
            if attr in ("command", "group", "callback"):
                if recv in self.typer_apps:
                    typer_cmd = True
                    name = (
                        ""
                        if attr == "callback"
                        else (
                            next(iter(_str_args(dec)), None)
                            or _kw(dec, "name")
                            or node.name.lower().replace("_", "-")
                        )
                    )
                    cmd = CliCommand(
                        str(name),
                        "typer",
                        self.path,
                        node.lineno,
                        node.name,
                        str(_kw(dec, "help") or ast.get_docstring(node) or ""),
                    )
                    self.commands.append(cmd)
                elif attr != "callback":
                    cmd = self._click_command(node, dec, recv, attr)
            elif attr in ("option", "password_option", "confirmation_option"):
                decls = _split_decls(_str_args(dec))
                if not decls and attr == "password_option":
                    decls = ["--password"]
                if not decls and attr == "confirmation_option":
                    decls = ["--yes"]
                if decls:
                    params.append(
                        CliParam(
                            decls,
                            decls[0].lstrip("-").replace("-", "_"),
                            str(_kw(dec, "help") or ""),
                            True,
                            bool(_kw(dec, "required")),
                        )
                    )
            elif attr == "argument":
                names = _str_args(dec)
                if names:
                    params.append(CliParam(names[:1], names[0], "", False, True))
            elif attr == "version_option":
                params.append(
                    CliParam(
                        _split_decls(_str_args(dec)) or ["--version"],
                        "version",
                        "Show the version and exit.",
                    )
                )
            elif attr == "help_option":
                params.append(CliParam(_split_decls(_str_args(dec)) or ["--help"], "help"))
        if cmd is not None:
            if typer_cmd:
                params.extend(_typer_params(node))
            cmd.params.extend(params)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def finish(self) -> None:
        """Typer runs a lone command without a callback as the app itself: no subcommand."""
        typer = [c for c in self.commands if c.framework == "typer"]
        named = [c for c in typer if c.name]
        if len(named) == 1 and len(typer) == 1:
            named[0].name = ""
        if typer:  # typer adds shell-completion options unless add_completion=False
            auto = ["--install-completion", "--show-completion"]
            self.commands.append(
                CliCommand("*", "typer", self.path, typer[0].line, params=[CliParam(auto, "")])
            )

    def _click_command(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        dec: ast.Call | None,
        recv: str,
        attr: str,
    ) -> CliCommand:
        explicit = None
        if dec is not None:
            explicit = next(iter(_str_args(dec)), None) or _kw(dec, "name")
        top = recv in ("click", "")
        names = [str(explicit)] if explicit else _click_name(node.name)
        cmd = CliCommand(
            "" if top else names[0],
            "click",
            self.path,
            node.lineno,
            node.name,
            ast.get_docstring(node) or "",
            is_group=attr == "group",
        )
        self.commands.append(cmd)
        if dec is not None and attr == "group":
            cls = next((k.value for k in dec.keywords if k.arg == "cls"), None)
            default = _kw(dec, "default")
            if default or (cls is not None and "default" in ast.unparse(cls).lower()):
                # click-default-group: a first word that is not a subcommand goes to the default
                cmd.params.append(CliParam(["ARGS"], "default_command_args", "", False))
        for alias in names[1:]:
            if not top:
                self.commands.append(
                    CliCommand(alias, "click", self.path, node.lineno, node.name, params=cmd.params)
                )
        return cmd


def _typer_params(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[CliParam]:
    out: list[CliParam] = []
    args = node.args.args + node.args.kwonlyargs
    defaults: list[ast.expr | None] = [None] * (len(node.args.args) - len(node.args.defaults))
    defaults += list(node.args.defaults) + list(node.args.kw_defaults)
    for arg, default in zip(args, defaults, strict=False):
        marker: ast.Call | None = None
        ann = arg.annotation
        if isinstance(ann, ast.Subscript) and _callee(ann.value)[1] == "Annotated":
            elts = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else []
            for e in elts[1:]:
                if isinstance(e, ast.Call) and _callee(e.func)[1] in ("Option", "Argument"):
                    marker = e
        if isinstance(default, ast.Call) and _callee(default.func)[1] in ("Option", "Argument"):
            marker = default
        dashed = "--" + arg.arg.replace("_", "-")
        is_bool = (
            isinstance(ann, ast.Name)
            and ann.id == "bool"
            or (isinstance(ann, ast.Subscript) and "bool" in ast.unparse(ann))
        )
        if marker is not None and _callee(marker.func)[1] == "Argument":
            out.append(
                CliParam([arg.arg.upper()], arg.arg, str(_kw(marker, "help") or ""), False, True)
            )
            continue
        if marker is None and default is None:
            out.append(CliParam([arg.arg.upper()], arg.arg, "", False, True))
            continue
        decls = _split_decls(_str_args(marker)) if marker is not None else []
        if not decls:
            decls = [dashed] + (["--no-" + arg.arg.replace("_", "-")] if is_bool else [])
        help_text = str(_kw(marker, "help") or "") if marker is not None else ""
        out.append(CliParam(decls, arg.arg, help_text, True, False))
    return out


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
    _read_pyproject(root, facts)
    _read_setup_cfg(root, facts)
    _read_setup_py(root, facts)
    _read_license(root, facts)
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
        visitor = _CliVisitor(rel)
        visitor.visit(tree)
        visitor.finish()
        env |= visitor.env_vars
        cmds = [c for c in visitor.commands if c.params or c.name or c.framework != "argparse"]
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
