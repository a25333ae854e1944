"""Reading a session's files: their facts, parsed again whenever a file changed on disk."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from docagent.code.targets import FileFacts, SourceError, read_file
from docagent.session.base import SessionState

if TYPE_CHECKING:
    pass


class FileReading(SessionState):
    """The session's parsed files, keyed by path and checked against the file's stamp."""

    def _stamp(self, rel: str) -> tuple[int, int, int] | None:
        path = self._abs_paths.get(rel)
        if path is None:  # joined once per file: a run asks for a target's facts many times
            path = self._abs_paths[rel] = os.path.join(self.root, rel)
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self, rel: str) -> FileFacts | None:
        with self._lock:
            stamp = self._stamp(rel)
            try:
                facts = read_file(str(self.root / rel), rel)
            except SourceError as exc:
                self.errors.append((rel, str(exc)))
                return None
            if stamp is not None:
                self._facts[rel] = (stamp, facts)
            return facts

    def _adopt(self, rel: str, facts: FileFacts, sha: str) -> FileFacts | None:
        """Keep ``facts`` that a scan worker read (:attr:`ScanResult.facts
        <docagent.scan.ScanResult.facts>`) when the file still has the bytes it read (their
        hash is ``sha``); None when it changed since, or cannot be read (then read it again)."""
        from docagent.scan import content_hash

        with self._lock:
            stamp = self._stamp(rel)
            try:
                data = (self.root / rel).read_bytes()
            except OSError:
                return None
            if stamp is None or content_hash(data) != sha:
                return None
            self._facts[rel] = (stamp, facts)
            return facts

    def facts(self, rel: str) -> FileFacts | None:
        """The current facts of a file: re-read whenever the file changed on disk.

        A file edited outside the session (an editor, another review) is parsed again, so a
        new draft (``g``) is made from what is on disk, not from an old parse.
        """
        with self._lock:
            cached = self._facts.get(rel)
            if cached is not None and cached[0] == self._stamp(rel):
                return cached[1]
            return self._read(rel)
