"""Find credentials in text: the one secret detector of docagent.

The patterns are the regular-expression plugins of Yelp's ``detect-secrets`` (AWS, GitHub,
GitLab, Slack, Stripe, JWT, private keys, basic-auth URLs, SendGrid, Twilio, npm, PyPI, Discord,
Telegram, Mailchimp, Azure, IBM, Cloudant, Softlayer, Square, Artifactory, OpenAI), used as
``detect-secrets`` does: line by line, with each plugin's own validation of a candidate (a JWT
must decode). Added here: Anthropic and OpenAI project keys (``sk-ant-…``, ``sk-proj-…``),
Google API keys, GitHub fine-grained tokens, bare npm tokens, ``Bearer`` tokens, whole PEM
private-key blocks, and ``password = "…"``-style assignments whose value looks like a
credential (has a digit, or is long), so prose that merely mentions a password survives.

:func:`find_secrets` returns the character spans to hide; :func:`redact` replaces them. Lines
are screened first by a cheap test (a digit, ``@``, ``PRIVATE KEY``), so text without anything
credential-shaped costs one pass. Public IP addresses and high-entropy strings
are not treated as secrets (code is full of hashes and test vectors).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docagent.regex_literals import required_literal_sets, required_literals

REDACTED = "[redacted]"

# detect-secrets plugin modules whose RegexBasedDetector classes are used (not ip_public,
# keyword or high_entropy_strings: too many false positives on source code).
_PLUGIN_MODULES = (
    "artifactory",
    "aws",
    "azure_storage_key",
    "basic_auth",
    "cloudant",
    "discord",
    "github_token",
    "gitlab_token",
    "ibm_cloud_iam",
    "ibm_cos_hmac",
    "jwt",
    "mailchimp",
    "npm",
    "openai",
    "private_key",
    "pypi_token",
    "sendgrid",
    "slack",
    "softlayer",
    "square_oauth",
    "stripe",
    "telegram_token",
    "twilio",
)

_EXTRA = (
    re.compile(r"\bsk-(?:ant|proj|svcacct|admin)-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\bsk-[A-Za-z0-9][A-Za-z0-9_\-]{30,}"),
    re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}"),
    re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
)
_BEARER = re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/=\-]{8,})")
_ASSIGNED_SOURCE = (
    r"(?:passw(?:or)?d|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token"
    r"|authorization)[\w-]*['\"]?\s*(?::=|=>|[:=])\s*(['\"]?)([^\s'\",}]{6,})\1"
)
_ASSIGNED_LOWER = re.compile(_ASSIGNED_SOURCE)  # on lowered text: much faster than IGNORECASE
_ASSIGNED = re.compile(_ASSIGNED_SOURCE, re.IGNORECASE)
_PEM_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.*?(?:-----END \1-----|\Z)", re.DOTALL
)
_SCREEN = re.compile(r"[0-9@]|PRIVATE KEY|PuTTY")
#: :data:`_SCREEN` for a text without ``PRIVATE KEY`` and ``PuTTY`` (the same matches: a search
#: for one character class is about twice as fast as one for an alternation)
_SCREEN_CHARS = re.compile(r"[0-9@]")
#: strings one of which every match of :data:`_ASSIGNED_LOWER` contains (a text with none of
#: them is not searched)
_ASSIGNED_NEEDS = required_literals(_ASSIGNED_LOWER) or ("",)


@dataclass(frozen=True)
class _Rule:
    """One pattern and, for a detect-secrets plugin, the plugin's check of a candidate."""

    pattern: re.Pattern[str]
    confirm: Callable[[str], bool] | None = None
    #: strings one of which every match contains (None: unknown), see :mod:`regex_literals`
    needs: tuple[str, ...] | None = None
    #: the pattern ignores case: ``needs`` are lower case, for ASCII text only
    icase: bool = False
    #: further requirements like :attr:`needs`, each of which a match meets too (the
    #: selective ones: ``key`` or ``token`` or ... after a name; see :func:`_rule`)
    also: tuple[tuple[str, ...], ...] = ()

    def may_match(self, text: str, lowered: str | None) -> bool:
        """False when ``text`` cannot hold a match (none of :attr:`needs`, or none of one of
        :attr:`also`, is in it).

        ``lowered`` is ``text.lower()`` when ``text`` is ASCII, else None.
        """
        if self.needs is None:
            return True
        if self.icase:
            if lowered is None:
                return True
            text = lowered
        return all(any(s in text for s in need) for need in (self.needs, *self.also))


def _rule(pattern: re.Pattern[str], confirm: Callable[[str], bool] | None = None) -> _Rule:
    """A rule with the literal text its pattern cannot match without: the most selective
    requirement, and up to two others no shorter than two characters (one character, such as
    ``:`` or ``.``, is in nearly every line of code: looking for it costs more than it saves).
    """
    icase = bool(pattern.flags & re.IGNORECASE)
    found = required_literal_sets(pattern)  # the first is ``required_literals(pattern)``
    needs = found[0] if found else None
    also = tuple(need for need in found[1:] if min(map(len, need)) >= 2)[:2]
    return _Rule(pattern, confirm, needs, icase, also)


def _plugin_confirm(plugin: object) -> Callable[[str], bool]:
    analyze = plugin.analyze_string  # type: ignore[attr-defined]
    return lambda candidate: any(True for _ in analyze(candidate))


@functools.cache
def _rules() -> tuple[_Rule, ...]:
    """The detect-secrets regex plugins (imported on first use) plus docagent's own patterns."""
    from detect_secrets.plugins.base import RegexBasedDetector

    rules: list[_Rule] = []
    for name in _PLUGIN_MODULES:
        module = importlib.import_module(f"detect_secrets.plugins.{name}")
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, RegexBasedDetector)
                and obj.__module__ == module.__name__
            ):
                plugin = obj()
                confirm = _plugin_confirm(plugin)
                rules.extend(_rule(p, confirm) for p in plugin.denylist)
    rules.extend(_rule(p) for p in _EXTRA)
    return tuple(rules)


def plugin_files_sha() -> str | None:
    """A hash of the installed detect-secrets plugin modules that :data:`_PLUGIN_MODULES` names
    (their patterns are defined in them), read without importing detect-secrets; None when the
    package is not found."""
    spec = importlib.util.find_spec("detect_secrets")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "plugins"
    digest = hashlib.blake2b(digest_size=16)
    try:
        for name in ("base", *_PLUGIN_MODULES):
            digest.update((folder / f"{name}.py").read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def plugin_patterns() -> tuple[tuple[str, int], ...]:
    """The detect-secrets plugins' patterns as ``(source, flags)`` (imports detect-secrets);
    what :mod:`docagent.credential_patterns` holds a copy of."""
    return tuple((r.pattern.pattern, int(r.pattern.flags)) for r in _rules() if r.confirm)


def copied_patterns_module() -> str:
    """The text of :mod:`docagent.credential_patterns` for the installed detect-secrets
    (imports it). Regenerate the copy with ``python -c "from docagent.credentials import
    copied_patterns_module as m; print(m(), end='')" > docagent/credential_patterns.py``."""
    lines = [
        '"""A copy of the detect-secrets plugins\' patterns: screening a text imports nothing.',
        "",
        "Importing detect-secrets costs about 0.3 s, and most texts match none of its patterns:",
        ":func:`docagent.credentials.find_secrets` screens with these and imports the plugins",
        "only to confirm a match. The copy is used only while the installed plugin modules hash",
        "to :data:`PLUGIN_FILES_SHA` (:func:`docagent.credentials.plugin_files_sha`); otherwise",
        "the plugins are imported to screen, as before. Generated by",
        ":func:`docagent.credentials.copied_patterns_module` (tests/security/test_secrets.py",
        "fails when it is out of date).",
        '"""',
        "",
        "# ruff: noqa: E501",
        "",
        f"PLUGIN_FILES_SHA = {plugin_files_sha()!r}",
        "PATTERNS: tuple[tuple[str, int], ...] = (",
        *(f"    ({source!r}, {flags})," for source, flags in plugin_patterns()),
        ")",
    ]
    return "\n".join(lines) + "\n"


def _screen_sources() -> list[tuple[str, int]]:
    """Every rule's pattern as ``(source, flags)``: from :mod:`docagent.credential_patterns`
    when the installed plugins are the ones it was copied from (detect-secrets is then not
    imported), else from the plugins themselves."""
    from docagent import credential_patterns as copied

    if plugin_files_sha() == copied.PLUGIN_FILES_SHA:
        plugins = list(copied.PATTERNS)
    else:
        plugins = list(plugin_patterns())
    return plugins + [(p.pattern, int(p.flags)) for p in _EXTRA]


@functools.cache
def _screens() -> tuple[_Rule, ...]:
    """Every rule's pattern with the literal text its matches need: what screens a text.

    Built without importing detect-secrets (about 0.3 s) when its plugins are the ones
    :mod:`docagent.credential_patterns` copies; the plugins are imported only when a text
    matches one of these, to search it with their rules and confirm each candidate
    (:func:`_rules`).
    """
    return tuple(_rule(re.compile(source, flags)) for source, flags in _screen_sources())


def _any_match(rules: tuple[_Rule, ...], joined: str, lowered: str | None) -> bool:
    """Whether one of ``rules`` matches ``joined`` (``lowered``: its lower case when ASCII);
    each pattern is searched only when the literal text it needs is there
    (:meth:`_Rule.may_match`, inlined: this runs for every screened text)."""
    for rule in rules:
        needs = rule.needs
        if needs is not None:
            hay = lowered if rule.icase else joined
            if hay is not None:
                for s in needs:
                    if s in hay:
                        break
                else:
                    continue
                if rule.also and not all(any(s in hay for s in n) for n in rule.also):
                    continue
        if rule.pattern.search(joined):
            return True
    return False


def _secret_span(m: re.Match[str]) -> tuple[int, int]:
    """The part of a match to hide: a captured value that ends the match (a password before
    ``@``, a quoted key), else the whole match (a token with a captured prefix)."""
    for g in range(m.re.groups, 0, -1):
        start, end = m.span(g)
        if start >= 0 and end > start and m.end() - end <= 2 and end - start >= 4:
            return start, end
    return m.span()


def find_secrets(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the credentials in ``text``, sorted and merged."""
    if len(text) < 8:  # shorter than any credential
        return []
    spans: list[tuple[int, int]] = []
    if "PRIVATE KEY" in text:
        spans.extend(m.span() for m in _PEM_BLOCK.finditer(text))
    lowered = text.lower()
    if "bearer" in lowered:
        spans.extend(m.span(1) for m in _BEARER.finditer(text))
    same_length = len(lowered) == len(text)
    if not same_length:
        assigned = _ASSIGNED.finditer(text)
    elif any(s in lowered for s in _ASSIGNED_NEEDS):
        assigned = _ASSIGNED_LOWER.finditer(lowered)
    else:
        assigned = iter(())  # no name a credential is assigned to
    for m in assigned:
        quote, value = m.group(1), text[m.start(2) : m.end(2)]
        digit = any(c.isdigit() for c in value)
        if (quote and (digit or len(value) >= 16)) or (digit and len(value) >= 12):
            spans.append(m.span(2))
    # detect-secrets works line by line; only lines that pass the screen are searched, joined
    # into one string so each pattern runs once
    cand_starts: list[int] = []
    orig_starts: list[int] = []
    parts: list[str] = []
    cand = 0
    pos = 0
    screen = _SCREEN if "PRIVATE KEY" in text or "PuTTY" in text else _SCREEN_CHARS
    while (hit := screen.search(text, pos)) is not None:
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        end = len(text) if end < 0 else end + 1
        cand_starts.append(cand)
        orig_starts.append(start)
        parts.append(text[start:end] if text[end - 1 : end] == "\n" else text[start:end] + "\n")
        cand += len(parts[-1])
        pos = end
    joined = "".join(parts)
    # a pattern is searched only where the literal text its matches need is (most need text
    # code never has); the plugins are imported only when one of their patterns matches
    lowered_joined = joined.lower() if joined.isascii() else None
    if joined and _any_match(_screens(), joined, lowered_joined):
        for rule in _rules():
            if not rule.may_match(joined, lowered_joined):
                continue
            for m in rule.pattern.finditer(joined):
                if rule.confirm is not None and not rule.confirm(m.group(0)):
                    continue
                start, end = _secret_span(m)
                if end <= start:
                    continue
                i = bisect.bisect_right(cand_starts, start) - 1
                seg_end = cand_starts[i + 1] if i + 1 < len(cand_starts) else len(joined)
                end = min(end, seg_end)
                shift = orig_starts[i] - cand_starts[i]
                spans.append((start + shift, min(end + shift, len(text))))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def has_secret(text: str) -> bool:
    """True when ``text`` holds a credential :func:`find_secrets` detects."""
    return bool(find_secrets(text))


def redact(text: str, spans: list[tuple[int, int]] | None = None) -> str:
    """``text`` with each credential (or each of ``spans``) replaced by ``[redacted]``."""
    spans = find_secrets(text) if spans is None else spans
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(REDACTED)
        last = end
    parts.append(text[last:])
    return "".join(parts)
