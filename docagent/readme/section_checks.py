"""Checks on README sections: structure, commands, options and install names.

:func:`check_section` runs on every drafted section before anyone sees it (hard failures block
auto-apply in batch, like docstring checks). :func:`command_problems` is shared with stale
detection (:mod:`docagent.readme.section_targets`), which runs it leniently on the README a person
wrote: there an unknown program is only reported when it looks like one of the project's own.

A command is a line of a shell code block (```` ```bash ````, ``sh``, ``console``, …; in a
block without an info string only ``$ ``-prompted lines and lines starting with a known program),
or inline code that starts with one of the project's console scripts.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from docagent.draft.draft_checks import check_secret
from docagent.draft.models import Check
from docagent.readme.facts import ProjectFacts, normalize_name, requirement_name
from docagent.readme.sections import MarkdownDoc, parse_markdown


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


SHELL_INFOS = _words(
    "bash sh shell console shell-session sh-session zsh fish terminal cmd powershell ps1"
)
PROMPT_INFOS = _words("console shell-session sh-session terminal")

#: Programs any README may use without being a console script of the project.
STANDARD_TOOLS = _words(
    """pip pip3 pipx uv uvx python python3 py git pytest tox nox hatch pdm poetry conda mamba
    micromamba pre-commit ruff black isort flake8 mypy pyright pylint coverage make cd ls cat
    echo export source set env which mkdir rm cp mv touch curl wget sudo docker docker-compose
    podman twine build flit sphinx-build mkdocs jupyter ipython virtualenv venv activate deactivate
    chmod tar unzip brew apt apt-get dnf yum gh npm npx yarn pnpm node cargo rustup go
    java mvn gradle bandit interrogate pydoclint vulture nbstripout invoke just open xdg-open
    less more head tail grep sed awk sort find xargs tee printf test true false exit"""
)
_PYTHONS = {"python", "python3", "py", "python2"} | {f"python3.{n}" for n in range(6, 20)}
_INSTALLERS = {"pip", "pip3"}
_VALUE_OPTIONS = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--python",
    "-p",
    "--group",
    "--only-group",
}


@dataclass
class ShellCommand:
    """One command found in a README: its 0-based document line, text and arguments."""

    line: int
    text: str
    argv: list[str]
    inline: bool = False

    @property
    def program(self) -> str:
        """The program name (a path prefix like ``./`` or ``.venv/bin/`` removed)."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    @property
    def module(self) -> str | None:
        """The module of ``python -m MODULE``, else None."""
        if self.program in _PYTHONS or self.program.startswith("python3."):
            args = self.argv[1:]
            for i, a in enumerate(args):
                if a == "-m" and i + 1 < len(args):
                    return args[i + 1]
                if a.startswith("-m") and len(a) > 2:
                    return a[2:]
                if not a.startswith("-"):
                    return None
        return None

    def args_after(self, word: str) -> list[str]:
        """The arguments after the first occurrence of ``word`` (the script or module)."""
        if word in self.argv:
            return self.argv[self.argv.index(word) + 1 :]
        return self.argv[1:]


@dataclass
class Requirement:
    """A requirement named by an install command: name, extras; ``local`` for ``.``/paths."""

    name: str
    extras: list[str] = field(default_factory=list)
    local: bool = False


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def _segments(text: str) -> list[list[str]]:
    """Split a shell line on ``&&``, ``||``, ``;`` and ``|``; drop env assignments and sudo."""
    out = []
    for part in re.split(r"&&|\|\||;|\|", text):
        argv = _split(part)
        while argv and (
            re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0])
            or argv[0]
            in (
                "sudo",
                "time",
                "exec",
                "command",
                "uv run",
                "nohup",
            )
        ):
            argv = argv[1:]
        if (
            argv
            and argv[0] in ("uv", "poetry", "pdm", "hatch", "pipenv")
            and len(argv) > 2
            and (argv[1] == "run")
        ):
            argv = argv[2:]
            while argv and argv[0].startswith("-"):
                argv = argv[1:]
        if argv:
            out.append(argv)
    return out


def _block_lines(info: str, content: str, known: set[str]) -> Iterable[tuple[int, str]]:
    """Yield ``(offset, command text)`` for the command lines of one code block."""
    lang = info.split()[0].lower() if info.split() else ""
    if lang and lang not in SHELL_INFOS:
        return
    prompt_only = lang in PROMPT_INFOS
    pending = ""
    start = 0
    for n, raw in enumerate(content.split("\n")):
        line = raw.strip()
        if pending:
            line = pending + " " + line
        else:
            start = n
        if line.endswith("\\"):
            pending = line[:-1].strip()
            continue
        pending = ""
        prompted = False
        for prompt in ("$ ", "% ", "> ", "PS> "):
            if line.startswith(prompt):
                line, prompted = line[len(prompt) :].strip(), True
                break
        if not line or line.startswith("#"):
            continue
        if prompt_only or not lang:
            first = (_split(line) or [""])[0].rsplit("/", 1)[-1]
            if not prompted and not (not prompt_only and first in known):
                continue
        yield start, line


def shell_commands(doc: MarkdownDoc, facts: ProjectFacts) -> list[ShellCommand]:
    """Every command in ``doc``'s shell code blocks and inline code that runs a project script."""
    known = set(facts.script_names) | STANDARD_TOOLS | _PYTHONS
    out: list[ShellCommand] = []
    for block in doc.code_blocks:
        first_content_line = block.line + (1 if block.fenced else 0)
        for offset, text in _block_lines(block.info, block.content, known):
            for argv in _segments(text):
                out.append(ShellCommand(first_content_line + offset, text, argv))
    scripts = set(facts.script_names)
    for line, code in doc.inline_code:
        argv = _split(code)
        if argv and argv[0] in scripts and len(argv) > 1:
            out.append(ShellCommand(line, code, argv, inline=True))
    return out


def install_requirements(cmd: ShellCommand) -> list[Requirement] | None:
    """Requirements an install command names (None when ``cmd`` installs nothing)."""
    argv = cmd.argv
    prog = cmd.program
    rest: list[str] | None = None
    if prog in _INSTALLERS and argv[1:2] == ["install"]:
        rest = argv[2:]
    elif cmd.module in ("pip",) and "install" in argv:
        rest = argv[argv.index("install") + 1 :]
    elif prog == "uv" and argv[1:3] in (["pip", "install"], ["tool", "install"]):
        rest = argv[3:]
    elif (prog, tuple(argv[1:2])) in (
        ("uv", ("add",)),
        ("poetry", ("add",)),
        ("pdm", ("add",)),
        ("pipx", ("install",)),
    ):
        rest = argv[2:]
    elif prog == "uvx" and len(argv) > 1:
        return None
    if rest is None:
        return None
    out: list[Requirement] = []
    skip = False
    for token in rest:
        if skip:
            skip = False
            continue
        if token in _VALUE_OPTIONS:
            skip = True
            continue
        if token.startswith("-"):
            if token in ("-e", "--editable"):
                continue
            continue
        local = token.startswith((".", "/", "~")) or "://" in token or token.startswith("git+")
        m = re.match(r"^([^\[\s]*)\[([^\]]*)\]", token)
        extras = [e.strip() for e in m.group(2).split(",") if e.strip()] if m else []
        if local:
            out.append(Requirement(token.split("[", 1)[0], extras, True))
            continue
        name = requirement_name(token)
        if name:
            out.append(Requirement(name, extras))
    return out


def _looks_like_ours(program: str, facts: ProjectFacts) -> bool:
    """True when an unknown program name resembles the project's name, scripts or packages."""
    from rapidfuzz import fuzz

    prog = re.sub(r"[-_.]", "", program.lower())
    names = [facts.name or ""] + facts.script_names + [p.name for p in facts.packages]
    for n in names:
        n = re.sub(r"[-_.]", "", n.lower())
        if not n:
            continue
        if len(prog) >= 4 and len(n) >= 4 and prog[:4] == n[:4]:
            return True
        if fuzz.ratio(prog, n) >= 75:
            return True
    return False


def _option_name(token: str) -> str:
    return token.split("=", 1)[0]


def _cli_problems(cmd: ShellCommand, name: str, args: list[str], facts: ProjectFacts) -> list[str]:
    """Problems with the options and subcommand of a project script or module invocation."""
    if not facts.has_cli(name):
        return []
    problems: list[str] = []
    known = facts.known_options(name)
    subs = facts.subcommands(name)
    first = args[0] if args else "-"
    if (
        not first.startswith(("-", "<", "[", "$", "{"))
        and subs
        and first not in subs
        and not facts.takes_arguments(name)
    ):
        problems.append(
            f"`{name} {first}`: `{name}` has no command `{first}` "
            f"(commands: {', '.join(sorted(subs))})"
        )
    for token in args:
        if token == "--":
            break
        if not token.startswith("-") or token == "-" or re.fullmatch(r"-\d+(\.\d+)?", token):
            continue
        opt = _option_name(token)
        if opt in known:
            continue
        if not opt.startswith("--") and len(opt) > 2 and all(f"-{c}" in known for c in opt[1:]):
            continue  # combined short flags: -vq
        problems.append(f"`{cmd.text}`: `{opt}` is not an option of `{name}`")
    return problems


def command_problems(cmd: ShellCommand, facts: ProjectFacts, strict: bool = True) -> list[str]:
    """Problems with one command: unknown program or module, unknown option or subcommand.

    ``strict`` (drafted text): every program must be a project console script, a module
    runnable with ``python -m`` or a standard tool. Lenient (a person's README): an unknown
    program is reported only when it looks like one of the project's own names.
    """
    prog = cmd.program
    scripts = set(facts.script_names)
    if prog in scripts:
        return _cli_problems(cmd, prog, cmd.args_after(cmd.argv[0]), facts)
    module = cmd.module
    if module is not None:
        top = module.split(".", 1)[0]
        ours = {p.name for p in facts.packages}
        if top in ours:
            if module not in facts.runnable_modules:
                return [
                    f"`python -m {module}`: `{module}` cannot be run as a module "
                    "(no __main__.py or __main__ guard)"
                ]
            return _cli_problems(cmd, module, cmd.args_after(module), facts)
        if (
            strict
            and top not in sys.stdlib_module_names
            and top not in STANDARD_TOOLS
            and (normalize_name(top) not in facts.dependency_names())
        ):
            return [
                f"`python -m {module}`: `{top}` is neither part of this project, "
                "a dependency nor the standard library"
            ]
        return []
    if prog in STANDARD_TOOLS or prog in _PYTHONS or prog.startswith("python3."):
        return []
    if strict or _looks_like_ours(prog, facts):
        known = ", ".join(f"`{s}`" for s in sorted(scripts)) or "none"
        return [f"`{prog}` is not a console script of this project (console scripts: {known})"]
    return []


def install_problems(
    commands: list[ShellCommand], facts: ProjectFacts, strict: bool = True
) -> list[tuple[ShellCommand, str]]:
    """Problems with install commands: another distribution's name, undeclared extras.

    A command that installs something other than the project is a problem only when no
    install command in ``commands`` names the project and the name is not a dependency.
    """
    if not facts.name:
        return []
    own = normalize_name(facts.name)
    deps = facts.dependency_names()
    found: list[tuple[ShellCommand, list[Requirement]]] = []
    for cmd in commands:
        reqs = install_requirements(cmd)
        if reqs:
            found.append((cmd, reqs))
    names_own = any(r.name == own or r.local for _, reqs in found for r in reqs)
    out: list[tuple[ShellCommand, str]] = []
    extras = {e for e in facts.extras if not e.startswith("group:")}
    for cmd, reqs in found:
        for r in reqs:
            if r.name == own or r.local:
                for e in r.extras:
                    if e not in extras and normalize_name(e) not in {
                        normalize_name(x) for x in extras
                    }:
                        declared = ", ".join(sorted(extras)) or "none"
                        out.append(
                            (cmd, f"`{cmd.text}`: extra `{e}` is not declared (extras: {declared})")
                        )
            elif r.name in deps or r.name in ("pip", "setuptools", "wheel", "pipx", "uv"):
                continue
            elif not names_own or strict:
                out.append(
                    (
                        cmd,
                        f"`{cmd.text}` installs `{r.name}`, but this project's "
                        f"distribution is `{facts.name}`",
                    )
                )
    return out


def heading_problems(doc: MarkdownDoc, level: int) -> list[str]:
    """Problems with headings inside a section body placed at heading ``level``."""
    problems = []
    previous = level
    for h in doc.headings:
        if h.level <= level:
            problems.append(
                f"heading `{h.text}` is level {h.level}; headings inside a level-{level} "
                f"section must be level {level + 1} or deeper"
            )
        elif h.level > previous + 1:
            problems.append(f"heading `{h.text}` jumps from level {previous} to level {h.level}")
        previous = max(h.level, level)
    return problems


def fence_problems(doc: MarkdownDoc) -> list[str]:
    """One problem per fenced code block that is never closed."""
    return [
        f"the code block opened on line {b.line + 1} is never closed"
        for b in doc.code_blocks
        if b.fenced and not b.closed
    ]


def check_section(
    text: str, facts: ProjectFacts, level: int = 2, heading: str = "", baseline: str = ""
) -> list[Check]:
    """Run every README section check on a drafted Markdown ``text`` (the section body).

    ``level`` is the level the section's heading has in the README; ``heading`` its text.
    ``baseline`` is the current body of a section being replaced: problems it already has
    (say a ``snap install`` line a person wrote) are not held against the draft, which is
    judged only on what it introduces.
    Returns one :class:`~docagent.draft.models.Check` per check: ``nonempty``, ``fences``,
    ``headings``, ``commands``, ``options``, ``install`` and ``secret`` (all hard).
    """
    checks = _check_section(text, facts, level, heading)
    if not baseline.strip():
        return checks
    old = {c.name: set(c.detail.split("; ")) for c in _check_section(baseline, facts, level, "")}
    out = []
    for c in checks:
        if c.ok or c.name == "nonempty":
            out.append(c)
            continue
        left = [d for d in c.detail.split("; ") if d not in old.get(c.name, set())]
        out.append(Check(c.name, not left, "; ".join(left), c.hard))
    return out


def _check_section(text: str, facts: ProjectFacts, level: int, heading: str) -> list[Check]:
    doc = parse_markdown(text)
    checks = [Check("nonempty", bool(text.strip()), "" if text.strip() else "the section is empty")]
    fences = fence_problems(doc)
    checks.append(Check("fences", not fences, "; ".join(fences)))
    heads = heading_problems(doc, level)
    if (
        heading
        and doc.headings
        and doc.headings[0].line == _first_line(doc)
        and (doc.headings[0].text.strip().lower() == heading.strip().lower())
    ):
        heads.insert(0, f"the body repeats the section heading `{heading}`")
    checks.append(Check("headings", not heads, "; ".join(heads)))
    commands = shell_commands(doc, facts)
    unknown: list[str] = []
    options: list[str] = []
    for cmd in commands:
        for p in command_problems(cmd, facts, strict=True):
            (options if "is not an option" in p else unknown).append(p)
    checks.append(Check("commands", not unknown, "; ".join(dict.fromkeys(unknown))))
    checks.append(Check("options", not options, "; ".join(dict.fromkeys(options))))
    install = [p for _, p in install_problems(commands, facts, strict=True)]
    checks.append(Check("install", not install, "; ".join(dict.fromkeys(install))))
    checks.append(check_secret(text))
    return checks


def _first_line(doc: MarkdownDoc) -> int:
    for n, line in enumerate(doc.lines):
        if line.strip():
            return n
    return 0


__all__ = [
    "STANDARD_TOOLS",
    "Requirement",
    "ShellCommand",
    "check_section",
    "command_problems",
    "fence_problems",
    "heading_problems",
    "install_problems",
    "install_requirements",
    "shell_commands",
]
