"""Planted credentials never reach the log, its outputs, a prompt, a source file or --out.

The fixture plants 21 kinds of credential in a repository's code (built here at run time, so
this file holds none). A batch run through the real anthropic SDK against the loopback server
stores drafts with their context; every output of the log is then searched for each value.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import make_repo
from servers import MessagesServer

from docagent.batch import run_batch
from docagent.cli import main
from docagent.credentials import find_secrets, redact
from docagent.draft.draft_checks import check_secret


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def planted() -> dict[str, tuple[str, str]]:
    """kind -> (a line of Python holding the credential, the credential's secret part)."""
    alnum = "Q7xk2Lm9Pz4Rt8Vw1Ny6Bc3Hd5Fg0JsE"  # 32 characters
    aws_id = "AKIA" + "Z7Q4K2M9X3B8N6L5"
    aws_secret = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYz9Q2k8Lm4Np0"
    jwt = ".".join([_b64({"alg": "HS256", "typ": "JWT"}), _b64({"sub": "42"}), "c2lnbmF0dXJl"])
    pem_body = "MIIEowIBAAKCAQEA" + alnum * 2
    values = {
        "aws key id": (f'AWS_KEY_ID = "{aws_id}"', aws_id),
        "aws secret": (f'aws_secret_access_key = "{aws_secret}"', aws_secret),
        "github classic": (f'GH = "ghp_{alnum}Ab12"', f"ghp_{alnum}Ab12"),
        "github fine-grained": (
            f'GH2 = "github_pat_11A{alnum}_{alnum}Zz"',
            f"github_pat_11A{alnum}_{alnum}Zz",
        ),
        "gitlab": (f'GL = "glpat-{alnum[:20]}"', f"glpat-{alnum[:20]}"),
        "slack bot": (
            'SLACK = "xoxb-1234567890-1234567890123-' + alnum[:24] + '"',
            "xoxb-1234567890-1234567890123-" + alnum[:24],
        ),
        "slack webhook": (
            f'HOOK = "https://hooks.slack.com/services/T0{alnum[:8]}/B0{alnum[:8]}/{alnum[:24]}"',
            f"B0{alnum[:8]}/{alnum[:24]}",
        ),
        "stripe": (f'STRIPE = "sk_live_{alnum[:24]}"', f"sk_live_{alnum[:24]}"),
        "database url": (
            'DB = "postgresql://admin:Hunter2Pa55w0rd@db.internal/prod"',
            "Hunter2Pa55w0rd",
        ),
        "password assignment": ('password = "Tr0ub4dor&3horse"', "Tr0ub4dor&3horse"),
        "jwt": (f'TOKEN = "{jwt}"', jwt),
        "pem private key": (
            'KEY = """-----BEGIN RSA PRIVATE KEY-----\n'
            f'{pem_body}\n-----END RSA PRIVATE KEY-----"""',
            pem_body,
        ),
        "anthropic": (f'ANT = "sk-ant-api03-{alnum}{alnum}-AA"', f"sk-ant-api03-{alnum}{alnum}-AA"),
        "openai project": (f'OAI = "sk-proj-{alnum}{alnum}"', f"sk-proj-{alnum}{alnum}"),
        "google": (f'GOOGLE = "AIza{alnum}abc"', f"AIza{alnum}abc"),
        "bearer": (f'HEADERS = {{"Authorization": "Bearer {alnum}"}}', alnum),
        "sendgrid": (
            f'SG = "SG.{alnum[:22]}.{alnum}{alnum[:11]}"',
            f"SG.{alnum[:22]}.{alnum}{alnum[:11]}",
        ),
        "twilio": (f'TWILIO = "SK{"0123456789abcdef" * 2}"', f"SK{'0123456789abcdef' * 2}"),
        "npm": (f'NPM = "npm_{alnum}{alnum[:4]}"', f"npm_{alnum}{alnum[:4]}"),
        "pypi": (
            'PYPI = "pypi-AgEIcHlwaS5vcmc' + alnum * 3 + '"',
            "pypi-AgEIcHlwaS5vcmc" + alnum * 3,
        ),
        "telegram": (f'TG = "123456789:A{alnum}ab"', f"123456789:A{alnum}ab"),
    }
    return values


def test_the_detector_finds_every_planted_kind() -> None:
    kinds = planted()
    assert len(kinds) >= 15
    for kind, (line, secret) in kinds.items():
        assert secret not in redact(line), kind
    prose = "Args:\n    password: the user's password.\n    api_key: the key to use.\n"
    assert find_secrets(prose) == []
    assert check_secret(prose).ok


def _module() -> str:
    """Credentials at module level and inside the function being documented (its context)."""
    planted_lines = [line for line, _ in planted().values()]
    lines = ['"""Settings with credentials a developer forgot to remove."""', "", *planted_lines]
    lines += ["", "", "def connect(host, port):"]
    lines += ["    " + line.replace("\n", "\n    ") for line in planted_lines]
    lines += ["    return (host, port)", ""]
    return "\n".join(lines)


def _leaks(text: str) -> list[str]:
    return [kind for kind, (_, secret) in planted().items() if secret in text]


def test_no_credential_in_the_log_its_outputs_or_the_prompt(
    tmp_path: Path, server: MessagesServer, capsys
) -> None:
    root = make_repo(tmp_path / "repo", {"settings.py": _module()})
    summary = run_batch(root, provider="anthropic", progress=False, quiet=True)
    assert summary["drafted"] >= 1
    prompts = json.dumps([r.json for r in server.calls("/v1/messages")])
    assert _leaks(prompts) == []  # redacted before sending (redact_prompts is on by default)
    assert "[redacted]" in prompts
    db = root / ".docagent" / "docagent.db"
    raw = db.read_bytes()
    with sqlite3.connect(db) as conn:  # and every text column, in case of compression
        rows = json.dumps([list(r) for r in conn.execute("SELECT * FROM drafts")], default=str)
    assert _leaks(raw.decode("latin-1")) == [] and _leaks(rows) == []
    capsys.readouterr()
    assert main(["log", "--json", "--repo", str(root)]) == 0
    assert _leaks(capsys.readouterr().out) == []
    # decisions people made become eval cases: accept everything, then export all formats
    assert main(["batch", str(root), "--provider", "anthropic", "--apply"]) in (0, 1)
    capsys.readouterr()
    for fmt in ("jsonl", "inspect", "promptfoo"):
        assert main(["export", "--repo", str(root), "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert _leaks(out) == [], fmt


def test_prompt_redaction_can_be_turned_off(
    tmp_path: Path, server: MessagesServer, monkeypatch
) -> None:
    root = make_repo(tmp_path / "repo", {"settings.py": _module()})
    monkeypatch.setenv("DOCAGENT_REDACT_PROMPTS", "false")
    run_batch(root, provider="anthropic", progress=False, quiet=True)
    prompts = json.dumps([r.json for r in server.calls("/v1/messages")])
    assert "ghp_" in prompts


def test_a_draft_echoing_a_credential_is_never_applied(
    tmp_path: Path, server: MessagesServer
) -> None:
    line, secret = planted()["github classic"]
    source = "def connect(host, port):\n    return (host, port)\n"
    root = make_repo(tmp_path / "repo", {"net.py": source})
    server.faults = {"connect": [("describe", f"Uses {secret}.")] * 3}
    out = tmp_path / "proposals.jsonl"
    summary = run_batch(root, provider="anthropic", apply=True, out=out, progress=False)
    assert secret not in (root / "net.py").read_text()
    assert summary["applied"] <= 1  # the module docstring, not the echoing function
    records = [json.loads(x) for x in out.read_text().splitlines()]
    connect = next(r for r in records if r["qualname"] == "connect")
    assert connect["status"] != "accepted" and secret not in out.read_text()
    assert "secret" in json.dumps(connect.get("checks", [])) or connect["status"] == "proposed"


def test_every_target_of_a_file_gets_the_redacted_file_context(
    tmp_path: Path, server: MessagesServer
) -> None:
    """The file context is redacted once per file and reused: the later targets of the file
    must get the redacted text too, never the original."""
    source = (
        _module() + "\n\ndef close(handle):\n    return handle\n\n\ndef reopen(h):\n    return h\n"
    )
    root = make_repo(tmp_path / "repo", {"settings.py": source})
    summary = run_batch(root, provider="anthropic", progress=False, quiet=True)
    assert summary["drafted"] == 3
    calls = [r.json for r in server.calls("/v1/messages")]
    assert len(calls) >= 3
    for call in calls:
        assert _leaks(json.dumps(call)) == []


def test_the_copied_patterns_are_the_installed_plugins() -> None:
    """The copy that screens texts without importing detect-secrets is the installed one's
    (regenerate docagent/credential_patterns.py with ``copied_patterns_module`` when not)."""
    from docagent import credential_patterns
    from docagent.credentials import _screen_sources, plugin_files_sha, plugin_patterns

    if plugin_files_sha() == credential_patterns.PLUGIN_FILES_SHA:
        assert plugin_patterns() == credential_patterns.PATTERNS
    else:  # another detect-secrets release: its own patterns screen, never the stale copy
        screened = _screen_sources()
        assert screened[: len(plugin_patterns())] == list(plugin_patterns())


def test_a_stale_copy_of_the_patterns_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the installed plugins are not the copied ones, texts are screened with theirs."""
    from docagent import credential_patterns
    from docagent.credentials import _screen_sources, plugin_patterns

    monkeypatch.setattr(credential_patterns, "PLUGIN_FILES_SHA", "another release")
    monkeypatch.setattr(credential_patterns, "PATTERNS", (("stale-only", 0),))
    screened = _screen_sources()
    assert ("stale-only", 0) not in screened
    assert screened[: len(plugin_patterns())] == list(plugin_patterns())


def test_screening_a_clean_text_does_not_import_detect_secrets() -> None:
    """A run's summary (digits, paths, a model name) is screened without the 0.3 s import,
    and a planted credential is still found (the plugins are imported to confirm it)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from docagent.credentials import find_secrets\n"
        "assert find_secrets('out /tmp/r1/p200.jsonl model offline-2 in 1.3s') == []\n"
        "print('detect_secrets' in sys.modules)\n"
        f"print(find_secrets({planted()['github classic'][0]!r}) != [])\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True", "True"]


def test_changed_plugins_are_imported_to_screen(monkeypatch) -> None:
    """When the installed plugins are not the ones copied, screening uses the plugins."""
    from docagent import credentials

    monkeypatch.setattr(credentials, "plugin_files_sha", lambda: "another version")
    credentials._screens.cache_clear()
    try:
        sources = credentials._screen_sources()
        assert sources[: len(credentials.plugin_patterns())] == list(credentials.plugin_patterns())
        assert find_secrets(planted()["github classic"][0])
    finally:
        credentials._screens.cache_clear()
