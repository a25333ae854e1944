"""Run a docagent command in a process that is SIGKILLed on the n-th call of a function."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_killed(target: str, nth: int, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``docagent <argv>`` in a fresh process, killed with SIGKILL when the function named by
    the dotted ``target`` (a module function, or a class's method) is called the ``nth`` time."""
    script = textwrap.dedent(
        f"""
        import importlib, os, signal
        parts = {target!r}.split(".")
        try:
            holder = importlib.import_module(".".join(parts[:-1]))
        except ImportError:
            holder = getattr(importlib.import_module(".".join(parts[:-2])), parts[-2])
        real = getattr(holder, parts[-1])
        calls = []
        def killed(*args, **kwargs):
            calls.append(1)
            if len(calls) == {nth}:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        setattr(holder, parts[-1], killed)
        from docagent.cli import main
        main({argv!r})
        """
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
