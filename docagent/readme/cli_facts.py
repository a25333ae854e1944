"""Command-line interfaces for README facts, found by parsing source with :mod:`ast`.

argparse ``add_argument``/``add_parser``, click ``@click.command``/``@group.command``/
``@click.option``/``@click.argument``, typer ``@app.command`` parameters with
``typer.Option``/``typer.Argument``; and the environment variables the code reads.
"""

from __future__ import annotations

import ast
from typing import Any

from docagent.readme.metadata import literal_value
from docagent.readme.project import CliCommand, CliParam

# ----------------------------------------------------------------------------- CLI parsing


def _str_args(call: ast.Call) -> list[str]:
    return [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _kw(call: ast.Call, name: str) -> Any:
    for k in call.keywords:
        if k.arg == name:
            return literal_value(k.value)
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
                value = literal_value(k.value)
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


def cli_facts(tree: ast.Module, path: str) -> tuple[list[CliCommand], set[str]]:
    """The command-line interfaces one module defines, and the environment variables it reads.

    A bare argparse parser without parameters or a name is left out.
    """
    visitor = _CliVisitor(path)
    visitor.visit(tree)
    visitor.finish()
    cmds = [c for c in visitor.commands if c.params or c.name or c.framework != "argparse"]
    return cmds, visitor.env_vars


__all__ = ["cli_facts"]
