"""A cache of what drafting reads from Python's ``ast`` per file version, next to the scan cache.

``.docagent/facts-cache.json`` keeps, per file version (the hash of its bytes), the
:class:`~docagent.code.astfacts.AstFacts` that one parse and one traversal give: the code
fingerprint of every target (``code_sha``), the names each definition calls and the names its
imports bind; the hash of each target's current docstring; and where each target's docstring
is or a new one would go (:mod:`docagent.code.placement_facts`), with which ``apply`` plans an
edit of that version without reading it with tree-sitter (:meth:`FactsCache.file_facts`).
A file Python's parser rejects is kept too, with the fingerprints of its tokens
(:mod:`docagent.code.token_fingerprints`) and the parser's message. A ``batch`` re-run finds
its targets' fingerprints and docstring hashes there instead of reading, parsing and traversing
every file again (with the scan cache, a file with nothing to draft is not read at all); a file
whose bytes changed has another hash, so an entry is never stale. The syntax tree itself is
not kept: whatever needs it (resolving calls for a draft) parses the file, once.

Like the scan cache it is data, never code: JSON checked field by field, for this Python
version only (its parser decides the fingerprints), signed with this user's scan-cache key
(:func:`docagent.scan.cache_key`). A cache that is missing, damaged, from another user, machine
or Python, or of an older format is ignored: the files are parsed again and the cache is
rewritten. Failing to write it only costs time on the next run.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from docagent.code.astfacts import AstFacts
from docagent.code.placement_facts import placement, targets_from_placement
from docagent.code.targets import FileFacts, SourceError, decode_source, detect_newline
from docagent.signed_json import read_signed, write_signed

CACHE_NAME = "facts-cache.json"
#: bump when the facts of an unchanged file can change (fingerprints, calls, imports,
#: placement; 4: where each docstring is or goes)
CACHE_VERSION = 4
_MAGIC = b"docagent-facts-cache"
#: entries of file versions not seen in a run that are kept (a branch switched back and forth)
KEEP_UNSEEN = 4096
#: :meth:`FactsCache.load_for` reads the cache when it is at most this many times the size of
#: the files it would spare parsing: reading a byte of the cache costs about a third of
#: parsing and fingerprinting a byte of source (measured on the standard library)
READ_RATIO = 2
#: a cache of at most this many bytes is read whatever is edited (a millisecond or two)
READ_ALWAYS = 64 * 1024


def content_sha(facts: FileFacts) -> str:
    """The cache key of a file version: a hash of its bytes (as the scan cache's)."""
    return hashlib.blake2b(facts.source, digest_size=16).hexdigest()


#: the header tag of the cache: its kind, format and the Python its fingerprints are for
TAG = b"%s %d %d.%d" % (_MAGIC, CACHE_VERSION, *sys.version_info[:2])


def _str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _entry(value: Any) -> tuple[AstFacts, dict[str, str]] | None:
    """The facts and docstring hashes of one cache entry, or None when it is malformed."""
    if not (isinstance(value, list) and len(value) == 6):
        return None
    shas, calls, imports, docs, error, _ = value
    if not (
        _str_map(shas)
        and _str_map(docs)
        and (error is None or isinstance(error, str))
        and isinstance(calls, list)
        and isinstance(imports, list)
        and all(isinstance(name, str) for name in imports)
    ):
        return None
    by_def: dict[tuple[int, str], list[str]] = {}
    for call in calls:
        if not (
            isinstance(call, list)
            and len(call) == 3
            and type(call[0]) is int
            and isinstance(call[1], str)
            and isinstance(call[2], list)
            and all(isinstance(name, str) for name in call[2])
        ):
            return None
        by_def[(call[0], call[1])] = call[2]
    if error is not None:  # Python's parser rejects the file: fingerprints of its tokens
        return AstFacts(shas=dict(shas), error=SyntaxError(error)), dict(docs)
    return AstFacts(shas=dict(shas), calls=by_def, imports=frozenset(imports)), dict(docs)


def docstring_shas(facts: FileFacts) -> dict[str, str]:
    """Each target's :func:`~docagent.code.docstrings.docstring_sha`, by qualname (the first
    target of a qualname, as :meth:`FileFacts.target` finds it)."""
    from docagent.code.docstrings import docstring_sha

    docs: dict[str, str] = {}
    for t in facts.targets:
        if t.qualname not in docs:
            docs[t.qualname] = docstring_sha(t.docstring.text if t.docstring else None)
    return docs


def _value(found: AstFacts, facts: FileFacts) -> list[Any]:
    calls = [[line, name, names] for (line, name), names in found.calls.items()]
    error = None if found.error is None else str(found.error)
    docs = docstring_shas(facts)
    return [found.shas, calls, sorted(found.imports), docs, error, placement(facts)]


class FactsCache:
    """The facts cache of one repository (see the module docstring)."""

    def __init__(self, root: Path):
        """The cache of the repository at ``root`` (nothing is read until :meth:`load`)."""
        self.path = root / ".docagent" / CACHE_NAME
        self._old: dict[str, Any] = {}
        #: entries of the file versions of this run: content sha -> cache value
        self._seen: dict[str, Any] = {}
        self._changed = False

    @classmethod
    def load(cls, root: Path) -> FactsCache:
        """Read the cache of ``root``; anything not written by this user for this Python is
        ignored (an empty cache)."""
        cache = cls(root)
        entries = read_signed(cache.path, TAG)
        if isinstance(entries, dict):
            cache._old = entries
        return cache

    @classmethod
    def load_for(cls, root: Path, source_bytes: int) -> FactsCache | None:
        """:meth:`load`, when the cache is worth reading for files of ``source_bytes`` bytes
        in all (at most :data:`READ_RATIO` times their size, or small); else None (no cache,
        or one of a repository much larger than what is about to be read: one file's edit in
        a large one)."""
        try:
            size = (root / ".docagent" / CACHE_NAME).stat().st_size
        except OSError:
            return None
        worth = size <= max(READ_ALWAYS, READ_RATIO * source_bytes)
        return cls.load(root) if worth else None

    def attach(self, facts: FileFacts) -> bool:
        """Give ``facts`` the cached :class:`AstFacts` of its version; False when not cached.

        A malformed entry counts as not cached (the file is parsed, the entry rewritten).
        """
        if "_ast_facts" in facts.__dict__:
            return True
        found = self.lookup(content_sha(facts))
        if found is None:
            return False
        facts.__dict__["_ast_facts"] = found[0]
        return True

    def holds(self, sha: str) -> bool:
        """Whether the cache has an entry for the file version ``sha`` (:meth:`lookup` may
        still find it malformed)."""
        return sha in self._old

    def lookup(self, sha: str) -> tuple[AstFacts, dict[str, str]] | None:
        """The cached facts and docstring hashes (by qualname) of the file version ``sha``
        (:func:`content_sha`, the scan cache's ``FileEntry.sha``), kept for the next run; None
        when not cached or malformed."""
        value = self._old.get(sha)
        found = _entry(value) if value is not None else None
        if found is not None:
            self._seen[sha] = value
        return found

    def code_shas(self, facts: FileFacts) -> Mapping[str, str] | None:
        """The cached code fingerprints (by qualname) of the file version ``facts`` read, or
        None when that version is not cached (its bytes changed since the cache was written,
        the cache is unsigned, foreign or damaged, or the entry is malformed), or when Python's
        parser rejects it (its entry holds fingerprints of tokens, not of the code's tree).

        The entry is found by the hash of ``facts.source``, so it is this version's or none.
        """
        value = self._old.get(content_sha(facts))
        if not (isinstance(value, list) and len(value) == 6 and value[4] is None):
            return None
        # only the fingerprints are read: only they need to be well formed
        return dict(value[0]) if _str_map(value[0]) else None

    def file_facts(self, path: str, data: bytes) -> FileFacts | None:
        """The file ``path`` whose bytes are ``data``, with the targets its cached entry holds
        (what planning an edit reads: :mod:`docagent.code.placement_facts`), without reading
        it with tree-sitter; None when its version is not cached (the cache is unsigned,
        foreign or damaged, the bytes changed), Python's parser rejects it, or the entry's
        placement facts are missing, malformed or disagree with its docstring hashes.

        The entry is found by the hash of ``data`` decoded (:func:`content_sha`), so it is this
        version's or none.
        """
        try:
            text, encoding = decode_source(data, path)
        except SourceError:
            return None  # reported by the read that follows
        source = text.encode("utf-8")
        value = self._old.get(hashlib.blake2b(source, digest_size=16).hexdigest())
        if not (isinstance(value, list) and len(value) == 6 and value[4] is None):
            return None
        from docagent.code.docstrings import docstring_sha

        docs = value[3]
        targets = targets_from_placement(path, source, value[5])
        if targets is None or not isinstance(docs, dict) or len(docs) != len(targets):
            return None
        for t in targets:  # the docstrings read from the bytes are those batch read
            if docs.get(t.qualname) != docstring_sha(t.docstring.text if t.docstring else None):
                return None
        return FileFacts(path, encoding, detect_newline(text), text, source, targets)

    def add(self, facts: Iterable[FileFacts]) -> None:
        """Remember the facts computed for these files (those that parsed) for the next run."""
        for f in facts:
            found = f.__dict__.get("_ast_facts")
            if found is None or isinstance(found.error, RecursionError | MemoryError):
                continue  # too deep for the parser: raised again, never cached
            sha = content_sha(f)
            if sha not in self._seen:
                value = self._seen[sha] = _value(found, f)
                # new, or replacing a malformed entry
                self._changed = self._changed or self._old.get(sha) != value

    def save(self) -> None:
        """Write the cache when this run added to it (atomically; a failure is ignored).

        It keeps the entries of this run's file versions and up to :data:`KEEP_UNSEEN` others.
        """
        if not self._changed:
            return
        entries = dict(self._seen)
        for sha, value in self._old.items():
            if len(entries) >= len(self._seen) + KEEP_UNSEEN:
                break
            entries.setdefault(sha, value)
        if not write_signed(self.path, TAG, entries, compact=True):
            return  # no key, read-only repository or full disk: only the next run is slower
        self._changed = False


__all__ = ["CACHE_NAME", "FactsCache", "content_sha", "docstring_shas"]


class HeldFingerprints:
    """The fingerprints of one file version that this process computed already, offered to
    the edit engine the way :meth:`FactsCache.code_shas` offers a cached entry's.

    ``batch --apply`` parsed and fingerprinted each file to draft it; the file it is about to
    edit is the same version when its bytes hash the same, and then needs no second parse for
    its ``code_sha`` guard (:func:`~docagent.code.edit.prepare_file_edits`).
    """

    def __init__(self, sha: str, found: AstFacts) -> None:
        """The facts ``found`` of the file version whose :func:`content_sha` is ``sha``."""
        self._sha = sha
        self._found = found

    @classmethod
    def of(cls, facts: FileFacts) -> HeldFingerprints | None:
        """The fingerprints computed for ``facts`` (None when none were computed yet)."""
        found = facts.__dict__.get("_ast_facts")
        return None if found is None else cls(content_sha(facts), found)

    def code_shas(self, facts: FileFacts) -> Mapping[str, str] | None:
        """The code fingerprints (by qualname) of the file version ``facts`` read, or None
        when it is another version (its bytes hash differently) or Python's parser rejected
        it (the fingerprints are then of its tokens, not of its tree)."""
        if self._found.error is not None or content_sha(facts) != self._sha:
            return None
        return self._found.shas

    def file_facts(self, path: str, data: bytes) -> FileFacts | None:
        """None: the file is read again (only fingerprints are held)."""
        return None
