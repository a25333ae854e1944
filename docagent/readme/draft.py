"""Draft README sections through the same providers as docstrings.

- **offline** (no model): :func:`offline_section` builds a missing section from the project
  facts: ``pip install <distribution>``, the real console-script names with their real
  subcommands and options, the environment variables the code reads, the license found. A stale
  section is patched, not rewritten (:func:`offline_fix`): install commands get the real name,
  command lines that cannot work are removed, every other line a person wrote stays.
- **anthropic / openai**: the providers' generic ``complete(DraftRequest)`` is called with this
  module's own prompt (:data:`SYSTEM_PROMPT`, :data:`USER_TEMPLATE`) and a one-field JSON schema
  (:data:`SECTION_SCHEMA`, ``{"body": "<Markdown>"}``), so no provider change is needed. A draft
  failing a hard check is redrafted once with the problems quoted back.

:func:`draft_section` never raises for a model's failure: it returns a
:class:`docagent.draft.models.Draft` (kind ``readme_section``, style ``markdown``) whose
``error`` says what went wrong, exactly like docstring drafts, so batch, the TUI and the decision
log handle both the same way.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from functools import cache
from typing import Any

from docagent.draft.attempts import Messages, draft_with_redraft
from docagent.draft.context import estimate_tokens
from docagent.draft.models import Check, Draft
from docagent.draft.providers.base import DraftRequest, Provider, ProviderResult
from docagent.draft.providers.registry import makes_model_calls
from docagent.readme.facts import CliCommand, ProjectFacts
from docagent.readme.section_checks import check_section
from docagent.readme.section_targets import ReadmeTarget
from docagent.readme.sections import normalize_heading, parse_markdown
from docagent.vocab import README_SECTIONS

MAX_TOKENS = 2000
OFFLINE_NOTICE = "offline drafter: no model was used; the section is built from project facts"
_DEV_EXTRAS = ("dev", "develop", "development", "test", "tests", "testing")

#: The JSON schema sent to model providers: one Markdown body.
SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "body": {
            "type": "string",
            "description": "the section's Markdown body, without the section heading",
        }
    },
    "required": ["body"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = """\
You write one section of a Python project's README.md in GitHub-flavoured Markdown.

Rules:
- Use only the facts given. Never invent commands, options, subcommands, environment variables,
  extras, URLs, badges or features.
- Shell commands go in fenced code blocks tagged `bash`; every command must be one of the
  project's console scripts, `python -m <a runnable module listed in the facts>`, or a standard
  tool (pip, pipx, uv, git, python, pytest, ...). Options must be ones listed for that command.
- Install the project with `pip install <distribution name from the facts>`.
- Write only the section body: no heading for the section itself. Sub-headings, if any, are one
  level deeper than the section heading.
- Be brief and concrete; match the tone of the existing README.
- Answer with a JSON object {"body": "<the Markdown body>"}.
"""

USER_TEMPLATE = """\
Write the README section "{heading}" (kind: {section}, heading level {level}) for the project
below. {status_line}

## Project facts (JSON)
{facts}

## Existing README ({readme_path})
{readme}
{current}{hint}"""

REDRAFT_TEMPLATE = """\
Your section failed these checks:
{problems}

Fix every problem and answer again with the JSON object."""


@cache
def readme_prompt_version() -> str:
    """Version of the README prompts: 12 hex digits of a hash of every template."""
    h = hashlib.sha256()
    for text in (SYSTEM_PROMPT, USER_TEMPLATE, REDRAFT_TEMPLATE, json.dumps(SECTION_SCHEMA)):
        h.update(text.encode("utf-8") + b"\0")
    return "readme-" + h.hexdigest()[:12]


# ----------------------------------------------------------------------------- offline


def _quote(arg: str) -> str:
    return f'"{arg}"' if re.search(r"[\[\]<>*?]", arg) else arg


def _public_extras(facts: ProjectFacts) -> list[str]:
    return [e for e in facts.extras if not e.startswith("group:") and e not in _DEV_EXTRAS]


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first.rstrip()


def _installation(facts: ProjectFacts) -> str:
    name = facts.name or ""
    py = f" (Python {facts.requires_python})" if facts.requires_python else ""
    parts = [f"Install `{name}` from PyPI{py}:", "", "```bash", f"pip install {name}", "```"]
    extras = _public_extras(facts)
    if extras:
        parts += [
            "",
            "Optional extras: " + ", ".join(f"`{e}`" for e in extras) + ". For example:",
            "",
            "```bash",
            f"pip install {_quote(f'{name}[{extras[0]}]')}",
            "```",
        ]
    if facts.scripts:
        parts += [
            "",
            "To install the command-line tool in its own environment, use pipx:",
            "",
            "```bash",
            f"pipx install {name}",
            "```",
        ]
    return "\n".join(parts)


def _signature(cmd: CliCommand, prefix: str) -> str:
    words = [prefix]
    for p in cmd.params:
        if p.is_option:
            if p.name in ("help", "version"):
                continue
            words.append(p.decls[0] if p.required else f"[{p.decls[0]}]")
        else:
            words.append(p.decls[0].upper())
    return " ".join(words)


def _describe_options(cmd: CliCommand) -> list[str]:
    out = []
    for p in cmd.params:
        if not p.is_option or p.name == "help":
            continue
        desc = f": {_one_line(p.help)}" if p.help.strip() else ""
        out.append(f"- `{', '.join(p.decls)}`{desc}")
    return out


def _script_usage(facts: ProjectFacts, script: str, invoke: str) -> list[str]:
    commands = facts.commands_for(script)
    subs = {}
    for c in commands:
        if c.name and c.name != "*" and c.name not in subs:
            subs[c.name] = c
    top = [c for c in commands if not c.name]
    parts: list[str] = []
    if subs:
        parts += [f"`{invoke}` has these commands:", ""]
        for name, c in sorted(subs.items()):
            desc = f": {_one_line(c.help)}" if c.help.strip() else ""
            shown = _signature(c, f"{invoke} {name}") if len(subs) <= 8 else f"{invoke} {name}"
            parts.append(f"- `{shown}`{desc}")
        first = sorted(subs)[0]
        parts += ["", "```bash", f"{invoke} --help", f"{invoke} {first} --help", "```"]
    elif top:
        main = max(top, key=lambda c: len(c.params))
        parts += ["```bash", _signature(main, invoke), f"{invoke} --help", "```"]
        options = _describe_options(main)
        if options:
            parts += ["", "Options:", "", *options]
    else:
        parts += ["```bash", f"{invoke} --help", "```"]
    return parts


def _usage(facts: ProjectFacts) -> str:
    parts: list[str] = []
    scripts = [s for s in facts.scripts if s.group == "console_scripts"][:5]
    for n, s in enumerate(scripts):
        if n:
            parts.append("")
        if len(scripts) > 1:
            parts += [f"`{s.name}`:", ""]
        parts += _script_usage(facts, s.name, s.name)
    if not scripts:
        tops = {p.name for p in facts.packages}
        mods = [m for m in facts.runnable_modules if m in tops][:3]
        for n, m in enumerate(mods):
            if n:
                parts.append("")
            parts += _script_usage(facts, m, f"python -m {m}")
    if not parts and facts.packages:
        pkg = facts.packages[0]
        parts += ["```python", f"import {pkg.name}", "```"]
        documented = [p for p in facts.packages if p.docstring]
        if documented:
            parts.append("")
            parts += [f"- `{p.name}`: {_one_line(p.docstring)}" for p in documented[:8]]
    return "\n".join(parts)


def _configuration(facts: ProjectFacts) -> str:
    lines = ["These environment variables are read:", ""]
    lines += [f"- `{v}`" for v in facts.env_vars[:20]]
    return "\n".join(lines)


def _repo_url(facts: ProjectFacts) -> str | None:
    for key, url in facts.urls.items():
        if key.lower() in (
            "source",
            "repository",
            "source code",
            "code",
            "homepage",
            "github",
        ) and (re.match(r"https://(github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)/", url)):
            return url.rstrip("/")
    return None


def _development(facts: ProjectFacts) -> str:
    lines = ["```bash"]
    url = _repo_url(facts)
    if url:
        lines += [
            f"git clone {url}.git" if not url.endswith(".git") else f"git clone {url}",
            f"cd {url.rsplit('/', 1)[-1].removesuffix('.git')}",
        ]
    dev = next((e for e in _DEV_EXTRAS if e in facts.extras), None)
    lines.append(f'pip install -e ".[{dev}]"' if dev else "pip install -e .")
    if facts.tests_dir:
        lines.append("pytest")
    lines.append("```")
    intro = "Set up a development environment"
    intro += " and run the tests:" if facts.tests_dir else ":"
    return intro + "\n\n" + "\n".join(lines)


def _license(facts: ProjectFacts) -> str:
    kind = facts.license
    if kind and "licen" not in kind.lower():
        kind += " license"
    link = f"[{facts.license_file}]({facts.license_file})" if facts.license_file else ""
    if kind and link:
        return f"This project is licensed under the {kind}; see {link}."
    if link:
        return f"See {link} for the license terms."
    return f"This project is licensed under the {kind}."


def _overview(facts: ProjectFacts) -> str:
    parts = []
    if facts.description:
        parts.append(facts.description.strip())
    from rapidfuzz import fuzz

    for p in facts.packages:
        if p.docstring and not any(
            fuzz.token_set_ratio(normalize_heading(p.docstring), normalize_heading(x)) >= 70
            for x in parts
        ):
            parts.append(p.docstring)
            break
    return "\n\n".join(parts)


_BUILDERS = {
    "overview": _overview,
    "installation": _installation,
    "usage": _usage,
    "configuration": _configuration,
    "development": _development,
    "license": _license,
}


def offline_section(target: ReadmeTarget, facts: ProjectFacts) -> str | None:
    """Build a section body from facts alone; None for kinds the facts cannot cover."""
    builder = _BUILDERS.get(target.section)
    if builder is None:
        return None
    from docagent.readme.section_targets import applicable

    if not applicable(target.section, facts):
        return None
    text = builder(facts).strip()
    level = target.level
    # sub-headings are not used by the builders, but keep the contract explicit
    assert all(h.level > level for h in parse_markdown(text).headings)
    return text or None


def _fix_install(line: str, facts: ProjectFacts) -> str:
    """Rewrite the requirements of an install command line to name this distribution."""
    from docagent.readme.facts import normalize_name, requirement_name

    own = normalize_name(facts.name or "")
    extras = {e for e in facts.extras if not e.startswith("group:")}
    deps = facts.dependency_names() | {"pip", "setuptools", "wheel", "pipx", "uv"}

    def keep_extras(m: re.Match[str]) -> str:
        kept = [x for x in m.group(1).split(",") if x.strip() in extras]
        return "[" + ",".join(kept) + "]" if kept else ""

    def fix(m: re.Match[str]) -> str:
        token = m.group(0)
        quote = token[0] if token[0] in "'\"" else ""
        bare = token.strip("'\"")
        name = requirement_name(bare)
        if not name or bare.startswith((".", "/", "-", "~")) or "://" in bare:
            return token
        head = re.match(r"[A-Za-z0-9._-]+", bare)
        rest = bare[head.end() :] if head else ""
        rest = re.sub(r"\[([^\]]*)\]", keep_extras, rest, count=1)
        if name == own:
            return quote + (head.group(0) if head else "") + rest + quote
        if name in deps:
            return token
        return quote + (facts.name or name) + rest + quote

    m = re.search(r"\b(install|add)\b", line)
    if not m:
        return line
    tail = re.sub(r"""(?:'[^']*'|"[^"]*"|[^\s'"]+)""", fix, line[m.end() :])
    return line[: m.end()] + tail


def offline_fix(target: ReadmeTarget, facts: ProjectFacts) -> tuple[str | None, list[str]]:
    """Patch a stale section instead of rewriting a person's text.

    Install commands get the real distribution name (undeclared extras dropped); command
    lines that use a program, subcommand or option that does not exist are removed from
    their code block (a block left empty goes too). Returns ``(text, [])``, or
    ``(None, remaining problems)`` when something cannot be fixed this way (e.g. inline code).
    """
    from docagent.readme.section_checks import command_problems, install_problems, shell_commands

    body = target.current.replace("\r\n", "\n")
    doc = parse_markdown(body)
    lines = doc.lines[:]
    commands = shell_commands(doc, facts)
    drop: set[int] = set()
    unfixable: list[str] = []
    for cmd, _reason in install_problems(commands, facts, strict=False):
        lines[cmd.line] = _fix_install(lines[cmd.line], facts)
    for cmd in commands:
        problems = command_problems(cmd, facts, strict=False)
        if not problems:
            continue
        if cmd.inline:
            unfixable.extend(problems)
            continue
        n = cmd.line
        while n < len(lines):
            drop.add(n)
            if not lines[n].rstrip().endswith("\\"):
                break
            n += 1
    for block in doc.code_blocks:
        if not block.fenced:
            continue
        inner = range(block.line + 1, block.end_line - 1)
        if all(n in drop or not lines[n].strip() for n in inner):
            drop.update(range(block.line, block.end_line))
    text = "".join(line for n, line in enumerate(lines) if n not in drop)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    if unfixable:
        return None, unfixable
    again = shell_commands(parse_markdown(text), facts)
    remaining = [r for _, r in install_problems(again, facts, strict=False)]
    remaining += [p for c in again for p in command_problems(c, facts, strict=False)]
    if remaining or not text.strip():
        return None, remaining or ["nothing would be left of the section"]
    return text, []


# ----------------------------------------------------------------------------- model


def facts_for_prompt(facts: ProjectFacts) -> dict[str, Any]:
    """The facts sent to a model: metadata, scripts with their commands and options."""
    scripts = []
    for s in facts.scripts:
        scripts.append(
            {
                "name": s.name,
                "target": s.target,
                "commands": [
                    {
                        "command": c.name or "(top level)",
                        "help": _one_line(c.help),
                        "options": [
                            {"flags": p.decls, "help": _one_line(p.help)}
                            for p in c.params
                            if p.is_option
                        ],
                        "arguments": [p.decls[0] for p in c.params if not p.is_option],
                    }
                    for c in facts.commands_for(s.name)
                    if c.name != "*"
                ],
                "other_options": sorted(
                    {o for c in facts.commands_for(s.name) if c.name == "*" for o in c.options}
                ),
            }
        )
    return {
        "distribution": facts.name,
        "version": facts.version,
        "description": facts.description,
        "requires_python": facts.requires_python,
        "dependencies": facts.dependencies,
        "extras": {k: v for k, v in facts.extras.items() if not k.startswith("group:")},
        "console_scripts": scripts,
        "runnable_modules": facts.runnable_modules,
        "packages": [{"name": p.name, "docstring": p.docstring} for p in facts.packages],
        "environment_variables": facts.env_vars,
        "license": facts.license,
        "license_file": facts.license_file,
        "tests_dir": facts.tests_dir,
        "urls": facts.urls,
    }


def facts_hash(facts: ProjectFacts) -> str:
    """16 hex digits of a hash of :func:`facts_for_prompt`: the facts a section is drafted from.

    Part of a README draft's cache key, so a draft made before the project gained a command,
    an option or an extra is not reused (the README text itself is not part of it).
    """
    data = json.dumps(facts_for_prompt(facts), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def build_prompt(
    target: ReadmeTarget, facts: ProjectFacts, hint: str | None = None, readme_chars: int = 6000
) -> tuple[str, str]:
    """Return ``(system, user)`` prompt texts for drafting ``target`` with a model."""
    readme = facts.readme_text or "(no README yet)"
    if len(readme) > readme_chars:
        readme = readme[:readme_chars] + "\n[... truncated ...]"
    if target.status == "stale":
        status = "The section exists but is wrong: " + "; ".join(target.reasons) + "."
        current = f'\n## Current body of "{target.qualname}" (rewrite it)\n{target.current}\n'
    else:
        status = "The README has no such section yet."
        current = ""
    user = USER_TEMPLATE.format(
        heading=target.qualname,
        section=target.section,
        level=target.level,
        status_line=status,
        facts=json.dumps(facts_for_prompt(facts), indent=1, ensure_ascii=False),
        readme_path=target.path,
        readme=readme,
        current=current,
        hint=f"\n## Reviewer's request\n{hint}\n" if hint else "",
    )
    return SYSTEM_PROMPT, user


def clean_body(text: str, heading: str) -> str:
    """Strip outer blank lines and a leading heading that repeats the section heading."""
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    doc = parse_markdown("\n".join(lines))
    if doc.headings and doc.headings[0].line == 0:
        h = doc.headings[0]
        if normalize_heading(h.text) == normalize_heading(heading):
            lines = lines[h.end_line :]
    return "\n".join(lines).strip("\n").rstrip()


def _body_of(data: Any, raw: str) -> tuple[str | None, str]:
    if isinstance(data, dict) and isinstance(data.get("body"), str):
        return data["body"], ""
    if raw.strip() and not raw.lstrip().startswith("{"):
        return raw, ""  # a model that ignored the schema but wrote Markdown
    return None, "the answer is not a JSON object with a 'body' string"


async def draft_section(
    target: ReadmeTarget,
    facts: ProjectFacts,
    provider: Provider,
    *,
    hint: str | None = None,
    interactive: bool = False,
    batch: bool = False,
    redact_prompt: bool = True,
) -> Draft:
    """Draft the body of one README section with ``provider``; never raises for model errors.

    With ``redact_prompt`` (the ``redact_prompts`` setting), detected credentials in the prompt
    are replaced by ``[redacted]`` before it is sent.

    A provider that calls no model (the offline drafter) gets :func:`offline_section`; other
    providers get :func:`build_prompt` and :data:`SECTION_SCHEMA` through their ``complete``
    method, with one redraft when a hard check fails. ``hint`` is a reviewer's request
    (ignored offline). The Draft's ``checks`` are :func:`check_section`'s; its ``code_sha`` is
    the target's, so ``apply`` refuses it when the section changed since.
    """
    started = time.perf_counter()
    draft = Draft(
        path=target.path,
        qualname=target.qualname,
        kind="readme_section",
        code_sha=target.code_sha,
        style="markdown",
        provider=provider.name,
        model=provider.model,
        prompt_version=readme_prompt_version(),
    )
    if not makes_model_calls(provider.name):
        draft.notice = OFFLINE_NOTICE
        draft.attempts = 1
        if target.status == "stale":
            text, left = offline_fix(target, facts)
            if text is None:
                draft.error = (
                    "the offline drafter cannot fix this section by itself ("
                    + "; ".join(left)
                    + "); edit it, or draft it with a model provider"
                )
                draft.error_kind = "bad_request"
                draft.latency_ms = int((time.perf_counter() - started) * 1000)
                return draft
        else:
            text = offline_section(target, facts)
        if text is None:
            known = ", ".join(README_SECTIONS)
            draft.error = (
                f"the offline drafter writes only {known} sections from facts it has; "
                f"draft `{target.qualname}` with a model provider (--provider anthropic)"
            )
            draft.error_kind = "bad_request"
        else:
            draft.text = text
            draft.checks = check_section(
                text, facts, target.level, target.qualname, baseline=target.current
            )
            draft.context = json.dumps(facts_for_prompt(facts), ensure_ascii=False)
        draft.latency_ms = int((time.perf_counter() - started) * 1000)
        return draft

    system, user = build_prompt(target, facts, hint)
    if redact_prompt:
        from docagent.credentials import redact

        user = redact(user)
    draft.context = user
    draft.context_tokens = estimate_tokens(system + user)

    def request(messages: Messages) -> DraftRequest:
        return DraftRequest(
            system=system,
            examples="",
            messages=messages,
            schema=SECTION_SCHEMA,
            max_tokens=MAX_TOKENS,
            interactive=interactive,
        )

    def accept(body: str) -> list[Check]:
        draft.text = clean_body(body, target.qualname)
        return check_section(
            draft.text, facts, target.level, target.qualname, baseline=target.current
        )

    def follow_up(
        messages: Messages, result: ProviderResult, failed: list[Check], body: str | None
    ) -> Messages:
        problems = "\n".join(f"- {c.name}: {c.detail}" for c in failed)
        return [
            *messages,
            {"role": "assistant", "content": result.raw or "(empty)"},
            {"role": "user", "content": REDRAFT_TEMPLATE.format(problems=problems)},
        ]

    await draft_with_redraft(
        provider,
        draft,
        [{"role": "user", "content": user}],
        request,
        _body_of,
        accept,
        follow_up,
        started=started,
        batch=batch,
    )
    return draft


__all__ = [
    "SECTION_SCHEMA",
    "build_prompt",
    "clean_body",
    "draft_section",
    "facts_for_prompt",
    "facts_hash",
    "offline_fix",
    "offline_section",
    "readme_prompt_version",
]
