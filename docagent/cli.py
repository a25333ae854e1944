"""The command surface: parse flags, call the library, print. Nothing heavy is imported here.

Every subcommand lives in ``docagent.commands.<name>`` and is imported only when it runs, so
``docagent --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from docagent import __version__
from docagent.errors import DocagentError
from docagent.vocab import REPORT_DIMENSIONS

#: Mirrors :data:`docagent.config.CONFIG_ENV` (the CLI does not import the settings module).
CONFIG_ENV = "DOCAGENT_CONFIG"

SHELLS = ("bash", "zsh", "tcsh")
SCAN_FORMATS = ("text", "json", "github", "sarif")


#: Commands whose positional PATH is where they work (a repository or a path inside one).
PATH_COMMANDS = ("scan", "review", "batch")
#: Commands that read the repository's decision log: PATH or --repo names the repository.
LOG_COMMANDS = ("report", "export", "log", "outcomes")


def _add_path(p: argparse.ArgumentParser, what: str = "") -> None:
    """The one path convention: ``[PATH]`` positional and ``--repo PATH``, the same thing."""
    default = "repository, or a directory or file inside one"
    _files(
        p.add_argument(
            "path_arg",
            nargs="?",
            default=None,
            metavar="PATH",
            help=f"{what or default} (default: the current directory; same as --repo)",
        )
    )
    _add_repo(p, "same as PATH")


def _add_since(p: argparse.ArgumentParser, lines: bool = False) -> None:
    p.add_argument(
        "--since",
        metavar="REV",
        help="only files this branch changed since it left REV (git merge-base HEAD REV), "
        "or with A...B the files B changed since it left A",
    )
    if lines:
        p.add_argument(
            "--changed-lines",
            action="store_true",
            help="with --since: only targets with a changed line of their own",
        )


def _add_repo(p: argparse.ArgumentParser, note: str = "default: the current directory") -> None:
    _files(p.add_argument("--repo", metavar="PATH", default=None, help=f"repository ({note})"))
    _files(
        p.add_argument(
            "--config",
            metavar="FILE",
            default=None,
            help="settings file instead of pyproject.toml discovery: a pyproject.toml "
            "([tool.docagent]) or a TOML file of docagent settings",
        )
    )


#: shtab's completion hints (``shtab.FILE``), spelled out so the CLI need not import shtab.
_FILE_HINT = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}


def _files(action: argparse.Action) -> argparse.Action:
    """Mark ``action`` as taking a file or directory, for ``docagent completion``."""
    action.complete = _FILE_HINT  # type: ignore[attr-defined]
    return action


def _settle_path(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Set ``args.repo`` (and ``args.path`` where it is the working path) from PATH / --repo.

    Giving both with different values is a usage error (exit 2, one line).
    """
    given = getattr(args, "path_arg", None)
    repo = getattr(args, "repo", None)
    if given is not None and repo is not None and given != repo:
        parser.exit(
            2,
            f"docagent {args.command}: error: PATH {given!r} and --repo {repo!r} differ; "
            "give the repository once\n",
        )
    value = given or repo or "."
    args.repo = value
    if args.command in PATH_COMMANDS:
        args.path = value


def _add_provider(p: argparse.ArgumentParser) -> None:
    if isinstance(p, _Unbuilt):
        return
    from docagent.draft.providers import registry  # light: the providers import when made

    p.add_argument(
        "--provider",
        choices=registry.provider_choices(),
        default=None,
        help=f"model provider; {registry.auto_summary()}",
    )
    p.add_argument("--model", metavar="M", default=None, help="model name for the provider")
    p.add_argument(
        "--base-url",
        metavar="URL",
        default=None,
        help="OpenAI-compatible endpoint for --provider openai (default: OPENAI_BASE_URL, "
        "else http://localhost:11434/v1, Ollama)",
    )


def _columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` finds it (80 when unknown).

    argparse asks shutil on every ``add_argument``, and importing shutil (with bz2 and lzma)
    is a few milliseconds of every command's start-up.
    """
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal's width (see :func:`_columns`)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        """Format help for ``prog`` at the terminal's width less two, as argparse does."""
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser (and subcommand parsers) using :class:`_Formatter` by default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Build the parser; ``formatter_class`` defaults to :class:`_Formatter`."""
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


class _Unbuilt(_Parser):
    """Stands for the parser of a command that is not run: its arguments are not built."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """Take the argument and keep nothing (argparse checks each one: not needed here)."""
        return argparse.Action(option_strings=[], dest=argparse.SUPPRESS)


class _Commands:
    """The subcommand parsers, all of them or only the one of the command being run."""

    def __init__(self, action: Any, only: str | None) -> None:
        self.action = action
        self.only = only
        self.built = False
        self.unbuilt: _Unbuilt | None = None

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """Add the parser of command ``name`` (an unbuilt stand-in for another command)."""
        if self.only is not None and name != self.only:
            if self.unbuilt is None:
                self.unbuilt = _Unbuilt(add_help=False)
            return self.unbuilt
        self.built = True
        parser: argparse.ArgumentParser = self.action.add_parser(name, **kwargs)
        return parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the argparse parser for every docagent subcommand (the command-surface contract).

    ``only`` builds the subcommand parser of that command alone (``docagent scan ...`` need
    not build the other commands' arguments); a name that is no command builds them all.
    """
    parser = _Parser(
        prog="docagent",
        description="Draft, review and measure Python documentation with an LLM. "
        "Exit codes: 0 success, 1 work failed or threshold not met, 2 bad usage or input.",
    )
    parser.add_argument("--version", action="version", version=f"docagent {__version__}")
    sub = _Commands(parser.add_subparsers(dest="command", metavar="COMMAND"), only)

    p = sub.add_parser(
        "scan",
        help="inventory documentation: coverage, missing and stale docstrings",
        description="Scan a git repository's Python files and report docstring coverage, "
        "missing and stale docstrings, and the detected docstring style.",
    )
    _add_path(p)
    p.add_argument("--json", action="store_true", help="print the scan --json contract document")
    p.add_argument(
        "--format",
        choices=SCAN_FORMATS,
        default=None,
        help="text (default), json (same as --json), github (workflow annotations) or "
        "sarif (SARIF 2.1.0, for code scanning)",
    )
    _add_since(p, lines=True)
    p.add_argument(
        "--fail-under",
        metavar="PCT",
        type=float,
        help="exit 1 when coverage is below PCT percent (for CI and pre-commit)",
    )
    p.add_argument("--all", action="store_true", help="count private targets too")

    p = sub.add_parser(
        "review",
        help="review drafts in a terminal UI: accept, edit, reject, skip",
        description="Open the review TUI on the repository's missing and stale docstrings.",
    )
    _add_path(p)
    _add_since(p, lines=True)
    _add_provider(p)
    p.add_argument("--readme", action="store_true", help="also review README sections")
    p.add_argument("--commit", action="store_true", help="commit the changed files on quit")
    p.add_argument(
        "--branch",
        metavar="NAME",
        help="with --commit: commit on a new branch NAME instead of the current branch",
    )
    p.add_argument(
        "--proposals", metavar="FILE", help="review a proposals JSONL file written by batch --out"
    )

    p = sub.add_parser(
        "batch",
        help="draft (and optionally apply) docstrings headless, for CI",
        description="Draft docstrings for missing and stale public targets without a person; "
        "write proposals JSONL and/or apply drafts that pass every check.",
    )
    _add_path(p)
    _add_since(p, lines=True)
    p.add_argument("--out", metavar="FILE", help="write proposals JSONL to FILE")
    p.add_argument("--apply", action="store_true", help="apply drafts that pass every hard check")
    _add_provider(p)
    p.add_argument("--concurrency", metavar="N", type=int, help="parallel model requests")
    p.add_argument(
        "--max-cost", metavar="USD", type=float, help="stop issuing requests at this spend"
    )
    p.add_argument("--estimate", action="store_true", help="print the cost estimate and stop")
    p.add_argument(
        "--batch-api", action="store_true", help="use Anthropic Message Batches (batch price)"
    )
    p.add_argument("--readme", action="store_true", help="also draft README sections")

    p = sub.add_parser(
        "apply",
        help="apply a proposals JSONL file through the safe edit engine",
        description="Apply proposals (status 'accepted'; all but 'rejected' with --all). "
        "Exit 1 when any edit was refused, 2 for a malformed file.",
    )
    _files(p.add_argument("file", metavar="FILE", help="proposals JSONL file"))
    p.add_argument("--all", action="store_true", help="apply every record except rejected ones")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff; write nothing")
    p.add_argument(
        "--force",
        action="store_true",
        help="also replace hand-written docstrings (says how many lines go) and docstrings "
        "changed since their draft",
    )
    p.add_argument(
        "--create-readme",
        action="store_true",
        help="let README section records create README.md when the repository has none",
    )
    _add_repo(p)

    p = sub.add_parser(
        "report",
        help="accept-rate report from the decision log",
        description="Accept rates, edit similarity, cost and coverage from the decision log.",
    )
    p.add_argument(
        "--by",
        metavar="DIM",
        action="append",
        default=[],
        choices=REPORT_DIMENSIONS,
        help="slice by a dimension (repeatable)",
    )
    p.add_argument("--since", metavar="DATE", help="only decisions on or after DATE (YYYY-MM-DD)")
    p.add_argument(
        "--format",
        choices=("table", "json", "markdown", "csv", "html"),
        default="table",
        help="output format (default: table)",
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    _add_path(p, "repository whose decision log to read")

    p = sub.add_parser(
        "eval",
        help="score drafts on eval datasets; gate prompt or model changes",
        description="Run a provider on JSONL eval cases and score the drafts in [0, 1].",
    )
    _files(p.add_argument("datasets", nargs="*", metavar="DATASET", help="JSONL eval case files"))
    _add_provider(p)
    p.add_argument("--gate", metavar="SCORE", type=float, help="exit 1 when the score is below")
    p.add_argument(
        "--compare",
        metavar="RUN",
        help="compare against a stored run (id, unique prefix, 'latest', or a JSON result file)",
    )
    p.add_argument(
        "--judge",
        action="store_true",
        help="also grade drafts with an LLM judge (Anthropic, one call per case) and report "
        "its agreement with people's decisions",
    )
    p.add_argument("--judge-model", metavar="M", help="model for the LLM judge")
    p.add_argument(
        "--claims-model",
        metavar="M",
        help="settle the claims static checks cannot decide with model M (Anthropic; one call "
        "per docstring with such a claim, cached)",
    )
    p.add_argument(
        "--validate",
        action="store_true",
        help="check the metrics instead of drafting: how often each case's reference beats "
        "each bad docstring (empty, template, false claims, ...)",
    )
    p.add_argument("--drafts", metavar="FILE", help="score the texts of a JSONL file (id, text)")
    p.add_argument("--no-cache", action="store_true", help="draft again; ignore the eval cache")
    p.add_argument(
        "--repeat", metavar="N", type=int, default=1, help="run N times; report mean and spread"
    )
    p.add_argument("--split", metavar="TAG", help="only cases tagged TAG")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    _add_repo(p)

    p = sub.add_parser(
        "export",
        help="export logged decisions as eval cases",
        description="Turn accepted/edited decisions into eval cases (the person's text is the "
        "reference) and rejected ones into negative cases.",
    )
    p.add_argument("--format", choices=("jsonl", "inspect", "promptfoo"), default="jsonl")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    _add_path(p, "repository whose decision log to read")

    p = sub.add_parser(
        "outcomes",
        help="record what became of applied and proposed drafts in the repository",
        description="Compare drafts applied by batch --apply, apply or review, and drafts "
        "proposed on a pull request, with the working tree: kept, edited (with similarity), "
        "removed or gone. Re-running records nothing twice; a later change replaces the outcome.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-git", action="store_true", help="do not look up the commit of each change")
    _add_path(p, "repository whose decision log to update")

    p = sub.add_parser(
        "log",
        help="show the latest drafts, decisions and model calls",
        description="Show the latest drafts, decisions and model calls from the decision log.",
    )
    p.add_argument("-n", type=int, default=20, metavar="N", help="how many entries (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--path", metavar="PATH", help="only targets in this file")
    p.add_argument(
        "--decision",
        choices=("accept", "edit", "reject", "skip", "undo"),
        help="only this decision",
    )
    _add_path(p, "repository whose decision log to read")

    p = sub.add_parser(
        "store",
        help="copy the local decision log into the team's shared store",
        description="copy: copy the repository's local SQLite decision log into the shared "
        "PostgreSQL store (--to URL, else DOCAGENT_STORE or the store setting). Idempotent: "
        "copying again adds nothing. Credentials come from PGPASSWORD, ~/.pgpass or PGSERVICE "
        "(see docs/team-setup.md).",
    )
    p.add_argument("action", choices=("copy",), help="copy: local log -> shared store")
    p.add_argument("--to", metavar="URL", help="the shared store (postgresql://…)")
    _files(
        p.add_argument(
            "--from",
            dest="source",
            metavar="FILE",
            help="the SQLite log to copy (default: the repository's)",
        )
    )
    p.add_argument(
        "--repo-name",
        metavar="NAME",
        help="repository name for rows logged before the log recorded it "
        "(default: the normalised origin URL)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_repo(p)

    p = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, tcsh)",
        description="Print a completion script for SHELL on stdout; needs the 'completion' "
        "extra (shtab). Bash: docagent completion bash > ~/.local/share/bash-completion/"
        "completions/docagent",
    )
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help="one of: " + ", ".join(SHELLS))

    p = sub.add_parser(
        "rules",
        help="list, distill and edit the team's drafting rules",
        description="The team's rules, learned from rejection reasons and edits and kept in the "
        "decision log, one version per change. They are part of the prompt: a change is a new "
        "prompt version. Without an action, list the current rules.",
    )
    p.add_argument(
        "action",
        nargs="?",
        choices=("list", "distill", "add", "remove"),
        default="list",
        help="list (default); distill: propose rules from the log (--save records them); "
        "add TEXT; remove N",
    )
    p.add_argument("value", nargs="?", metavar="TEXT|N", help="the rule to add or number to remove")
    p.add_argument("--save", action="store_true", help="with distill: record the proposed rules")
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_repo(p)
    if only is not None and not sub.built:
        return build_parser()
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the docagent command line and return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=argv[0] if argv and not argv[0].startswith("-") else None)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    from docagent.display import printable

    _settle_path(parser, args)
    module = importlib.import_module(f"docagent.commands.{args.command}")
    config = getattr(args, "config", None)
    previous = os.environ.get(CONFIG_ENV)
    try:
        if config is not None:
            if not os.path.isfile(config):
                raise DocagentError(f"--config {config}: no such file")
            os.environ[CONFIG_ENV] = os.path.abspath(config)
        return int(module.run(args) or 0)
    except DocagentError as exc:
        print(f"docagent {args.command}: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"docagent {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # full disk, permissions, vanished files: one line, never a traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        message = printable(f"{where}{exc.strerror or exc}")
        print(f"docagent {args.command}: error: {message}", file=sys.stderr)
        return 1
    finally:
        if config is not None:  # the command's setting, not the caller's environment
            if previous is None:
                os.environ.pop(CONFIG_ENV, None)
            else:
                os.environ[CONFIG_ENV] = previous


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
