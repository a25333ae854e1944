"""Checks run on every draft before anyone sees it (docs/drafting.md).

Signature agreement reuses :func:`docagent.code.docstrings.consistency_problems` — the same rules
that mark scanned docstrings stale — so a draft is judged exactly like an existing docstring.
Hard checks: ``size``, ``params``, ``returns``, ``yields``, ``raises``, ``names``, ``summary``,
``roundtrip``, ``literal``, ``secret`` (the text holds a credential, for example one the model
copied from the code: such a draft is never applied, whatever the policy). Soft checks (reported,
never blocking): ``returns-documented``. ``size`` bounds the summary line, the number and length
of lines and the total size; it is listed only when it fails, and a draft that fails it gets no
other check (the text is not worth examining, nor a paid redraft).
"""

from __future__ import annotations

import ast
import inspect
import re

from docagent.code import pyast
from docagent.code.docstrings import Problem, consistency_problems
from docagent.code.edit import RefusedEdit, render_docstring
from docagent.code.targets import FileFacts, Target
from docagent.credentials import find_secrets
from docagent.draft.models import Check, StructuredDraft
from docagent.draft.render import render
from docagent.draft.symbols import SymbolIndex
from docagent.vocab import DOC_SECTIONS

HARD_CHECKS = (
    "size",
    "params",
    "returns",
    "yields",
    "raises",
    "names",
    "summary",
    "roundtrip",
    "literal",
    "secret",
)
#: Hard bounds on a drafted docstring (characters, lines); see docs/drafting.md.
MAX_SUMMARY_CHARS = 200
MAX_LINE_CHARS = 1_000
MAX_LINES = 300
MAX_TOTAL_CHARS = 20_000
_GROUP = {
    "param-invented": "params",
    "param-missing": "params",
    "returns-without-value": "returns",
    "yields-missing": "yields",
    "yields-not-generator": "yields",
    "raises-missing": "raises",
    "raises-not-raised": "raises",
}
_BACKTICK_RE = re.compile(r"(?<!`)``?([^`\n]+?)``?(?!`)")
_NAME_RE = re.compile(r"^~?[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*(\(\))?$")
#: what can make a text's naive ``"""text"""`` literal differ from the text (or not parse)
_ESCAPABLE = re.compile(r'["\\\r\x00\ud800-\udfff]')


def literal_for(text: str, indent: str = "    ") -> str | None:
    """Render ``text`` as the docstring literal the edit engine would write, at ``indent``.

    Returns None when the edit engine refuses: no literal reproduces the text exactly.
    """
    try:
        return render_docstring(text, indent)
    except RefusedEdit:
        return None


def literal_value(literal: str, indent: str = "    ") -> tuple[bool, str | None, str]:
    """Parse ``literal`` as the first statement of a function body.

    Returns ``(single_string_statement, docstring_value, error)``; the first is False when the
    text broke out of its literal (more statements, or not a plain string).

    A plain ``\"\"\"…\"\"\"`` literal whose body has no quote, backslash, carriage return,
    NUL or lone surrogate is decided without the parser (most drafts' literals): its value
    is its body, and the statement is that one string.
    """
    if (
        len(literal) >= 6
        and literal.startswith('"""')
        and literal.endswith('"""')
        and indent
        and not indent.strip(" ")
        and _ESCAPABLE.search(literal, 3, len(literal) - 3) is None
    ):
        # nothing in the body can end, escape or change the string (a carriage return would
        # become a newline): the parser would read exactly this string, cleaned like any
        # docstring (``ast.get_docstring``)
        return True, inspect.cleandoc(literal[3:-3]), ""
    return _parsed_literal_value(literal, indent)


def _parsed_literal_value(literal: str, indent: str) -> tuple[bool, str | None, str]:
    """:func:`literal_value` by Python's parser (any literal)."""
    src = f"def _f():\n{indent}{literal}\n"
    try:
        tree = pyast.parse(src, quiet=True)  # quiet: e.g. invalid escapes in a naive literal
    except (SyntaxError, ValueError) as exc:
        return False, None, f"the literal does not parse: {exc}"
    fn = tree.body[0]
    if len(tree.body) != 1 or not isinstance(fn, ast.FunctionDef) or len(fn.body) != 1:
        return False, None, "the text breaks out of its string literal"
    stmt = fn.body[0]
    if not (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    ):
        return False, None, "the literal is not a plain string"
    return True, ast.get_docstring(fn), ""


def _check_literal(text: str) -> list[Check]:
    checks: list[Check] = []
    # the naive literal a careless writer would produce: is the text able to escape it? A text
    # without quotes, backslashes, carriage returns, NULs or lone surrogates cannot: its naive
    # literal is one plain string whose value is the text (not parsed, it would only say so)
    escapes = False
    if _ESCAPABLE.search(text):
        naive_ok, naive_value, _ = literal_value(f'"""{text}"""')
        escapes = not naive_ok or naive_value != inspect.cleandoc(text)
    literal = literal_for(text)
    if literal is None:
        return [
            Check("literal", False, "no string literal can hold this text exactly"),
            Check("roundtrip", False, "the edit engine refused to render the text"),
        ]
    single, value, error = literal_value(literal)
    if not single:
        checks.append(Check("literal", False, error))
    else:
        detail = "contains quotes or backslashes; escaped when rendered" if escapes else ""
        checks.append(Check("literal", True, detail))
    if value is None:
        checks.append(Check("roundtrip", False, error or "no docstring after rendering"))
    elif value != text:
        checks.append(
            Check("roundtrip", False, "the rendered literal does not read back as the same text")
        )
    else:
        checks.append(Check("roundtrip", True))
    return checks


def size_check(text: str) -> Check:
    """The ``size`` check: summary line, line count, line length and total size are bounded."""
    problems = []
    if len(text) > MAX_TOTAL_CHARS:
        problems.append(f"{len(text):,} characters (at most {MAX_TOTAL_CHARS:,})")
    first = text[: MAX_TOTAL_CHARS + 1].partition("\n")[0]
    if len(first) > MAX_SUMMARY_CHARS:
        problems.append(
            f"the summary line is {len(first):,} characters (at most {MAX_SUMMARY_CHARS})"
        )
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        problems.append(f"{lines:,} lines (at most {MAX_LINES})")
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > MAX_LINE_CHARS:
        problems.append(f"a line of {longest:,} characters (at most {MAX_LINE_CHARS:,})")
    return Check("size", not problems, "too long: " + "; ".join(problems) if problems else "")


def backticked_names(text: str) -> list[str]:
    """Return identifiers written in backticks (single, double or ``:role:`` form) in ``text``."""
    out: list[str] = []
    for m in _BACKTICK_RE.finditer(text):
        inner = m.group(1).strip()
        if "<" in inner and inner.endswith(">"):  # :func:`title <target>`
            inner = inner[inner.index("<") + 1 : -1].strip()
        if _NAME_RE.match(inner) and inner not in out:
            out.append(inner)
    return out


def unresolved_names(
    text: str,
    target: Target,
    symbols: SymbolIndex | None = None,
    init: Target | None = None,
    facts: FileFacts | None = None,
    known: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """The backticked names of ``text`` that resolve nowhere (the ``names`` check).

    A name resolves when it (or its first dotted part) is a parameter or attribute of
    ``target`` or ``init``, a definition in ``facts``, a name in ``known`` (the eval adds every
    identifier of the module and the standard library's module names), or a repository,
    imported or builtin name of ``symbols``. Without ``symbols`` and ``facts`` nothing can be
    checked and nothing is reported. This is the one owner of the rule: the drafting check and
    the eval's truthfulness metric both call it.
    """
    path = facts.path if facts is not None else target.path
    local = {p.name for p in target.params} | set(target.attributes) | set(known)
    if init is not None:
        local |= {p.name for p in init.params}
    defined = _defined_names(facts) if facts is not None else frozenset()
    unknown = []
    for name in backticked_names(text):
        bare = name.lstrip("~").rstrip("()")
        parts = bare.split(".")
        head = parts[0]
        if bare in local or head in local or head in ("self", "cls"):
            continue
        if bare in defined or head in defined:
            continue
        if known and parts[-1] in known:
            continue
        if symbols is not None and symbols.known(bare, path):
            continue
        if symbols is None and facts is None:
            continue
        unknown.append(name)
    return unknown


def _defined_names(facts: FileFacts) -> frozenset[str]:
    """The names and qualnames of the definitions of ``facts``, kept on it (every draft of
    the file asks: building them per draft was quadratic in the file's targets)."""
    kept = facts.__dict__.get("_defined_names")
    if kept is None or kept[0] != len(facts.targets):
        names = frozenset(t.name for t in facts.targets) | {t.qualname for t in facts.targets}
        kept = facts.__dict__["_defined_names"] = (len(facts.targets), names)
    return kept[1]


def _group_problems(problems: list[Problem]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(_GROUP.get(p.code, "params"), []).append(p.message)
    return out


def run_checks(
    target: Target,
    text: str,
    style: str,
    symbols: SymbolIndex | None = None,
    structured: StructuredDraft | None = None,
    init: Target | None = None,
    facts: FileFacts | None = None,
) -> list[Check]:
    """Run every check on a draft ``text`` for ``target`` and return the results.

    ``structured`` (when given) is also rendered in google style so that prose-only styles
    (pep257) are checked against the signature by the same rules. ``init`` is a class's
    ``__init__`` (its parameters are the class's); ``facts`` adds the file's own names.
    """
    size = size_check(text)
    if not size.ok:
        return [size]  # listed only when it fails, like ``preserves_existing``
    checks: list[Check] = []
    texts = [text]
    if structured is not None and style == "pep257":
        texts.append(render(structured, "google", target))
    problems: list[Problem] = []
    for t in texts:
        for p in consistency_problems(target, t, None, init):
            if p not in problems:
                problems.append(p)
    sig_owner = init if target.kind == "class" else target
    if (
        structured is not None
        and target.kind in ("function", "method")
        and sig_owner is not None
        and not structured.params
    ):
        missing = [p.display_name for p in sig_owner.documented_params()]
        problems.extend(
            Problem("param-missing", f"does not document parameter '{m}'") for m in missing
        )
    grouped = _group_problems(problems)
    if target.kind != "module":
        for name in DOC_SECTIONS:
            msgs = grouped.get(name, [])
            checks.append(Check(name, not msgs, "; ".join(msgs)))
        if structured is not None and target.kind in ("function", "method"):
            wants = target.returns_value and not target.yields
            checks.append(
                Check(
                    "returns-documented",
                    bool(structured.returns) or not wants,
                    "" if structured.returns or not wants else "returns a value but has no Returns",
                    hard=False,
                )
            )
    # names the person already wrote in the docstring are not the draft's invention
    written = set(backticked_names(target.docstring.text)) if target.docstring else set()
    unknown = [n for n in unresolved_names(text, target, symbols, init, facts) if n not in written]
    checks.append(
        Check(
            "names",
            not unknown,
            ("names not found in the repository: " + ", ".join(unknown)) if unknown else "",
        )
    )
    first, _, rest = text.partition("\n")
    summary_problems = []
    if not first.strip():
        summary_problems.append("the summary line is empty")
    elif rest and rest.strip() and not rest.startswith("\n") and not _persons_summary(text, target):
        summary_problems.append("the summary is not one line followed by a blank line")
    checks.append(Check("summary", not summary_problems, "; ".join(summary_problems)))
    checks.extend(_check_literal(text))
    checks.append(check_secret(text))
    return checks


def _first_paragraph(text: str) -> str:
    """The text up to its first blank line, with whitespace runs made single spaces."""
    return " ".join(re.split(r"\n[ \t]*\n", text.strip(), maxsplit=1)[0].split())


def _persons_summary(text: str, target: Target) -> bool:
    """True when ``text`` opens with the first paragraph of the docstring the person wrote.

    A draft that updates a docstring keeps the person's opening as it is (a summary over two
    lines is their style, not the draft's mistake), so the summary check does not fail it.
    """
    if target.docstring is None:
        return False
    own = _first_paragraph(target.docstring.text)
    return bool(own) and _first_paragraph(text) == own


def check_secret(text: str) -> Check:
    """The ``secret`` hard check: fails when ``text`` holds a detected credential.

    The detail counts them and never quotes one (it is logged and shown to the model).
    """
    found = len(find_secrets(text))
    if not found:
        return Check("secret", True)
    what = "a credential" if found == 1 else f"{found} credentials"
    return Check("secret", False, f"the text contains {what}; a draft with one is never applied")


def hard_failures(checks: list[Check]) -> list[Check]:
    """Return the hard checks that failed."""
    return [c for c in checks if c.hard and not c.ok]


def problems_text(checks: list[Check]) -> str:
    """Describe failed checks as a bullet list (quoted back to the model on a redraft)."""
    return "\n".join(f"- {c.name}: {c.detail or 'failed'}" for c in checks if not c.ok)
