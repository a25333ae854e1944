"""Draft caches: a draft is reused while (code_sha, context hash, prompt version, model) match.

The cache is a two-method protocol so the decision log's store can back it; an in-memory and a
JSON-file implementation are provided.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

from docagent.draft.models import Draft


def cache_key(code_sha: str, context_hash: str, prompt_version: str, model: str, style: str) -> str:
    """Return the cache key of a draft (style included: it changes the rendered text)."""
    raw = "\0".join((code_sha, context_hash, prompt_version, model, style))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


@runtime_checkable
class DraftCache(Protocol):
    """Where drafts are kept between runs."""

    def get(self, key: str) -> Draft | None:
        """Return the draft stored under ``key``, or None."""
        ...

    def put(self, key: str, draft: Draft) -> None:
        """Store ``draft`` under ``key``."""
        ...


class MemoryCache:
    """A dict-backed cache for one process."""

    def __init__(self) -> None:
        """Create an empty cache."""
        self.items: dict[str, Draft] = {}

    def get(self, key: str) -> Draft | None:
        """Return the draft stored under ``key``, or None."""
        return self.items.get(key)

    def put(self, key: str, draft: Draft) -> None:
        """Store ``draft`` under ``key``."""
        self.items[key] = draft


class JsonFileCache:
    """A cache in one JSON file (for example ``.docagent/drafts.json``), written atomically."""

    def __init__(self, path: str | os.PathLike[str]):
        """Open (or prepare to create) the cache file at ``path``."""
        self.path = Path(path)
        self.items: dict[str, dict] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    self.items = data
            except (OSError, ValueError):
                self.items = {}

    def get(self, key: str) -> Draft | None:
        """Return the draft stored under ``key``, or None (also for unreadable entries)."""
        data = self.items.get(key)
        if data is None:
            return None
        try:
            return Draft.from_dict(data)
        except (TypeError, ValueError, KeyError):
            return None

    def put(self, key: str, draft: Draft) -> None:
        """Store ``draft`` under ``key`` and rewrite the file atomically."""
        self.items[key] = draft.to_dict()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".drafts-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.items, fh, ensure_ascii=False)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
