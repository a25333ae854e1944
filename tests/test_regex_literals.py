"""The literal screen in front of the secret patterns never lets a credential through."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest

from docagent import credentials
from docagent.credentials import _rules, find_secrets
from docagent.regex_literals import required_literal_sets, required_literals

sys.path.insert(0, str(Path(__file__).parent / "security"))
from test_secrets import planted  # noqa: E402


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"AccountKey=[a-zA-Z0-9+\/=]{88}", ("AccountKey=",)),
        (r"\bnpm_[A-Za-z0-9]{36}\b", ("npm_",)),
        (r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA)[0-9A-Z]{16}", ("3T", "BIA", "CCA", "KIA")),
        (r"(?i)x(?:key|PWD)+=", ("key", "pwd")),
        (r"(?:ab)?cd", ("cd",)),
        (r"a.b", ("a",)),  # "a" and "b" are each needed; either is a valid screen
        (r"(?:ab|c?)d", ("d",)),  # an optional alternative needs nothing: only "d" is sure
        (r"[xy]+\d", None),
        (r"(?<=key)\d+", None),  # a look-behind consumes nothing
        (r"(?i:key)\d+", None),  # a change of case sensitivity is not followed
    ],
)
def test_required_literals(pattern: str, needs: tuple[str, ...] | None) -> None:
    assert required_literals(re.compile(pattern)) == needs


def test_a_text_without_the_literals_has_no_match_and_one_with_them_is_searched() -> None:
    rule = credentials._rule(re.compile(r"(?i)\bsecret_key\s*=\s*\w{8}"))
    assert rule.needs == ("secret_key",)
    text = "SECRET_KEY = abcdefgh"
    assert rule.pattern.search(text)
    assert rule.may_match(text, text.lower())
    assert not rule.may_match("nothing here", "nothing here")
    # outside ASCII, case folding has exceptions ("ſ" matches "s"): always searched
    odd = "ſECRET_KEY = abcdefgh"
    assert rule.pattern.search(odd)
    assert rule.may_match(odd, None)


def test_required_literal_sets_are_every_requirement_most_selective_first() -> None:
    """A keyword pattern needs its name and one of its key words: both are screens."""
    pattern = re.compile(r"(?i)(?<=\W)(?:cloudant|cl)_?(?:key|pwd|token)\s*=\s*\w{8}")
    sets = required_literal_sets(pattern)
    assert sets == (("key", "pwd", "token"), ("cl",), ("=",))
    assert sets[0] == required_literals(pattern)
    assert required_literal_sets(re.compile(r"[xy]+\d")) == ()
    rule = credentials._rule(pattern)
    assert rule.needs == ("key", "pwd", "token")
    assert rule.also == (("cl",),)  # one character ("=") is no screen worth having
    assert not rule.may_match("token = abcdefgh", "token = abcdefgh")  # no "cl": not searched
    assert rule.may_match(" cl_token = abcdefgh", " cl_token = abcdefgh")
    for each in credentials._screens():  # the first requirement is the one screen it had
        assert each.needs == required_literals(each.pattern)


def _corpus() -> list[str]:
    """The planted credentials alone and inside code, credential-like lines the screens let
    through or stop (keyword patterns, a PEM or PuTTY key named on another line, text outside
    ASCII), and clean code."""
    texts = []
    for line, _secret in planted().values():
        texts += [line, f"x = 1\n{line}\ny = 2\n", f"def f():\n    {line}  # 42\n"]
        texts.append(f"# no PRIVATE KEY here\nz = 'PuTTY'\n{line}\nw = 3")
        texts.append(f"ſécret = 'ß'\n{line}")
    value = "Q7xk2Lm9Pz4Rt8Vw1Ny6Bc3Hd5Fg0Js"
    texts += [
        f'cloudant_password = "{value[:24].lower()}"',
        f'cl_key = "{value}"\nprint(1)',
        f'ibm_cloud_iam_api_key = "{value}{value[:13]}"',
        f'softlayer_api_key = "{value}{value}{value[:2]}"',
        f"sl_token: {value}{value}{value[:2]}",
        'password = "Tr0ub4dor&3horse"\n',
        'PASSWORD = "Tr0ub4dor&3horse"  # ſ',
        f"auth_token = '{value}'",
        "api_key=12345678901234",
        'x = f()\nDB = "postgresql://admin:HunterPassWord@db.internal/prod"\n',  # no digit
        "no secret here, only 1234 digits and an api mention",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
        "PuTTY-User-Key-File-2: ssh-rsa\nPrivate-Lines: 14",
        "def f(x):\n    return x + 1\n" * 20,
    ]
    return texts


def test_the_screen_finds_what_the_rules_alone_find(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every planted credential, alone and inside code, and the other texts of the corpus give
    the same spans with every screen (literal requirements, the digit screen of lines, the
    names a password is assigned to) as with every rule searched everywhere."""
    texts = _corpus()
    screened = [find_secrets(t) for t in texts]
    assert sum(map(bool, screened)) >= 3 * len(planted())
    unscreened = tuple(dataclasses.replace(r, needs=None) for r in _rules())
    monkeypatch.setattr(credentials, "_rules", lambda: unscreened)
    unscreening = tuple(dataclasses.replace(r, needs=None) for r in credentials._screens())
    monkeypatch.setattr(credentials, "_screens", lambda: unscreening)
    monkeypatch.setattr(credentials, "_SCREEN_CHARS", credentials._SCREEN)
    monkeypatch.setattr(credentials, "_ASSIGNED_NEEDS", ("",))
    assert [find_secrets(t) for t in texts] == screened


def test_every_rule_has_a_screen_that_its_own_examples_pass() -> None:
    """The detect-secrets patterns all get a screen (else the speed-up is gone), and each
    planted credential passes the screen of a rule that matches it."""
    from docagent import credential_patterns
    from docagent.credentials import plugin_files_sha

    rules = _rules()
    if plugin_files_sha() == credential_patterns.PLUGIN_FILES_SHA:
        # the detect-secrets release the project is measured with: every pattern is screened
        # (another release may add a pattern without a literal: it then runs unscreened)
        assert sum(r.needs is not None for r in rules) == len(rules)
        assert all(r.needs is not None for r in credentials._screens())
    for line, _secret in planted().values():
        for rule in rules:
            if rule.pattern.search(line):
                assert rule.may_match(line, line.lower() if line.isascii() else None), line
