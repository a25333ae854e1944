"""README targets (kind ``readme_section``): expected sections that are missing or stale.

A section is *missing* when no heading of the README names its kind (see
:func:`docagent.readme.sections.heading_kinds`) and the project's facts give it something to
say: Installation needs a distribution name, Configuration needs environment variables the code
reads, Development needs a tests directory or a dev extra, License a license. A section is
*stale* when it contains commands that are wrong for this project: an install command that names
another distribution or an undeclared extra, a command or ``python -m`` module that does not
exist, an option or subcommand the CLI does not define. Each stale target carries the reasons.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt

from docagent.readme.facts import ProjectFacts, gather_facts
from docagent.readme.find import ReadmeFile
from docagent.readme.section_checks import command_problems, install_problems, shell_commands
from docagent.readme.sections import (
    DEFAULT_HEADINGS,
    MarkdownDoc,
    Section,
    expected_kinds,
    parse_markdown,
)
from docagent.vocab import README_SECTIONS

if TYPE_CHECKING:
    from docagent.config import Settings

DEFAULT_SECTIONS = list(README_SECTIONS)


def section_sha(body: str) -> str:
    """Hash of a section body as ``code_sha`` (line endings and outer blank lines ignored).

    A missing section has the hash of ``""``; ``apply`` refuses a record whose section body
    no longer has the hash it was drafted against.
    """
    norm = body.replace("\r\n", "\n").strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


@dataclass
class ReadmeTarget:
    """One README section to draft.

    ``qualname`` is the heading text (the existing heading for a stale section, the default
    heading for a missing one); ``section`` the section kind; ``status`` ``missing`` or
    ``stale``; ``reasons`` why a section is stale; ``level`` the heading level; ``line`` the
    1-based line of the existing heading (None when missing); ``code_sha`` the hash of the
    current body (:func:`section_sha`), written to proposals so ``apply`` never overwrites a
    section that changed since.
    """

    path: str
    qualname: str
    section: str
    status: str
    level: int
    reasons: list[str] = field(default_factory=list)
    line: int | None = None
    code_sha: str = ""
    current: str = ""
    kind: str = "readme_section"

    def describe(self) -> str:
        """One line for listings: ``README.md::Installation: missing`` (with reasons)."""
        where = f":{self.line}" if self.line else ""
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        return f"{self.path}{where}::{self.qualname}: {self.status}{why}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the same names as scan's targets where they overlap)."""
        data = asdict(self)
        data["problems"] = data.pop("reasons")
        return data


@dataclass
class ReadmeScan:
    """The result of :func:`scan_readme`: the README, the facts, targets and notices.

    ``notices`` are lines for the user: an unsupported README format, wrong commands in the
    intro (which has no section to replace), facts that could not be read.
    """

    readme: ReadmeFile
    facts: ProjectFacts
    targets: list[ReadmeTarget] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    doc: MarkdownDoc | None = None


def _has_overview(doc: MarkdownDoc) -> bool:
    """True when the intro has a paragraph of prose (badges, images and HTML do not count)."""
    for tok in MarkdownIt("commonmark").parse(doc.intro()):
        if tok.type != "inline":
            continue
        words = [c.content for c in tok.children or [] if c.type == "text" and c.content.strip()]
        images = [c for c in tok.children or [] if c.type == "image"]
        if len(" ".join(words).split()) >= 4 and len(images) <= len(words):
            return True
    return False


def applicable(kind: str, facts: ProjectFacts) -> bool:
    """True when the facts give a section of ``kind`` something true to say."""
    if kind == "overview":
        return bool(facts.description or any(p.docstring for p in facts.packages))
    if kind == "installation":
        return bool(facts.name)
    if kind == "usage":
        return bool(facts.scripts or facts.runnable_modules or facts.packages)
    if kind == "configuration":
        return bool(facts.env_vars)
    if kind == "development":
        return bool(facts.tests_dir or "dev" in facts.extras or "test" in facts.extras)
    if kind == "license":
        return bool(facts.license or facts.license_file)
    return True  # custom sections from the setting


def _enclosing(doc: MarkdownDoc, line: int) -> Section | None:
    """The top-level (section-level or shallower) section that contains document ``line``."""
    best = None
    for s in doc.sections:
        if s.heading is doc.title:
            continue
        if s.heading.line <= line < s.end and s.level <= doc.section_level:
            best = s
    if best is None:
        for s in doc.sections:
            if s.heading is not doc.title and s.heading.line <= line < s.end:
                best = s
                break
    return best


def _section_kind(section: Section, expected: list[str]) -> str:
    for k in expected:
        if k in section.kinds:
            return k
    for k in README_SECTIONS:
        if k in section.kinds:
            return k
    return "custom"


def scan_readme(
    root: str | Path, settings: Settings | None = None, facts: ProjectFacts | None = None
) -> ReadmeScan:
    """Find the README, gather facts and list its missing and stale sections.

    ``settings.readme_sections`` (default: overview, installation, usage, configuration,
    development, license) selects the expected sections. A README that is not Markdown gets
    no targets and a notice saying why.
    """
    root = Path(root)
    facts = facts if facts is not None else gather_facts(root, settings)
    readme = facts.readme
    assert readme is not None
    scan = ReadmeScan(readme=readme, facts=facts)
    scan.notices.extend(facts.problems)
    if not readme.supported:
        scan.notices.insert(0, readme.reason)
        return scan
    names = getattr(settings, "readme_sections", None) or DEFAULT_SECTIONS
    expected = expected_kinds(names)
    doc = parse_markdown(facts.readme_text, custom=expected)
    scan.doc = doc
    level = doc.section_level

    stale: dict[int, tuple[Section, list[str]]] = {}

    def add(line: int, reason: str) -> None:
        section = _enclosing(doc, line)
        if section is None:
            scan.notices.append(f"{readme.path}:{line + 1}: {reason} (outside any section)")
            return
        entry = stale.setdefault(section.heading.line, (section, []))
        if reason not in entry[1]:
            entry[1].append(reason)

    commands = shell_commands(doc, facts)
    for cmd, reason in install_problems(commands, facts, strict=False):
        add(cmd.line, reason)
    for cmd in commands:
        for reason in command_problems(cmd, facts, strict=False):
            add(cmd.line, reason)

    for kind in expected:
        if doc.of_kind(kind) or not applicable(kind, facts):
            continue
        if kind == "overview" and _has_overview(doc):
            continue
        scan.targets.append(
            ReadmeTarget(
                path=readme.path,
                qualname=DEFAULT_HEADINGS.get(kind, kind.title()),
                section=kind,
                status="missing",
                level=level,
                code_sha=section_sha(""),
            )
        )
    for _, (section, reasons) in sorted(stale.items()):
        body = doc.body(section)
        scan.targets.append(
            ReadmeTarget(
                path=readme.path,
                qualname=section.title,
                section=_section_kind(section, expected),
                status="stale",
                level=section.level,
                reasons=reasons,
                line=section.heading.line + 1,
                code_sha=section_sha(body),
                current=body,
            )
        )
    return scan


def readme_targets(root: str | Path, settings: Settings | None = None) -> list[ReadmeTarget]:
    """The README targets of the repository at ``root`` (see :func:`scan_readme`)."""
    return scan_readme(root, settings).targets


__all__ = [
    "ReadmeScan",
    "ReadmeTarget",
    "applicable",
    "readme_targets",
    "scan_readme",
    "section_sha",
]
