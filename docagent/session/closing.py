"""Closing a session: the ``--commit`` commit of the files it changed, and the run summary
(coverage before and after, totals).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent import observability, repo
from docagent.errors import DocagentError
from docagent.session.deciding import Deciding

if TYPE_CHECKING:
    pass


def commit_message(documented: list[tuple[str, str]], attribution: str = "") -> str:
    """The ``--commit`` message: a subject and one line per documented target.

    Targets outside Python files are README sections and are counted as such in the subject.

    ``attribution`` (only when the ``ai_attribution`` setting is true) is appended as its own
    paragraph.
    """
    n = sum(1 for path, _ in documented if path.endswith((".py", ".pyi")))
    sections = len(documented) - n
    parts = [f"docstrings to {n} target{'s' if n != 1 else ''}"] if n or not sections else []
    if sections:
        parts.append(f"{sections} README section{'s' if sections != 1 else ''}")
    subject = "docs: add " + " and ".join(parts)
    body = "\n".join(f"- {path}: {qualname}" for path, qualname in documented)
    message = f"{subject}\n\n{body}\n" if body else subject + "\n"
    if attribution:
        message += f"\n{attribution}\n"
    return message


class Closing(Deciding):
    """The commit of the session's changes and the end of its run."""

    def coverage_scope(self) -> str:
        """What this session's coverage figures cover: the path scanned and ``--since``.

        Reports compare before/after only between snapshots of the same scope.
        """
        try:
            rel = self.path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            rel = "."
        scope = rel if rel not in ("", ".") else "."
        return f"{scope} since {self.since}" if self.since else scope

    def commit(
        self, documented: list[tuple[str, str]], branch: str | None = None
    ) -> tuple[str, str]:
        """Commit the files this session changed (``review --commit``); return ``(line, error)``.

        ``documented`` are the ``(path, qualname)`` targets the message lists; ``branch`` is a
        new branch to commit on. ``line`` says what was committed ("" when nothing changed or
        the commit failed); ``error`` is git's last line of complaint (errors are not raised).
        With the ``ai_attribution`` setting, the message says the docstrings were drafted
        with docagent and reviewed by a person.
        """
        changed = self.changed_paths()
        if not changed:
            return "", ""
        attribution = ""
        if self.settings.ai_attribution:
            attribution = (
                f"Docstrings drafted with docagent ({self.provider.name} "
                f"{self.provider.model}) and reviewed by a person."
            )
        message = commit_message(documented, attribution)
        try:
            sha = repo.commit_files(Path(self.root), changed, message, branch)
        except Exception as exc:  # git errors are reported, not raised
            text = str(getattr(exc, "stderr", "") or exc).strip().splitlines()
            return "", text[-1] if text else type(exc).__name__
        where = f" on new branch {branch}" if branch else ""
        return f"committed {sha[:10]}{where}: {message.splitlines()[0]}", ""

    def changed_paths(self) -> list[str]:
        """Files this session changed and did not undo."""
        return sorted({u.path for u in self._undo} | self._changed)

    def close(self, *, unchanged: bool = False, **summary: Any) -> None:
        """End the run: record coverage before/after and a summary; close the log.

        ``unchanged``: the run changed no file, so the coverage after is the coverage before
        (no second scan).
        """
        if self.run_id:
            after = self.coverage_before
            try:
                from docagent.scan import scan

                if not unchanged:
                    after = scan(self.path, self.settings, since=self.since).summary()["coverage"]
            except DocagentError:
                pass
            self.coverage_after = after
            if self.coverage_before is not None and after is not None:
                self.store.record_coverage(
                    self.run_id, self.coverage_before, after, scope=self.coverage_scope()
                )
            self.store.end_run(self.run_id, **{**self.totals, **summary})
            observability.end_run(self.run_id, **{**self.totals, **summary})
            self.run_id = ""
        self.store.close()
