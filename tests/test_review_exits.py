"""``docagent review`` ends honestly: crashes and signals exit non-zero with the summary printed.

An unexpected error restores the terminal, names a log file holding the traceback and keeps
every decision (``--commit`` commits what was accepted); SIGINT ends the session like ``q``;
a branch that already exists and a missing terminal are refused before anything starts.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from review_helpers import FILES, docstring_of, make_app, wait_for, wait_shown

from docagent.cli import main

SIZE = (100, 30)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_an_existing_branch_is_refused_before_the_session(
    repo_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo_factory(FILES)
    _git(root, "branch", "docs")
    assert main(["review", str(root), "--commit", "--branch", "docs"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["review", str(root), "--commit", "--branch", "bad..name"]) == 2
    assert "not a valid branch name" in capsys.readouterr().err


def test_review_without_a_terminal_refuses_at_once(repo_factory: Any) -> None:
    root = repo_factory(FILES)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "docagent", "review", str(root)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "needs a terminal" in proc.stderr and "docagent batch" in proc.stderr
    assert time.monotonic() - started < 30


async def test_an_unexpected_error_keeps_decisions_commits_and_names_a_log(
    repo_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo_factory(FILES)
    app = make_app(root, commit=True)
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=SIZE) as pilot:
            await wait_shown(pilot, app)
            first = app.current_item()
            await pilot.press("a")
            await wait_for(pilot, lambda: first.state == "done")
            await wait_shown(pilot, app)

            def broken(*args: Any, **kwargs: Any) -> Any:
                raise RuntimeError("boom")

            monkeypatch.setattr(app.session, "accept", broken)
            await pilot.press("a")
            await wait_for(pilot, lambda: bool(app.crash))
    assert app.exit_code() == 1
    assert "RuntimeError: boom" in app.crash and "the traceback is in" in app.crash
    log = Path(app.crash.rsplit("the traceback is in ", 1)[1])
    assert log.is_file() and "Traceback" in log.read_text() and "boom" in log.read_text()
    assert log.parent == root / ".docagent" / "logs"
    summary = app.summary
    assert summary is not None and summary.accepted == 1
    assert summary.commit.startswith("committed ")
    assert docstring_of(root, first.qualname) is not None
    assert "calc.py" in _git(root, "show", "--stat", "HEAD")


async def test_an_interrupt_ends_the_session_like_q(repo_factory: Any) -> None:
    root = repo_factory(FILES)
    app = make_app(root, commit=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_shown(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: app.tally.count("accept") == 1)
        app.interrupt()
        await wait_for(pilot, lambda: app.summary is not None and app.return_code is not None)
    assert app.exit_code() == 130
    assert app.summary is not None and app.summary.accepted == 1
    assert app.summary.commit.startswith("committed ")


@pytest.mark.skipif(sys.platform != "linux", reason="needs a Linux pseudo-terminal")
def test_sigint_in_a_real_terminal_prints_the_summary_and_exits_130(repo_factory: Any) -> None:
    root = repo_factory(FILES)
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("ANTHROPIC_API_KEY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "docagent", "review", str(root)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while b"add" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        assert b"add" in seen, "the review screen never appeared"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        # keep reading while it ends: a full pseudo-terminal buffer would block its last writes
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal closed: the process is gone
                    chunk = b""
                seen += chunk
                if chunk:
                    continue
            if proc.poll() is not None:
                break
        code = proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert code == 130
    assert "docagent review: 0 accepted" in text and "interrupted" in text
    assert "Traceback" not in text
