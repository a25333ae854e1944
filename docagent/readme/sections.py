"""Parse a Markdown README into headings, sections and code blocks, and classify sections.

Parsing is markdown-it-py's (CommonMark): a ``#`` inside a fenced code block is not a heading,
setext headings (``Title`` over ``=====``) are headings, and unclosed fences are detected from
the parser's own line map. Line numbers are 0-based indexes into :attr:`MarkdownDoc.lines`,
which split the text on ``\\n`` and keep line endings, so joining them gives the text back.

Section kinds (``overview``, ``installation``, ``usage``, ``configuration``, ``development``,
``license``) are matched by normalized heading text with synonyms: "Quick start", "Getting
started", "Examples" are usage; "Install", "Setup" are installation; "Contributing",
"Running tests" are development; "Licence", "Copyright" are license.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt

from docagent.vocab import README_SECTIONS

#: The heading docagent gives a section of each kind it adds.
DEFAULT_HEADINGS = {
    "overview": "Overview",
    "installation": "Installation",
    "usage": "Usage",
    "configuration": "Configuration",
    "development": "Development",
    "license": "License",
}

# Whole normalized headings that name a kind (or two).
_PHRASES: dict[str, tuple[str, ...]] = {
    "getting started": ("installation", "usage"),
    "get started": ("installation", "usage"),
    "quick start": ("usage",),
    "quickstart": ("usage",),
    "installation and usage": ("installation", "usage"),
    "install and use": ("installation", "usage"),
    "how to use": ("usage",),
    "how to install": ("installation",),
    "what is it": ("overview",),
    "environment variables": ("configuration",),
    "set up": ("installation",),
    "running tests": ("development",),
    "running the tests": ("development",),
}


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


# Keywords, checked in this order; the first kind with a keyword in the heading wins.
_KEYWORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "development",
        _words(
            "development developing developer developers contributing contribute "
            "contributions contribution contributors testing tests hacking"
        ),
    ),
    ("license", _words("license licence licensing licenses copyright")),
    ("installation", _words("installation install installing setup requirements")),
    (
        "usage",
        _words("usage use using quickstart example examples tutorial cli"),
    ),
    (
        "configuration",
        _words("configuration config configuring configure settings options"),
    ),
    (
        "overview",
        _words("overview about introduction intro description summary motivation"),
    ),
)

#: Aliases accepted in the ``readme_sections`` setting.
SETTING_ALIASES = {
    "intro": "overview",
    "introduction": "overview",
    "about": "overview",
    "install": "installation",
    "setup": "installation",
    "quick start": "usage",
    "quickstart": "usage",
    "quick_start": "usage",
    "usage/quick start": "usage",
    "examples": "usage",
    "config": "configuration",
    "settings": "configuration",
    "testing": "development",
    "tests": "development",
    "contributing": "development",
    "development/testing": "development",
    "licence": "license",
}


def normalize_heading(text: str) -> str:
    """Lowercase ``text`` and keep only words: no emoji, punctuation or leading numbering."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text)
    words = text.split()
    while words and (words[0].isdigit() or re.fullmatch(r"[ivx]+", words[0] or "")):
        if len(words) == 1:
            break
        words = words[1:]
    return " ".join(words)


def expected_kinds(names: Iterable[str]) -> list[str]:
    """Resolve the ``readme_sections`` setting: aliases to kinds; other names are kept as custom.

    Order and duplicates: the first occurrence wins.
    """
    out: list[str] = []
    for name in names:
        norm = normalize_heading(name)
        kind = SETTING_ALIASES.get(name.strip().lower()) or SETTING_ALIASES.get(norm) or norm
        if kind and kind not in out:
            out.append(kind)
    return out


def heading_kinds(text: str, custom: Sequence[str] = ()) -> frozenset[str]:
    """Return the section kinds a heading names (empty when it names none).

    ``custom`` are extra section names from the setting; a heading matches one when its
    normalized text equals the normalized name.
    """
    norm = normalize_heading(text)
    found: set[str] = {
        c for c in custom if c not in README_SECTIONS and normalize_heading(c) == norm
    }
    if norm in _PHRASES:
        return frozenset(found | set(_PHRASES[norm]))
    for phrase, kinds in _PHRASES.items():
        if norm.startswith(phrase + " ") or norm.endswith(" " + phrase):
            return frozenset(found | set(kinds))
    words = set(norm.split())
    for kind, keys in _KEYWORDS:
        if words & keys:
            found.add(kind)
            break
    return frozenset(found)


@dataclass(frozen=True)
class Heading:
    """One heading: plain text, level 1-6, first line and the line after it (0-based)."""

    text: str
    level: int
    line: int
    end_line: int
    setext: bool = False


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block: ``info`` string, content and its line range."""

    info: str
    content: str
    line: int
    end_line: int
    fenced: bool = True
    closed: bool = True


@dataclass(frozen=True)
class Section:
    """A heading and everything under it up to the next heading of the same or higher level."""

    heading: Heading
    end: int
    kinds: frozenset[str] = frozenset()

    @property
    def title(self) -> str:
        """The heading's plain text."""
        return self.heading.text

    @property
    def level(self) -> int:
        """The heading level (1-6)."""
        return self.heading.level


@dataclass
class MarkdownDoc:
    """A parsed Markdown document: lines, headings, sections, code blocks and inline code."""

    text: str
    lines: list[str]
    headings: list[Heading] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    inline_code: list[tuple[int, str]] = field(default_factory=list)

    @property
    def newline(self) -> str:
        """The document's line ending (``\\r\\n`` when its first line uses it, else ``\\n``)."""
        for line in self.lines:
            if line.endswith("\n"):
                return "\r\n" if line.endswith("\r\n") else "\n"
        return "\n"

    @property
    def title(self) -> Heading | None:
        """The document title: a level-1 first heading that is the only level-1 heading."""
        if not self.headings or self.headings[0].level != 1:
            return None
        if sum(1 for h in self.headings if h.level == 1) != 1:
            return None
        return self.headings[0]

    @property
    def section_level(self) -> int:
        """The level a new top-level section gets: that of the first heading after the title."""
        title = self.title
        rest = [h for h in self.headings if h is not title]
        if rest:
            return min(h.level for h in rest)
        return 2 if title is not None or not self.headings else self.headings[0].level

    @property
    def uses_setext(self) -> bool:
        """True when the existing headings at :attr:`section_level` are setext headings."""
        level = self.section_level
        same = [h for h in self.headings if h.level == level and h is not self.title]
        return bool(same) and all(h.setext for h in same) and level <= 2

    def body(self, section: Section) -> str:
        """The text under ``section``'s heading, up to the section's end."""
        return "".join(self.lines[section.heading.end_line : section.end])

    def intro(self) -> str:
        """The text before the first section heading (after the title, when there is one)."""
        start = self.title.end_line if self.title else 0
        later = [h.line for h in self.headings if h.line >= start and h is not self.title]
        end = later[0] if later else len(self.lines)
        return "".join(self.lines[start:end])

    def find(self, heading: str) -> Section | None:
        """The first section whose heading normalizes to the same text as ``heading``."""
        norm = normalize_heading(heading)
        for s in self.sections:
            if normalize_heading(s.title) == norm:
                return s
        return None

    def of_kind(self, kind: str) -> list[Section]:
        """The sections (any level, title excluded) whose heading names ``kind``."""
        return [s for s in self.sections if kind in s.kinds and s.heading is not self.title]


def split_lines(text: str) -> list[str]:
    """Split ``text`` on ``\\n`` keeping line endings (the line numbering markdown-it uses)."""
    if not text:
        return []
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _inline_text(token: object) -> str:
    children = getattr(token, "children", None) or []
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _fence_closed(lines: list[str], start: int, end: int, markup: str) -> bool:
    """True when the fence opened on line ``start`` is closed on line ``end - 1``."""
    if end - 1 <= start or end > len(lines):
        return False
    last = lines[end - 1].strip()
    char = markup[0]
    return len(last) >= len(markup) and set(last) == {char}


def parse_markdown(text: str, custom: Sequence[str] = ()) -> MarkdownDoc:
    """Parse ``text`` into a :class:`MarkdownDoc`; ``custom`` are extra section names."""
    lines = split_lines(text)
    doc = MarkdownDoc(text=text, lines=lines)
    tokens = _parser().parse(text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            inline = tokens[i + 1] if i + 1 < len(tokens) else None
            doc.headings.append(
                Heading(
                    text=_inline_text(inline),
                    level=int(tok.tag[1]),
                    line=tok.map[0],
                    end_line=tok.map[1],
                    setext=tok.markup in ("=", "-"),
                )
            )
        elif tok.type == "fence" and tok.map:
            start, end = tok.map
            doc.code_blocks.append(
                CodeBlock(
                    info=tok.info.strip(),
                    content=tok.content,
                    line=start,
                    end_line=end,
                    fenced=True,
                    closed=_fence_closed(lines, start, end, tok.markup),
                )
            )
        elif tok.type == "code_block" and tok.map:
            doc.code_blocks.append(
                CodeBlock("", tok.content, tok.map[0], tok.map[1], fenced=False, closed=True)
            )
        elif tok.type == "inline" and tok.map:
            for child in tok.children or []:
                if child.type == "code_inline":
                    doc.inline_code.append((tok.map[0], child.content))
    for n, h in enumerate(doc.headings):
        end = len(lines)
        for later in doc.headings[n + 1 :]:
            if later.level <= h.level:
                end = later.line
                break
        doc.sections.append(Section(h, end, heading_kinds(h.text, custom)))
    return doc


__all__ = [
    "DEFAULT_HEADINGS",
    "README_SECTIONS",
    "CodeBlock",
    "Heading",
    "MarkdownDoc",
    "Section",
    "expected_kinds",
    "heading_kinds",
    "normalize_heading",
    "parse_markdown",
    "split_lines",
]
