"""One drafting run per repository: the run lock ``.docagent/run.lock``.

Two ``docagent batch`` runs on one repository at once would draft and pay for the same targets
twice and record two decisions per target. :func:`run_lock` takes an exclusive ``flock`` on
``<root>/.docagent/run.lock`` for the length of a run and writes the holder's pid into it; a
second run stops at once with a one-line error naming that pid (exit 2). The operating system
releases the lock when its holder dies, so a run killed with ``kill -9`` leaves no lock behind:
the next run takes over and says whose lock it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docagent.errors import DocagentError

LOCK_NAME = "run.lock"


class RunLocked(DocagentError):
    """Another docagent run holds the repository's run lock (exit 2)."""


@dataclass
class RunLock:
    """A held run lock: its file and the pid a killed earlier holder left in it (or None)."""

    path: Path
    stale_pid: int | None = None


def _read_pid(fd: int) -> int | None:
    """The pid written in the lock file (None when empty or unreadable)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 64).decode("ascii", "replace").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def _open(root: Path) -> tuple[Path, int]:
    """Open (creating) the lock file, refusing a ``.docagent`` or lock that leaves ``root``."""
    folder = root / ".docagent"
    path = folder / LOCK_NAME
    try:
        folder.mkdir(exist_ok=True)
        if not folder.resolve().is_relative_to(root.resolve()):
            raise DocagentError(
                f"{folder}: leads outside the repository (a symlink?); remove it and run again"
            )
        with contextlib.suppress(DocagentError, OSError):
            from docagent.repo import ensure_excluded

            ensure_excluded(root, ".docagent/")
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        return path, os.open(path, flags, 0o644)
    except OSError as exc:
        raise DocagentError(f"{path}: cannot open the run lock ({exc.strerror or exc})") from None


@contextlib.contextmanager
def run_lock(root: str | Path, command: str = "batch") -> Iterator[RunLock]:
    """Hold the run lock of the repository at ``root`` while the ``with`` block runs.

    Yields:
        The held :class:`RunLock` (with the pid of a killed earlier holder, if any).

    Raises:
        RunLocked: Another process holds it; the message names its pid.
        DocagentError: The lock file cannot be opened (or ``.docagent`` leads outside).
    """
    import fcntl

    root = Path(root)
    path, fd = _open(root)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            who = f"pid {pid}" if pid else "another process"
            raise RunLocked(
                f"another docagent run ({who}) is working on {root}; wait for it to finish "
                f"or stop it, then run {command} again (lock: {path})"
            ) from None
        stale = _read_pid(fd)  # a holder that ended normally leaves the file empty
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield RunLock(path, stale if stale != os.getpid() else None)
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the flock


__all__ = ["LOCK_NAME", "RunLock", "RunLocked", "run_lock"]
