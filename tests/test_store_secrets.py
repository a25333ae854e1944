"""API keys never reach the decision log file or anything printed from it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.store import CallRecord, DraftRecord, Store, scrub_text, scrub_value

ANTHROPIC_KEY = "sk-ant-api03-Zx9FAKEKEYfakekey0123456789_abcdefghijklmnopQRSTUV-AA"
OPENAI_KEY = "sk-proj-FAKEfake0123456789abcdefghij"
ENV_KEY = "ollama-token-not-shaped-like-a-key-77"


def test_scrub_helpers() -> None:
    assert ANTHROPIC_KEY not in scrub_text(f"key={ANTHROPIC_KEY} rest")
    assert "rest" in scrub_text(f"key={ANTHROPIC_KEY} rest")
    assert "abcdef123456" not in scrub_text("Authorization: Bearer abcdef123456")
    assert "s3cr3tvalue0123456" not in scrub_text('{"x-api-key": "s3cr3tvalue0123456"}')
    assert "tok3n" not in scrub_text("api_key=ollama-tok3n-abcdefghij")
    cleaned = scrub_value(
        {
            "api_key": "abc12345",
            "headers": {"a": "b"},
            "tokens_in": 5,
            "author": "Ann",
            "max_tokens": 100,
            "nested": [{"password": "hunter22"}],
        }
    )
    assert cleaned == {
        "api_key": "[redacted]",
        "headers": "[redacted]",
        "tokens_in": 5,
        "author": "Ann",
        "max_tokens": 100,
        "nested": [{"password": "[redacted]"}],
    }
    # docstring text that merely mentions keys survives
    assert (
        scrub_text("Args:\n    api_key: the key to use.") == "Args:\n    api_key: the key to use."
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_keys_never_reach_the_db_or_output(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Keys never reach the db (a SQLite file or the shared PostgreSQL store) or output."""
    monkeypatch.delenv("DOCAGENT_DB", raising=False)
    url = ""
    if backend == "postgresql":
        url = request.getfixturevalue("pg_store_url")
        monkeypatch.setenv("DOCAGENT_STORE", url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "m.py").write_text("def f(x):\n    return x\n")
    leak = f"uses {ANTHROPIC_KEY} and {OPENAI_KEY} and {ENV_KEY}"
    with Store.open(root) as store:
        run = store.start_run(
            "batch",
            "anthropic",
            "claude-x",
            "p1",
            {
                "anthropic_api_key": ANTHROPIC_KEY,
                "note": leak,
                "headers": {"x-api-key": ANTHROPIC_KEY},
            },
        )
        did = store.record_draft(
            run,
            DraftRecord(
                "m.py",
                "f",
                "function",
                text=f"Return x. {leak}",
                context={
                    "request": {"headers": {"authorization": f"Bearer {OPENAI_KEY}"}},
                    "prompt": leak,
                },
                structured={"summary": leak},
                source=f"def f(x):\n    return x  # {leak}\n",
                checks=[{"name": "params", "ok": False, "detail": leak}],
                error=leak,
            ),
        )
        store.record_call(
            run,
            CallRecord(
                provider="anthropic", request_id=leak, status="401", error_type=leak, draft_id=did
            ),
        )
        store.record_decision(did, "reject", None, f"bad: {leak}", "ann@example.com", 10)
        store.end_run(run, error=leak)
        store.record_eval_run(0.5, {"m": leak}, [{"out": leak}], run_id=run)
        assert store.run(run).config["anthropic_api_key"] == "[redacted]"  # type: ignore[union-attr]

    outputs = []
    for argv in (
        ["log"],
        ["log", "--json"],
        ["export"],
        ["export", "--format", "inspect"],
        ["export", "--format", "promptfoo"],
    ):
        assert main([*argv, "--repo", str(root)]) == 0
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
    assert "[redacted]" in outputs[1]
    if url:
        from conftest import pg_table_text

        blobs = [pg_table_text(url).encode()]
    else:
        blobs = [p.read_bytes() for p in (root / ".docagent").iterdir()]
    assert blobs and sum(len(b) for b in blobs) > 0
    for secret in (ANTHROPIC_KEY, OPENAI_KEY, ENV_KEY, "Zx9FAKEKEY", "FAKEfake0123"):
        for blob in blobs:
            assert secret.encode() not in blob
        for text in outputs:
            assert secret not in text


def test_short_strings_and_repeated_keys_are_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings of 8 characters (the shortest key value scrubbed) and fields seen many times
    are scrubbed every time: what is remembered is the kind of a field, not its value."""
    monkeypatch.setenv("DOCAGENT_API_KEY", "k3y-8chr")
    checks = [{"name": "secret", "ok": True, "detail": "k3y-8chr"} for _ in range(3)]
    value = {"checks": checks, "api_key": "abcd1234", "Headers": {"x": "y"}, "short": "k3y-8ch"}
    assert scrub_value(value) == {
        "checks": [{"name": "secret", "ok": True, "detail": "[redacted]"}] * 3,
        "api_key": "[redacted]",
        "Headers": "[redacted]",
        "short": "k3y-8ch",
    }
    assert scrub_value({"api_key": "two words"}) == {"api_key": "two words"}


def _reference_scrub(value: object) -> object:
    """``scrub_value`` as it was written before its strings were scrubbed inline: a call per
    value, every mapping entry asked whether it is dropped."""
    from docagent.store import redact

    env = redact.secret_env_values()
    if isinstance(value, str):
        return redact._scrub(value, env) if len(value) >= 8 else value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = str(k)
            out[key] = "[redacted]" if redact._redact_entry(key, v) else _reference_scrub(v)
        return out
    if isinstance(value, list | tuple):
        return [_reference_scrub(v) for v in value]
    return value


class _Text(str):
    """A str subclass (scrubbed like any string)."""


def test_scrub_value_inline_strings_same_as_one_call_per_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nested mappings and lists, secret-named and header keys, short and long strings, non-str
    keys, str subclasses, tuples, the key environment variable's value: the same result as
    the recursive form."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    monkeypatch.setenv("DOCAGENT_API_KEY", ENV_KEY)
    texts = st.sampled_from(
        [
            "",
            "short",
            "plain words of text",
            f"key={ANTHROPIC_KEY} rest",
            OPENAI_KEY,
            f"uses {ENV_KEY} here",
            "Authorization: Bearer abcdef123456",
            "two words",
            "abc12345",
            _Text("subclass text longer than eight"),
            _Text(OPENAI_KEY),
        ]
    )
    keys = st.sampled_from(
        ["text", "api_key", "headers", "token", "tokens_in", "password", "name", "cookie", 3]
    )
    leaves = texts | st.sampled_from([None, 0, 1, False, True, 2.5])
    values = st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.lists(inner, max_size=3).map(tuple)
            | st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=20,
    )

    @settings(max_examples=300, deadline=None)
    @given(values)
    def check(value: object) -> None:
        assert scrub_value(value) == _reference_scrub(value)

    check()
