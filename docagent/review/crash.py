"""Where an unexpected error in the review TUI is written: a log file, not the terminal."""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from pathlib import Path


def write_crash_log(root: Path | None, error: BaseException) -> Path:
    """Write ``error``'s traceback to ``.docagent/logs/`` under ``root`` and return the path.

    Without a repository root (the session never started), or when that directory cannot be
    written, the log goes to the system's temporary directory.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = "".join(traceback.format_exception(error))
    candidates = [root / ".docagent" / "logs"] if root is not None else []
    candidates.append(Path(tempfile.gettempdir()))
    for directory in candidates:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"review-crash-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path(os.devnull)


def first_line(error: BaseException) -> str:
    """The first line of an error's message, cut to fit one terminal line."""
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line if len(line) <= 120 else line[:117] + "..."
