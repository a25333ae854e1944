"""Docstring styles: detection, section parsing (docstring-parser) and consistency with code.

The consistency rules here decide a target's ``stale`` status in scans and are reused by the
draft checks, so a draft and an existing docstring are judged by the same rules. The rules follow
pydoclint's DOC1xx-DOC5xx: documented parameters must exist, a docstring with an arguments
section must document every parameter, Returns only for functions that return a value, Yields
for generators that yield a value, Raises in agreement with ``raise`` statements (an exception
a nested function raises may be documented). A docstring that is only prose
(no sections) is never stale: like pydoclint, short docstrings are not checked for sections.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from docagent.code.targets import Target
from docagent.vocab import STYLES

_GOOGLE_RE = re.compile(
    r"^[ \t]*(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Returns|Return|"
    r"Yields|Yield|Raises|Raise|Attributes|Example|Examples|Note|Notes|Other Parameters|"
    r"Warns|Warning|Warnings|See Also|Todo)[ \t]*:[ \t]*$",
    re.MULTILINE,
)
_NUMPY_RE = re.compile(
    r"^[ \t]*(Parameters|Other Parameters|Returns|Yields|Raises|Warns|Attributes|Methods|"
    r"See Also|Notes|References|Examples|Receives)[ \t]*\n[ \t]*-{3,}[ \t]*$",
    re.MULTILINE,
)
_SPHINX_RE = re.compile(
    r"^[ \t]*:(param|parameter|arg|argument|key|keyword|type|returns?|rtype|raises?|except|"
    r"exception|yields?|ytype|var|ivar|cvar)\b",
    re.MULTILINE,
)
_PARAM_KEYS = {"param", "parameter", "arg", "argument", "key", "keyword", "other_param"}


@lru_cache(maxsize=8192)
def detect_style(text: str) -> str:
    """Return the style of one docstring: google, numpy, sphinx, or pep257 (prose only)."""
    if _NUMPY_RE.search(text):
        return "numpy"
    if _SPHINX_RE.search(text):
        return "sphinx"
    if _GOOGLE_RE.search(text):
        return "google"
    return "pep257"


def majority_style(texts: Iterable[str], default: str = "google") -> str:
    """Return the repository's style from its docstrings (see :func:`style_from_votes`)."""
    return style_from_votes(style_votes(texts), default)


def style_from_votes(votes: Mapping[str, int], default: str = "google") -> str:
    """Pick the repository's style from per-style docstring counts.

    Prose-only docstrings vote for ``pep257`` (one-line ones under ``oneline``, since a one-line
    docstring fits every style). A style with sections wins only with a real majority: the
    docstrings with sections outnumber the multi-line prose-only ones, and they are at least a
    tenth of all docstrings, one-liners included; the most common of them is the style. So one
    Google docstring among 44 plain ones does not make a repository Google style. Otherwise the
    style is ``pep257``; with no docstrings at all, ``default``.
    """
    sectioned = {k: v for k, v in votes.items() if k in STYLES and k != "pep257" and v}
    total_sectioned = sum(sectioned.values())
    total = sum(v for k, v in votes.items() if k in (*STYLES, "oneline"))
    if (
        total_sectioned
        and total_sectioned > votes.get("pep257", 0)
        and total_sectioned * 10 >= total
    ):
        return sorted(sectioned.items(), key=lambda kv: (-kv[1], STYLES.index(kv[0])))[0][0]
    return "pep257" if total else default


def style_votes(texts: Iterable[str]) -> Counter[str]:
    """Count docstrings per detected style; prose-only ones count as ``pep257`` when they have
    more than one line, else as ``oneline``."""
    votes: Counter[str] = Counter()
    for t in texts:
        style = detect_style(t)
        if style == "pep257" and len(t.strip().splitlines()) <= 1:
            style = "oneline"
        votes[style] += 1
    return votes


#: :func:`docstring_sha` of a target that has no docstring
NO_DOCSTRING = "none"


def docstring_sha(text: str | None) -> str:
    """Fingerprint of a target's docstring text (:data:`NO_DOCSTRING` when it has none).

    A draft records the fingerprint of the docstring it was made against; an edit is refused
    when the target's docstring no longer has it (someone wrote it since).
    """
    if text is None:
        return NO_DOCSTRING
    import hashlib  # not at import: a scan never hashes this way (OpenSSL loads)

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def dropped_lines(old: str, new: str) -> list[str]:
    """The non-blank lines of docstring ``old`` that ``new`` no longer contains (stripped).

    This is what replacing ``old`` by ``new`` would lose of a person's words: a repair that
    only adds entries drops nothing; a wholesale rewrite drops the prose, examples and doctests.
    """
    kept = {line.strip() for line in new.splitlines()}
    return [line.strip() for line in old.splitlines() if line.strip() and line.strip() not in kept]


@dataclass
class Sections:
    """What a docstring documents, by section, as parsed from its text."""

    style: str
    has_sections: bool = False
    params: list[str] = field(default_factory=list)
    has_params_section: bool = False
    returns: bool = False
    yields: bool = False
    raises: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    summary: str = ""
    #: how many parameter entries name a type (Google ``x (int):``, reST ``:type x:``)
    typed_params: int = 0


def _normalize_param(name: str) -> list[str]:
    out = []
    for part in name.split(","):
        part = part.strip().replace("\\", "")
        part = part.split(" ", 1)[0].split(":", 1)[0]
        part = part.lstrip("*")
        if part:
            out.append(part)
    return out


def parse_sections(text: str, style: str | None = None) -> Sections:
    """Parse the sections of a docstring (style detected when not given)."""
    summary = text.strip().split("\n", 1)[0].strip() if text.strip() else ""
    detected = detect_style(text)
    if detected == "pep257":
        return Sections(style=style or detected, summary=summary)
    import docstring_parser  # only for a docstring with sections (a few ms of start-up)

    parse_style = {
        "google": docstring_parser.DocstringStyle.GOOGLE,
        "numpy": docstring_parser.DocstringStyle.NUMPYDOC,
        "sphinx": docstring_parser.DocstringStyle.REST,
    }[detected]
    try:
        doc = docstring_parser.parse(text, style=parse_style)
    except docstring_parser.ParseError:
        return Sections(style=detected, summary=summary)
    sec = Sections(style=detected, summary=summary, has_sections=bool(doc.meta))
    for meta in doc.meta:
        key = meta.args[0] if meta.args else ""
        if isinstance(meta, docstring_parser.DocstringParam):
            if key == "attribute":
                sec.attributes.extend(_normalize_param(meta.arg_name))
            elif key in _PARAM_KEYS:
                sec.has_params_section = True
                sec.params.extend(_normalize_param(meta.arg_name))
                sec.typed_params += bool(meta.type_name)
        elif isinstance(meta, docstring_parser.DocstringReturns):
            if meta.is_generator or key in ("yield", "yields"):
                sec.yields = True
            else:
                sec.returns = True
        elif isinstance(meta, docstring_parser.DocstringRaises) and meta.type_name:
            sec.raises.extend(n.strip() for n in meta.type_name.split(",") if n.strip())
    return sec


def typed_entries_majority(
    texts: Iterable[str], minimum: int = 3, enough: int = 200
) -> bool | None:
    """Whether the repository's Google and reST docstrings put types in their parameter entries.

    Counts the parameter entries of the docstrings in ``texts`` with a parameters section
    (numpy entries always carry a type, so they do not vote), up to ``enough`` of them (a
    sample that settles the habit without parsing every docstring of a large repository).
    True when more than half name a type, False when fewer do; None when fewer than
    ``minimum`` docstrings have entries to tell.
    """
    docs = typed = entries = 0
    for text in texts:
        if docs >= enough:
            break
        if detect_style(text) not in ("google", "sphinx"):
            continue
        sec = parse_sections(text)
        if not sec.params:
            continue
        docs += 1
        entries += len(sec.params)
        typed += min(sec.typed_params, len(sec.params))
    if docs < minimum:
        return None
    return typed * 2 > entries


@dataclass(frozen=True)
class Problem:
    """One disagreement between a docstring and the code, with a stable code name."""

    code: str
    message: str


def _exception_like(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return bool(last) and last[0].isupper()


def consistency_problems(
    target: Target, text: str, style: str | None = None, init: Target | None = None
) -> list[Problem]:
    """Return how ``text`` (a docstring for ``target``) disagrees with the target's code.

    For a class, documented parameters are checked against ``init`` (its ``__init__``) when
    given. Module docstrings are never checked against code.
    """
    if target.kind == "module":
        return []
    sec = parse_sections(text, style)
    if not sec.has_sections:
        return []
    problems: list[Problem] = []
    sig_owner = init if target.kind == "class" else target
    if sig_owner is not None:
        sig = sig_owner.documented_params()
        sig_names = [p.name for p in sig]
        # Names a ``**kwargs`` (or ``*args``) parameter accepts are documented as entries of
        # their own ("Keyword Arguments: regex …"): with a variadic parameter they are its
        # options, not invented parameters, and they document the variadic parameter.
        variadic = [p.name for p in sig if p.kind in ("var_positional", "var_keyword")]
        options = [n for n in sec.params if n not in sig_names]
        for name in options if not variadic else []:
            problems.append(
                Problem("param-invented", f"documents parameter '{name}' not in the signature")
            )
        if sec.has_params_section:
            for p in sig:
                if p.name in variadic and options:
                    continue
                if p.name not in sec.params:
                    problems.append(
                        Problem("param-missing", f"does not document parameter '{p.display_name}'")
                    )
    if target.kind == "class":
        return problems
    returns_none = target.returns in (None, "None")
    stub = target.is_abstract or any(
        r.rsplit(".", 1)[-1] == "NotImplementedError" for r in target.raises
    )
    if (
        sec.returns
        and not target.returns_value
        and not target.yields
        and returns_none
        and not stub
        and not target.is_property
    ):
        problems.append(
            Problem("returns-without-value", "documents Returns but never returns a value")
        )
    if target.yields_value and not sec.yields:  # a bare ``yield`` gives the reader nothing
        problems.append(Problem("yields-missing", "is a generator but does not document Yields"))
    if sec.yields and not target.yields and not stub:
        problems.append(Problem("yields-not-generator", "documents Yields but never yields"))
    raised = {r.rsplit(".", 1)[-1] for r in target.raises if _exception_like(r)}
    documented = {r.rsplit(".", 1)[-1] for r in sec.raises}
    for name in sorted(raised - documented):
        if name == "NotImplementedError":
            continue
        problems.append(Problem("raises-missing", f"raises {name} but does not document it"))
    if not target.raises:
        nested = {r.rsplit(".", 1)[-1] for r in target.nested_raises}
        for name in sorted(documented - nested):  # a wrapper's raises are documented here
            problems.append(
                Problem("raises-not-raised", f"documents Raises {name} but raises nothing")
            )
    return problems


def apply_status(targets: list[Target], style: str | None = None) -> None:
    """Set ``status`` and ``problems`` on every target of one file (in place)."""
    inits = {
        t.qualname.rsplit(".", 1)[0]: t
        for t in targets
        if t.kind == "method" and t.name == "__init__"
    }
    for t in targets:
        if t.docstring is None:
            t.status, t.problems = "missing", []
            continue
        problems = consistency_problems(
            t, t.docstring.text, style, inits.get(t.qualname) if t.kind == "class" else None
        )
        t.problems = [p.message for p in problems]
        t.status = "stale" if problems else "ok"
