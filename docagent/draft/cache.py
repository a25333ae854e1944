"""Draft caches: a draft is reused while (code_sha, context hash, prompt version, model) match.

The cache is a two-method protocol so the decision log's store can back it; an in-memory and a
JSON-file implementation are provided.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from docagent.draft.models import Draft
from docagent.jsonfile import read_json_object, write_json_atomic


def hash_key(*parts: str, length: int = 24) -> str:
    """The one way docagent makes a cache key: SHA-256 of ``parts`` joined by NUL, cut short."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:length]


def cache_key(code_sha: str, context_hash: str, prompt_version: str, model: str, style: str) -> str:
    """Return the cache key of a draft (style included: it changes the rendered text)."""
    return hash_key(code_sha, context_hash, prompt_version, model, style)


@runtime_checkable
class DraftSource(Protocol):
    """Where earlier drafts are found by their cache key (the drafter stores nothing in it).

    The decision log is one: the session records every draft there itself.
    """

    def get(self, key: str) -> Draft | None:
        """Return the draft stored under ``key``, or None."""
        ...


@runtime_checkable
class DraftCache(DraftSource, Protocol):
    """Where drafts are kept between runs: the drafter stores each new draft in it."""

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

    def __init__(self, path: str | os.PathLike[str] | None):
        """Open (or prepare to create) the cache file at ``path`` (None: memory only)."""
        self.path = Path(path) if path is not None else None
        self.items: dict[str, dict] = {} if self.path is None else read_json_object(self.path)

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
        self.save()

    def save(self) -> None:
        """Rewrite the file atomically (nothing to do for a memory-only cache)."""
        if self.path is not None:
            write_json_atomic(self.path, self.items)
