"""Scan a repository: every target with its status, in parallel, cached by file content.

The cache (``.docagent/scan-cache.json``) is keyed by each file's content hash, so it is never
stale when a file changes; a warm scan of an unchanged repository only lists, reads and hashes
files. Parsing runs in worker processes across cores.

The cache is data, never code: JSON, checked field by field on load, and signed with a key that
lives in the user's cache folder (``$XDG_CACHE_HOME/docagent/`` or ``~/.cache/docagent/``),
never in the repository. A cache this user did not write (committed to a clone, copied from
another machine, edited) fails the signature and is rebuilt; nothing in it is trusted.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from docagent import repo
from docagent.code.special_methods import DEFAULT as DEFAULT_SPECIAL
from docagent.code.special_methods import SpecialMethods
from docagent.config import Settings

try:  # hashlib's own blake2b, without hashlib's import of OpenSSL (a few ms of start-up)
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - CPython builds _blake2 in
    from hashlib import blake2b as _blake2b

if TYPE_CHECKING:
    from docagent.code.targets import FileFacts

CACHE_NAME = "scan-cache.json"
#: a scan narrowed (``--since``, a path) to at most this many files does not use the cache
NARROW_UNCACHED = 8
CACHE_VERSION = 8  # bump when the scan result of an unchanged file can change (7: one-line
# prose docstrings vote apart in style detection; 8: Python 2 statements are syntax errors, a
# bare yield needs no Yields, a nested function's raise may be documented)
_MAGIC = b"docagent-scan-cache"
_KEY_NAME = "scan-cache.key"


class Row(NamedTuple):
    """One target of a file's cached summary: what coverage counts."""

    kind: str
    public: bool
    has_doc: bool
    status: str


# Every possible summary row, so a cache stores a row as its index in this tuple.
_ROWS = tuple(
    Row(kind, public, has_doc, status)
    for kind in ("module", "class", "method", "function")
    for public in (False, True)
    for has_doc in (False, True)
    for status in ("missing", "ok", "stale")
)
_ROW_CODE = {row: i for i, row in enumerate(_ROWS)}


@dataclass
class FileEntry:
    """Cached scan result of one file, keyed by the hash of its bytes."""

    sha: str
    rows: list[Row]
    json_targets: str
    style_votes: dict[str, int]
    error: str | None = None

    def records(self) -> list[dict[str, Any]]:
        """The file's targets as ``scan --json`` contract dicts, in source order."""
        return json.loads("[" + self.json_targets + "]") if self.json_targets else []


@dataclass
class ScanResult:
    """The outcome of a scan: per-file entries plus what the filters select."""

    root: Path
    files: dict[str, FileEntry]
    style: str
    include_private: bool
    kinds: tuple[str, ...]
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: where the style came from: "configured in <file> <key>", "detected" or "setting"
    style_source: str = "setting"
    #: whether magic methods and ``__init__`` count (the repository's docstring checkers)
    special: SpecialMethods = DEFAULT_SPECIAL
    #: ``--changed-lines``: the (path, qualname) of the targets with a changed line of their own
    changed: frozenset[tuple[str, str]] | None = None
    #: with ``scan(keep_facts=True)``: the full facts of the files this scan parsed (not those
    #: its cache answered), so the caller need not read them again
    facts: dict[str, FileFacts] = field(default_factory=dict, repr=False)

    def selected(self, row: Row) -> bool:
        """True when a target row counts under the visibility and kind filters."""
        return (self.include_private or row.public) and row.kind in self.kinds

    def _rows(self, path: str, entry: FileEntry) -> list[Row]:
        """The file's summary rows, only those of changed targets under ``--changed-lines``."""
        if self.changed is None:
            return entry.rows
        return [
            Row(t["kind"], t["public"], t["has_docstring"], t["status"])
            for t in entry.records()
            if (path, t["qualname"]) in self.changed
        ]

    def narrow_to_changed(self, lines: dict[str, set[int] | None]) -> None:
        """Keep only targets with a changed line of their own (``--changed-lines``).

        ``lines`` maps a path to its changed line numbers (None: a new file, all changed), as
        :func:`docagent.repo.changed_lines` returns them.
        """
        kept: set[tuple[str, str]] = set()
        for path, entry in self.files.items():
            records = entry.records()
            spans = [(t["line"], t["end_line"]) for t in records]
            flags = repo.own_lines_touched(spans, lines.get(path, set()))
            kept.update((path, t["qualname"]) for t, hit in zip(records, flags, strict=True) if hit)
        self.changed = frozenset(kept)

    def summary(self) -> dict[str, Any]:
        """The ``summary`` object of the ``scan --json`` contract."""
        total = documented = stale = 0
        for path, entry in self.files.items():
            for row in self._rows(path, entry):
                if self.selected(row):
                    total += 1
                    documented += row.has_doc
                    stale += row.status == "stale"
        coverage = round(100.0 * documented / total, 1) if total else 100.0
        return {
            "total": total,
            "documented": documented,
            "coverage": coverage,
            "missing": total - documented,
            "stale": stale,
        }

    def per_file(self) -> list[dict[str, Any]]:
        """Coverage of each file under the filters, in path order."""
        out = []
        for path, entry in sorted(self.files.items()):
            rows = [r for r in self._rows(path, entry) if self.selected(r)]
            if not rows:
                continue
            documented = sum(r.has_doc for r in rows)
            out.append(
                {
                    "path": path,
                    "total": len(rows),
                    "documented": documented,
                    "stale": sum(r.status == "stale" for r in rows),
                    "coverage": round(100.0 * documented / len(rows), 1),
                }
            )
        return out

    def records(self, selected_only: bool = True) -> list[dict[str, Any]]:
        """Targets as contract dicts, in path order (only those the filters select, by default).

        For full code facts (parameters, body facts, byte offsets) read the file with
        :func:`docagent.code.targets.read_file`.
        """
        out = []
        for path, entry in sorted(self.files.items()):
            for t in entry.records():
                if not selected_only or (
                    (self.include_private or t["public"])
                    and t["kind"] in self.kinds
                    and (self.changed is None or (path, t["qualname"]) in self.changed)
                ):
                    out.append(t)
        return out

    def to_json(self, root_label: str = ".") -> str:
        """The ``scan --json`` contract document (every target listed, public or not)."""
        parts = [e.json_targets for _, e in sorted(self.files.items()) if e.json_targets]
        head = {
            "root": root_label,
            "summary": self.summary(),
            "style": self.style,
            "errors": [{"path": p, "error": m} for p, m in self.errors],
        }
        head_json = json.dumps(head)[:-1]
        return head_json + ', "targets": [' + ", ".join(parts) + "]}"


def content_hash(data: bytes) -> str:
    """The hash of a file's bytes that keys its cache entry (:attr:`FileEntry.sha`)."""
    return _blake2b(data, digest_size=16).hexdigest()


_hash = content_hash


def scan_file_bytes(
    rel_path: str, data: bytes, sha: str, special: SpecialMethods = DEFAULT_SPECIAL
) -> FileEntry:
    """Parse one file's bytes into a cache entry (the unit of work of a worker process).

    ``special`` says which magic methods and ``__init__`` are public (count).
    """
    return _scan_bytes(rel_path, data, sha, special, keep=False)[0]


def _scan_bytes(
    rel_path: str, data: bytes, sha: str, special: SpecialMethods, *, keep: bool
) -> tuple[FileEntry, FileFacts | None]:
    """:func:`scan_file_bytes`; with ``keep``, also the file's full facts for drafting.

    With ``keep`` the file is read with every code fact (``body_facts="all"``: the same
    targets, statuses and contract as the scanner's lighter read), so the caller need not read
    it again. Python's parser is left to the caller (the call graph needs the syntax tree,
    which costs more to send from a worker than to parse).
    """
    from docagent.code.docstrings import apply_status, style_votes
    from docagent.code.special_methods import apply_special_methods
    from docagent.code.targets import SourceError, read_file

    try:
        facts = read_file(rel_path, rel_path, data, body_facts="all" if keep else "sectioned")
    except SourceError as exc:
        return FileEntry(sha, [], "", {}, error=str(exc)), None
    apply_status(facts.targets)
    apply_special_methods(facts.targets, special)
    targets = facts.targets
    rows = [Row(t.kind, t.public, t.has_docstring, t.status) for t in targets]
    json_targets = json.dumps([t.contract_dict() for t in targets])[1:-1]
    votes = dict(style_votes(t.docstring.text for t in targets if t.docstring is not None))
    entry = FileEntry(sha, rows, json_targets, votes)
    if not keep:
        return entry, None
    for name in [n for n in facts.__dict__ if n.startswith("_")]:
        del facts.__dict__[name]  # what lookups memoized on the facts: not sent back
    return entry, facts


_Job = tuple[str, str, bytes | None, str]  # (relative path, absolute path, bytes, sha)


def _work(
    batch: list[_Job], special: SpecialMethods = DEFAULT_SPECIAL, keep: bool = False
) -> list[tuple[str, FileEntry, FileFacts | None]]:
    import gc

    gc.disable()  # extraction allocates many small objects that never form cycles
    try:
        out: list[tuple[str, FileEntry, FileFacts | None]] = []
        for rel, abs_path, data, sha in batch:
            if data is None:  # cold scan: the worker reads the file itself
                try:
                    with open(abs_path, "rb") as fh:
                        data = fh.read()
                except OSError as exc:
                    out.append((rel, FileEntry("", [], "", {}, f"{rel}: cannot read: {exc}"), None))
                    continue
                sha = _hash(data)
            out.append((rel, *_scan_bytes(rel, data, sha, special, keep=keep)))
        return out
    finally:
        gc.enable()


def _key_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not base:
        home = os.environ.get("HOME") or ""
        if not home:
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "docagent"


def cache_key(create: bool = False) -> bytes | None:
    """This user's secret key for signing scan caches (None when there is none and cannot be).

    The key is 32 random bytes in ``<user cache folder>/docagent/scan-cache.key`` (mode 0600),
    made on first use when ``create``; a cache signed with another key is never read.
    """
    directory = _key_dir()
    if directory is None:
        return None
    path = directory / _KEY_NAME
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    if not create:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        import secrets

        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key
    except OSError:
        return None


def _mac(key: bytes, body: bytes) -> str:
    import hmac  # only a scan that reads or writes the cache signs

    return hmac.new(key, body, "sha256").hexdigest()


def _entry(value: Any, blob: bytes) -> FileEntry | None:
    """A cache entry from its index row and the fragment blob, or None when malformed."""
    if not (isinstance(value, list) and len(value) == 6):
        return None
    sha, rows, votes, error, start, end = value
    if not (
        isinstance(sha, str)
        and isinstance(rows, list)
        and isinstance(votes, dict)
        and (error is None or isinstance(error, str))
        and type(start) is int
        and type(end) is int
        and 0 <= start <= end <= len(blob)
    ):
        return None
    try:
        if rows and min(rows) < 0:
            return None
        checked = [_ROWS[code] for code in rows]
    except (IndexError, TypeError):
        return None
    if not all(isinstance(k, str) and type(v) is int for k, v in votes.items()):
        return None
    try:
        json_targets = blob[start:end].decode("ascii")
    except UnicodeDecodeError:
        return None
    return FileEntry(sha, checked, json_targets, votes, error)


def _version(special: SpecialMethods) -> bytes:
    """The cache's format version: entries made under other special-method rules differ."""
    return f"{CACHE_VERSION}{special.token()}".encode()


def _load_cache(path: Path, special: SpecialMethods = DEFAULT_SPECIAL) -> dict[str, FileEntry]:
    """The cache at ``path`` when this user wrote it (right signature) and it is well formed.

    The file is one header line (format, version, HMAC-SHA256 of the rest under this user's
    key), one line of JSON index (per file: content hash, summary rows, style votes, error and
    the byte range of its targets) and the targets' ``scan --json`` fragments, concatenated.
    Anything else (missing, another user's or machine's, edited, damaged, an older format) is
    ignored: an empty cache means the files are parsed again.
    """
    key = cache_key()
    if key is None:
        return {}
    try:
        with path.open("rb") as fh:
            head = fh.readline(200)
            body = fh.read()
    except OSError:
        return {}
    parts = head.split()
    if len(parts) != 3 or parts[0] != _MAGIC or parts[1] != _version(special):
        return {}
    import hmac

    if not hmac.compare_digest(parts[2], _mac(key, body).encode()):
        return {}
    index_line, _, blob = body.partition(b"\n")
    try:
        files = json.loads(index_line)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(files, dict):
        return {}
    out: dict[str, FileEntry] = {}
    for rel, value in files.items():
        entry = _entry(value, blob)
        if entry is None:
            return {}
        out[rel] = entry
    return out


def _save_cache(
    path: Path, files: dict[str, FileEntry], special: SpecialMethods = DEFAULT_SPECIAL
) -> None:
    from docagent.writes import write_atomic

    key = cache_key(create=True)
    if key is None:
        return  # no private place for a key: scan without a cache
    index: dict[str, list[Any]] = {}
    chunks: list[bytes] = []
    offset = 0
    for rel, e in files.items():
        fragment = e.json_targets.encode("ascii", "backslashreplace")
        rows = [_ROW_CODE[row] for row in e.rows]
        index[rel] = [e.sha, rows, e.style_votes, e.error, offset, offset + len(fragment)]
        chunks.append(fragment)
        offset += len(fragment)
    body = json.dumps(index, separators=(",", ":")).encode("ascii") + b"\n" + b"".join(chunks)
    head = b"%s %s %s\n" % (_MAGIC, _version(special), _mac(key, body).encode())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, head + body, mode=0o600, sync=False)
    except OSError:
        pass  # read-only repository or full disk: scanning still works, only slower next time


def _chunks(items: list[Any], n: int) -> Iterable[list[Any]]:
    """Small batches in the given order (largest files first keeps the workers' tails even)."""
    size = max(1, min(16, len(items) // (n * 16) or 1))
    for i in range(0, len(items), size):
        yield items[i : i + size]


def scan_files(
    root: Path,
    paths: Sequence[str],
    *,
    use_cache: bool = True,
    workers: int | None = None,
    special: SpecialMethods = DEFAULT_SPECIAL,
    keep_facts: dict[str, FileFacts] | None = None,
    meanwhile: Callable[[list[tuple[str, str]]], None] | None = None,
) -> tuple[dict[str, FileEntry], list[tuple[str, str]]]:
    """Scan ``paths`` (relative to ``root``), reusing cached entries whose content is unchanged.

    Returns the entries of readable files and a list of ``(path, error)`` for files that could
    not be read, decoded or parsed. ``special`` says which magic methods and ``__init__`` count.
    ``keep_facts``, a dict, receives the full facts of the files parsed (see
    :attr:`ScanResult.facts`): the workers read them for drafting, not only for the scan.
    ``meanwhile`` is called with ``(path, absolute path)`` of the files the worker processes
    parse, in this process once they have started (not when the files are parsed here): work
    that overlaps theirs.
    """
    keep = keep_facts is not None
    cache_path = root / ".docagent" / CACHE_NAME
    cache = _load_cache(cache_path, special) if use_cache else {}
    entries: dict[str, FileEntry] = {}
    errors: list[tuple[str, str]] = []
    todo: list[_Job] = []
    sizes: dict[str, int] = {}
    for rel in paths:
        abs_path = str(root / rel)
        if not cache:  # nothing to compare with: workers read and hash in parallel
            try:
                sizes[rel] = os.stat(abs_path).st_size
            except OSError as exc:
                errors.append((rel, f"{rel}: cannot read: {exc.strerror or exc}"))
                continue
            todo.append((rel, abs_path, None, ""))
            continue
        try:
            with open(abs_path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            errors.append((rel, f"{rel}: cannot read: {exc.strerror or exc}"))
            continue
        sha = _hash(data)
        hit = cache.get(rel)
        if hit is not None and hit.sha == sha:
            entries[rel] = hit
        else:
            sizes[rel] = len(data)
            todo.append((rel, abs_path, data, sha))
    if todo:
        todo.sort(key=lambda job: -sizes[job[0]])  # big files first: workers finish together
        n = workers if workers is not None else (os.cpu_count() or 1)
        if n > 1 and len(todo) > 8 and sum(sizes.values()) > 200_000:
            import multiprocessing  # imported here: a narrowed scan never needs a pool
            from concurrent.futures import ProcessPoolExecutor

            ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
                work = functools.partial(_work, special=special, keep=keep)
                results = pool.map(work, _chunks(todo, n))  # every chunk submitted now
                if meanwhile is not None:
                    meanwhile([(job[0], job[1]) for job in todo])
                for done in results:
                    _collect(done, entries, keep_facts)
        else:
            _collect(_work(todo, special, keep), entries, keep_facts)
    for rel, entry in list(entries.items()):
        if entry.error:
            errors.append((rel, entry.error))
    if use_cache and (todo or set(cache) - set(entries)):
        merged = {**{k: v for k, v in cache.items() if (root / k).exists()}, **entries}
        from docagent.writes import TEMP_GLOB

        with contextlib.suppress(OSError):
            repo.ensure_excluded(root)
            repo.ensure_excluded(root, TEMP_GLOB)
        _save_cache(cache_path, merged, special)
    good = {k: v for k, v in entries.items() if not v.error}
    return good, sorted(errors)


def _collect(
    done: list[tuple[str, FileEntry, FileFacts | None]],
    entries: dict[str, FileEntry],
    facts: dict[str, FileFacts] | None,
) -> None:
    for rel, entry, found in done:
        entries[rel] = entry
        if facts is not None and found is not None:
            facts[rel] = found


def scan(
    path: str | Path = ".",
    settings: Settings | None = None,
    *,
    since: str | None = None,
    include_private: bool | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    keep_facts: bool = False,
    meanwhile: Callable[[list[tuple[str, str]]], None] | None = None,
) -> ScanResult:
    """Scan the repository containing ``path`` (narrowed to ``path`` when it is inside it).

    ``keep_facts``: the files parsed are read for drafting too (:attr:`ScanResult.facts`).
    ``meanwhile``: see :func:`scan_files`.
    """
    from docagent.config import load_settings

    root = repo.find_root(path)
    settings = settings or load_settings(root, path=path)
    under = Path(path).resolve()
    paths = repo.python_files(
        root,
        settings.include,
        settings.exclude,
        since=since,
        under=under,
        include_environments=settings.include_environments,
    )
    if (since is not None or under != root) and len(paths) <= NARROW_UNCACHED:
        use_cache = False  # parsing a few files is cheaper than reading and rewriting the cache
    from docagent.code.special_methods import configured_special_methods

    special = configured_special_methods(root)
    kept: dict[str, FileFacts] | None = {} if keep_facts else None
    entries, errors = scan_files(
        root,
        paths,
        use_cache=use_cache,
        workers=workers,
        special=special,
        keep_facts=kept,
        meanwhile=meanwhile,
    )
    if include_private is None:
        include_private = settings.visibility == "all"
    style, style_source = settings.style, "setting"
    if style == "auto":
        from docagent.code.style_config import configured_style

        configured = configured_style(root)
        if configured is not None:
            style, style_source = configured[0], f"configured in {configured[1]}"
        else:
            style, style_source = repo_style(entries.values()), "detected"
    return ScanResult(
        root=root,
        files=entries,
        style=style,
        style_source=style_source,
        include_private=include_private,
        kinds=tuple(settings.kinds),
        errors=errors,
        special=special,
        facts={rel: f for rel, f in (kept or {}).items() if rel in entries},
    )


def repo_style(entries: Iterable[FileEntry]) -> str:
    """The majority docstring style over the files' style votes."""
    from docagent.code.docstrings import style_from_votes

    votes: Counter[str] = Counter()
    for e in entries:
        votes.update(e.style_votes)
    return style_from_votes(votes)
